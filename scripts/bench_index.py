#!/usr/bin/env python3
"""Indexing speed benchmark: our pipeline vs ASR alone vs a naive pipeline, on one generated lecture.

Run by hand (never a timed unit test):

    python3 scripts/bench_index.py                  # renders bench-out/lecture-10min.mp4 once, then measures
    python3 scripts/bench_index.py --minutes 20 --device cuda --json bench-out/index.json

All three runs happen in this one process, one after the other, on the same file, so their ratios
compare like with like:
  asr-alone  decode audio + faster-whisper (tiny.en int8 on CPU) and nothing else;
  ours       FileProcessor.process_video (every channel) + the store write, as `momentsearch index` does;
  naive      openai-whisper-style sequential stages: decode every frame at full size, CLIP on one frame
             per second (no keyframe de-duplication), then ASR, then text embedding, then the store.
CLIP runs the real ViT-B-32 architecture; without local weights it is randomly initialised, which costs
the same time (the vectors mean nothing, so nothing here measures quality).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # this checkout, not whichever copy is pip-installed
OUT = ROOT / "bench-out"

_TOPICS = [
    ("Linear Regression", "fits a straight line to data by minimising the squared error", "least squares"),
    ("Gradient Descent", "walks downhill on the loss surface one small step at a time", "learning rate"),
    ("Overfitting", "happens when a model memorises the training set instead of learning the pattern", "validation"),
    ("Decision Trees", "split the data on one feature at a time until the leaves are pure", "entropy"),
    ("Neural Networks", "stack layers of weighted sums and nonlinear activations", "backpropagation"),
    ("Convolution", "slides a small filter over an image to find edges and textures", "kernels"),
    ("Recurrent Models", "carry a hidden state from one word of a sentence to the next", "sequences"),
    ("Attention", "lets every token look at every other token and weigh what matters", "transformers"),
    ("Clustering", "groups similar points together without any labels", "k-means"),
    ("Dimensionality Reduction", "projects data onto fewer axes that keep most of the variance", "PCA"),
    ("Probability Basics", "describes uncertainty with numbers between zero and one", "Bayes rule"),
    ("Hypothesis Testing", "asks whether an effect could be explained by chance alone", "p-values"),
    ("Databases", "keep records on disk and use indexes to find them quickly", "B-trees"),
    ("Transactions", "are all or nothing, so a crash halfway leaves no partial update", "write-ahead log"),
    ("Networking", "moves packets between machines through routers and switches", "TCP"),
    ("Operating Systems", "share one processor between many programs by switching quickly", "scheduling"),
    ("Compilers", "translate source code into machine instructions in several passes", "parsing"),
    ("Cryptography", "protects messages so only the intended reader can understand them", "public keys"),
    ("Solar Energy", "turns sunlight into electric current with silicon cells", "efficiency"),
    ("Project Roadmap", "plans the design in the first quarter and the rollout after it", "milestones"),
]
_CHARTS = [None, "timeline", "bar", "pie", "line", "photo"]


def lecture_sections(minutes: float):
    """Slides with narration (about 25 s each) until the lecture lasts at least `minutes`."""
    from momentsearch.testing.synth import Section

    sections, total, i = [], 0.0, 0
    while total < minutes * 60:
        title, what, term = _TOPICS[i % len(_TOPICS)]
        part = i // len(_TOPICS) + 1
        speech = (f"Part {part} of {title.lower()}. {title} {what}. The key idea to remember is {term}. "
                  f"We will see an example of {term} in the exercises, and we will compare it with what we "
                  f"learned before. Remember that {title.lower()} {what}.")
        sections.append(Section(f"{title} ({part})", speech, [f"Idea: {term}", f"Part {part}", "Example"],
                                _CHARTS[i % len(_CHARTS)], min_seconds=25.0))
        total += 25.0
        i += 1
    return sections


def generated_lecture(minutes: float, size=(1280, 720), fps: int = 25) -> Path:
    """The cached benchmark lecture under bench-out/ (rendered with espeak-ng + Pillow on first use)."""
    from momentsearch.testing.synth import render_lecture

    OUT.mkdir(exist_ok=True)
    path = OUT / f"lecture-{minutes:g}min-{size[0]}x{size[1]}-{fps}fps.mp4"
    if not path.is_file():
        tmp = path.with_suffix(".tmp.mp4")
        render_lecture(tmp, lecture_sections(minutes), size=size, fps=fps)
        tmp.replace(path)
    return path


class PeakRSS:
    """Samples this process's resident memory every 0.1 s; `peak_mb` is the highest since start()."""

    def __init__(self) -> None:
        import threading

        self.peak_mb, self._stop = 0.0, threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    @staticmethod
    def now_mb() -> float:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
        return 0.0

    def _run(self) -> None:
        while not self._stop.wait(0.1):
            self.peak_mb = max(self.peak_mb, self.now_mb())

    def __enter__(self) -> "PeakRSS":
        self.peak_mb = self.now_mb()
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()


