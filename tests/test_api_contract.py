"""The HTTP API as a client generated from its /openapi.json sees it: every route called (valid requests and the
errors the schema lists), and each real answer's status, content type and JSON body checked against the served
schema. A route whose JSON answer the schema leaves untyped (`{}`) counts as a mismatch: a generated client
gets no fields from it."""

from __future__ import annotations

import json
import math
import wave
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("fastapi")
jsonschema = pytest.importorskip("jsonschema")
import av  # noqa: E402
from fastapi.testclient import TestClient  # noqa: E402
from PIL import Image  # noqa: E402
from referencing import Registry, Resource  # noqa: E402
from referencing.jsonschema import DRAFT202012  # noqa: E402

from momentsearch.server.app import create_app  # noqa: E402
from momentsearch.types import FileRecord  # noqa: E402
from test_server import _FakeIndex  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]


def mismatches(schema: dict, method: str, route: str, response) -> list[str]:
    """How `response` (to `method route`, a path template of the schema) differs from what the schema documents."""
    operation = schema["paths"][route][method.lower()]
    said = operation["responses"].get(str(response.status_code))
    where = f"{method} {response.request.url.path} -> {response.status_code}"
    if said is None:
        return [f"{where}: status not documented"]
    absent = [name for name in said.get("headers", {}) if name not in response.headers]
    if absent:
        return [f"{where}: documented headers {absent} absent"]
    ctype = response.headers.get("content-type", "").split(";")[0].strip()
    content = said.get("content", {})
    if content and ctype not in content and f"{ctype.split('/')[0]}/*" not in content:
        return [f"{where}: content type {ctype} not among {sorted(content)}"]
    if ctype != "application/json":
        return []
    body_schema = content.get(ctype, {}).get("schema")
    if not body_schema:
        return [f"{where}: the JSON answer has no schema (a generated client sees no fields): {response.text[:120]}"]
    registry = Registry().with_resource("urn:api", Resource.from_contents(schema, default_specification=DRAFT202012))
    body_schema = json.loads(json.dumps(body_schema).replace('"#/components/', '"urn:api#/components/'))
    validator = jsonschema.Draft202012Validator(body_schema, registry=registry)
    return [f"{where}: {e.message[:160]} at {list(e.absolute_path)}" for e in validator.iter_errors(response.json())]


@pytest.fixture(scope="module")
def contract(indexed_lecture):
    from momentsearch.api import MomentIndex

    with TestClient(create_app(MomentIndex(indexed_lecture[0]), warm=False), base_url="http://localhost") as client:
        yield client, client.get("/openapi.json").json()


def test_every_json_route_answers_as_its_schema_says(contract):
    client, schema = contract
    vid = client.get("/api/videos").json()["videos"][0]["video_id"]
    calls = [(route, route, {}) for route in ("/api/health", "/api/videos", "/api/examples")]
    for params in ({"q": "roadmap", "k": 3}, {"q": "roadmpa"}, {"q": "the of and"}, {"q": "roadmap", "video": vid},
                   {"q": "roadmap", "kind": "photo"}, {"q": "   "}, {"q": "x", "k": 0}, {"q": "x" * 2001}, {},
                   {"q": "x", "video": "0" * 16}):
        calls.append(("/api/search", "/api/search", params))
    for route in ("/api/chapters/{video_id}", "/api/transcript/{video_id}", "/api/clock/{video_id}",
                  "/api/captions/{video_id}.vtt", "/api/media/{video_id}", "/api/photos/{video_id}.jpg",
                  "/api/clips/{video_id}"):
        for video_id in (vid, "0" * 16, "nope"):  # indexed, unknown, malformed
            calls.append((route, route.replace("{video_id}", video_id), {"start": 1, "end": 3}))
    for fmt in ("json", "srt", "vtt", "text", "pdf"):
        calls.append(("/api/transcript/{video_id}", f"/api/transcript/{vid}", {"format": fmt}))
    calls += [("/api/clips/{video_id}", f"/api/clips/{vid}", {"start": 5, "end": 2}),
              ("/api/thumbs/{segment_id}", f"/api/thumbs/{vid}:keyframe:000000001-000000002", {})]
    found = []
    for route, path, params in calls:
        response = client.get(path, params=params)
        assert response.status_code != 500, (path, response.text)
        found += mismatches(schema, "GET", route, response)
    image = client.get(client.get("/api/search", params={"q": "roadmap"}).json()["results"][0]["thumb_url"])
    for name, data in (("slide.jpg", image.content), ("x.jpg", b"no image")):
        files = {"image": (name, data, "image/jpeg")}
        found += mismatches(schema, "POST", "/api/search", client.post("/api/search", files=files))
    assert not found, "\n".join(found)


def test_fields_every_answer_carries_are_required(contract):
    """The answers always carry every field of their models (empty, or null, when there is nothing to say), so the
    schema marks them required: a generated client then types `warnings` as a list, not as "maybe absent". The
    test above checks real answers against that."""
    models = {name: model for name, model in contract[1]["components"]["schemas"].items() if name.endswith("Out")}
    assert len(models) >= 12
    loose = {name: sorted(set(m["properties"]) - set(m.get("required", ()))) for name, m in models.items()}
    assert not {name: fields for name, fields in loose.items() if fields}


