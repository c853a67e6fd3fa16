#!/usr/bin/env python3
"""Queries typed the way students type them into a lecture-video search box, searched on the DEV split's
index: a check on a kind of query nothing was tuned on. No video is rendered: the probe searches a copy of
bench-out/dev/db (8 lectures, 75.5 min; narration and slides in scripts/lectures/dev.toml) and takes each
section's time window from bench-out/dev/gt.jsonl. Nothing of the TEST split is read.

The benchmark's own queries are clean: the words alone, spelt right, one per type and section. Students
type otherwise. For 40 dev sections (all 8 videos, the three long ones included) 1-2 queries each were
written from the narration and the slides, in six styles, about equally many of each:

  question   "what's the difference between X and Y", "why does X happen", "how do you calculate X"
  typo       a content word misspelt as people do (dropped / doubled / swapped letters, phonetic), or all
             lower case without punctuation
  abbrev     short forms ("def", "vs", "w/", "&", "b4", "min"), acronyms the lecture spells out or never
             uses (PED, CDN, RSA, WM)
  fragment   1-3 keywords only
  vague      what a student remembers of a slide or a moment ("the story about ...", "the part at the end")
  long       a long natural sentence with filler around what is remembered

Decisions, fixed before any result was seen. A query's truth is its section's window from gt.jsonl (the
section named by the qid VIDEO-NN-type; same video). A query is a hit (R1@0.5) when the top result lies in
the truth's video with IoU >= 0.5 (momentsearch.ranking.fusion.iou); R@5 when any of the top 5 does. A
"same-slide" section (slide = "same" in dev.toml: the topic changes, the picture does not) is scored like
any other. Alongside each style, the benchmark's own clean queries (said, concept, shown) of the same
sections are searched on the same copy, so a style's effect is measured against the same sections: for a
style, "clean" is the mean over its queries of the share of their section's clean queries that hit. The
queries below were written with the material, before the first run, and are not changed after.

    python3 scripts/probe_student_queries.py [--out /tmp/stq]

Copies bench-out/dev/db to OUT/db unless OUT/db exists (`rm -rf OUT` for a fresh copy), searches only the
copy (k=5) and prints R1@0.5 and R@5 per style beside the clean queries' R1@0.5, then each miss with what
the query was searched as (`Searcher.spelled`: request stripped, typos put right), its truth and the top 3
(video, span, IoU, score, per-channel scores, evidence). Writes OUT/diagnostics.json (every student and
clean query: searched-as text, corrections, top 5 with channels and evidence) and prints the run time.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
DEV = ROOT / "bench-out" / "dev"
STYLES = ("question", "typo", "abbrev", "fragment", "vague", "long")
CLEAN_TYPES = ("said", "concept", "shown")

QUERIES = [  # (video, section, style, query); written before the first run, not changed after
    ("dev_earth_screen", 2, "question", "why did scientists reject continental drift at first"),
    ("dev_earth_screen", 2, "typo", "continential drift wegner"),
    ("dev_earth_screen", 4, "fragment", "plate speed fingernails"),
    ("dev_earth_screen", 4, "question", "how fast do tectonic plates move"),
    ("dev_earth_screen", 6, "abbrev", "p vs s waves epicenter dist"),
    ("dev_earth_screen", 6, "long", "there was a part where he explained how you can figure out how far away an "
                                    "earthquake was from the two waves, where is that"),
    ("dev_caching_camera", 3, "fragment", "lru eviction"),
    ("dev_caching_camera", 3, "typo", "least recently used vs least frequntly used"),
    ("dev_caching_camera", 5, "vague", "the story about the outage when the database fell over"),
    ("dev_caching_camera", 5, "long", "i remember the lecturer told a story about thousands of requests missing at "
                                      "the same time and crashing the db, what was the fix"),
    ("dev_caching_camera", 6, "abbrev", "CDN & browser cache"),
    ("dev_caching_camera", 6, "question", "what are the different levels where caches exist"),
    ("dev_medicine_screencast", 2, "typo", "semmelwise handwashing"),
    ("dev_medicine_screencast", 2, "question", "why did doctors refuse to wash their hands"),
    ("dev_medicine_screencast", 3, "fragment", "cholera map pump"),
    ("dev_medicine_screencast", 3, "vague", "the part about john snow and the water pump handle"),
    ("dev_medicine_screencast", 4, "long", "there was a bit where she said the popular books make it sound like lone "
                                           "geniuses and we should be careful about that in our essays"),
    ("dev_medicine_screencast", 5, "abbrev", "def of koch postulates"),
    ("dev_medicine_screencast", 5, "typo", "pasture swan neck flask experiment"),
    ("dev_ecology_talkinghead", 1, "vague", "the start when he talks about his walk by the river"),
    ("dev_ecology_talkinghead", 3, "long", "i think there was something about wolves being brought back into "
                                           "yellowstone and the rivers changing shape, can you find it"),
    ("dev_ecology_talkinghead", 3, "typo", "yelowstone wolves"),
    ("dev_ecology_talkinghead", 4, "fragment", "keystone species starfish"),
    ("dev_ecology_talkinghead", 5, "question", "whats the difference between a habitat and a niche"),
    ("dev_ecology_talkinghead", 5, "vague", "when she answers the email question about habitats"),
    ("dev_ecology_talkinghead", 6, "abbrev", "field trip sat. meeting pt"),
    ("dev_memory_long", 3, "abbrev", "WM capacity 7+-2"),
    ("dev_memory_long", 3, "long", "there was a bit about how a chess master sees the board as a few patterns "
                                   "instead of all the pieces, what was that about"),
    ("dev_memory_long", 5, "question", "is rereading or testing yourself better for revision"),
    ("dev_memory_long", 5, "typo", "retreival practice"),
    ("dev_memory_long", 7, "typo", "ebbinghouse forgetting curve"),
    ("dev_memory_long", 7, "vague", "the graph of how fast you forget stuff"),
    ("dev_memory_long", 11, "vague", "the story about patient hm"),
    ("dev_memory_long", 11, "long", "I remember the lecturer telling a story about some guy who had brain surgery "
                                    "for epilepsy and after that he could still learn to draw in a mirror but not "
                                    "remember it, where was that"),
    ("dev_memory_long", 13, "fragment", "loftus car crash"),
    ("dev_memory_long", 13, "question", "how can leading questions create false memories"),
    ("dev_memory_long", 14, "abbrev", "sleep vs all-nighters b4 exams"),
    ("dev_markets_long2", 5, "question", "what's the difference between a movement along the demand curve and a shift"),
    ("dev_markets_long2", 5, "abbrev", "shift in D curve vs movement along"),
    ("dev_markets_long2", 14, "typo", "price elasticty of demand formula"),
    ("dev_markets_long2", 14, "abbrev", "PED formula"),
    ("dev_markets_long2", 17, "vague", "the break in the middle"),
    ("dev_markets_long2", 18, "fragment", "rent control stockholm"),
    ("dev_markets_long2", 18, "long", "the lecturer talked about rent control in some scandinavian city where "
                                      "people wait like ten years for a flat, where's that part"),
    ("dev_markets_long2", 20, "question", "does minimum wage cause unemployment"),
    ("dev_markets_long2", 20, "abbrev", "min wage card & krueger study"),
    ("dev_markets_long2", 26, "typo", "externalitys and polution tax"),
    ("dev_markets_long2", 27, "question", "why wont private companies build lighthouses"),
    ("dev_markets_long2", 27, "fragment", "free rider problem"),
    ("dev_markets_long2", 30, "long", "there was an example with used cars where the seller knows more than the "
                                      "buyer and only bad cars get sold, I think it was called lemons or something"),
    ("dev_markets_long2", 34, "fragment", "uber surge pricing"),
    ("dev_markets_long2", 34, "vague", "the example about taxi apps on new years eve"),
    ("dev_markets_long2", 37, "vague", "the part at the end about homework and what to read"),
    ("dev_bridges_long3", 5, "question", "why are steel beams I shaped"),
    ("dev_bridges_long3", 6, "typo", "roman arch abutmants"),
    ("dev_bridges_long3", 8, "abbrev", "truss def + warren vs pratt"),
    ("dev_bridges_long3", 8, "fragment", "triangles truss"),
    ("dev_bridges_long3", 11, "vague", "the part about the bridge that collapsed in the wind and the dog"),
    ("dev_bridges_long3", 11, "typo", "tacoma narows resonance"),
    ("dev_bridges_long3", 13, "long", "at the very end he mentioned something about a lab on tuesday where we break "
                                      "a model bridge and some homework chapter, what was it"),
    ("dev_crypto_screen2", 2, "typo", "ceasar cipher"),
    ("dev_crypto_screen2", 2, "question", "how many keys does a shift cipher have"),
    ("dev_crypto_screen2", 4, "fragment", "one time pad"),
    ("dev_crypto_screen2", 4, "long", "he said there's one cipher that is actually provably unbreakable but spies "
                                      "had to carry the key around, which one was that"),
    ("dev_crypto_screen2", 6, "abbrev", "RSA & DH public key crypto"),
    ("dev_crypto_screen2", 6, "vague", "the padlock analogy"),
    ("dev_crypto_screen2", 7, "fragment", "password hashing salt"),
    ("dev_crypto_screen2", 7, "abbrev", "SHA256 hash fn"),
]


def sections() -> dict[tuple[str, int], dict]:
    """(video stem, section number) -> {"windows": [[s, e], ...], "clean": {type: query}} from gt.jsonl."""
    out: dict[tuple[str, int], dict] = {}
    for line in (DEV / "gt.jsonl").read_text().splitlines():
        if not line.strip():
            continue
        row = json.loads(line)
        stem, number, kind = row["qid"].rsplit("-", 2)
        assert stem + ".mp4" == row["video"], row["qid"]
        sec = out.setdefault((stem, int(number)), {"windows": row["relevant_windows"], "clean": {}})
        assert sec["windows"] == row["relevant_windows"], row["qid"]  # one window per section
        if kind in CLEAN_TYPES:
            sec["clean"][kind] = row["query"]
    return out


def iou_with(m, video: str, windows) -> float:
    """The best IoU of moment `m` with any truth window; 0 when it is in another video."""
    from momentsearch.ranking.fusion import iou

    if Path(m.video).name != video + ".mp4":
        return 0.0
    return max(float(iou(m.start, m.end, s, e)) for s, e in windows)


def searched(index, video: str, windows, query: str) -> dict:
    """One query searched (k=5): what it was searched as, hit / R@5, and the top 5 with evidence."""
    spelling = index.searcher.spelled(query)
    moments = index.search(query, k=5)
    ious = [iou_with(m, video, windows) for m in moments]
    top = [{"video": Path(m.video).name, "span": [round(m.start, 2), round(m.end, 2)], "iou": round(v, 3),
            "score": round(m.score, 4), "channels": {k: round(x, 4) for k, x in m.channels.items()},
            "evidence": {k: str(x)[:160] for k, x in m.evidence.items()}, "text": m.text[:160]}
           for m, v in zip(moments, ious)]
    return {"query": query, "searched_as": spelling.text, "corrected": [list(c) for c in spelling.changes],
            "hit": bool(ious and ious[0] >= 0.5), "r5": any(v >= 0.5 for v in ious), "top": top}


def run_all(index, secs, queries=None) -> tuple[list[dict], dict]:
    """Every student query (`queries`, default QUERIES), and every clean query of the sections they use."""
    rows, clean = [], {}
    for video, number, style, query in queries or QUERIES:
        sec = secs[(video, number)]
        row = searched(index, video, sec["windows"], query)
        rows.append({"video": video, "section": number, "style": style, "truth": sec["windows"], **row})
        if (video, number) not in clean:
            clean[(video, number)] = {kind: searched(index, video, sec["windows"], q)
                                      for kind, q in sec["clean"].items()}
    return rows, clean


def clean_share(clean_of: dict) -> float:
    return sum(r["hit"] for r in clean_of.values()) / max(1, len(clean_of))


def report_styles(rows: list[dict], clean: dict, styles=STYLES) -> None:
    """R1@0.5 and R@5 per style, beside the clean queries' R1@0.5 on the same sections."""
    print(f"{'style':10s} {'n':>3s} {'R1@0.5':>7s} {'R@5':>6s} {'clean R1@0.5 (same sections)':>30s}")
    groups = defaultdict(list)
    for row in rows:
        groups[row["style"]].append(row)
    for style in (*styles, "all"):
        group = rows if style == "all" else groups[style]
        n = len(group)
        r1 = sum(r["hit"] for r in group) / n
        r5 = sum(r["r5"] for r in group) / n
        base = sum(clean_share(clean[(r["video"], r["section"])]) for r in group) / n
        print(f"{style:10s} {n:3d} {r1:7.3f} {r5:6.3f} {base:30.3f}")
    kinds = defaultdict(list)
    for per in clean.values():
        for kind, r in per.items():
            kinds[kind].append(r["hit"])
    print("clean queries of the used sections, R1@0.5: "
          + ", ".join(f"{k} {sum(v) / len(v):.3f} ({len(v)})" for k, v in sorted(kinds.items())))


