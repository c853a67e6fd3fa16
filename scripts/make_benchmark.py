#!/usr/bin/env python3
"""Render the retrieval benchmark, index it, and measure momentsearch against a baseline, in one run.

    python3 scripts/make_benchmark.py [--out bench-out] [--clip-pretrained CKPT] [--no-ocr] [--write-docs]

Corpus: 4 lecture videos, 24 sections of 15-35 s (about 10 minutes). The narration is real prose:
Python's own reference documentation (`pydoc_data.topics`, shipped with the interpreter) and stdlib
module docstrings, spoken by espeak-ng. Each slide has a title, bullets and sometimes a chart; the
slide words used by *shown* queries are checked never to occur in any narration.

Ground truth (`OUT/gt.jsonl`, QVHighlights layout + `video` + `type`), four kinds of query:
  said     words from the narration (the most distinctive 6-word stretch of the section)
  concept  a hand-written paraphrase sharing few words with the narration
  shown    words only on the slide (title / bullets), never spoken
  visual   what the slide's picture is ("gantt chart", "pie chart", ...): needs real CLIP weights
The relevant window of a query is its whole section (slide change to slide change).

Then, in the same run: index with momentsearch (OUT/db), evaluate (OUT/pred.jsonl), and evaluate
the afternoon baseline (transcript only: the same Whisper words in fixed 20 s windows, ranked by
BM25). Rendered videos, the index and the baseline's transcripts are cached under OUT, so a re-run
only re-evaluates. `--write-docs` puts the tables in docs/benchmarks.md ("Retrieval quality");
`--no-ocr` measures an index without the slide-text channel (OUT/db-no-ocr), for the before/after.
"""

from __future__ import annotations

import argparse
import hashlib
import importlib
import json
import re
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from momentsearch.testing.synth import Section, render_lecture  # noqa: E402

BASELINE_WINDOW = 20.0  # seconds; the baseline's fixed windows
MIN_SECTION = 15.0  # seconds; short narrations are padded with silence to this
SPEECH_WORDS = (45, 85)  # narration length in words (espeak-ng speaks about 2.7 words a second)