def make_models(device: str, clip_pretrained: str, asr_model: str = "tiny.en"):
    from momentsearch.models.asr import FasterWhisperASR
    from momentsearch.models.clip import ClipModel
    from momentsearch.models.text import TextEmbedder
    from momentsearch.options import ASROptions

    asr = FasterWhisperASR(ASROptions(model=asr_model, compute_type="int8"), device=device).load()
    text = TextEmbedder("all-MiniLM-L6-v2", device=device).load()
    clip = ClipModel("ViT-B-32", clip_pretrained, device=device).load()
    text.embed_texts(["warm up"])
    clip.embed_texts(["warm up"])
    return asr, text, clip


def run_asr_alone(path: Path, asr) -> dict:
    from momentsearch.pipeline.decode import load_audio

    t0 = time.perf_counter()
    audio = load_audio(path)
    t1 = time.perf_counter()
    segments = asr.transcribe(audio)
    t2 = time.perf_counter()
    return {"wall_s": t2 - t0, "stages": {"decode audio": t1 - t0, "asr": t2 - t1}, "segments": len(segments)}


def run_ours(path: Path, models, overlap: bool, device: str) -> dict:
    """`momentsearch index` on a fresh DB (hash, probe, process, store), every channel on."""
    from momentsearch.options import load_config
    from momentsearch.pipeline.indexer import Indexer
    from momentsearch.store.client import make_client
    from momentsearch.store.store import ENTRY_COLLECTIONS, Store

    asr, text, clip = models
    config = load_config(overrides={"sampling": {"overlap": overlap}, "models": {"device": device}})
    db = Path(tempfile.mkdtemp(prefix="bench-ours-", dir=OUT))
    try:
        store = Store(make_client(str(db)))
        t0 = time.perf_counter()
        report = Indexer(store, config, text, asr, clip).index([str(path)])
        wall = time.perf_counter() - t0
        files = report.files
        if not files or files[0].status != "indexed":
            raise SystemExit(f"indexing failed: {files}")
        counts = {name: store.count(name) for name in ENTRY_COLLECTIONS}
        return {"wall_s": wall, "stages": dict(report.times.seconds), "counts": counts,
                "channels": files[0].channels}
    finally:
        shutil.rmtree(db, ignore_errors=True)


def run_processing(path: Path, models, device: str) -> dict:
    """`ours` without the store: every channel of the file (FileProcessor.process_video, audio and picture
    overlapped as `index` runs them), the Chroma write left out. For a machine without chromadb (the GPU box
    of `--no-store`); on this machine the write is the difference between `ours` and this."""
    from momentsearch.options import load_config
    from momentsearch.pipeline.decode import probe
    from momentsearch.pipeline.process import FileProcessor

    asr, text, clip = models
    config = load_config(overrides={"models": {"device": device}})
    t0 = time.perf_counter()
    entries = FileProcessor(config, text, asr, clip).process_video(str(path), probe(path), "bench")
    wall = time.perf_counter() - t0
    counts = {name: len(rows.ids) for name, rows in entries.rows.items()}
    return {"wall_s": wall, "stages": dict(entries.times.seconds), "counts": counts, "channels": entries.channels}


