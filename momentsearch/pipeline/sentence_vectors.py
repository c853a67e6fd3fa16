"""Sentence vectors of a transcript embedded in a helper thread while ASR runs (for finding topic changes)."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any

import numpy as np

from momentsearch.pipeline.segment import sentences
from momentsearch.types import TranscriptSegment


def _sentence_text(words) -> str:
    return " ".join(w.word.strip() for w in words)


class SentenceVectors:
    """Text vectors of the transcript's sentences (for finding topic changes), embedded in a helper
    thread as ASR finishes each window instead of all at once after it: the sentences of a window are
    final once the next one starts (the last may go on), and ASR leaves CPU idle between its calls."""

    def __init__(self, embedder) -> None:
        self.embedder = embedder
        self.pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="momentsearch-topics")
        self.jobs: list[tuple[list[str], Any]] = []
        self.sent: set[str] = set()

    def feed(self, transcript: list[TranscriptSegment]) -> None:
        texts = [t for t in dict.fromkeys(_sentence_text(u) for u in sentences(transcript)[:-1]) if t not in self.sent]
        if texts:
            self.sent.update(texts)
            self.jobs.append((texts, self.pool.submit(self.embedder.embed_texts, texts)))

    def vectors(self, texts: list[str]) -> np.ndarray:
        """Rows for `texts`: those fed already from the helper, the rest embedded now."""
        known = {}
        for batch, job in self.jobs:
            known.update(zip(batch, job.result()))
        self.close()
        missing = [t for t in dict.fromkeys(texts) if t not in known]
        if missing:
            known.update(zip(missing, self.embedder.embed_texts(missing)))
        return np.stack([known[t] for t in texts])

    def close(self) -> None:
        self.pool.shutdown(wait=False, cancel_futures=True)