# (video, doc source, slide title, bullets, chart, concept query, shown query, visual query)
SPEC = [
    ("loops_and_branches", "for", "Iterating with for", ["Kata: FizzBuzz in five lines", "Homework sheet Delta"],
     None, "walking through every element of a collection one at a time until nothing is left",
     "fizzbuzz kata", None),
    ("loops_and_branches", "while", "Conditional repetition", ["Sentinel pattern", "Spinner demo"], "line",
     "keep doing something over and over as long as a condition holds", "sentinel pattern spinner demo",
     "a line chart with data points"),
    ("loops_and_branches", "if", "Choosing a branch", ["Decision ladder", "Elif chains"], None,
     "picking just one of several alternative code paths depending on which test passes first",
     "decision ladder elif chains", None),
    ("loops_and_branches", "break", "Leaving a loop early", ["Escape hatch", "Flag variables versus break"], None,
     "stopping the innermost loop prematurely and what happens to the loop variable", "escape hatch", None),
    ("loops_and_branches", "try", "Handling errors", ["Safety net idiom", "Catch only what you expect"], None,
     "how python looks for a matching handler when something goes wrong in a protected block",
     "safety net idiom", None),
    ("loops_and_branches", "exceptions", "What exceptions are", ["Propagation diagram", "Recovery strategies"],
     "timeline", "signalling a problem deep inside code so that a caller further up can deal with it",
     "propagation diagram recovery strategies", "a gantt chart with milestones"),
    ("functions_and_scope", "yield", "Generators", ["Lazy pipelines", "Streaming large logs"], "bar",
     "making a function produce values lazily one at a time instead of all at once",
     "lazy pipelines streaming logs", "a bar chart"),
    ("functions_and_scope", "return", "Returning values", ["Early bailout", "Guard checks"], None,
     "handing a result back to the caller and leaving a function, even from cleanup code",
     "early bailout guard checks", None),
    ("functions_and_scope", "global", "Module-level names", ["Scope ladder: LEGB", "Avoid shared mutable state"],
     None, "declaring that a variable inside a function refers to the module wide one", "LEGB scope ladder", None),
    ("functions_and_scope", "class", "Defining classes", ["Blueprint analogy", "Dunder dict walkthrough"], None,
     "writing your own types that inherit behaviour from parent types", "blueprint analogy", None),
    ("functions_and_scope", "del", "Deleting names", ["Garbage collector handoff", "Reference counting"], None,
     "removing a variable so that the name no longer exists", "garbage collector handoff", None),
    ("functions_and_scope", "async", "Coroutines", ["Cooperative multitasking", "Waiting on sockets"], "photo",
     "functions that can pause and continue later while they wait for something",
     "cooperative multitasking sockets", "a landscape photo with hills and a sun"),
    ("data_and_values", "typesmapping", "Dictionaries", ["Hash table internals", "Phone book analogy"], "pie",
     "a lookup table that associates each unique label with some stored item", "phone book analogy",
     "a pie chart"),
    ("data_and_values", "lists", "List displays", ["Square bracket literals", "Cheat sheet"], None,
     "creating an ordered sequence by writing out its items or generating them",
     "square bracket cheat sheet", None),
    ("data_and_values", "truth", "Truthiness", ["Falsy values table", "Empty containers"], None,
     "which things count as no in a condition, like nothing and empty", "falsy table", None),
    ("data_and_values", "formatstrings", "Formatting text", ["Curly brace placeholders", "Mini language"], None,
     "putting numbers and words into a template to produce printed text", "curly brace placeholders", None),
    ("data_and_values", "integers", "Integer literals", ["Bignum precision", "Thousands separators"], None,
     "how to write very large whole numbers in source code and make them easier to read",
     "bignum precision thousands separators", None),
    ("data_and_values", "slicings", "Slicing", ["Stride tricks", "Negative indices"], None,
     "taking a portion out of a sequence and how the grammar conflict with indexing is settled",
     "stride tricks negative indices", None),
    ("tools_and_runtime", "debugger", "Debugging with pdb", ["Bug hunting toolkit", "Watch expressions"], None,
     "pausing a running program to inspect it and step through it line by line to find mistakes",
     "bug hunting toolkit", None),
    ("tools_and_runtime", "execmodel", "Execution model", ["Compilation granularity", "REPL sessions"], None,
     "what counts as a chunk of code that gets executed together, like a file or an interactive line",
     "compilation granularity REPL sessions", None),
    ("tools_and_runtime", "context-managers", "Context managers", ["Setup and teardown", "Acquire then release"],
     None, "automatically acquiring and releasing resources such as open files around a piece of work",
     "setup and teardown", None),
    ("tools_and_runtime", "raise", "Raising exceptions", ["Re-raise pattern", "Custom hierarchies"], None,
     "throwing an error yourself, or throwing again the one currently being dealt with",
     "custom hierarchies", None),
    ("tools_and_runtime", "mod:statistics", "Descriptive statistics", ["Grouped data", "Spread and centre"], None,
     "computing the average, the middle value and how spread out numbers are", "spread and centre", None),
    ("tools_and_runtime", "mod:tempfile", "Temporary files", ["Scratch space", "Cleanup on exit"], None,
     "making throwaway files and folders safely without clashes between programs", "scratch space cleanup", None),
]


# ------------------------------------------------------------------------------------- narration

def _prose(text: str) -> list[str]:
    """Prose paragraphs of a pydoc topic or docstring: grammar, code and indented blocks dropped."""
    out = []
    for para in re.split(r"\n\s*\n", text):
        lines = para.split("\n")
        if not lines or lines[0].startswith(" ") or "::=" in para or ">>>" in para:
            continue
        t = " ".join(line.strip() for line in lines)
        t = re.sub(r"[\"*“”‘’`]", "", t)
        t = re.sub(r"\([^)]*\)", "", t)
        t = re.sub(r"\s+([.,;])", r"\1", re.sub(r"\s+", " ", t)).strip()
        if len(t.split()) < 8 or t.endswith(":") or re.search(r"[=<>{}\[\]|@#%^~\\]", t):
            continue
        out.append(t)
    return out


