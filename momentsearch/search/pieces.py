"""Word-piece vectors of transcript chunks for late interaction (ranking/late.py), made when first needed.

The index keeps one vector per chunk; the per-piece vectors a query is compared with are computed
from the chunk's text by the same encoder the first time a search meets the chunk (about 15 ms a
chunk on one CPU core, so a query's 25 candidates, `ranking.late_candidates`, cost up to ~0.4 s
cold) and kept for the `limit` most recently used chunks (a chunk's pieces take ~30 KB), so a
session's later queries, the HTTP server and the benchmark pay it once per chunk. The index is not touched: an index built
before this works as it is.
"""

from __future__ import annotations

import threading
from collections import OrderedDict

from momentsearch.ranking.late import TokenVectors

CHUNKS_KEPT = 5_000  # ~150 MB at most; a 3-hour lecture has ~550 chunks


class PieceCache:
    def __init__(self, embed_tokens, limit: int = CHUNKS_KEPT) -> None:
        """`embed_tokens(texts) -> [TokenVectors]` (TextEmbedder.embed_tokens)."""
        self._embed = embed_tokens
        self._limit = max(1, int(limit))
        self._kept: OrderedDict[str, TokenVectors] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, ids: list[str], texts: list[str]) -> list[TokenVectors]:
        """The pieces of each chunk `ids[i]` (text `texts[i]`), embedding the ones not kept in one batch."""
        with self._lock:
            found = {i: self._kept[i] for i in ids if i in self._kept}
            for i in found:
                self._kept.move_to_end(i)
        missing = list(dict.fromkeys(i for i in ids if i not in found))
        if missing:
            text_of = dict(zip(ids, texts))
            made = dict(zip(missing, self._embed([text_of[i] for i in missing])))
            found.update(made)
            with self._lock:
                self._kept.update(made)
                while len(self._kept) > self._limit:
                    self._kept.popitem(last=False)
        return [found[i] for i in ids]

    def __len__(self) -> int:
        return len(self._kept)
