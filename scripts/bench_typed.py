"""The benchmark's queries as people type them: with a typo, or inside a request.

The hand-written queries of `scripts/make_benchmark.py` are clean: the words alone, spelt right. People
type "where does the lecturer talk about X?" and make typos. Each text query of a split (said, concept,
shown) is searched four ways on the split's index, each as a benchmark query (`evaluate.run_eval`):

- as written;
- typo: one word of five or more letters gets one typing slip (two neighbouring letters swapped, a letter
  dropped, or one doubled; seeded, so the same queries each run);
- request: wrapped in one of four requests ("where does the lecturer talk about X?", "when do they explain
  X", "find the part about X", "Where is X discussed?"), the ones `search/asking.py` was written against;
- other requests: eight requests written after that rule and never used to shape it ("at what point does
  the speaker cover X", "show me where X comes up", "I'm looking for the bit on X", "X?", ...).

    python3 scripts/make_benchmark.py --split dev          # once: render and index
    python3 scripts/bench_typed.py --split dev [--db COPY] [--write FOLDER]

`--write FOLDER` also writes each variant's ground truth (JSONL) there, for `momentsearch eval` on other
indexes or other code (`momentsearch eval FOLDER/typo.jsonl --db ...`).
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from momentsearch.evaluate import load_ground_truth, run_eval  # noqa: E402

REQUESTS = ["where does the lecturer talk about {}?", "when do they explain {}", "find the part about {}",
            "Where is {} discussed?"]
OTHER_REQUESTS = ["at what point does the speaker cover {}", "show me where {} comes up",
                  "I'm looking for the bit on {}", "which part of the lecture explains {}",
                  "can you find where they mention {}", "{}?",
                  "is there a part about {}", "take me to the moment they talk about {}"]
TYPES = ("said", "concept", "shown")


def typo(query: str, rng: random.Random) -> str:
    """`query` with one slip in one word of 5+ letters (swap two neighbours, drop one, double one)."""
    words = query.split()
    long_words = [i for i, w in enumerate(words) if len(w) >= 5 and w.isalpha()]
    if not long_words:
        return query
    i = rng.choice(long_words)
    w = words[i]
    j = rng.randrange(1, len(w) - 2)
    slip = rng.choice(["swap", "drop", "double"])
    words[i] = (w[:j] + w[j + 1] + w[j] + w[j + 2:] if slip == "swap" else w[:j] + w[j + 1:] if slip == "drop"
                else w[:j] + w[j] + w[j:])
    return " ".join(words)


def variants(rows: list[dict]) -> dict[str, list[dict]]:
    """Each variant's ground truth rows: the same windows, the query typed another way."""
    make = {"as written": lambda q, r: q, "typo": typo, "request": lambda q, r: r.choice(REQUESTS).format(q),
            "other requests": lambda q, r: r.choice(OTHER_REQUESTS).format(q)}
    out = {}
    for n, (name, fn) in enumerate(make.items()):
        rng = random.Random(5 + n)
        out[name] = [{**row, "query": fn(row["query"], rng)} for row in rows]
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--split", default="dev", choices=("dev", "test"))
    ap.add_argument("--db", help="the index (default bench-out/SPLIT/db)")
    ap.add_argument("--write", help="also write each variant's ground truth (JSONL) into this folder")
    args = ap.parse_args()
    gt = ROOT / "bench-out" / args.split / "gt.jsonl"
    if not gt.is_file():
        ap.error(f"{gt} not found: run scripts/make_benchmark.py --split {args.split} first")
    rows = [json.loads(line) for line in gt.read_text().splitlines() if line.strip()]
    rows = [row for row in rows if row.get("type") in TYPES]
    from momentsearch.api import MomentIndex

    index = MomentIndex(args.db or ROOT / "bench-out" / args.split / "db")
    print(f"{args.split}: {len(rows)} text queries (said, concept, shown)")
    print(f"{'typed':16s} {'R1@0.5':>7s} {'R1@0.7':>7s}  " + "  ".join(f"{t:>7s}" for t in TYPES))
    folder = Path(args.write or tempfile.mkdtemp(prefix="bench_typed_"))
    folder.mkdir(parents=True, exist_ok=True)
    for name, changed in variants(rows).items():
        path = folder / (name.replace(" ", "_") + ".jsonl")
        path.write_text("".join(json.dumps(row) + "\n" for row in changed))
        _, report = run_eval(index, load_ground_truth(path))
        by = report.by_type
        print(f"{name:16s} {report.overall['R1@0.5']:7.3f} {report.overall['R1@0.7']:7.3f}  "
              + "  ".join(f"{by[t]['R1@0.5']:7.3f}" if t in by else f"{'-':>7s}" for t in TYPES))
    return 0


if __name__ == "__main__":
    sys.exit(main())
