#!/usr/bin/env python3
"""Scoped search speed: p50 of a one-video `--in` search against the same queries unscoped.

    python3 scripts/bench_query.py --hours 1000 --build-only      # the synthetic index (bench-out/query-1000h)
    python3 scripts/bench_scope.py bench-out/query-1000h --queries 200

Each query is run unscoped and scoped to one video, drawn at random per query (so the scope's vectors
are fetched from the store each time: the cold case), then scoped to one fixed video (the warm case:
its vectors are cached). Same fake embedders as bench_query.py: model time is not measured.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))


def main(argv=None) -> int:
    from bench_query import _FakeEmbedder, _unit, _vocabulary, _zipf_probs

    from momentsearch.search.searcher import Searcher
    from momentsearch.store.client import make_client
    from momentsearch.store.store import Store

    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("db")
    ap.add_argument("--queries", type=int, default=200)
    args = ap.parse_args(argv)
    db = Path(args.db)
    rng = np.random.default_rng(1)
    store = Store(make_client(str(db)))
    tcol = store.collection("transcript")
    n = args.queries
    qt = _unit(np.asarray(tcol.get(limit=n, include=["embeddings"])["embeddings"]) + 0.05 * rng.normal(size=(n, 384)))
    kcol = store.collection("keyframes")
    qk = _unit(np.asarray(kcol.get(limit=n, include=["embeddings"])["embeddings"]) + 0.05 * rng.normal(size=(n, 512)))
    words, probs = _vocabulary(np.random.default_rng(0)), _zipf_probs()
    queries = [" ".join(rng.choice(words[:5000], size=int(rng.integers(2, 6)), p=probs[:5000] / probs[:5000].sum()))
               for _ in range(n)]
    text, clip = _FakeEmbedder(qt, "sentence-transformers:all-MiniLM-L6-v2"), _FakeEmbedder(qk, "fake-clip")
    searcher = Searcher(store, text, clip, cache_dir=str(db / "momentsearch-cache"))
    searcher.search(queries[0], k=10)  # corpus + BM25 loaded (cold start is bench_query's business)
    corpus = searcher.corpus()
    with_rows = sorted({m["video_id"] for m in corpus.chunk_meta})
    videos = [with_rows[i] for i in rng.integers(0, len(with_rows), size=n)]
    searcher.search(queries[0], k=10, scope=[videos[0]])  # the per-video row groups, built once
    lat = {"unscoped": [], "one video (cold)": [], "one video (warm)": []}
    hits_in_scope = empty = outside = 0
    for q, v in zip(queries, videos):
        t = time.perf_counter()
        searcher.search(q, k=10)
        lat["unscoped"].append(time.perf_counter() - t)
        t = time.perf_counter()
        got = searcher.search(q, k=10, scope=[v])
        lat["one video (cold)"].append(time.perf_counter() - t)
        hits_in_scope += bool(got) and all(m.video_id == v for m in got)
        empty += not got
        outside += sum(m.video_id != v for m in got)
        t = time.perf_counter()
        searcher.search(q, k=10, scope=[videos[0]])
        lat["one video (warm)"].append(time.perf_counter() - t)
    out = {"db": str(db), "files": len(corpus.files), "transcript_chunks": len(corpus.chunk_ids), "queries": n,
           "scoped_queries_with_results_all_in_scope": hits_in_scope, "scoped_queries_without_results": empty,
           "scoped_results_outside_the_scope": outside}
    for name, values in lat.items():
        ms = np.array(values) * 1000
        out[name] = {"p50_ms": round(float(np.percentile(ms, 50)), 2), "p95_ms": round(float(np.percentile(ms, 95)), 2)}
    out["ratio_p50_cold"] = round(out["one video (cold)"]["p50_ms"] / out["unscoped"]["p50_ms"], 2)
    out["ratio_p50_warm"] = round(out["one video (warm)"]["p50_ms"] / out["unscoped"]["p50_ms"], 2)
    print(json.dumps(out, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