def run_naive(path: Path, models, batch: int = 32) -> dict:
    """Sequential stages: every frame decoded at full size; CLIP on one frame a second (no de-duplication);
    then audio + ASR; then chunks embedded one by one; then the store."""
    import av
    import numpy as np

    from momentsearch.options import ChunkOptions
    from momentsearch.pipeline.decode import load_audio
    from momentsearch.pipeline.segment import build_chunks
    from momentsearch.store.client import make_client
    from momentsearch.store.ids import entry_id
    from momentsearch.store.store import Store

    asr, text, clip = models
    stages: dict[str, float] = {}
    t0 = time.perf_counter()
    frame_vectors, times_, pending, next_t = [], [], [], 0.0
    clip_s = 0.0
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        for frame in container.decode(stream):
            image = frame.to_ndarray(format="rgb24")  # full size, every frame
            t = float(frame.time or 0.0)
            if t + 1e-6 >= next_t:
                pending.append(image)
                times_.append(t)
                next_t += 1.0
            if len(pending) == batch:
                c0 = time.perf_counter()
                frame_vectors.append(clip.embed_images(pending))
                clip_s += time.perf_counter() - c0
                pending = []
    if pending:
        c0 = time.perf_counter()
        frame_vectors.append(clip.embed_images(pending))
        clip_s += time.perf_counter() - c0
    t1 = time.perf_counter()
    stages["decode all frames"] = t1 - t0 - clip_s
    stages["clip 1 fps"] = clip_s
    audio = load_audio(path)
    t2 = time.perf_counter()
    stages["decode audio"] = t2 - t1
    transcript = asr.transcribe(audio)
    t3 = time.perf_counter()
    stages["asr"] = t3 - t2
    chunks = build_chunks(transcript, ChunkOptions())
    vectors = np.concatenate([text.embed_texts([c.text]) for c in chunks]) if chunks else None
    t4 = time.perf_counter()
    stages["text embedding"] = t4 - t3
    db = Path(tempfile.mkdtemp(prefix="bench-naive-", dir=OUT))
    try:
        store = Store(make_client(str(db)))
        store.collection("transcript", model_id=text.model_id, dim=text.dim)
        store.collection("keyframes", model_id=clip.model_id, dim=clip.dim)
        vid = "naive"
        if chunks:
            store.upsert("transcript", [entry_id(vid, "chunk", c.start, c.end) for c in chunks], vectors,
                         [{"video_id": vid, "start": c.start, "end": c.end} for c in chunks], [c.text for c in chunks])
        fv = np.concatenate(frame_vectors)
        store.upsert("keyframes", [entry_id(vid, "frame", t, t + 1) for t in times_], fv,
                     [{"video_id": vid, "start": t, "end": t + 1} for t in times_])
        stages["store"] = time.perf_counter() - t4
    finally:
        shutil.rmtree(db, ignore_errors=True)
    return {"wall_s": time.perf_counter() - t0, "stages": stages, "clip_frames": len(times_), "chunks": len(chunks)}


def lecture_text(minutes: float) -> str:
    """Every word spoken in the generated lecture, in order (the reference for word error rates)."""
    return " ".join(s.speech for s in lecture_sections(minutes))


ASR_GRID = [("tiny.en", 0, 300.0), ("tiny.en", 8, 300.0), ("tiny.en", 16, 300.0), ("tiny.en", 4, 300.0),
            ("tiny.en", 0, 0.0), ("base", 0, 300.0), ("base", 8, 300.0)]  # (model, CPU batch, window s)


def cpu_seconds() -> float:
    """User + system CPU seconds of this process so far (steadier than wall time on a shared machine)."""
    import resource

    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def transcribe_windows(path: Path, asr, window: float) -> list:
    """The pipeline's audio path alone: windows decoded one at a time, transcribed, times made the file's."""
    from momentsearch.models.asr import shift_segments
    from momentsearch.pipeline.decode import iter_audio_windows

    segments = []
    for w in iter_audio_windows(path, window):
        segments += shift_segments(asr.transcribe(w.samples), w.start)
    return segments


