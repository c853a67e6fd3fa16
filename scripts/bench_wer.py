"""Word error rate of the speech recogniser on the benchmark's lectures, per lecture and over the split.

The reference is each lecture's narration as written in scripts/lectures/SPLIT.toml (what espeak-ng
spoke); the hypothesis is what indexing's ASR writes for the rendered video, window by window as
indexing cuts the audio. Whisper's answers come from the benchmark's cache (OUT/asr-windows/, filled
by make_benchmark.py; a window not in it is transcribed and cached), so a second model costs one pass.

    python3 scripts/make_benchmark.py --split dev --render-only        # once: the videos
    python3 scripts/bench_wer.py --split dev [--config F.toml]         # e.g. [asr] model = "tiny.en"
    python3 scripts/bench_wer.py --split dev --gain 0.1                # as if recorded 20 dB quieter
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

from momentsearch.options import load_config  # noqa: E402
from momentsearch.testing.corpus import load_split  # noqa: E402
from momentsearch.testing.wer import normalise, word_error_rate  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--split", choices=("dev", "test"), default="dev")
    ap.add_argument("--out", type=Path, default=ROOT / "bench-out", help="the benchmark's folder (default bench-out)")
    ap.add_argument("--lectures", type=Path, default=ROOT / "scripts" / "lectures",
                    help="folder of dev.toml, test.toml")
    ap.add_argument("--config", type=Path, help="options TOML (as for make_benchmark.py)")
    ap.add_argument("--gain", type=float, default=1.0,
                    help="scale the audio by this before ASR: the renders' speech peaks at -1 dBFS, a recording "
                         "from the back of a hall far lower (0.1 = 20 dB quieter)")
    args = ap.parse_args(argv)
    if not args.gain > 0:
        ap.error("--gain must be above 0")

    from make_benchmark import CachedASR

    from momentsearch.models.build import Models
    from momentsearch.pipeline.decode import iter_audio_windows
    from momentsearch.pipeline.process import shift_segments

    config = load_config(args.config)
    asr = CachedASR(Models(config).asr, args.out / "asr-windows", config.asr)
    setting = config.asr.model + (f", gain {args.gain:g}" if args.gain != 1.0 else "")
    print(f"| lecture | condition | voice | room | words | WER ({setting}) |\n|---|---|---|---|---|---|")
    errors = words = 0.0
    for lecture in load_split(args.lectures / f"{args.split}.toml"):
        video = args.out / args.split / "videos" / f"{lecture.name}.mp4"
        if not video.is_file():
            raise SystemExit(f"{video} is not rendered: "
                             f"python3 scripts/make_benchmark.py --split {args.split} --render-only")
        segments = []
        for window in iter_audio_windows(str(video), config.asr.window_seconds):
            samples = window.samples if args.gain == 1.0 else (window.samples * args.gain).astype("float32")
            segments += shift_segments(asr.transcribe(samples), window.start)
        reference = " ".join(s.speech for s in lecture.sections)
        wer, n = word_error_rate(reference, " ".join(s.text for s in segments)), len(normalise(reference))
        errors, words = errors + wer * n, words + n
        print(f"| {lecture.name} | {lecture.condition} | {lecture.render.get('voice', '')} | "
              f"{lecture.render.get('room', '')} | {n} | {100 * wer:.1f} % |", flush=True)
    print(f"| all | | | | {words:.0f} | **{100 * errors / max(words, 1):.1f} %** |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