def narration(source: str) -> str:
    """Whole sentences of real documentation, SPEECH_WORDS long."""
    import pydoc_data.topics

    text = importlib.import_module(source[4:]).__doc__ if source.startswith("mod:") else pydoc_data.topics.topics[source]
    sentences = re.split(r"(?<=[.!?])\s+", " ".join(_prose(text)))
    lo, hi = SPEECH_WORDS
    out: list[str] = []
    for s in sentences:
        if len(" ".join(out + [s]).split()) > hi and len(" ".join(out).split()) >= lo:
            break
        out.append(s)
    return " ".join(out)


def content_words(text: str) -> set[str]:
    from momentsearch.ranking.lexical import tokenize

    return set(tokenize(text))


def said_query(speech: str, all_speech: list[str], width: int = 6) -> str:
    """The stretch of `width` words of `speech` whose words are rarest in the whole narration."""
    import math

    docs = [content_words(s) for s in all_speech]
    words = speech.replace(";", ",").split()

    def idf(w: str) -> float:
        terms = content_words(w)
        if not terms:
            return 0.0
        return max(math.log(len(docs) / (1 + sum(t in d for d in docs))) for t in terms)

    # words with digits are skipped: how Whisper writes a spoken number is not what a user types
    scores = [-9.0 if re.search(r"\d", w) else idf(w) for w in words]
    best = max(range(max(1, len(words) - width + 1)), key=lambda i: sum(scores[i: i + width]))
    return " ".join(w.strip(".,;:") for w in words[best: best + width]).strip()


# ---------------------------------------------------------------------------------------- render

def render(out: Path) -> tuple[dict[str, Path], list[dict]]:
    """Render (or reuse) the videos; returns paths and one record per section with its window."""
    videos: dict[str, list[int]] = {}
    for i, row in enumerate(SPEC):
        videos.setdefault(row[0], []).append(i)
    speeches = [narration(row[1]) for row in SPEC]
    for source, speech in zip((r[1] for r in SPEC), speeches):
        if len(speech.split()) < 30:
            raise SystemExit(f"narration of {source} is too short: {speech!r}")
    spoken = set().union(*(content_words(s) for s in speeches))
    for row in SPEC:
        leaked = content_words(row[6]) & spoken
        if leaked:
            raise SystemExit(f"shown query {row[6]!r} uses spoken words {sorted(leaked)}")
    (out / "videos").mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha1(json.dumps([SPEC, speeches, MIN_SECTION]).encode()).hexdigest()[:12]
    cache = out / "videos" / "sections.json"
    if cache.is_file():
        saved = json.loads(cache.read_text())
        if saved.get("digest") == digest and all((out / "videos" / f"{v}.mp4").is_file() for v in videos):
            return {v: out / "videos" / f"{v}.mp4" for v in videos}, saved["sections"]
    records = []
    for video, rows in videos.items():
        sections = [Section(SPEC[i][2], speeches[i], SPEC[i][3], SPEC[i][4], min_seconds=MIN_SECTION) for i in rows]
        t0 = time.perf_counter()
        windows = render_lecture(out / "videos" / f"{video}.mp4", sections, size=(640, 360), fps=5)
        print(f"rendered {video}.mp4: {windows[-1].end:.0f} s in {time.perf_counter() - t0:.0f} s", flush=True)
        for i, w in zip(rows, windows):
            records.append({"spec": i, "video": f"{video}.mp4", "title": w.title, "start": w.start, "end": w.end,
                            "speech": speeches[i]})
    cache.write_text(json.dumps({"digest": digest, "sections": records}, indent=1))
    return {v: out / "videos" / f"{v}.mp4" for v in videos}, records


