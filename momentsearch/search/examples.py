"""Example queries drawn from an index, for the web page's start page: slide titles, then the
distinctive words of the speech. Pure functions over the cached corpus; nothing is embedded."""

from __future__ import annotations

import re

from momentsearch.ranking.lexical import STOPWORDS
from momentsearch.ranking.slide_lexical import LINE_JOIN

_WORDS = re.compile(r"[^\W\d_]+", re.UNICODE)


def slide_titles(ocr_texts: list[str], n: int) -> list[str]:
    """The first line of each slide text that reads like a title (2-5 words, mostly letters). A slide's text
    is stored with its lines joined by `LINE_JOIN` (`pipeline/ocr.SlideText.text`); taken whole, every slide
    of more than one line was too long to be a title, and only one-line cards ("Recording stopped") were offered."""
    out: list[str] = []
    for text in ocr_texts:
        for line in (text or "").replace(LINE_JOIN, "\n").splitlines()[:1]:
            words = _WORDS.findall(line)
            if 2 <= len(words) <= 5 and sum(map(len, words)) >= 0.7 * len(line.replace(" ", "")):
                out.append(" ".join(words))
    return _unique(out)[:n]


def speech_words(texts: list[str], n: int) -> list[str]:
    """Words of 6+ letters that several chunks say but not most of them: what the lectures are about."""
    chunks_with: dict[str, int] = {}
    said: dict[str, int] = {}
    for text in texts:
        words = [w.lower() for w in _WORDS.findall(text or "") if len(w) >= 6 and w.lower() not in STOPWORDS]
        for w in words:
            said[w] = said.get(w, 0) + 1
        for w in set(words):
            chunks_with[w] = chunks_with.get(w, 0) + 1
    common = max(2, len(texts) // 2)
    ranked = sorted((w for w in said if chunks_with[w] <= common), key=lambda w: (-said[w], w))
    return ranked[:n]


def example_queries(ocr_texts: list[str], chunk_texts: list[str], n: int = 4) -> list[str]:
    found = slide_titles(ocr_texts, n)
    return _unique(found + speech_words(chunk_texts, n))[:n]


def _unique(items: list[str]) -> list[str]:
    seen, out = set(), []
    for item in items:
        key = item.lower()
        if key not in seen:
            seen.add(key)
            out.append(item)
    return out
