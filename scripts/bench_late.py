#!/usr/bin/env python3
"""What late interaction (ranking.late_share, ranking/late.py) costs a search, side by side in one run.

Run by hand on a benchmark index (real text encoder; the chunks' word pieces are made at query time):

    python3 scripts/bench_late.py                       # bench-out/dev/db and its queries
    python3 scripts/bench_late.py --db bench-out/test/db --queries bench-out/test/gt.jsonl

For late_share 0 (sentence vectors only) and the configured share, one searcher each runs every query
of the file in order, after one warm-up query that loads the models: per-query wall time (p50, p95,
mean) and the total, and for late interaction how many chunks' pieces were made. Cold: the first
pass over the queries, pieces made as chunks are met; warm: the same queries again.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402

from momentsearch.api import MomentIndex  # noqa: E402
from momentsearch.options import load_config  # noqa: E402


def timings(db: str, queries: list[str], share: float) -> dict:
    index = MomentIndex(db, load_config(None, {"ranking": {"late_share": share}}))
    index.search("warm up the models")
    out = {}
    for name in ("cold", "warm"):
        spent = []
        for q in queries:
            t0 = time.perf_counter()
            index.search(q)
            spent.append(time.perf_counter() - t0)
        s = np.array(spent)
        out[name] = {"p50": float(np.median(s)), "p95": float(np.percentile(s, 95)), "mean": float(s.mean()),
                     "total": float(s.sum())}
    pieces = index.searcher._pieces
    out["chunks_with_pieces"] = len(pieces[1]) if pieces else 0
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--db", default=str(ROOT / "bench-out" / "dev" / "db"))
    ap.add_argument("--queries", default=str(ROOT / "bench-out" / "dev" / "gt.jsonl"))
    args = ap.parse_args()
    queries = [json.loads(line)["query"] for line in open(args.queries, encoding="utf-8") if line.strip()]
    share = load_config().ranking.late_share
    rows = {0.0: timings(args.db, queries, 0.0), share: timings(args.db, queries, share)}
    print(f"{len(queries)} queries on {args.db}")
    for s, r in rows.items():
        for name in ("cold", "warm"):
            t = r[name]
            print(f"late_share {s:.2f} {name}: p50 {t['p50'] * 1000:.0f} ms, p95 {t['p95'] * 1000:.0f} ms, "
                  f"mean {t['mean'] * 1000:.0f} ms, total {t['total']:.1f} s")
        if s:
            print(f"  chunks whose word pieces were made: {r['chunks_with_pieces']}")
    for name in ("cold", "warm"):
        ratio = rows[share][name]["mean"] / rows[0.0][name]["mean"]
        print(f"{name}: mean time per query with late interaction / without = {ratio:.2f}x")


if __name__ == "__main__":
    main()
