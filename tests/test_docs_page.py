"""/docs in a browser: Swagger UI, served from the package (no CDN), draws the API's routes from /openapi.json.
FastAPI writes OpenAPI 3.1; Swagger UI 4 (swagger-ui-bundle 1.x) reads 3.0 only and drew nothing but "Unable to
render this definition: The provided definition does not specify a valid version field"."""

from __future__ import annotations

import pytest

pytest.importorskip("fastapi")
from fastapi.testclient import TestClient  # noqa: E402
from page_browser import browser, needs_chromium  # noqa: E402, F401 (a fixture)

from momentsearch.server.app import create_app  # noqa: E402
from test_server_safety import LOCAL, _FakeIndex, _record  # noqa: E402

pytestmark = needs_chromium


def test_the_api_reference_page_draws_every_route_of_the_schema(browser, tmp_path):
    media = tmp_path / "a.mp4"
    media.write_bytes(bytes(range(256)) * 4)
    client = TestClient(create_app(_FakeIndex([_record(media)]), warm=False), base_url=LOCAL)
    schema = client.get("/openapi.json").json()
    assert schema["openapi"].startswith("3.1")
    routes = {(method.upper(), path) for path, methods in schema["paths"].items() for method in methods}

    def answer(route):  # every request the page makes, answered by the app itself
        url = route.request.url
        r = client.request(route.request.method, url[len(LOCAL):] or "/")
        route.fulfill(status=r.status_code, body=r.content,
                      headers={k: v for k, v in r.headers.items() if k.lower() != "content-length"})

    page = browser.new_page()
    try:
        page.route("**/*", answer)
        page.goto(f"{LOCAL}/docs")
        page.wait_for_selector(".opblock, .version-pragma, .errors-wrapper", timeout=30_000)
        assert "Unable to render" not in page.inner_text("body"), page.inner_text("body")[:300]
        drawn = {(block.locator(".opblock-summary-method").inner_text().strip(),
                  block.locator(".opblock-summary-path").get_attribute("data-path"))
                 for block in page.locator(".opblock").all()}
        assert drawn == routes
    finally:
        page.close()