def ground_truth(records: list[dict]) -> list[dict]:
    speeches = [r["speech"] for r in records]
    items = []
    for r in records:
        _, _, _, _, _, concept, shown, visual = SPEC[r["spec"]]
        base = {"video": r["video"], "relevant_windows": [[round(r["start"], 3), round(r["end"], 3)]],
                "title": r["title"]}
        n = r["spec"] + 1
        items.append({"qid": f"said-{n:02d}", "query": said_query(r["speech"], speeches), "type": "said", **base})
        items.append({"qid": f"concept-{n:02d}", "query": concept, "type": "concept", **base})
        items.append({"qid": f"shown-{n:02d}", "query": shown, "type": "shown", **base})
        if visual:
            items.append({"qid": f"visual-{n:02d}", "query": visual, "type": "visual", **base})
    return items


# -------------------------------------------------------------------------------------- baseline

def baseline_words(index, paths: dict[str, Path], out: Path) -> dict[str, list[tuple[float, float, str]]]:
    """Whisper words per video (the index's own ASR model), cached in OUT/asr.json."""
    from momentsearch.pipeline.decode import load_audio

    cache = out / "asr.json"
    words = json.loads(cache.read_text()) if cache.is_file() else {}
    if set(words) != {p.name for p in paths.values()}:
        words = {}
        for path in paths.values():
            segments = index.asr.transcribe(load_audio(path))
            words[path.name] = [(w.start, w.end, w.word) for s in segments for w in s.words]
        cache.write_text(json.dumps(words))
    return words


