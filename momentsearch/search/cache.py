"""On-disk cache of what the searcher reads from the whole transcript collection: rows and BM25 index.

A search process must know every transcript chunk to score the lexical channel. Reading them from
Chroma and building BM25 costs ~15 s at 100 hours and minutes at 1,000 hours, paid by every new
process (each `momentsearch search` is one). The cache, kept next to the index in
`<db>/momentsearch-cache/`, loads in about a second instead.

The cache is keyed by the index's generation (drawn anew by the writer on every commit) and the records
of the complete files (content hash, path, size, mtime, models), so another process's writes make a
new key. `MomentIndex.index` and
`prune` clear it too, which covers a re-index of an unchanged file with other options.
Any problem reading the cache (missing, damaged, older layout) means "not cached": it is rebuilt. Small things
derived from the corpus are kept beside it under the same key (`save_small`: the twin recordings, search/twins.py).
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from pathlib import Path
from contextlib import contextmanager
from typing import Iterable

from momentsearch.file_modes import TEMP_PREFIX, as_umask_allows, write_json
from momentsearch.ranking.lexical import LexicalIndex
from momentsearch.search.snapshot import drop_stale_temp

CACHE_VERSION = 10  # bump when the layout or the lexical tokenizer changes (5: stemmed terms; 6: "800,000",
# "10%" unified; 7: accents folded; 8: æ, ø, œ, ł ... written plain;
# 9: compatibility forms made plain, NFKC: "CO₂" as "CO2"; 10: decimals said in words, "seven point four" as "7.4")
CACHE_DIRNAME = "momentsearch-cache"
PLAYBACK_DIRNAME = "playback"  # the web player's copies (momentsearch/playback.py): named by each file's
                               # identity, not by the index's state, so clear() keeps them
PIECES_DIRNAME = "pieces"  # chunks' word-piece vectors (piece_files.py): named by their text, so clear() keeps them


def search_cache_dir(db: str | os.PathLike) -> str:
    """Where searches of the local index `db` keep what they derive (rows, BM25, snapshot, word pieces): its own
    CACHE_DIRNAME, unless the index is read-only (a department's share) and holds no search cache of its own,
    when every search copied the whole index into /tmp and built them again: then the user's cache
    (`$MOMENTSEARCH_CACHE/read-only/`, a folder per index), where they are kept, keyed as here by the index's
    state, so the next search answers from them."""
    from momentsearch.models.device import cache_root
    from momentsearch.store.folder import read_only

    own = Path(db) / CACHE_DIRNAME
    if not read_only(db) or (own / "snapshot").is_dir() or any(own.glob("transcript-*")):
        return str(own)
    return str(cache_root() / "read-only" / hashlib.sha1(os.fsencode(Path(db).resolve())).hexdigest()[:16])


def corpus_key(generation: Iterable[int], files: Iterable) -> str:
    """A digest of the index generation and the complete files' records (FileRecord objects)."""
    h = hashlib.sha1(f"v{CACHE_VERSION}:{list(generation)}".encode())
    for rec in sorted(files, key=lambda r: (r.video_id, r.path)):
        h.update(json.dumps([rec.video_id, rec.path, rec.size, rec.mtime, rec.models],
                            sort_keys=True).encode("utf-8", "surrogateescape"))
    return h.hexdigest()[:20]


def load(root: str | Path, key: str) -> tuple[list[str], list[str], list[dict], LexicalIndex] | None:
    """(chunk ids, texts, metadatas, lexical index) cached under `key`, or None."""
    folder = Path(root) / f"transcript-{key}"
    try:
        rows = json.loads((folder / "rows.json").read_text(encoding="utf-8"))
        if rows.get("version") != CACHE_VERSION:
            return None
        lexical = LexicalIndex.load(folder / "lexical")
        ids, texts, metas = rows["ids"], rows["texts"], rows["metas"]
        if not (len(ids) == len(texts) == len(metas) == lexical.size):
            return None
        return ids, texts, metas, lexical
    except (OSError, ValueError, KeyError, TypeError):
        return None


def save(root: str | Path, key: str, ids: list[str], texts: list[str], metas: list[dict],
         lexical: LexicalIndex) -> bool:
    """Write the cache for `key` (atomically: a temp folder renamed), dropping older keys. False on failure."""
    root = Path(root)
    tmp = None
    try:
        root.mkdir(parents=True, exist_ok=True)
        drop_stale_temp(root)
        tmp = Path(tempfile.mkdtemp(prefix=TEMP_PREFIX, dir=root))
        (tmp / "rows.json").write_text(json.dumps({"version": CACHE_VERSION, "ids": ids, "texts": texts,
                                                   "metas": metas}), encoding="utf-8")
        lexical.save(tmp / "lexical")
        as_umask_allows(tmp)  # not mkdtemp's 0700: the index's other users read it too
        target = root / f"transcript-{key}"
        try:
            os.replace(tmp, target)
            tmp = None
        except OSError:  # another process wrote the same key first: keep theirs
            pass
        for old in root.glob("transcript-*"):
            if old.name != target.name:
                shutil.rmtree(old, ignore_errors=True)
        return True
    except (OSError, ValueError, TypeError):
        return False
    finally:
        if tmp is not None:
            shutil.rmtree(tmp, ignore_errors=True)


def load_small(root: str | Path, name: str):
    """The JSON value kept in the file `name` under `root` (save_small), or None (missing, damaged, unreadable)."""
    try:
        return json.loads((Path(root) / name).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def save_small(root: str | Path, name: str, value, older: str) -> bool:
    """Keep `value` (a small JSON value) in the file `name` under `root`, written whole (file_modes.write_json), and
    drop the files matching the glob `older` (the same thing at earlier keys). False on failure."""
    root = Path(root)
    try:
        root.mkdir(parents=True, exist_ok=True)
        drop_stale_temp(root)
        write_json(root / name, value)
        for old in root.glob(older):
            if old.name != name:
                old.unlink(missing_ok=True)
        return True
    except (OSError, ValueError, TypeError):
        return False


def clear(root: str | Path) -> None:
    """Remove every cached corpus under `root` (after writes to the index); the player's copies stay (a
    re-index of other files would otherwise copy a two-hour recording again), and the word pieces (a
    function of their text: what the index no longer holds goes with its video, leftovers.py)."""
    root = Path(root)
    if not root.is_dir():
        shutil.rmtree(root, ignore_errors=True)
        return
    for entry in root.iterdir():
        if entry.name in (PLAYBACK_DIRNAME, PIECES_DIRNAME):
            continue
        if entry.is_dir() and not entry.is_symlink():
            shutil.rmtree(entry, ignore_errors=True)
        else:
            entry.unlink(missing_ok=True)


@contextmanager
def clearing_after(lock, root: str | Path | None, db: str):
    """Hold `lock`; mark the index `db` as being written (snapshots of it are void from now on); on the way
    out clear the searcher's disk cache under `root` (a re-index can keep the counts its key uses) and mark
    it done."""
    from momentsearch.search import snapshot

    with lock:
        snapshot.mark_writing(db)
        try:
            yield
        finally:
            if root:
                clear(root)
            snapshot.mark_done(db)
