#!/usr/bin/env python3
"""Concurrent search throughput of `momentsearch serve`: queries per second while p99 <= 1 s.

Run by hand (never a timed unit test):

    python3 scripts/bench_server.py                        # 100 h synthetic index (bench_query.py builds it once)
    python3 scripts/bench_server.py --hours 100 --levels 1 4 16 64 200 --seconds 15 --write-docs

The server runs in its own process, as `serve` runs it (uvicorn, the real app, the real MiniLM query
encoder; CLIP query vectors are prepared ones, as in bench_query.py). This process opens `c`
keep-alive connections for each concurrency level `c`; each sends `GET /api/search?q=...` again as
soon as its answer arrives, for `--seconds`. Meanwhile one more connection asks `/api/health` every
0.2 s. Reported per level: queries/s, p50/p99 latency, the slowest /api/health; and the throughput
at the highest level whose p99 stays within 1 s.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import re
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
os.environ.setdefault("HF_HUB_OFFLINE", "1")
P99_TARGET_S = 1.0
DOCS_BEGIN, DOCS_END = "<!-- bench_server:begin -->", "<!-- bench_server:end -->"


def serve(db: Path, port: int, encoder: str) -> None:
    """The server side: the real app over the synthetic index."""
    import uvicorn

    from bench_query import _FakeEmbedder, _unit
    from momentsearch.api import MomentIndex
    from momentsearch.search.searcher import Searcher
    from momentsearch.server.app import create_app

    index = MomentIndex(db)
    rng = np.random.default_rng(0)
    clip = _FakeEmbedder(_unit(rng.normal(size=(64, 512))), "open_clip:ViT-B-32/synthetic")
    text = index.text_embedder if encoder == "minilm" else _FakeEmbedder(_unit(rng.normal(size=(64, 384))),
                                                                         "sentence-transformers:all-MiniLM-L6-v2")
    index.__dict__["searcher"] = Searcher(index.store, text, clip, index.config.ranking, cache_dir=index._cache_dir)
    uvicorn.run(create_app(index), host="127.0.0.1", port=port, log_level="warning")


def _get(conn: http.client.HTTPConnection, url: str) -> int:
    conn.request("GET", url)
    response = conn.getresponse()
    response.read()
    return response.status


def run_level(port: int, clients: int, seconds: float, queries: list[str]) -> dict:
    latencies: list[float] = []
    errors = [0]
    health: list[float] = []
    stop = time.monotonic() + seconds
    lock = threading.Lock()

    def client(n: int) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        i = n
        while time.monotonic() < stop:
            q = queries[i % len(queries)].replace(" ", "+")
            i += clients
            t = time.perf_counter()
            try:
                ok = _get(conn, f"/api/search?q={q}&k=10") == 200
            except OSError:
                ok = False
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
            with lock:
                (latencies.append(time.perf_counter() - t) if ok else errors.__setitem__(0, errors[0] + 1))

    def prober() -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        while time.monotonic() < stop:
            t = time.perf_counter()
            _get(conn, "/api/health")
            health.append(time.perf_counter() - t)
            time.sleep(0.2)

    threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)] + [threading.Thread(target=prober)]
    t0 = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - t0  # includes the answers still in flight at the stop
    lat = np.array(latencies) if latencies else np.array([np.nan])
    return {"clients": clients, "queries": len(latencies), "errors": errors[0],
            "qps": round(len(latencies) / wall, 1), "p50_ms": round(float(np.percentile(lat, 50)) * 1000, 1),
            "p99_ms": round(float(np.percentile(lat, 99)) * 1000, 1),
            "health_max_ms": round(max(health) * 1000, 1) if health else None}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_ready(port: int, proc: subprocess.Popen, timeout: float = 300) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"the server exited with {proc.returncode}")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            conn.request("GET", "/api/health")
            if json.loads(conn.getresponse().read()).get("models_loaded"):
                return
        except (OSError, ValueError):
            pass
        time.sleep(0.5)
    raise SystemExit("the server did not become ready")


def _queries(n: int = 400) -> list[str]:
    from bench_query import _vocabulary, _zipf_probs

    rng = np.random.default_rng(1)
    words, probs = _vocabulary(np.random.default_rng(0))[:5000], _zipf_probs()[:5000]
    return [" ".join(rng.choice(words, size=int(rng.integers(2, 6)), p=probs / probs.sum())) for _ in range(n)]


def _table(results: list[dict]) -> str:
    lines = ["| concurrent clients | queries/s | p50 ms | p99 ms | errors | slowest /api/health ms |",
             "|---:|---:|---:|---:|---:|---:|"]
    lines += [f"| {r['clients']} | {r['qps']} | {r['p50_ms']} | {r['p99_ms']} | {r['errors']} | {r['health_max_ms']} |"
              for r in results]
    return "\n".join(lines)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--hours", type=int, default=100, help="synthetic index size (built once by bench_query.py)")
    ap.add_argument("--levels", type=int, nargs="+", default=[1, 2, 4, 8, 16, 32, 64, 200])
    ap.add_argument("--seconds", type=float, default=10.0, help="per level")
    ap.add_argument("--encoder", choices=["minilm", "fake"], default="minilm", help="query text encoder")
    ap.add_argument("--write-docs", action="store_true", help="put the table into docs/benchmarks.md")
    ap.add_argument("--serve", type=int, metavar="PORT", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    db = ROOT / "bench-out" / f"query-{args.hours}h"
    if args.serve:
        serve(db, args.serve, args.encoder)
        return 0
    if not (db / "BUILT").is_file():
        subprocess.run([sys.executable, str(ROOT / "scripts" / "bench_query.py"), "--hours", str(args.hours),
                        "--build-only"], check=True)
    port = _free_port()
    proc = subprocess.Popen([sys.executable, __file__, "--serve", str(port), "--hours", str(args.hours),
                             "--encoder", args.encoder])
    try:
        _wait_ready(port, proc)
        queries = _queries()
        run_level(port, 1, 3.0, queries[::-1])  # warm-up (first queries of a process are slower), not reported
        results = []
        for clients in args.levels:
            res = run_level(port, clients, args.seconds, queries)
            print(json.dumps(res), flush=True)
            results.append(res)
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    within = [r for r in results if r["p99_ms"] <= P99_TARGET_S * 1000 and not r["errors"]]
    best = max(within, key=lambda r: r["qps"]) if within else None
    summary = (f"{best['qps']} queries/s with p99 {best['p99_ms']} ms at {best['clients']} concurrent clients"
               if best else "no level kept p99 within 1 s")
    print(_table(results))
    print(f"throughput at p99 <= 1 s: {summary}")
    if args.write_docs:
        _write_docs(args, results, summary)
    return 0


def _write_docs(args, results: list[dict], summary: str) -> None:
    doc = ROOT / "docs" / "benchmarks.md"
    text = doc.read_text(encoding="utf-8")
    cmd = (f"python3 scripts/bench_server.py --hours {args.hours} --levels {' '.join(map(str, args.levels))} "
           f"--seconds {args.seconds:g} --encoder {args.encoder} --write-docs")
    block = (f"{DOCS_BEGIN}\n### Concurrent search through the HTTP server ({args.hours} h synthetic index)\n\n"
             f"`{cmd}` ({time.strftime('%Y-%m-%d')}, {os.cpu_count()} CPUs; the load generator runs on the same "
             f"machine as the server). **Throughput at p99 <= 1 s: {summary}.**\n\n{_table(results)}\n{DOCS_END}")
    if DOCS_BEGIN in text:
        text = re.sub(re.escape(DOCS_BEGIN) + ".*?" + re.escape(DOCS_END), lambda m: block, text, flags=re.S)
    else:
        text = text.rstrip("\n") + "\n\n" + block + "\n"
    doc.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    sys.exit(main())