def run_asr_grid(path: Path, reference: str, device: str, grid=ASR_GRID, baseline: Path | None = None) -> list[dict]:
    """Speed and word error rate of each (model, batch, window) setting on one file, one after another."""
    from momentsearch.models.asr import FasterWhisperASR
    from momentsearch.options import ASROptions
    from momentsearch.testing.wer import word_error_rate

    rows = []
    if baseline is not None:  # today's main: the whole track at once, sequential, its own hallucination filter
        res = run_child(baseline, {"kind": "asr", "model": "tiny.en", "file": str(path)})
        rows.append({"model": "tiny.en", "batch": 0, "window_s": 0.0, "code": baseline.name,
                     "wall_s": round(res["wall_s"], 2), "cpu_s": round(res["cpu_s"], 2),
                     "wer": round(word_error_rate(reference, res["text"]), 4), "text": res["text"]})
        print(f"asr {baseline.name}: tiny.en whole track: wall {res['wall_s']:7.1f} s  CPU {res['cpu_s']:7.1f} s  "
              f"WER {100 * rows[-1]['wer']:5.2f} %", flush=True)
    for model, batch, window in grid:
        asr = FasterWhisperASR(ASROptions(model=model, cpu_batch_size=batch, batch_size=batch or 1),
                               device=device).load()
        t0, c0 = time.perf_counter(), cpu_seconds()
        segments = transcribe_windows(path, asr, window)
        wall, cpu = time.perf_counter() - t0, cpu_seconds() - c0
        wer = word_error_rate(reference, " ".join(s.text for s in segments))
        rows.append({"model": model, "batch": batch, "window_s": window, "wall_s": round(wall, 2),
                     "cpu_s": round(cpu, 2), "wer": round(wer, 4), "words": sum(len(s.words) for s in segments),
                     "text": " ".join(s.text for s in segments)})
        print(f"asr {model:8s} batch {batch:2d} window {window:5.0f} s: wall {wall:7.1f} s  CPU {cpu:7.1f} s  "
              f"WER {100 * wer:5.2f} %  ({rows[-1]['words']} words)", flush=True)
        del asr
    return rows


# -- runs in a fresh process, so each has its own peak memory; `tree` picks the code (this checkout or
#    an older commit unpacked by `baseline_tree`), which must have MomentIndex(db, config).index(paths, progress)
CHILD = r"""
import json, os, resource, sys, time
tree, job = sys.argv[1], json.loads(sys.argv[2])
sys.path.insert(0, tree)
os.environ.setdefault("HF_HUB_OFFLINE", "1")
def cpu():
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime
def status_mb(key):
    for line in open("/proc/self/status"):
        if line.startswith(key + ":"):
            return int(line.split()[1]) / 1024
def peak_mb():
    return status_mb("VmHWM")
t0, c0 = time.perf_counter(), cpu()
out = {}
if job["kind"] == "asr":
    from momentsearch.models.asr import FasterWhisperASR
    from momentsearch.options import ASROptions
    from momentsearch.pipeline.decode import load_audio
    asr = FasterWhisperASR(ASROptions(model=job["model"])).load()
    t0, c0 = time.perf_counter(), cpu()
    out["text"] = " ".join(s.text for s in asr.transcribe(load_audio(job["file"])))
else:
    from momentsearch.api import MomentIndex
    from momentsearch.options import load_config
    def progress(event):
        if event.kind == "media":
            print("media", event.media_seconds, "rss_mb", round(status_mb("VmRSS")), "peak_mb", round(peak_mb()),
                  "wall_s", round(time.perf_counter() - t0, 1), "cpu_s", round(cpu() - c0, 1), flush=True)
    index = MomentIndex(job["db"], config=load_config(overrides=job["overrides"]))
    report = index.index([job["file"]], progress=progress)
    out["status"] = [f.status for f in report.files]
    out["stages"] = dict(report.times.seconds)
out.update(wall_s=time.perf_counter() - t0, cpu_s=cpu() - c0, peak_rss_mb=peak_mb())
print("RESULT " + json.dumps(out), flush=True)
"""


def baseline_tree(commit: str) -> Path:
    """`commit` of this repository unpacked under bench-out/ (once), to run the old code side by side."""
    import subprocess

    tree = OUT / f"main-{commit}"
    if not (tree / "momentsearch").is_dir():
        tree.mkdir(parents=True, exist_ok=True)
        archive = subprocess.run(["git", "-C", str(ROOT), "archive", commit], check=True, capture_output=True).stdout
        subprocess.run(["tar", "-x", "-C", str(tree)], input=archive, check=True)
    return tree


