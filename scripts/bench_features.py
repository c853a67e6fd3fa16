#!/usr/bin/env python3
"""Captions vs ASR and chapter boundaries on benchmark lectures (issue 15).

    python3 scripts/make_benchmark.py --split dev --render-only          # renders bench-out/dev/videos
    python3 scripts/bench_features.py bench-out/dev dev_earth_screen dev_ecology_talkinghead

For the named videos (with their section truth `videos/NAME.json` and the queries of `gt.jsonl`):
1. index them with ASR (captions ignored) and, in a second index, with captions written from the
   true narration (an .srt beside each copy, sentences timed across each section's speech), timing both;
2. evaluate both indexes on the videos' queries (`momentsearch eval`'s metrics);
3. chapters of each video from each index against the section starts: boundary P/R/F1 at +-2 s,
   and the speech-only chapters (topic shifts, as for a video without slides) as well.
Writes OUT/features.json and prints it.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def write_srt(sections: list[dict], path: Path) -> None:
    from momentsearch.testing.captions import srt_text

    cues = []
    for s in sections:
        parts = [p for p in re.split(r"(?<=[.!?])\s+", s["speech"].strip()) if p]
        t0, t1 = s.get("speech_start", s["start"]), s.get("speech_end") or s["end"]
        total = sum(len(p) for p in parts) or 1
        t = t0
        for p in parts:
            dt = (t1 - t0) * len(p) / total
            cues.append((t, t + dt, p))
            t += dt
    path.write_text(srt_text(cues), encoding="utf-8")


def run(folder: Path, db: Path, mode: str, names: list[str], truths, sections: dict) -> dict:
    from momentsearch.api import MomentIndex
    from momentsearch.chapters import boundary_f1, from_speech
    from momentsearch.evaluate import run_eval
    from momentsearch.options import load_config

    shutil.rmtree(db, ignore_errors=True)
    index = MomentIndex(db, load_config(overrides={"captions": {"mode": mode}}))
    t0 = time.perf_counter()
    report = index.index([str(folder)])
    wall = time.perf_counter() - t0
    _, ev = run_eval(index, truths)
    out = {"index_wall_s": round(wall, 1), "stage_s": {k: round(v, 1) for k, v in report.times.seconds.items()},
           "eval": {k: round(v, 3) for k, v in ev.overall.items()}, "chapters": {}}
    for name in names:
        rec = index.find_video(str(folder / f"{name}.mp4"))
        truth = [s["start"] for s in sections[name]]
        chapters = index.chapters(rec.video_id)
        chunks = index.chunks_of(rec.video_id)
        speech = from_speech([(c.start, c.end, c.text) for c in chunks],
                             index.searcher.chunk_vectors(rec.video_id, [c.id for c in chunks]), rec.duration)
        out["chapters"][name] = {
            "source": sorted({c.source for c in chapters}), "n": len(chapters), "truth_n": len(truth),
            "f1": {k: round(v, 3) for k, v in boundary_f1([c.start for c in chapters], truth).items()},
            "speech_only_f1": {k: round(v, 3) for k, v in boundary_f1([c.start for c in speech], truth).items()},
            "sources": rec.sources}
    return out


def main(argv=None) -> int:
    from momentsearch.evaluate import load_ground_truth

    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("split", help="a benchmark split folder (videos/, gt.jsonl)")
    ap.add_argument("names", nargs="+", help="video names (without .mp4)")
    ap.add_argument("--out", default=str(ROOT / "bench-out" / "features"))
    args = ap.parse_args(argv)
    split, out = Path(args.split), Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    folders = {"asr": out / "asr-videos", "captions": out / "caption-videos"}
    sections = {n: json.loads((split / "videos" / f"{n}.json").read_text())["sections"] for n in args.names}
    for kind, folder in folders.items():
        folder.mkdir(exist_ok=True)
        for n in args.names:
            shutil.copy(split / "videos" / f"{n}.mp4", folder / f"{n}.mp4")
            if kind == "captions":
                write_srt(sections[n], folder / f"{n}.srt")
    truths = [t for t in load_ground_truth(split / "gt.jsonl") if Path(t.video).stem in args.names]
    result = {"videos": args.names, "queries": len(truths),
              "asr": run(folders["asr"], out / "db-asr", "ignore", args.names, truths, sections),
              "captions": run(folders["captions"], out / "db-captions", "auto", args.names, truths, sections)}
    (out / "features.json").write_text(json.dumps(result, indent=1))
    print(json.dumps(result, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