def run_baseline(words: dict, paths: dict[str, Path], truths) -> dict:
    """Transcript only, fixed 20 s windows, BM25 (bm25s), top 10 over the corpus."""
    import bm25s
    import numpy as np

    from momentsearch.evaluate import PredictedWindow
    from momentsearch.ranking.lexical import tokenize

    by_name = {p.name: str(p) for p in paths.values()}
    windows, texts = [], []
    for name, ws in words.items():
        end = max((w[1] for w in ws), default=0.0)
        for k in range(int(end // BASELINE_WINDOW) + 1):
            lo, hi = k * BASELINE_WINDOW, (k + 1) * BASELINE_WINDOW
            windows.append((by_name[name], lo, hi))
            texts.append(" ".join(w[2] for w in ws if lo <= (w[0] + w[1]) / 2 < hi))
    bm25 = bm25s.BM25()
    bm25.index([tokenize(t) or ["\x00"] for t in texts], show_progress=False)
    predictions = {}
    for truth in truths:
        terms = tokenize(truth.query)
        scores = bm25.get_scores(terms) if terms else np.zeros(len(texts))
        order = [i for i in np.argsort(-scores, kind="stable")[:10] if scores[i] > 0]
        predictions[truth.qid] = [PredictedWindow(*windows[i], float(scores[i])) for i in order]
    return predictions


# ------------------------------------------------------------------------------------------ main

def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", default=str(ROOT / "bench-out"), help="cache and output folder (default bench-out/)")
    ap.add_argument("--clip-model", help="open_clip architecture or JSON config (default: configs)")
    ap.add_argument("--clip-pretrained", help="CLIP checkpoint; without one the visual channel is off")
    ap.add_argument("--config", help="options file (TOML/YAML) for indexing and ranking")
    ap.add_argument("--reindex", action="store_true")
    ap.add_argument("--no-ocr", action="store_true", help="index without slide OCR (into OUT/db-no-ocr)")
    ap.add_argument("--write-docs", action="store_true", help="update docs/benchmarks.md (Retrieval quality)")
    args = ap.parse_args()

    from momentsearch.api import MomentIndex
    from momentsearch.evaluate import GroundTruth, evaluate, format_report, predictions_to_jsonl, run_eval
    from momentsearch.options import load_config

    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    t_start = time.perf_counter()
    paths, records = render(out)
    gt = ground_truth(records)
    (out / "gt.jsonl").write_text("".join(json.dumps(g) + "\n" for g in gt))
    total = sum(r["end"] - r["start"] for r in records)
    print(f"corpus: {len(paths)} videos, {len(records)} sections, {total / 60:.1f} min; {len(gt)} queries "
          f"-> {out / 'gt.jsonl'}", flush=True)

    models = {}
    if args.clip_model:
        models["clip_model"] = args.clip_model
    if args.clip_pretrained:
        models["clip_pretrained"] = args.clip_pretrained
    if args.no_ocr:
        models["ocr"] = False
    config = load_config(args.config, {"models": models} if models else None)
    index = MomentIndex(out / ("db-no-ocr" if args.no_ocr else "db"), config)
    t0 = time.perf_counter()
    report = index.index([str(p) for p in paths.values()], reindex=args.reindex)
    for f in report.failed:
        print(f"index: {f.path}: {f.status} {f.reason}", file=sys.stderr)
    print(f"indexed in {time.perf_counter() - t0:.0f} s; warnings: {report.warnings or 'none'}", flush=True)

    truths = [GroundTruth(g["qid"], g["query"], g["video"], [tuple(w) for w in g["relevant_windows"]], g["type"])
              for g in gt]
    t0 = time.perf_counter()
    predictions, ours = run_eval(index, truths)
    search_s = time.perf_counter() - t0
    suffix = "-no-ocr" if args.no_ocr else ""
    (out / f"pred{suffix}.jsonl").write_text("".join(line + "\n" for line in predictions_to_jsonl(truths, predictions)))
    base_pred = run_baseline(baseline_words(index, paths, out), paths, truths)
    base = evaluate(base_pred, truths, {"visual": "transcript-only baseline has no visual channel"})
    (out / "baseline_pred.jsonl").write_text("".join(x + "\n" for x in predictions_to_jsonl(truths, base_pred)))

    channels = sorted(index.searcher.channels())
    text = (f"Corpus: {len(paths)} videos, {len(records)} sections, {total / 60:.1f} min, {len(gt)} queries "
            f"({', '.join(f'{t} {n}' for t, n in sorted(ours.counts.items()) if t != 'all')}). "
            f"Index channels: {', '.join(channels)}.\n\n"
            + format_report(ours, "momentsearch (joint ranker)") + "\n\n"
            + format_report(base, "baseline: transcript only, fixed 20 s windows, BM25") + "\n\n"
            + f"R1@0.7 ratio to baseline: {_ratio(ours.overall['R1@0.7'], base.overall['R1@0.7'])}. "
            + f"Search: {1000 * search_s / len(truths):.0f} ms/query on this machine; "
            + f"whole run {time.perf_counter() - t_start:.0f} s.\n")
    (out / f"results{suffix}.md").write_text(text)
    (out / f"results{suffix}.json").write_text(json.dumps({"ours": ours.to_json(), "baseline": base.to_json()}, indent=1))
    print(text)
    if args.write_docs:
        write_docs(text, "retrieval-quality-no-ocr" if args.no_ocr else "retrieval-quality")
    return 0


def _ratio(a: float, b: float) -> str:
    return f"{a / b:.2f}x" if b > 0 else ("inf (baseline 0)" if a > 0 else "n/a (both 0)")


def write_docs(results: str, marker: str) -> None:
    """Replace the generated block `marker` of the "Retrieval quality" section of docs/benchmarks.md."""
    START, END = f"<!-- {marker}:start -->", f"<!-- {marker}:end -->"
    doc = ROOT / "docs" / "benchmarks.md"
    text = doc.read_text() if doc.is_file() else "# Benchmarks\n"
    block = f"{START}\n{results}{END}"
    if START in text and END in text:
        text = text[: text.index(START)] + block + text[text.index(END) + len(END):]
    else:
        text = text.rstrip("\n") + "\n\n## Retrieval quality\n\n" + block + "\n"
    doc.parent.mkdir(exist_ok=True)
    doc.write_text(text)


if __name__ == "__main__":
    sys.exit(main())