def children_cpu() -> float:
    import resource

    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def run_child(tree: Path, job: dict, kill_after: float | None = None) -> dict:
    """Run CHILD on `job` with `tree`'s code; `kill_after`: SIGKILL it after this many wall seconds.
    Returns the child's RESULT (or {"killed": True}) with the wall and CPU seconds the parent saw
    (CPU of a killed child counts too)."""
    import signal
    import subprocess
    import threading

    env = {**os.environ, "PYTHONPATH": str(tree)}
    t0, c0 = time.perf_counter(), children_cpu()
    proc = subprocess.Popen([sys.executable, "-c", CHILD, str(tree), json.dumps(job)], stdout=subprocess.PIPE,
                            text=True, env=env)
    killer = None
    if kill_after is not None:
        killer = threading.Timer(kill_after, lambda: proc.send_signal(signal.SIGKILL))
        killer.start()
    result, media = None, 0.0
    for line in proc.stdout:
        if line.startswith("media "):
            media = float(line.split()[1])
            if job.get("trace"):
                print("  " + line.strip(), flush=True)
        elif line.startswith("RESULT "):
            result = json.loads(line[len("RESULT "):])
    code = proc.wait()
    if killer is not None:
        killer.cancel()
    seen = {"parent_wall_s": time.perf_counter() - t0, "parent_cpu_s": children_cpu() - c0}
    if code == -signal.SIGKILL:
        return {"killed": True, "media_done_s": media, "wall_s": seen["parent_wall_s"], **seen}
    if code != 0 or result is None:
        raise SystemExit(f"child failed ({code}) on {job}")
    return {**result, **seen}


def index_dump(db: Path) -> dict:
    """Every collection of an index as sorted (id, document, metadata) rows and their vectors."""
    import numpy as np

    from momentsearch.store.client import make_client
    from momentsearch.store.store import Store

    store = Store(make_client(str(db)))
    out = {}
    for name in ("transcript", "keyframes", "unified", "ocr"):
        try:
            got = store.collection(name).get(include=["documents", "metadatas", "embeddings"])
        except Exception:  # a collection the run did not make
            continue
        order = np.argsort(got["ids"])
        rows = [(got["ids"][i], got["documents"][i], json.dumps(got["metadatas"][i], sort_keys=True)) for i in order]
        out[name] = (rows, np.asarray(got["embeddings"])[order])
    out["files"] = sorted((r.path, r.video_id, r.complete, tuple(r.channels)) for r in store.files())
    return out


def same_index(a: Path, b: Path) -> dict:
    """Whether two indexes hold the same rows (ids, texts, metadata) and vectors (largest difference)."""
    import numpy as np

    da, db_ = index_dump(a), index_dump(b)
    rows_equal = da.keys() == db_.keys() and all(
        (da[k] == db_[k]) if k == "files" else da[k][0] == db_[k][0] for k in da)
    diff = max((float(np.abs(da[k][1] - db_[k][1]).max()) if k != "files" and da[k][1].size else 0.0)
               for k in da) if rows_equal else None
    counts = {k: len(v[0]) for k, v in da.items() if k != "files"}
    return {"rows_equal": rows_equal, "max_vector_diff": diff, "counts": counts}


