#!/usr/bin/env python3
"""More queries typed the way students type them, searched on the DEV split's index: a second probe of the kind
scripts/probe_student_queries.py began, in six other styles and, where possible, on other sections. No video is
rendered: the probe searches a copy of bench-out/dev/db (8 lectures, 75.5 min; narration and slides in
scripts/lectures/dev.toml) and takes each section's time window from bench-out/dev/gt.jsonl. Nothing of the TEST
split is read.

The first probe's styles were question / typo / abbrev / fragment / vague / long. Students also type study-guide
requests and half-remembered facts. For 41 dev sections (all 8 videos; none of them a section the first probe
used) 1-3 queries each were written from the narration and the slides, in six styles, 10-12 each (67 in all):

  define    "define X", "what is meant by X", "X meaning", "X definition"
  howto     "how to calculate X", "steps to X", "how do I X"
  compare   "X vs Y", "X compared to Y", "difference X Y", "pros and cons of X"
  example   "an example of X", "real world example of X", "case study on X"
  named     a person, place, date or number the lecture mentions, alone or with one more word, as a student
            remembers it (sometimes slightly wrong: "1973" for 1972, "1977" for 1975, "1940s" for the forties)
  notation  formulas and symbols typed plainly ("hits / requests", "P star", "span/depth = 20", "+12p -8p")

Decisions, fixed before any result was seen, and the same as the first probe's (whose functions this one
imports). A query's truth is its section's window from gt.jsonl (the section named with it; same video). A
query is a hit (R1@0.5) when the top result lies in the truth's video with IoU >= 0.5
(momentsearch.ranking.fusion.iou); R@5 when any of the top 5 does. A "same-slide" section (slide = "same" in
dev.toml) is scored like any other: a query written for it must find that section's narration, not its
neighbour's. Where a request could fit two sections, the truth is the section whose narration carries the
request's substance (e.g. "pros and cons of drug patents" -> Monopoly #29, the patents aside; the slide it
shares with #28 shows no word of it). Alongside each style, the benchmark's own clean queries (said, concept,
shown) of the same sections are searched on the same copy; a style's "clean" column is the mean over its
queries of the share of their section's clean queries that hit. The queries below were written with the
material, before the first run, and are not changed after.

    python3 scripts/probe_student_queries2.py [--out /tmp/stq2]

Copies bench-out/dev/db to OUT/db unless OUT/db exists (`rm -rf OUT` for a fresh copy), searches only the copy
(k=5) and prints R1@0.5 and R@5 per style beside the clean queries' R1@0.5, per section, then each miss with
what the query was searched as (`Searcher.spelled`), its truth and the top 3 (video, span, IoU, score,
per-channel scores, evidence). Writes OUT/diagnostics.json and prints the run time.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import probe_student_queries as first  # noqa: E402  (sections, searched, clean_share, report_* and the scoring)

STYLES = ("define", "howto", "compare", "example", "named", "notation")

QUERIES = [  # (video, section, style, query); written before the first run, not changed after
    # define
    ("dev_caching_camera", 2, "define", "define hit ratio"),
    ("dev_ecology_talkinghead", 2, "define", "what is meant by trophic level"),
    ("dev_markets_long2", 8, "define", "equilibrium price definition"),
    ("dev_markets_long2", 22, "define", "deadweight loss meaning"),
    ("dev_memory_long", 8, "define", "define proactive interference"),
    ("dev_markets_long2", 16, "define", "what is meant by consumer surplus"),
    ("dev_earth_screen", 5, "define", "convergent boundary definition"),
    ("dev_markets_long2", 21, "define", "tax incidence meaning"),
    ("dev_memory_long", 12, "define", "define procedural memory"),
    ("dev_crypto_screen2", 5, "define", "what is meant by symmetric encryption"),
    ("dev_markets_long2", 2, "define", "market definition economics"),
    # howto
    ("dev_markets_long2", 24, "howto", "how to calculate the new price after the sugar tax"),
    ("dev_crypto_screen2", 3, "howto", "how to break a substitution cipher"),
    ("dev_memory_long", 6, "howto", "how do I stop cramming and space out my revision"),
    ("dev_markets_long2", 15, "howto", "how do firms decide whether to raise prices"),
    ("dev_bridges_long3", 7, "howto", "steps to build the straw bridge"),
    ("dev_markets_long2", 10, "howto", "how to draw the shifts for the avocado news stories"),
    ("dev_caching_camera", 4, "howto", "how to keep a cache consistent when the data changes"),
    ("dev_markets_long2", 3, "howto", "how to draw a demand curve"),
    ("dev_bridges_long3", 4, "howto", "how do I stop a concrete beam cracking"),
    ("dev_memory_long", 4, "howto", "how to make something stick in memory"),
    # compare
    ("dev_caching_camera", 4, "compare", "write-through vs write-back"),
    ("dev_memory_long", 8, "compare", "proactive vs retroactive interference"),
    ("dev_memory_long", 12, "compare", "episodic vs semantic memory"),
    ("dev_markets_long2", 31, "compare", "english auction vs dutch auction"),
    ("dev_bridges_long3", 12, "compare", "pros and cons of steel concrete and timber"),
    ("dev_bridges_long3", 3, "compare", "tension compared to compression"),
    ("dev_markets_long2", 16, "compare", "consumer surplus vs producer surplus"),
    ("dev_earth_screen", 5, "compare", "difference divergent convergent boundaries"),
    ("dev_markets_long2", 21, "compare", "statutory vs economic incidence"),
    ("dev_markets_long2", 29, "compare", "pros and cons of drug patents"),
    ("dev_memory_long", 10, "compare", "primacy vs recency effect"),
    # example
    ("dev_markets_long2", 12, "example", "real world example of a supply shock"),
    ("dev_markets_long2", 19, "example", "example of a price ceiling on petrol"),
    ("dev_markets_long2", 15, "example", "airline tickets example of price discrimination"),
    ("dev_markets_long2", 32, "example", "an example of a speculative bubble"),
    ("dev_markets_long2", 33, "example", "the pencil example"),
    ("dev_memory_long", 8, "example", "example of interference with a bank pin"),
    ("dev_medicine_screencast", 6, "example", "case study on antiseptic surgery"),
    ("dev_earth_screen", 5, "example", "an example of a transform fault"),
    ("dev_caching_camera", 2, "example", "real world example of skewed popularity"),
    ("dev_bridges_long3", 2, "example", "example of live load on a bridge"),
    ("dev_markets_long2", 13, "example", "case study on price rises after a disaster"),
    # named
    ("dev_earth_screen", 3, "named", "1960s magnetic stripes"),
    ("dev_memory_long", 2, "named", "Atkinson Shiffrin"),
    ("dev_memory_long", 4, "named", "craik lockhart 1973"),
    ("dev_markets_long2", 33, "named", "hayek 1940s"),
    ("dev_markets_long2", 32, "named", "Adam Smith 1776"),
    ("dev_crypto_screen2", 3, "named", "al kindi baghdad"),
    ("dev_bridges_long3", 10, "named", "2 km span"),
    ("dev_markets_long2", 28, "named", "standard oil"),
    ("dev_medicine_screencast", 6, "named", "lister glasgow"),
    ("dev_markets_long2", 12, "named", "brazil 1977 frost"),
    ("dev_memory_long", 10, "named", "murdock 1962"),
    ("dev_crypto_screen2", 5, "named", "AES 2001"),
    # notation
    ("dev_caching_camera", 2, "notation", "hits / requests"),
    ("dev_markets_long2", 8, "notation", "P star market clearing"),
    ("dev_ecology_talkinghead", 2, "notation", "10% energy rule"),
    ("dev_caching_camera", 1, "notation", "100 ns RAM vs 1 ms network"),
    ("dev_bridges_long3", 4, "notation", "span/depth = 20"),
    ("dev_markets_long2", 25, "notation", "+12p -8p"),
    ("dev_crypto_screen2", 3, "notation", "e = 1/8 of letters"),
    ("dev_markets_long2", 22, "notation", "DWL ~ tax^2"),
    ("dev_memory_long", 9, "notation", "120 s timer"),
    ("dev_bridges_long3", 10, "notation", "2023 m"),
    ("dev_markets_long2", 16, "notation", "WTP - price"),
    ("dev_memory_long", 15, "notation", "ch 6.1-6.4"),
]


def report_spelling(rows: list[dict]) -> None:
    """Every student query the searcher rewrote (request stripped, typos put right), hit or not."""
    changed = [r for r in rows if r["searched_as"] != r["query"] or r["corrected"]]
    print(f"\n{len(changed)} student queries rewritten before search")
    for r in changed:
        mark = "+" if r["hit"] else "-"
        print(f"  {mark} [{r['style']}] {r['query']!r} -> {r['searched_as']!r} {r['corrected'] or ''}")


def evaluate(out: Path) -> dict:
    from momentsearch.api import MomentIndex

    secs = first.sections()
    index = MomentIndex(str(out / "db"))
    rows, clean = first.run_all(index, secs, QUERIES)
    first.report_styles(rows, clean, STYLES)
    first.report_sections(rows, clean)
    report_spelling(rows)
    first.report_misses(rows, clean)
    return {"queries": rows, "clean": [{"video": k[0], "section": k[1], **v} for k, v in clean.items()]}


def main() -> int:
    used = {(v, s) for v, s, _, _ in first.QUERIES}
    shared = len({(q[0], q[1]) for q in QUERIES} & used)
    return first.run("/tmp/stq2", QUERIES, STYLES, evaluate, f" ({shared} also in the first probe)")


if __name__ == "__main__":
    sys.exit(main())