def test_every_api_route_is_in_the_schema(contract):
    from momentsearch.server import moment_routes, routes, search_routes

    served = {(method.lower(), route.path) for router in (routes.router, moment_routes.router, search_routes.router)
              for route in router.routes for method in route.methods}
    assert len(served) >= 14 and served <= {(m, p) for p, ops in contract[1]["paths"].items() for m in ops}


def test_every_request_header_the_server_reads_is_a_declared_parameter(contract):
    """A generated client sends only the parameters the schema declares: the player's Range (for 206) is one."""
    for method in ("get", "head"):
        said = contract[1]["paths"]["/api/media/{video_id}"][method].get("parameters", [])
        assert {(p["in"], p["name"].lower()) for p in said} >= {("path", "video_id"), ("header", "range")}, method
    client = contract[0]
    vid = client.get("/api/videos").json()["videos"][0]["video_id"]
    assert len(client.get(f"/api/media/{vid}", headers={"Range": "bytes=0-9"}).content) == 10


def test_readme_route_table_names_every_route_of_the_schema(contract):
    """A reader picks routes from the README's table: each one the server documents is there."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    table = readme.split("| route | answers |", 1)[1].split("\n\n", 1)[0]
    rows = [line.split("|")[1] for line in table.splitlines() if line.startswith("| `")]
    missing = [p for p in contract[1]["paths"] if not any(p in row for row in rows)]  # its parameters' names too
    assert not missing, missing


# -- files of each kind: sound, photo, a video that is no MP4 ------------------------------------------------
class _FilesIndex(_FakeIndex):
    """The server's fake index over real files, with the real clip cutter."""

    def export_clip(self, source, start, end, out, padding=0.0, name=None):
        from momentsearch.clips import cut_clip

        return cut_clip(source, start, end, out, padding, name)


def _sound(path: Path) -> Path:
    rate = 16000
    tone = (np.sin(np.arange(rate * 4) * 2 * math.pi * 220 / rate) * 8000).astype(np.int16)
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(tone.tobytes())
    return path


def _matroska(path: Path) -> Path:
    with av.open(str(path), "w") as out:
        stream = out.add_stream("mpeg4", rate=5)
        stream.width, stream.height, stream.pix_fmt = 64, 48, "yuv420p"
        for i in range(20):
            frame = av.VideoFrame.from_ndarray(np.full((48, 64, 3), i * 10, np.uint8), format="rgb24")
            frame.pts = i
            out.mux(stream.encode(frame))
        out.mux(stream.encode())
    return path


def _record(path: Path, video_id: str, kind: str, mime: str) -> FileRecord:
    st = path.stat()
    return FileRecord(path=str(path), video_id=video_id, size=st.st_size, mtime=st.st_mtime, kind=kind,
                      duration=0.0 if kind == "photo" else 4.0, channels=["transcript"], complete=True,
                      device=st.st_dev, inode=st.st_ino, mime=mime)


def test_files_of_every_kind_are_served_as_the_schema_says(tmp_path):
    """/api/media serves what probing found (a sound, a photo), /api/clips a sound file's own container or
    Matroska: a client that trusts the schema's content types must not meet others."""
    Image.new("RGB", (80, 60), "white").save(tmp_path / "board.jpg")
    records = [_record(_sound(tmp_path / "talk.wav"), "a" * 16, "audio", "audio/wav"),
               _record(tmp_path / "board.jpg", "b" * 16, "photo", "image/jpeg"),
               _record(_matroska(tmp_path / "screen.mkv"), "c" * 16, "video", "video/x-matroska")]
    with TestClient(create_app(_FilesIndex(records), warm=False), base_url="http://localhost") as client:
        schema = client.get("/openapi.json").json()
        found = []
        for rec in records:
            for headers in ({}, {"Range": "bytes=0-9"}, {"Range": "bytes=0-1,4-5"}):
                response = client.get(f"/api/media/{rec.video_id}", headers=headers)
                assert response.status_code in (200, 206), response.text
                found += mismatches(schema, "GET", "/api/media/{video_id}", response)
            found += mismatches(schema, "HEAD", "/api/media/{video_id}", client.head(f"/api/media/{rec.video_id}"))
            response = client.get(f"/api/clips/{rec.video_id}", params={"start": 0.5, "end": 2.5})
            assert response.status_code == (400 if rec.kind == "photo" else 200), response.text
            found += mismatches(schema, "GET", "/api/clips/{video_id}", response)
            if response.status_code == 200:  # the real span a player or an editor needs: documented, so read
                said = schema["paths"]["/api/clips/{video_id}"]["get"]["responses"]["200"].get("headers", {})
                assert {"X-Clip-Start", "X-Clip-End"} <= set(said) and float(response.headers["X-Clip-End"]) > 2
            found += mismatches(schema, "GET", "/api/clock/{video_id}", client.get(f"/api/clock/{rec.video_id}"))
    assert not found, "\n".join(found)
