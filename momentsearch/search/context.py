"""Section context for transcript hits: a chunk is scored with the section it belongs to.

A transcript chunk is 10-30 s of speech; a paraphrase of what a section is about ("deciding which
stored entry to discard when space runs out") often matches no single chunk well, while the section's
chunks together say it. So a transcript hit's cosine is blended with the cosine of the query and its
section's vector, the normalised mean of the vectors of the section's chunks (`ranking.section_share`
of the score; a chunk alone in its section keeps its own cosine). Sections are the index's moment edges
(slide and topic changes, `FileRecord.sections`); a chunk belongs to the one holding its middle.

The chunk vectors come from the store (one `get` per query for the sections not met before) and
each section's mean is kept for the corpus generation it was made from, so a session's later queries
and the HTTP server pay it once per section.
"""

from __future__ import annotations

import threading
from collections import OrderedDict

import numpy as np

SECTIONS_KEPT = 20_000  # section vectors kept (384 floats each: ~30 MB)


class SectionContext:
    def __init__(self, store, corpus, limit: int = SECTIONS_KEPT) -> None:
        """`store`: where the chunk vectors are (collection "transcript"); `corpus`: the snapshot whose
        sections and chunks are meant (a new one needs a new SectionContext)."""
        self.store, self.corpus = store, corpus
        self._limit = max(1, int(limit))
        self._kept: OrderedDict[tuple[str, float], np.ndarray | None] = OrderedDict()
        self._lock = threading.Lock()

    def section_of(self, video_id: str, start: float, end: float) -> tuple[float, float] | None:
        """The section (start, end) holding the middle of [start, end), or None."""
        spans = self.corpus.segments(video_id)
        if len(spans) == 0:
            return None
        mid = (start + end) / 2
        i = int(np.searchsorted(spans[:, 0], mid, side="right")) - 1
        if i < 0 or mid >= spans[i, 1]:
            return None
        return float(spans[i, 0]), float(spans[i, 1])

    def scores(self, hits, query: np.ndarray, own: np.ndarray) -> np.ndarray:
        """Per hit (with metadata video_id, start, end) the cosine of `query` with its section's vector;
        `own` (the hits' own cosines) where the section holds no other chunk or is unknown."""
        query = np.asarray(query, dtype=np.float32)
        query = query / max(float(np.linalg.norm(query)), 1e-12)
        keys = []
        for h in hits:
            video, meta = h.metadata.get("video_id", ""), h.metadata
            span = self.section_of(video, float(meta.get("start", 0.0)), float(meta.get("end", 0.0)))
            keys.append(None if span is None else (video, span[0], span[1]))
        vectors = self._vectors([k for k in keys if k is not None])
        out = np.asarray(own, dtype=np.float64).copy()
        for i, key in enumerate(keys):
            vector = vectors.get(key) if key is not None else None
            if vector is not None:
                out[i] = float(vector @ query)
        return out

    def _vectors(self, keys: list[tuple[str, float, float]]) -> dict:
        """Section key -> its normalised mean chunk vector (None: fewer than two chunks in it)."""
        with self._lock:
            found = {k: self._kept[k[:2]] for k in keys if k[:2] in self._kept}
            for k in found:
                self._kept.move_to_end(k[:2])
        missing = list(dict.fromkeys(k for k in keys if k not in found))
        if missing:
            members = {k: self._members(*k) for k in missing}
            wanted = list(dict.fromkeys(i for ids in members.values() if len(ids) > 1 for i in ids))
            got = self.store.vectors("transcript", wanted) if wanted else {}
            made = {}
            for k, ids in members.items():
                rows = [got[i] for i in ids if i in got]
                if len(rows) < 2:
                    made[k] = None
                    continue
                mean = np.mean([r / max(float(np.linalg.norm(r)), 1e-12) for r in rows], axis=0)
                made[k] = (mean / max(float(np.linalg.norm(mean)), 1e-12)).astype(np.float32)
            found.update(made)
            with self._lock:
                self._kept.update({k[:2]: v for k, v in made.items()})
                while len(self._kept) > self._limit:
                    self._kept.popitem(last=False)
        return found

    def _members(self, video_id: str, start: float, end: float) -> list[str]:
        """The ids of the chunks whose middle lies in [start, end)."""
        return [c.id for c in self.corpus.speech_in(video_id, start, end) if start <= (c.start + c.end) / 2 < end]