def report_sections(rows: list[dict], clean: dict) -> None:
    """Per section: the clean queries' hits and the student queries' hits."""
    print("\nper section: clean said/concept/shown hit (+ hit, - miss, . none) | student queries")
    for key, per in clean.items():
        marks = "".join("." if k not in per else "+" if per[k]["hit"] else "-" for k in CLEAN_TYPES)
        mine = " ".join(f"{r['style']}{'+' if r['hit'] else '-'}" for r in rows
                        if (r["video"], r["section"]) == key)
        print(f"  {key[0]:26s} {key[1]:2d}  {marks}  {mine}")


def report_misses(rows: list[dict], clean: dict) -> None:
    """Each missed query (student, then clean): searched-as text and the top 3."""
    missed = [r for r in rows if not r["hit"]]
    missed += [{"video": key[0], "section": key[1], "style": "clean-" + kind, **r}
               for key, per in clean.items() for kind, r in per.items() if not r["hit"]]
    print(f"\n{len(missed)} misses")
    for r in missed:
        print(f"\n[{r['style']}] {r['video']} #{r['section']}  q={r['query']!r}")
        if r["searched_as"] != r["query"] or r["corrected"]:
            print(f"   searched as {r['searched_as']!r}  corrected {r['corrected']}")
        for i, t in enumerate(r["top"][:3], 1):
            ch = " ".join(f"{k}={v:.3f}" for k, v in t["channels"].items())
            print(f"   {i}. {t['video']} {t['span']} iou={t['iou']:.2f} score={t['score']:.3f} {ch}")
            for k, v in t["evidence"].items():
                print(f"        {k}: {v[:110]!r}")


