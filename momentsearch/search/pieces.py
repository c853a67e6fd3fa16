"""Word-piece vectors of transcript chunks for late interaction (ranking/late.py), made when first needed.

The index keeps one vector per chunk; the per-piece vectors a query is compared with are computed
from the chunk's text by the same encoder the first time a search meets the chunk (about 15 ms a
chunk on one CPU core, so a query's 25 candidates, `ranking.late_candidates`, cost up to ~0.4 s
cold), kept on disk beside the index (search/piece_files.py) for the next process, and kept in memory
for the `limit` most recently used texts (a chunk's pieces take ~30 KB), so a session's later queries,
the HTTP server and the benchmark pay it once per chunk. They are a function of the chunk's text (the
encoder batches without padding), so they are kept by text, not by index state: an index run keeps those
of the chunks whose text it did not change. The index is not touched: an index built before this works
as it is.
"""

from __future__ import annotations

import threading
from collections import OrderedDict

from momentsearch.ranking.late import TokenVectors
from momentsearch.search.piece_files import PieceFiles, folder_of, text_key

CHUNKS_KEPT = 5_000  # ~150 MB at most; a 3-hour lecture has ~550 chunks


class PieceCache:
    def __init__(self, embed_tokens, cache_dir: str | None = None, model_id: str = "",
                 limit: int = CHUNKS_KEPT) -> None:
        """`embed_tokens(texts) -> [TokenVectors]` (TextEmbedder.embed_tokens); `cache_dir`: the index's search
        cache folder, where the pieces of `model_id` are kept (None: memory only)."""
        self._embed = embed_tokens
        self._files = PieceFiles(cache_dir, model_id)
        self._limit = max(1, int(limit))
        self._kept: OrderedDict[str, TokenVectors] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, hits, files: dict) -> list[TokenVectors]:
        """The pieces of each transcript hit's text (`hit.document`), read from memory, else from disk, else
        embedding the rest in one batch (and keeping them on disk in the folder of the hit's video, whose
        FileRecord `files` maps its id to)."""
        texts = [h.document or "" for h in hits]
        keys = [text_key(self._files.model_id, t) for t in texts]  # in memory and, in its video's folder, on disk
        folders = [folder_of(files.get((h.metadata or {}).get("video_id"))) for h in hits]
        with self._lock:
            found = {k: self._kept[k] for k in keys if k in self._kept}
            for k in found:
                self._kept.move_to_end(k)
        where = {k: f for k, f in zip(keys, folders) if f}  # key -> its video's folder
        for k in dict.fromkeys(k for k in keys if k not in found and k in where):
            kept = self._files.read(where[k], k)
            if kept is not None:
                found[k] = kept
        missing = list(dict.fromkeys(k for k in keys if k not in found))
        if missing:
            text_of = dict(zip(keys, texts))
            made = dict(zip(missing, self._embed([text_of[k] for k in missing])))
            for k, pieces in made.items():
                if k in where:
                    self._files.write(where[k], k, pieces)
            found.update(made)
        with self._lock:
            self._kept.update((k, found[k]) for k in keys)
            while len(self._kept) > self._limit:
                self._kept.popitem(last=False)
        return [found[k] for k in keys]

    def __len__(self) -> int:
        return len(self._kept)
