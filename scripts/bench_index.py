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


def make_models(device: str, clip_pretrained: str):
    from momentsearch.models.asr import FasterWhisperASR
    from momentsearch.models.clip import ClipModel
    from momentsearch.models.text import TextEmbedder
    from momentsearch.options import ASROptions

    asr = FasterWhisperASR(ASROptions(model="tiny.en", compute_type="int8"), device=device).load()
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
    from momentsearch.store.store import Store

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
        counts = {name: store.count(name) for name in ("transcript", "keyframes", "unified", "ocr")}
        return {"wall_s": wall, "stages": dict(report.times.seconds), "counts": counts,
                "channels": files[0].channels}
    finally:
        shutil.rmtree(db, ignore_errors=True)


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


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--minutes", type=float, default=10.0, help="length of the generated lecture (>= 10)")
    ap.add_argument("--video", help="benchmark this file instead of the generated lecture")
    ap.add_argument("--device", default="cpu", choices=["auto", "cpu", "cuda"])
    ap.add_argument("--clip-pretrained", default="random",
                    help="CLIP ViT-B-32 weights: a checkpoint path or tag; 'random' (default) costs the same time")
    ap.add_argument("--skip", nargs="*", default=[], choices=["naive", "sequential"],
                    help="runs to leave out")
    ap.add_argument("--json", help="also write the results here")
    ap.add_argument("--render-only", action="store_true", help="render (or find) the lecture and stop")
    args = ap.parse_args(argv)
    if args.render_only:
        print(generated_lecture(args.minutes))
        return 0

    from momentsearch.models.device import resolve_device
    from momentsearch.pipeline.decode import probe

    device = resolve_device(args.device)
    path = Path(args.video) if args.video else generated_lecture(args.minutes)
    info = probe(path)
    print(f"file: {path} ({info.duration / 60:.1f} min, {info.width}x{info.height} @ {info.fps:g} fps); "
          f"device {device}; CPUs {os.cpu_count()}", flush=True)
    t = time.perf_counter()
    models = make_models(device, args.clip_pretrained)
    print(f"models loaded in {time.perf_counter() - t:.1f} s (not counted below)", flush=True)

    results: dict[str, dict] = {}
    runs = [("asr-alone", lambda: run_asr_alone(path, models[0])),
            ("ours", lambda: run_ours(path, models, True, device))]
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
    ours, alone = results["ours"]["wall_s"], results["asr-alone"]["wall_s"]
    ratios = {"ours / asr-alone": ours / alone}
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
