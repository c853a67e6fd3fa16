#!/usr/bin/env python3
"""Query speed benchmark on a synthetic index of 100 or 1,000 hours of lectures.

Run by hand (never a timed unit test):

    python3 scripts/bench_query.py --hours 100 1000          # builds bench-out/query-{H}h once, then measures
    python3 scripts/bench_query.py --hours 1000 --queries 500 --json bench-out/query.json
    python3 scripts/bench_query.py --cli --hours 3 --baseline /path/to/older/checkout
        # one-off `momentsearch search` processes (wall time, warm disk cache), this checkout and,
        # side by side, an older one (run with PYTHONPATH=that checkout)

The index is written through momentsearch's own Store into a real embedded Chroma DB with realistic
shapes: one-hour lectures, about 120 transcript chunks per hour (384-d vectors, ~55-word texts with
a Zipf-distributed vocabulary, so BM25 postings look like speech) and 200 keyframes per hour (512-d
vectors); vectors are drawn around per-lecture topic centres, so neighbours cluster as real ones do.
Search runs end to end through `Searcher.search` (Chroma HNSW for the dense channels, BM25, candidate
spans, fusion, NMS) with fake embedders that hand back a query vector at once: model loading and
encoding are not measured. Reported: cold start (first query: loading the corpus + lexical index),
p50/p95/p99 over N warm queries, peak RSS, disk size; and, for reference, one Chroma query with and
without a metadata `where` filter.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import sys
import time
from pathlib import Path

os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # this checkout, not whichever copy is pip-installed
OUT = ROOT / "bench-out"
CHUNKS_PER_HOUR = 120
KEYFRAMES_PER_HOUR = 200
TEXT_DIM, CLIP_DIM = 384, 512
VOCAB = 30_000
WORDS_PER_CHUNK = 55
TOPIC_NOISE = 0.9  # spread of a lecture's vectors around its topic centre (unit vectors in high dim)


def _vocabulary(rng: np.random.Generator) -> list[str]:
    """Pronounceable pseudo-words; rank r is drawn with Zipf-like probability ~ 1/r."""
    consonants, vowels = list("bcdfghklmnprstvz"), list("aeiou")
    words, seen = [], set()
    while len(words) < VOCAB:
        n = int(rng.integers(1, 4))
        w = "".join(rng.choice(consonants) + rng.choice(vowels) for _ in range(n)) + rng.choice(consonants)
        if w not in seen:
            seen.add(w)
            words.append(w)
    return words


def _zipf_probs() -> np.ndarray:
    p = 1.0 / np.arange(1, VOCAB + 1)
    return p / p.sum()


def _unit(x: np.ndarray) -> np.ndarray:
    return (x / np.linalg.norm(x, axis=-1, keepdims=True)).astype(np.float32)


def build_index(db: Path, hours: int, seed: int = 0, log=print, visual: bool = True) -> dict:
    """Writes a synthetic index of `hours` one-hour lectures into `db` (a Chroma folder)."""
    from momentsearch.store.client import make_client
    from momentsearch.store.ids import entry_id
    from momentsearch.store.store import Store
    from momentsearch.types import FileRecord

    rng = np.random.default_rng(seed)
    words = np.array(_vocabulary(rng))
    probs = _zipf_probs()
    store = Store(make_client(str(db)))
    store.collection("transcript", model_id="sentence-transformers:all-MiniLM-L6-v2", dim=TEXT_DIM)
    if visual:
        store.collection("keyframes", model_id="open_clip:ViT-B-32/synthetic", dim=CLIP_DIM)
    store.collection("files", model_id="none", dim=1)
    text_topics = _unit(rng.normal(size=(64, TEXT_DIM)))
    clip_topics = _unit(rng.normal(size=(64, CLIP_DIM)))
    t0 = time.perf_counter()
    pending: dict[str, list] = {"transcript": [], "keyframes": []}

    def flush() -> None:  # Chroma writes are much cheaper in large batches
        for name, parts in pending.items():
            if parts:
                ids = [i for p in parts for i in p[0]]
                vecs = np.concatenate([p[1] for p in parts])
                metas = [m for p in parts for m in p[2]]
                docs = [d for p in parts for d in p[3]] if parts[0][3] is not None else None
                store.upsert(name, ids, vecs, metas, docs, batch=5000)
            parts.clear()

    for h in range(hours):
        video_id = f"{h:016x}"
        path = f"/lectures/course{h // 40:03d}/lecture{h:05d}.mp4"
        topic = int(rng.integers(0, 64))
        # transcript chunks: 10-30 s each, sentence-like texts with a lecture's own jargon
        n = CHUNKS_PER_HOUR
        starts = np.sort(rng.uniform(0, 3600 - 30, size=n))
        ends = starts + rng.uniform(10, 30, size=n)
        local_words = rng.choice(words, size=200, p=probs, replace=False)
        texts = []
        for _ in range(n):
            common = rng.choice(words, size=WORDS_PER_CHUNK - 8, p=probs)
            texts.append(" ".join(list(common) + list(rng.choice(local_words, size=8))))
        tvec = _unit(text_topics[topic] + TOPIC_NOISE * rng.normal(size=(n, TEXT_DIM)) / np.sqrt(TEXT_DIM) * 8)
        ids = [entry_id(video_id, "chunk", s, e) for s, e in zip(starts, ends)]
        metas = [{"video_id": video_id, "video": path, "start": float(s), "end": float(e), "kind": "chunk"}
                 for s, e in zip(starts, ends)]
        pending["transcript"].append((ids, tvec, metas, texts))
        # keyframes: visual segments tiling the hour
        cuts = np.concatenate([[0.0], np.sort(rng.uniform(0, 3600, size=KEYFRAMES_PER_HOUR - 1)), [3600.0]])
        segs = [(float(a), float(b)) for a, b in zip(cuts[:-1], cuts[1:])]
        kvec = _unit(clip_topics[topic] + TOPIC_NOISE * rng.normal(size=(len(segs), CLIP_DIM)) / np.sqrt(CLIP_DIM) * 8)
        kids = [entry_id(video_id, "keyframe", s, e) for s, e in segs]
        kmetas = [{"video_id": video_id, "video": path, "start": s, "end": e, "kind": "keyframe"} for s, e in segs]
        if visual:
            pending["keyframes"].append((kids, kvec, kmetas, None))
        store.put_file(FileRecord(path=path, video_id=video_id, size=1, mtime=0.0, duration=3600.0,
                                  channels=["transcript", "visual"] if visual else ["transcript"], visual_segments=segs,
                                  models={"text": "sentence-transformers:all-MiniLM-L6-v2"}, complete=True))
        if (h + 1) % 20 == 0:
            flush()
        if (h + 1) % max(1, hours // 10) == 0:
            log(f"  built {h + 1}/{hours} hours ({time.perf_counter() - t0:.0f} s)", flush=True)
    flush()
    return {"build_s": time.perf_counter() - t0, "seed": seed}


class _FakeEmbedder:
    """Hands back prepared query vectors (no model): search latency without encoding."""

    def __init__(self, vectors: np.ndarray, model_id: str) -> None:
        self.vectors, self.model_id, self.i = vectors, model_id, 0
        self.dim = vectors.shape[1]

    def load(self):
        return self

    def embed_texts(self, texts):
        v = self.vectors[self.i % len(self.vectors)][None, :]
        self.i += 1
        return v

    embed_images = embed_texts


def _dir_size(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file())


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def measure(db: Path, hours: int, n_queries: int, seed: int = 1, log=print) -> dict:
    from momentsearch.search.searcher import Searcher
    from momentsearch.store.client import make_client
    from momentsearch.store.store import Store

    rng = np.random.default_rng(seed)
    words = _vocabulary(np.random.default_rng(0))
    probs = _zipf_probs()
    store = Store(make_client(str(db)))
    # queries near a topic: a random stored chunk/keyframe vector plus noise
    tcol, kcol = store.collection("transcript"), store.collection("keyframes")
    sample_t = tcol.get(limit=n_queries, offset=int(rng.integers(0, max(1, tcol.count() - n_queries))),
                        include=["embeddings"])["embeddings"]
    sample_k = kcol.get(limit=n_queries, offset=int(rng.integers(0, max(1, kcol.count() - n_queries))),
                        include=["embeddings"])["embeddings"]
    qt = _unit(np.asarray(sample_t) + 0.05 * rng.normal(size=np.shape(sample_t)))
    qk = _unit(np.asarray(sample_k) + 0.05 * rng.normal(size=np.shape(sample_k)))
    queries = [" ".join(rng.choice(words[:5000], size=int(rng.integers(2, 6)), p=probs[:5000] / probs[:5000].sum()))
               for _ in range(n_queries)]
    text, clip = _FakeEmbedder(qt, "sentence-transformers:all-MiniLM-L6-v2"), _FakeEmbedder(qk, "fake-clip")
    from momentsearch.search.cache import CACHE_DIRNAME, clear

    cache = db / CACHE_DIRNAME
    clear(cache)
    t0 = time.perf_counter()
    Searcher(store, text, clip, cache_dir=str(cache)).search(queries[0], k=10)  # reads the store, builds BM25
    cold = time.perf_counter() - t0
    store = Store(make_client(str(db)))  # a new process's view: the corpus comes from the disk cache
    searcher = Searcher(store, text, clip, cache_dir=str(cache))
    t0 = time.perf_counter()
    searcher.search(queries[0], k=10)
    cold_cached = time.perf_counter() - t0
    lat = []
    for q in queries:
        t = time.perf_counter()
        searcher.search(q, k=10)
        lat.append(time.perf_counter() - t)
    lat_ms = np.array(lat) * 1000

    # reference: the store's plain vector query vs the same with a metadata filter
    one = qt[0]
    video_ids = [f"{h:016x}" for h in rng.integers(0, hours, size=20)]
    plain, filtered = [], []
    for vid in video_ids:
        t = time.perf_counter()
        tcol.query(query_embeddings=[one], n_results=50, include=["metadatas", "distances"])
        plain.append(time.perf_counter() - t)
        t = time.perf_counter()
        tcol.query(query_embeddings=[one], n_results=50, include=["metadatas", "distances"],
                   where={"video_id": {"$in": video_ids}})
        filtered.append(time.perf_counter() - t)
    return {
        "hours": hours,
        "transcript_chunks": tcol.count(),
        "keyframes": kcol.count(),
        "cold_first_query_s": round(cold, 3),
        "cold_cached_first_query_s": round(cold_cached, 3),
        "queries": n_queries,
        "p50_ms": round(float(np.percentile(lat_ms, 50)), 2),
        "p95_ms": round(float(np.percentile(lat_ms, 95)), 2),
        "p99_ms": round(float(np.percentile(lat_ms, 99)), 2),
        "max_ms": round(float(lat_ms.max()), 2),
        "peak_rss_mb": round(_peak_rss_mb(), 1),
        "disk_mb": round(_dir_size(db) / 2**20, 1),
        "chroma_query_plain_ms": round(float(np.median(plain)) * 1000, 2),
        "chroma_query_where_in_ms": round(float(np.median(filtered)) * 1000, 2),
    }


CLI_QUERIES = ["where do they discuss the roadmap", "gradient descent", "questions from the audience",
               "how is the exam graded", "the proof of the main theorem"]


def measure_cli(db: Path, runs: int, baseline: str | None, log=print) -> list[dict]:
    """Wall time of one-off `momentsearch search` processes on `db`: first a warm-up run per checkout
    (fills the disk cache and the search caches), then `runs` timed runs, checkouts interleaved."""
    import subprocess

    checkouts = {"this checkout": str(ROOT)}
    if baseline:
        checkouts["baseline " + Path(baseline).name] = str(Path(baseline).resolve())
    times: dict[str, list[float]] = {name: [] for name in checkouts}
    dbs = {}
    for n, name in enumerate(checkouts):  # a copy each: their search caches (other layouts) must not evict each other
        dbs[name] = db.parent / f"{db.name}-copy{n}"
        if not dbs[name].exists():
            shutil.copytree(db, dbs[name])
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "ANONYMIZED_TELEMETRY": "False"}
    for i in range(runs + 1):
        for name, path in checkouts.items():
            query = CLI_QUERIES[i % len(CLI_QUERIES)]
            cmd = [sys.executable, "-m", "momentsearch.cli", "search", query, "--db", str(dbs[name]), "-k", "10"]
            t = time.perf_counter()
            proc = subprocess.run(cmd, capture_output=True, text=True, env={**env, "PYTHONPATH": path}, cwd=path)
            wall = time.perf_counter() - t
            if proc.returncode != 0:
                raise SystemExit(f"{name}: {' '.join(cmd)} failed:\n{proc.stderr[-2000:]}")
            if i:  # run 0 warms up
                times[name].append(wall)
            log(f"  {name}: run {i} {wall:.2f} s{' (warm-up)' if not i else ''}", flush=True)
    return [{"checkout": name, "runs": len(ts), "median_s": round(float(np.median(ts)), 2),
             "min_s": round(min(ts), 2), "max_s": round(max(ts), 2)} for name, ts in times.items()]


def main_cli(args) -> int:
    from momentsearch.api import MomentIndex

    hours = args.hours[0]
    db = OUT / f"query-cli-{hours}h"
    done = db / "BUILT"
    if args.rebuild or not done.is_file():
        shutil.rmtree(db, ignore_errors=True)
        print(f"building a synthetic index of {hours} h (transcript only) in {db} ...", flush=True)
        with MomentIndex(str(db)).writing(create=True):  # as momentsearch writes: the write mark search snapshots check
            info = build_index(db, hours, visual=False)
        done.write_text(json.dumps(info))
    results = measure_cli(db, args.runs, args.baseline)
    print(f"\n| one-off CLI search, {hours} h index, {os.cpu_count()} CPUs | median | min | max |")
    print("|---|---|---|---|")
    for r in results:
        print(f"| {r['checkout']} | {r['median_s']:.2f} s | {r['min_s']:.2f} s | {r['max_s']:.2f} s |")
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=1))
    return 0


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--hours", type=int, nargs="+", default=[100, 1000])
    ap.add_argument("--queries", type=int, default=500)
    ap.add_argument("--rebuild", action="store_true", help="rebuild the synthetic index even if it exists")
    ap.add_argument("--build-only", action="store_true")
    ap.add_argument("--json", help="also write the results here")
    ap.add_argument("--cli", action="store_true", help="time one-off `momentsearch search` processes instead")
    ap.add_argument("--runs", type=int, default=5, help="--cli: timed runs per checkout (after one warm-up)")
    ap.add_argument("--baseline", help="--cli: an older checkout to time side by side")
    args = ap.parse_args(argv)
    OUT.mkdir(exist_ok=True)
    if args.cli:
        return main_cli(args)
    results = []
    for hours in args.hours:
        db = OUT / f"query-{hours}h"
        done = db / "BUILT"
        if args.rebuild or not done.is_file():
            shutil.rmtree(db, ignore_errors=True)
            print(f"building a synthetic index of {hours} h in {db} ...", flush=True)
            info = build_index(db, hours)
            done.write_text(json.dumps(info))
            print(f"  built in {info['build_s']:.0f} s", flush=True)
        if args.build_only:
            continue
        # measure in a fresh process so peak RSS is this index's alone
        if len(args.hours) > 1:
            import subprocess

            sub = [sys.executable, __file__, "--hours", str(hours), "--queries", str(args.queries),
                   "--json", str(OUT / f"query-{hours}h.json")]
            subprocess.run(sub, check=True)
            results.append(json.loads((OUT / f"query-{hours}h.json").read_text())[0])
            continue
        res = measure(db, hours, args.queries)
        res["build_s"] = round(json.loads(done.read_text())["build_s"], 1)
        print(json.dumps(res), flush=True)
        results.append(res)
    if results:
        print("\n| hours | chunks | keyframes | first query (no cache / cached) | p50 | p95 | p99 | peak RSS | disk |")
        print("|---|---|---|---|---|---|---|---|---|")
        for r in results:
            print(f"| {r['hours']} | {r['transcript_chunks']:,} | {r['keyframes']:,} | {r['cold_first_query_s']:.1f} s / "
                  f"{r['cold_cached_first_query_s']:.2f} s "
                  f"| {r['p50_ms']:.1f} ms | {r['p95_ms']:.1f} ms | {r['p99_ms']:.1f} ms | {r['peak_rss_mb']:.0f} MB "
                  f"| {r['disk_mb']:.0f} MB |")
        if args.json:
            Path(args.json).write_text(json.dumps(results, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
