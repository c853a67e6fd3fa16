"""Fuzzing: the query parser with Hypothesis, and the HTTP API with schemathesis against its own
OpenAPI schema (generated requests, a bounded number per operation): never a 5xx, never a response
that breaks the schema."""

from __future__ import annotations

import os

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from momentsearch.errors import QueryError
from momentsearch.options import MAX_QUERY_CHARS, MAX_RESULTS
from momentsearch.search.query import clean_query
from momentsearch.search.searcher import _check_k

DERANDOMIZE = bool(os.environ.get("CI"))  # CI replays the same examples: a failure there reproduces


@settings(max_examples=300, deadline=None, derandomize=DERANDOMIZE)
@given(st.text(max_size=3000))
def test_query_parser_gives_clean_text_or_a_query_error(raw):
    try:
        text = clean_query(raw)
    except QueryError as exc:
        assert "empty" in str(exc)
        assert not "".join(ch for ch in raw if ch.isprintable()).strip()
        return
    assert text and text == text.strip() and len(text) <= MAX_QUERY_CHARS
    assert all(ch.isprintable() for ch in text) and "  " not in text


@settings(max_examples=200, deadline=None, derandomize=DERANDOMIZE)
@given(st.one_of(st.integers(-10**12, 10**12), st.booleans(), st.floats(allow_nan=True), st.text(max_size=5),
                 st.none()))
def test_k_is_bounded_or_a_query_error(k):
    try:
        got = _check_k(k)
    except QueryError as exc:
        assert "k must be" in str(exc)
        assert not (isinstance(k, int) and not isinstance(k, bool) and 1 <= k <= MAX_RESULTS)
        if isinstance(k, int) and not isinstance(k, bool) and k > MAX_RESULTS:
            assert f"at most {MAX_RESULTS}" in str(exc)  # the limit said, not the answer silently cut to it
        return
    assert isinstance(k, int) and not isinstance(k, bool) and got == k and 1 <= k <= MAX_RESULTS


# -- the HTTP API ---------------------------------------------------------------------------------------

pytest.importorskip("fastapi")
schemathesis = pytest.importorskip("schemathesis")


@pytest.fixture(scope="module")
def api_schema(indexed_lecture):
    from momentsearch.api import MomentIndex
    from momentsearch.server.app import create_app

    app = create_app(MomentIndex(indexed_lecture[0]), allowed_hosts=("testserver",))  # the test client's Host
    return schemathesis.openapi.from_asgi("/openapi.json", app)


schema = schemathesis.pytest.from_fixture("api_schema")


@schema.parametrize()
@settings(max_examples=int(os.environ.get("MOMENTSEARCH_FUZZ_EXAMPLES", "25")), deadline=None,
          derandomize=DERANDOMIZE, suppress_health_check=list(HealthCheck))
def test_api_answers_generated_requests_within_its_schema(case):
    from schemathesis.checks import allow_header_conformance, positive_data_acceptance, unsupported_method

    # Every default check (no 5xx, documented status codes and content types, bodies as the schema says,
    # invalid requests rejected) except three whose findings are HTTP details, reported rather than failed on:
    # - unsupported_method / allow_header_conformance: Starlette answers OPTIONS on a path with separate
    #   GET and POST routes with `Allow: GET` only;
    # - positive_data_acceptance: an empty upload is schema-valid but is rightly refused with a 400.
    case.call_and_validate(excluded_checks=[unsupported_method, allow_header_conformance, positive_data_acceptance])
