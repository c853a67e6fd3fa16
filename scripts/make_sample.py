"""Render the demo lecture shipped with the package and its ground-truth section windows.

Every slide uses one template (same background and title bar; only the words change), as in
real decks, so the demo shows what momentsearch does on material like the user's.

    python scripts/make_sample.py            # writes momentsearch/data/sample_lecture.{mp4,json}

The JSON holds, for every section, its title, start and end (seconds) and the narration text,
so tests and the demo can check that a search lands inside the right window.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import asdict
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))  # run from a checkout without installing

from momentsearch.errors import MomentSearchError  # noqa: E402
from momentsearch.testing.slides import DEFAULT_TEMPLATE  # noqa: E402
from momentsearch.testing.synth import default_sections, render_lecture  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out-dir", type=Path, default=REPO / "momentsearch" / "data")
    parser.add_argument("--width", type=int, default=480)
    parser.add_argument("--height", type=int, default=270)
    parser.add_argument("--fps", type=int, default=5)
    parser.add_argument("--crf", type=int, default=28, help="x264 quality (higher = smaller file)")
    parser.add_argument("--audio-bitrate", type=int, default=32_000, help="aac bits per second")
    args = parser.parse_args(argv)

    args.out_dir.mkdir(parents=True, exist_ok=True)
    video = args.out_dir / "sample_lecture.mp4"
    try:
        sections = render_lecture(video, default_sections(), size=(args.width, args.height), fps=args.fps,
                                  crf=args.crf, audio_bitrate=args.audio_bitrate)
    except MomentSearchError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    truth = {
        "video": video.name,
        "size": [args.width, args.height],
        "fps": args.fps,
        "template": DEFAULT_TEMPLATE.name,
        "duration": sections[-1].end,
        "sections": [asdict(s) for s in sections],
    }
    (args.out_dir / "sample_lecture.json").write_text(json.dumps(truth, indent=2) + "\n")
    print(f"{video} ({video.stat().st_size / 1024:.0f} KiB, {sections[-1].end:.1f} s)")
    for s in sections:
        print(f"  {s.start:6.2f} - {s.end:6.2f}  {s.title}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