def run_long(args, size) -> dict:
    """Each indexing in its own process (wall, CPU, peak RSS), in this order, results written as they come:
    the short lecture with this code and with `--baseline`; the short one killed at 70 % of its
    uninterrupted wall time and resumed (index compared); the long lecture; the long one killed and resumed."""
    from momentsearch.pipeline.decode import probe

    overrides = {"models": {"clip_pretrained": args.clip_pretrained, "device": args.device}}
    new_overrides = {**overrides, "asr": {"window_seconds": args.window}} if args.window else overrides
    results: dict = {"ratios": {}}
    log = Path(args.json or OUT / "long.json")

    def save():
        log.write_text(json.dumps(results, indent=1, default=str))

    def index(name, tree, path, kill_after=None, db=None, fresh=True):
        db = db or OUT / f"db-{log.stem}-{name.replace('/', '-')}"  # one folder per run and log: runs never share
        if fresh:
            shutil.rmtree(db, ignore_errors=True)
        job = {"kind": "index", "file": str(path), "db": str(db),
               "overrides": new_overrides if tree == ROOT else overrides}
        res = run_child(tree, job, kill_after)
        res["media_s"] = probe(path).duration
        res["rtf"] = res["parent_wall_s"] / res["media_s"]
        results[name] = res
        save()
        print(f"{name:26s} wall {res['parent_wall_s']:8.1f} s  RTF {res['rtf']:.3f}  CPU {res['parent_cpu_s']:8.1f} s  "
              f"peak RSS {res.get('peak_rss_mb', 0):6.0f} MB{'  (killed)' if res.get('killed') else ''}", flush=True)
        return res, db

    def ratio(name, a, b):
        results["ratios"][name] = round(a / b, 3)
        save()
        print(f"  {name}: {a / b:.3f}", flush=True)

    def kill_and_resume(label, path, whole, whole_db):
        db = OUT / f"db-{log.stem}-{label}-killed"
        first, _ = index(f"{label}/killed at 70%", ROOT, path, kill_after=0.7 * whole["parent_wall_s"], db=db)
        second, _ = index(f"{label}/resumed", ROOT, path, db=db, fresh=False)
        results[f"{label}/same index after resume"] = same_index(whole_db, db)
        print(f"  {label} same index after resume: {results[f'{label}/same index after resume']}", flush=True)
        ratio(f"{label}: killed+resumed wall / uninterrupted", first["parent_wall_s"] + second["parent_wall_s"],
              whole["parent_wall_s"])
        ratio(f"{label}: killed+resumed CPU / uninterrupted", first["parent_cpu_s"] + second["parent_cpu_s"],
              whole["parent_cpu_s"])

    short = generated_lecture(args.short_minutes, size, args.fps)
    new_short, short_db = index("short/new", ROOT, short)
    if args.baseline:
        old_short, _ = index(f"short/{args.baseline}", baseline_tree(args.baseline), short)
        ratio(f"short: {args.baseline} wall / new wall", old_short["parent_wall_s"], new_short["parent_wall_s"])
        ratio(f"short: {args.baseline} CPU / new CPU", old_short["parent_cpu_s"], new_short["parent_cpu_s"])
    kill_and_resume("short", short, new_short, short_db)
    if not args.long_minutes:
        return results
    long_ = generated_lecture(args.long_minutes, size, args.fps)
    new_long, long_db = index("long/new", ROOT, long_)
    ratio("peak RSS long / short", new_long["peak_rss_mb"], new_short["peak_rss_mb"])
    if not args.no_long_kill:
        kill_and_resume("long", long_, new_long, long_db)
    return results


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--minutes", type=float, default=10.0, help="length of the generated lecture (>= 10)")
    ap.add_argument("--video", help="benchmark this file instead of the generated lecture")
    ap.add_argument("--device", default="cpu", choices=["auto", "cpu", "cuda"])
    ap.add_argument("--clip-pretrained", default="random",
                    help="CLIP ViT-B-32 weights: a checkpoint path or tag; 'random' (default) costs the same time")
    ap.add_argument("--skip", nargs="*", default=[], choices=["naive", "sequential", "asr-alone"],
                    help="runs to leave out")
    ap.add_argument("--json", help="also write the results here")
    ap.add_argument("--grid-models", nargs="*", default=[], help="--asr-grid: only these models' rows")
    ap.add_argument("--asr-model", default="tiny.en", help="faster-whisper model of asr-alone and ours")
    ap.add_argument("--no-store", action="store_true",
                    help="time ours without the Chroma write (FileProcessor alone): for a machine without chromadb")
    ap.add_argument("--render-only", action="store_true", help="render (or find) the lecture and stop")
    ap.add_argument("--asr-grid", action="store_true",
                    help="only ASR: sequential vs batched, tiny.en vs base: wall time and word error rate")
    ap.add_argument("--size", default="1280x720", help="generated lecture size, WxH")
    ap.add_argument("--fps", type=int, default=25, help="generated lecture frame rate")
    ap.add_argument("--long", action="store_true",
                    help="long-recording run: --long-minutes and 10-minute lectures, each indexed in its own "
                         "process (wall, RTF, peak RSS), kill at 70 %% + resume, vs --baseline")
    ap.add_argument("--trace-minutes", type=float, default=0.0,
                    help="index one lecture this long, printing memory and time as each audio window finishes")
    ap.add_argument("--long-minutes", type=float, default=180.0, help="length of the long lecture (0: none)")
    ap.add_argument("--short-minutes", type=float, default=10.0, help="length of the short lecture")
    ap.add_argument("--no-long-kill", action="store_true", help="skip killing and resuming the long lecture")
    ap.add_argument("--window", type=float, default=0.0, help="asr.window_seconds for this code (0: its default)")
    ap.add_argument("--baseline", default="66ccf71", help="commit to compare with ('' for none)")
    args = ap.parse_args(argv)
    size = tuple(int(x) for x in args.size.split("x"))
    if args.render_only:
        print(generated_lecture(args.minutes, size, args.fps))
        return 0
    if args.trace_minutes:  # memory as the windows of one long lecture finish (this code only)
        path = generated_lecture(args.trace_minutes, size, args.fps)
        db = OUT / f"db-trace-{args.trace_minutes:g}"
        shutil.rmtree(db, ignore_errors=True)
        print(run_child(ROOT, {"kind": "index", "file": str(path), "db": str(db), "trace": True,
                               "overrides": {"models": {"clip_pretrained": args.clip_pretrained}}}), flush=True)
        return 0
    if args.long:
        run_long(args, size)
        return 0
    if args.asr_grid:
        from momentsearch.models.device import resolve_device

        path = generated_lecture(args.minutes, size, args.fps)
        grid = [row for row in ASR_GRID if not args.grid_models or row[0] in args.grid_models]
        rows = run_asr_grid(path, lecture_text(args.minutes), resolve_device(args.device), grid,
                            baseline=baseline_tree(args.baseline) if args.baseline else None)
        if args.json:
            Path(args.json).write_text(json.dumps({"file": str(path), "asr_grid": rows}, indent=1))
        return 0

    from momentsearch.models.device import resolve_device
    from momentsearch.pipeline.decode import probe

    device = resolve_device(args.device)
    path = Path(args.video) if args.video else generated_lecture(args.minutes, size, args.fps)
    info = probe(path)
    print(f"file: {path} ({info.duration / 60:.1f} min, {info.width}x{info.height} @ {info.fps:g} fps); "
          f"device {device}; CPUs {os.cpu_count()}", flush=True)
    t = time.perf_counter()
    models = make_models(device, args.clip_pretrained, args.asr_model)
    print(f"models loaded in {time.perf_counter() - t:.1f} s (not counted below)", flush=True)

    results: dict[str, dict] = {}
    runs = [] if "asr-alone" in args.skip else [("asr-alone", lambda: run_asr_alone(path, models[0]))]
    runs.append(("ours", lambda: run_processing(path, models, device) if args.no_store
                 else run_ours(path, models, True, device)))
    if "sequential" not in args.skip:
        runs.append(("ours-sequential", lambda: run_ours(path, models, False, device)))
    if "naive" not in args.skip:
        runs.append(("naive", lambda: run_naive(path, models)))
    for name, fn in runs:
        with PeakRSS() as mem:
            res = fn()
        res["peak_rss_mb"] = round(mem.peak_mb)
        res["rtf"] = res["wall_s"] / info.duration
        results[name] = res
        stages = ", ".join(f"{k} {v:.1f}s" for k, v in res["stages"].items())
        print(f"{name:16s} {res['wall_s']:7.1f} s  RTF {res['rtf']:.3f}  peak RSS {res['peak_rss_mb']} MB  "
              f"[{stages}]", flush=True)
    ours = results["ours"]["wall_s"]
    ratios = {"media hours per wall hour (ours)": info.duration / ours}
    if "asr-alone" in results:
        ratios["ours / asr-alone"] = ours / results["asr-alone"]["wall_s"]
    if "naive" in results:
        ratios["naive / ours"] = results["naive"]["wall_s"] / ours
    if "ours-sequential" in results:
        ratios["sequential / overlapped"] = results["ours-sequential"]["wall_s"] / ours
    for k, v in ratios.items():
        print(f"{k}: {v:.2f}")
    if args.json:
        Path(args.json).write_text(json.dumps({"file": str(path), "duration_s": info.duration, "device": device,
                                               "results": results, "ratios": ratios}, indent=1, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())
