#!/usr/bin/env python3
"""The first search after another process changed one file of a local index: the corpus (search/corpus.py).

    python3 scripts/bench_corpus_follow.py bench-out/corpus-40k --rows 40000

Builds (once) an index of `--rows` transcript rows, 400 per file (texts of 20-80 words from the benchmark
lectures' speech, random 384-d vectors), and 20 slide text entries per file. A reader (a Searcher, as `serve`
holds it, with its search cache folder) searches; then, per round, another process re-indexes one file (its
entries out, new ones in, its record, a commit) or adds one, and the reader's first search after it is timed,
with the corpus's own part (`reload_corpus`) timed again on its own from the same kept corpus, and as a whole read
(what every reader did before search/follow.py). chromadb's reload of the collection after another process's commit
is paid by any first read, and timed first on its own. No model runs.

    PYTHONPATH=OTHER_CHECKOUT python3 scripts/bench_corpus_follow.py ...   # another version's momentsearch
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import time
import tomllib
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0 if not os.environ.get("PYTHONPATH") else len(sys.path), str(ROOT))

PER_FILE, SLIDES, DIM = 400, 20, 384
QUERIES = ["where is the roadmap discussed", "division by zero", "photosynthesis in the leaf", "supply and demand"]


class RandomText:
    """A text embedder of random unit vectors (no model): the bench times the corpus, not the encoder."""

    model_id, dim = "bench", DIM

    def embed_texts(self, texts):
        v = np.random.default_rng(len(texts)).standard_normal((len(texts), DIM)).astype(np.float32)
        return v / np.linalg.norm(v, axis=1, keepdims=True)


def _words() -> list[str]:
    words = []
    for split in ("dev", "test"):
        for lecture in tomllib.loads((ROOT / "scripts" / "lectures" / f"{split}.toml").read_text())["lecture"]:
            words += [w for s in lecture["section"] for w in s["speech"].split()]
    return words


def write_file(store, video: int, seed: int) -> None:
    """What a writer does to one file: its entries out, new ones in, its record, a commit (put_file's)."""
    from momentsearch.store.ids import entry_id
    from momentsearch.types import FileRecord

    rng, words = random.Random(seed), _words()
    video_id = f"{video:016x}"
    store.delete_video(video_id)
    for name, kind, n, step in (("transcript", "chunk", PER_FILE, 15.0), ("ocr", "slide", SLIDES, 300.0)):
        spans = [(step * i, step * i + step - 1) for i in range(n)]
        texts = []
        for _ in spans:
            at = rng.randrange(len(words) - 80)
            texts.append(" ".join(words[at:at + rng.randint(20, 80)]))
        metas = [{"video_id": video_id, "start": s, "end": e, "kind": kind} for s, e in spans]
        if kind == "slide":
            for meta, text in zip(metas, texts):
                meta["lines"] = json.dumps([[" ".join(text.split()[:5]), 1.0, ""], [text, 0.4, ""]])
        vectors = np.random.default_rng(seed).standard_normal((n, DIM)).astype(np.float32)
        store.upsert(name, [entry_id(video_id, kind, s, e) for s, e in spans], vectors, metas, texts)
    store.put_file(FileRecord(path=f"/lectures/{video_id}.mp4", video_id=video_id, size=1, mtime=float(seed),
                              duration=15.0 * PER_FILE, channels=["transcript", "ocr"], complete=True))


def _store(db: str, create: bool = False):
    from momentsearch.store.client import make_client
    from momentsearch.store.store import Store

    return Store(make_client(db, create=create), db_dir=db)


def main(argv=None) -> int:
    from momentsearch.search.cache import search_cache_dir
    from momentsearch.search.corpus import reload_corpus
    from momentsearch.search.searcher import Searcher

    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("db")
    ap.add_argument("--rows", type=int, default=40_000)
    ap.add_argument("--rounds", type=int, default=4)
    args = ap.parse_args(argv)
    files = args.rows // PER_FILE
    if not (Path(args.db) / "chroma.sqlite3").exists():
        t = time.perf_counter()
        writer = _store(args.db, create=True)
        for name in ("transcript", "ocr"):
            writer.collection(name, model_id="bench", dim=DIM)
        for v in range(1, files + 1):
            write_file(writer, v, v)
        print(f"built {files * PER_FILE} rows in {time.perf_counter() - t:.1f} s")
    store = _store(args.db)
    searcher = Searcher(store, RandomText(), cache_dir=search_cache_dir(args.db))
    t = time.perf_counter()
    searcher.search(QUERIES[0], k=5)
    print(f"first search, whole read: {time.perf_counter() - t:.2f} s ({len(searcher.corpus().chunk_ids)} rows)")
    for r in range(args.rounds):
        video, seed = (2 + r, 1000 + r) if r % 2 == 0 else (files + 1 + time.time_ns() % 10**12, 2000 + r)
        kept = searcher.corpus()  # the reader's corpus before the commit
        subprocess.run([sys.executable, __file__, "--write", args.db, str(video), str(seed)], check=True)
        generation = (store.generation(),)
        t = time.perf_counter()
        store.count("transcript")
        store.count("ocr")
        loaded = time.perf_counter() - t
        t = time.perf_counter()
        searcher.search(QUERIES[r % len(QUERIES)], k=5)
        took = time.perf_counter() - t
        timings = []
        for since in (kept, None):  # the corpus's own part: followed, then as a whole read (no disk cache)
            t = time.perf_counter()
            reload_corpus(store, since, generation, None)
            timings.append(time.perf_counter() - t)
        what = "re-indexed" if r % 2 == 0 else "added"
        print(f"one file {what}: chromadb's reload {loaded:.2f} s, then the first search {took:.2f} s; the corpus "
              f"followed {timings[0]:.2f} s, read whole {timings[1]:.2f} s ({len(searcher.corpus().chunk_ids)} rows)")
    return 0


if __name__ == "__main__":
    if sys.argv[1:2] == ["--write"]:
        write_file(_store(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]))
        sys.exit(0)
    sys.exit(main())
