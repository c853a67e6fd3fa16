"""The start page's example queries (search/examples.py): slide titles first, then spoken words."""

from __future__ import annotations

from momentsearch.search.examples import example_queries


def test_the_examples_are_the_slides_titles_not_only_one_line_cards():
    """A recorded call: slide text is stored one document a slide, its lines joined with " · " (as
    `SlideText.text` joins them), so the "first line" of each was the whole slide, too long to be a title;
    only one-line cards passed ("Recording stopped", the call's end card) and the page offered that instead of
    the shared slides' titles."""
    texts = ["Waiting for the host to start · this meeting...",
             "Security Audit Findings · Password rotation policy · Expired TLS certificates",
             "Recording stopped",
             "Backup Archiving Plan · Move backups older than 90 days · Cold storage tier"]
    assert example_queries(texts, ["we talked about the certificates"], n=3) == [
        "Security Audit Findings", "Recording stopped", "Backup Archiving Plan"]
    assert example_queries(["Intro\nKey Ideas Today"], [], n=2) == []  # a line of its own is still a line