def evaluate(out: Path) -> dict:
    from momentsearch.api import MomentIndex

    secs = sections()
    index = MomentIndex(str(out / "db"))
    rows, clean = run_all(index, secs)
    for row in rows:
        row["truth"] = secs[(row["video"], row["section"])]["windows"]
    report_styles(rows, clean)
    report_sections(rows, clean)
    report_misses(rows, clean)
    return {"queries": rows, "clean": [{"video": k[0], "section": k[1], **v} for k, v in clean.items()]}


def run(default_out: str, queries, styles, evaluate_at, note: str = "") -> int:
    """A student-query probe's command line: `--out` (the index copy and diagnostics), the counts per style
    (and `note`), `evaluate_at(out)`'s report, OUT/diagnostics.json and the run time."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", default=default_out, help="folder for the index copy and diagnostics")
    out = Path(ap.parse_args().out)
    out.mkdir(parents=True, exist_ok=True)
    t0 = time.time()
    if not (out / "db").exists():
        shutil.copytree(DEV / "db", out / "db")
    counts = defaultdict(int)
    for q in queries:
        counts[q[2]] += 1
    print(f"{len(queries)} queries on {len({(q[0], q[1]) for q in queries})} sections{note}; "
          + ", ".join(f"{s} {counts[s]}" for s in styles))
    diag = evaluate_at(out)
    (out / "diagnostics.json").write_text(json.dumps(diag, indent=1))
    print(f"run time {time.time() - t0:.0f} s")
    return 0


def main() -> int:
    return run("/tmp/stq", QUERIES, STYLES, evaluate)


if __name__ == "__main__":
    sys.exit(main())
