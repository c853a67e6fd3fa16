#!/usr/bin/env python3
"""The first exact search after another process changed one file of a local index (search/exact.py).

    python3 scripts/bench_exact_refresh.py bench-out/exact-40k --rows 40000

Builds (once) an index of `--rows` transcript rows, 400 per file, random 384-d vectors. A reader (a Store and
the IndexVectors every front door searches through, as `serve` holds them) reads the table; then, per round,
another process re-indexes one file (its entries out, new ones in, a commit) or adds a new one, and the reader's
first search after it is timed, and what it allocated meanwhile (tracemalloc: numpy's arrays included). The
first read of any kind after another process's commit makes chromadb load the collection again (its vector index,
its log replayed); every reader pays that, exact or not, and it is timed on its own first. No model runs.

    PYTHONPATH=OTHER_CHECKOUT python3 scripts/bench_exact_refresh.py ...   # another version's momentsearch
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
import tracemalloc
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0 if not os.environ.get("PYTHONPATH") else len(sys.path), str(ROOT))

PER_FILE = 400
DIM = 384


def _rows(video: int, seed: int):
    from momentsearch.store.ids import entry_id

    rng = np.random.default_rng(seed)
    video_id = f"{video:016x}"
    starts = [15.0 * i for i in range(PER_FILE)]
    ids = [entry_id(video_id, "chunk", s, s + 14.0) for s in starts]
    metas = [{"video_id": video_id, "start": s, "end": s + 14.0, "kind": "chunk"} for s in starts]
    return video_id, ids, rng.standard_normal((PER_FILE, DIM)).astype(np.float32), metas


def write_file(db: str, video: int, seed: int) -> None:
    """What a writer does to one file's entries: old out, new in, one commit (the indexer's order, no record)."""
    from momentsearch.store.client import make_client
    from momentsearch.store.store import Store

    store = Store(make_client(db), db_dir=db)
    video_id, ids, vectors, metas = _rows(video, seed)
    store.delete_video(video_id)
    store.upsert("transcript", ids, vectors, metas, ["words"] * len(ids))
    store.commit()


def build(db: str, files: int) -> None:
    from momentsearch.store.client import make_client
    from momentsearch.store.store import Store

    store = Store(make_client(db), db_dir=db)
    store.collection("transcript", model_id="bench", dim=DIM)
    for v in range(1, files + 1):
        _, ids, vectors, metas = _rows(v, v)
        store.upsert("transcript", ids, vectors, metas, ["words"] * len(ids))
    store.commit()


def main(argv=None) -> int:
    from momentsearch.search.exact import IndexVectors
    from momentsearch.store.client import make_client
    from momentsearch.store.store import Store

    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("db")
    ap.add_argument("--rows", type=int, default=40_000)
    ap.add_argument("--rounds", type=int, default=3)
    args = ap.parse_args(argv)
    files = args.rows // PER_FILE
    if not (Path(args.db) / "chroma.sqlite3").exists():
        t = time.perf_counter()
        build(args.db, files)
        print(f"built {files * PER_FILE} rows in {time.perf_counter() - t:.1f} s")
    store = Store(make_client(args.db, create=False), db_dir=args.db)
    vectors = IndexVectors(store)
    query = np.random.default_rng(0).standard_normal(DIM).astype(np.float32)
    store.generation()
    t = time.perf_counter()
    vectors.query("transcript", query, 50, metadata=False)
    print(f"first search, whole table read: {time.perf_counter() - t:.2f} s")
    for r in range(args.rounds + 1):  # the last round measures memory (tracemalloc slows chromadb's reads)
        added = files + 1 + time.time_ns() % 10**12  # a file not in the index yet (the index grows run by run)
        video, seed = (2 + r, 1000 + r) if r % 2 == 0 else (added, 2000 + r)  # a re-indexed file, a new one
        subprocess.run([sys.executable, __file__, "--write", args.db, str(video), str(seed)], check=True)
        store.generation()  # what the searcher reads before each search: the index changed
        t = time.perf_counter()
        store.count("transcript")  # chromadb loads the collection again: any first read pays it
        loaded = time.perf_counter() - t
        vectors.clear()  # the searcher's new corpus: its tables are of the old state
        if r == args.rounds:
            tracemalloc.start()
        t = time.perf_counter()
        hits = vectors.query("transcript", query, 50, metadata=False)
        took = time.perf_counter() - t
        what = "re-indexed" if r % 2 == 0 else "added"
        if r < args.rounds:
            print(f"one file {what}: chromadb's reload {loaded:.2f} s, then the first search {took:.3f} s "
                  f"({len(hits)} hits, {len(vectors.table('transcript').ids)} rows)")
    print(f"the table: {vectors.table('transcript').vectors.nbytes / 2**20:.0f} MB of vectors; a refresh allocated "
          f"{tracemalloc.get_traced_memory()[1] / 2**20:.0f} MB at most")
    return 0


if __name__ == "__main__":
    if sys.argv[1:2] == ["--write"]:
        write_file(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]))
        sys.exit(0)
    sys.exit(main())
