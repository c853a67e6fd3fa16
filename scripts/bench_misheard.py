"""Said queries whose words the recogniser got wrong: how often the ranker still finds them (issue 16).

The benchmark's *said* queries quote a phrase of each section; the ones the index misses on the long
lectures are mostly phrases Whisper did not hear in a noisy hall. Those are a handful per split, too
few to tell two settings apart. Here every section of a split's narration (the rendered lecture's
JSON) gives up to two 5-word phrases that (a) hold at least three content words, (b) do not run
across a sentence end, and (c) have at least three words that the index's transcript of that section
does not contain: what a user remembers hearing, that the recogniser wrote otherwise. Each phrase is
searched like a benchmark query (`evaluate.run_eval`: right when the top moment is in the section's
video and overlaps it at IoU >= 0.5). The phrases depend on the index's words, so compare settings on
one index (query-time changes), or build the phrases once and eval them on each index:

    python3 scripts/make_benchmark.py --split dev                       # once: render and index
    python3 scripts/bench_misheard.py --split dev [--db COPY] [--write GT.jsonl] [--config F.toml]
    momentsearch eval GT.jsonl --db OTHER_INDEX                        # the same phrases elsewhere

`--slide-terms` searches the opposite case instead, what lenient sound matching must not take: two
neighbouring words of a slide's bullets with as many sound letters as a phrase (`fuzzy.PHRASE_LETTERS`;
"matching coastlines"), each asked once, with the section showing that slide as truth.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from momentsearch.evaluate import GroundTruth, run_eval  # noqa: E402
from momentsearch.ranking.fuzzy import PHRASE_LETTERS, sound_letters  # noqa: E402
from momentsearch.ranking.lexical import tokenize  # noqa: E402
from momentsearch.testing.corpus import load_split  # noqa: E402
from momentsearch.testing.wer import normalise  # noqa: E402

WORDS = 5  # words per phrase
UNHEARD = 3  # of them, at least this many absent from the section's transcript
PER_SECTION = 2
SEED = 7


def _unheard(word: str, heard: set[str]) -> bool:
    """Whether a narration word is missing from the transcript's words (compared as the word error rate
    compares them: lower case, numbers spelled out, "k-means" as two words)."""
    return not all(w in heard for w in normalise(word))


def phrases(sections: list[dict], heard_in, rng: random.Random) -> list[tuple[int, str]]:
    """(section number, phrase) for one lecture; `heard_in(start, end)` is the set of words (`normalise`d)
    the index's transcript holds over that span."""
    out = []
    for k, section in enumerate(sections):
        words, heard = section.get("speech", "").split(), heard_in(section["start"], section["end"])
        fits = [i for i in range(len(words) - WORDS + 1)
                if sum(_unheard(w, heard) for w in words[i:i + WORDS]) >= UNHEARD
                and len(tokenize(" ".join(words[i:i + WORDS]))) >= 3
                and not any(w[-1] in ".?!:;," for w in words[i:i + WORDS - 1])]
        for i in sorted(rng.sample(fits, min(PER_SECTION, len(fits)))):
            out.append((k, " ".join(w.strip(".,;:!?\"") for w in words[i:i + WORDS])))
    return out


def slide_terms(deck, rendered: list[dict], asked: set[str]) -> list[tuple[int, str]]:
    """(section number, two neighbouring bullet words) for one lecture's slides on screen; `asked` holds the
    terms of the lectures before (a term is asked once)."""
    out = []
    for k, (section, shown) in enumerate(zip(deck.sections, rendered)):
        if shown.get("view") != "slide" or shown.get("title") != section.title:
            continue
        for bullet in section.bullets:
            words = [w for w in bullet.replace("-", " ").split() if w.isalpha() and len(w) >= 3]
            for a, b in zip(words, words[1:]):
                term = f"{a} {b}"
                if len(sound_letters(term)) >= PHRASE_LETTERS and term.lower() not in asked:
                    asked.add(term.lower())
                    out.append((k, term))
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--split", choices=("dev", "test"), default="dev")
    ap.add_argument("--out", type=Path, default=ROOT / "bench-out", help="the benchmark's folder (default bench-out)")
    ap.add_argument("--db", type=Path, help="the index to search (default OUT/SPLIT/db)")
    ap.add_argument("--config", type=Path, help="options TOML for searching")
    ap.add_argument("--write", type=Path, help="also write the phrases as ground truth (JSONL) to this file")
    ap.add_argument("--slide-terms", action="store_true", help="two-word slide terms instead of misheard phrases")
    ap.add_argument("--lectures", type=Path, default=ROOT / "scripts" / "lectures",
                    help="folder of dev.toml and test.toml")
    args = ap.parse_args(argv)

    from momentsearch.api import MomentIndex
    from momentsearch.options import load_config

    db, lectures = args.db or args.out / args.split / "db", sorted((args.out / args.split / "videos").glob("*.json"))
    if not lectures or not db.is_dir():
        raise SystemExit(f"{args.out / args.split} holds no rendered, indexed lectures: "
                         f"python3 scripts/make_benchmark.py --split {args.split} --out {args.out}")
    index = MomentIndex(db, load_config(args.config))
    rng, truths, asked = random.Random(SEED), [], set()
    decks = {d.name: d for d in load_split(args.lectures / f"{args.split}.toml")} if args.slide_terms else {}
    for path in lectures:
        video = path.with_suffix(".mp4")
        chunks = index.chunks_of(str(video))

        def heard_in(start: float, end: float, chunks=chunks) -> set[str]:
            return {w for c in chunks if c.end > start and c.start < end for w in normalise(c.text)}

        sections = json.loads(path.read_text())["sections"]
        found = (slide_terms(decks[path.stem], sections, asked) if args.slide_terms
                 else phrases(sections, heard_in, rng))
        for k, phrase in found:
            section = sections[k]
            kind = "shown" if args.slide_terms else "said"
            truths.append(GroundTruth(f"{path.stem}-{k:02d}-{kind}-{len(truths)}", phrase, video.name,
                                      [(section["start"], section["end"])], kind))
    if args.write:
        args.write.write_text("".join(json.dumps({"qid": t.qid, "query": t.query, "video": t.video,
                                                  "relevant_windows": [list(w) for w in t.windows],
                                                  "type": t.type}) + "\n" for t in truths))
    _, report = run_eval(index, truths)
    right = round(report.overall["R1@0.5"] * len(truths))
    low, high = report.interval("R1@0.5")
    what = "two-word slide terms" if args.slide_terms else "misheard phrases"
    print(f"{len(truths)} {what} on {args.split}: R1@0.5 {report.overall['R1@0.5']:.3f} ({right} of "
          f"{len(truths)}; 95 % interval {low:.3f}-{high:.3f})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
