#!/usr/bin/env python3
"""Render the lecture benchmark, index it, and measure momentsearch against a baseline, in one run.

    python3 scripts/make_benchmark.py [--split dev|test|all] [--out bench-out] [--render-only]
                                      [--clip-pretrained CKPT] [--no-ocr] [--write-docs]

Corpus: the lectures written in scripts/lectures/{dev,test}.toml (hand-written narration and
queries, one slide template per deck), rendered by momentsearch.testing (synth, scenes,
acoustics): clean screen recordings with crossfades and builds, a lecture-hall camera filming a
projected slide (perspective, low contrast, shake, a lecturer walking in front), a screencast with a
webcam tile, talking-head sections, topic changes with no slide change; several espeak-ng voices,
speaking rates, rooms (reverb, noise). **dev** is for tuning; **test** (other text, templates and
voices) is never used to fit anything: look at its numbers only for the final report.

Ground truth per split (OUT/SPLIT/gt.jsonl: QVHighlights layout + video, type, condition, tags;
OUT/SPLIT/cuts.jsonl: true picture changes and topic changes with no picture change, per video).
Query types:
  said     words from the narration (the most distinctive 6-word stretch of the section)
  concept  a hand-written paraphrase that avoids the spoken words
  shown    words only on the slide (title / bullets), never spoken in the split
  visual   what the slide's picture is ("gantt chart", ...): needs real CLIP weights
The relevant window of a query is its whole section (topic start to topic end).

Then, in the same run: index with momentsearch (OUT/SPLIT/db), evaluate per query type and per
condition, the cut detector's boundary P/R/F1 at +-1 s per condition, the same for the section edges
found in speech alone (topic changes with no picture change), and the afternoon baseline
(transcript only: the same Whisper words in fixed 20 s windows, ranked by BM25). Renders, the index
and Whisper's answers (OUT/asr-windows/) are cached under OUT. `--write-docs` puts the tables into
docs/benchmarks.md; `--no-ocr` measures an index without the slide-text channel (OUT/SPLIT/db-no-ocr).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

BASELINE_WINDOW = 20.0  # seconds; the baseline's fixed windows
SPLITS = ("dev", "test")


# -------------------------------------------------------------------------------------- baseline

def baseline_words(index, paths: dict[str, Path]) -> dict[str, list[tuple[float, float, str]]]:
    """Whisper words per video from the index's own ASR over the whole track (kept by `CachedASR` in
    OUT/asr-windows/ like the index's windows, unless --no-asr-cache)."""
    from momentsearch.pipeline.decode import load_audio

    return {path.name: [(w.start, w.end, w.word) for s in index.asr.transcribe(load_audio(path)) for w in s.words]
            for path in paths.values()}


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


# --------------------------------------------------------------------------------------- reports

def condition_reports(truths, gt: list[dict], predictions: dict, unmeasurable: dict[str, str]) -> dict:
    """name -> EvalReport over the queries of each condition ("all", each lecture condition, and
    "sections: TAG" for section tags such as no-slide-change or speaker-only)."""
    from momentsearch.evaluate import evaluate

    meta = {g["qid"]: g for g in gt}
    groups: dict[str, list] = {"all": list(truths)}
    for t in truths:
        groups.setdefault(meta[t.qid]["condition"], []).append(t)
    for t in truths:
        for tag in meta[t.qid]["tags"]:
            groups.setdefault(f"sections: {tag}", []).append(t)
    reports = {name: evaluate(predictions, group, unmeasurable) for name, group in groups.items()}
    return {name: rep for name, rep in reports.items() if rep.counts.get("all")}


def condition_table(reports: dict) -> str:
    """Markdown: one row per condition, metrics over its measurable queries, R1@0.5 per query type."""
    types = ("said", "concept", "shown")
    lines = ["| condition | n | R1@0.5 | R1@0.7 | R@5@0.5 | mAP | " + " | ".join(f"{t} R1@0.5 (n)" for t in types) + " |",
             "|---|---|---|---|---|---|" + "---|" * len(types)]
    for name, rep in reports.items():
        o = rep.overall
        per_type = [f"{rep.by_type[t]['R1@0.5']:.2f} ({rep.counts[t]})" if t in rep.by_type else "-" for t in types]
        lines.append(f"| {name} | {rep.counts['all']} | {o['R1@0.5']:.3f} | {o['R1@0.7']:.3f} | {o['R@5@0.5']:.3f} | "
                     f"{o['mAP']:.3f} | " + " | ".join(per_type) + " |")
    return "\n".join(lines)


def _boundary_rows(found: dict[str, list[float]], cuts: list[dict], truth: str, neutral,
                   only_with_truth: bool = False) -> dict:
    """condition (and "all") -> BoundaryScore at +-1 s, counts summed over the condition's videos: the
    `found` boundaries (by file path) against each video's `truth` list; those near `neutral(video)` are
    neither hits nor false alarms. `only_with_truth`: videos with none of these boundaries are left out."""
    from momentsearch.evaluate import CUT_TOLERANCE, BoundaryScore, boundary_scores

    by_name = {Path(p).name: b for p, b in found.items()}
    rows: dict[str, BoundaryScore] = {}
    for c in cuts:
        if only_with_truth and not c.get(truth):
            continue
        score = boundary_scores(by_name.get(c["video"], []), c.get(truth, []), CUT_TOLERANCE, neutral(c))
        for key in ("all", c["condition"]):
            rows[key] = rows.get(key, BoundaryScore()) + score
    return rows


def cut_scores(detected: dict[str, list[float]], cuts: list[dict]) -> dict:
    """condition -> BoundaryScore of the cut detector at +-1 s (counts summed over the condition's
    videos). Detected boundaries are where the index's visual segments start; builds are optional."""
    return _boundary_rows(detected, cuts, "cuts", lambda c: c["optional"])


def topic_change_scores(sections: dict[str, list[float]], cuts: list[dict]) -> dict:
    """condition -> BoundaryScore of the moment edges that come from speech alone: the index's section
    starts against the true topic changes with no picture change, at +-1 s (a start at a picture change
    or a build is neither a hit nor a false alarm: the cut table counts those). Conditions without such
    changes are left out."""
    return _boundary_rows(sections, cuts, "topics", lambda c: c["cuts"] + c["optional"], only_with_truth=True)


def section_starts(index) -> dict[str, list[float]]:
    """Per indexed file (path): where its sections (the edges moments snap to) start after the first."""
    return {f.path: [float(s) for s, _ in f.sections[1:]] for f in index.videos()}


def cut_table(scores: dict, what: str = "true cuts") -> str:
    lines = [f"| condition | {what} | hits | false alarms | precision | recall | F1 |", "|---|---|---|---|---|---|---|"]
    for name, s in scores.items():
        lines.append(f"| {name} | {s.tp + s.fn} | {s.tp} | {s.fp} | {s.precision:.3f} | {s.recall:.3f} | {s.f1:.3f} |")
    return "\n".join(lines)


def side_by_side(results: dict[str, dict]) -> str:
    """Markdown: the splits next to each other, per condition (retrieval, baseline, cut F1), from
    each split's results.json ({ours, baseline: condition -> report JSON, cuts, topics: condition -> counts}).
    Our R1@0.5 comes with its 95 % bootstrap interval over the condition's queries."""
    splits = list(results)
    names = list(dict.fromkeys(n for r in results.values() for n in r["ours"]))
    head = ["R1@0.5", "R1@0.7", "R@5@0.5", "mAP", "baseline R1@0.5", "cut F1", "topic F1"]
    lines = ["| condition | " + " | ".join(f"{h} {s}" for h in head for s in splits) + " |",
             "|---|" + "---|" * (len(head) * len(splits))]

    def cell(split: str, name: str, what: str) -> str:
        r = results[split]
        if what in ("cut F1", "topic F1"):
            scores = r.get("cuts" if what == "cut F1" else "topics", {})
            return f"{scores[name]['f1']:.2f}" if name in scores else "-"
        rep = r["baseline" if what.startswith("baseline") else "ours"].get(name)
        metric = "R1@0.5" if what.startswith("baseline") else what
        if not rep:
            return "-"
        lo_hi = rep.get("interval_R1@0.5", {}).get("overall") if what == "R1@0.5" else None
        return f"{rep['overall'][metric]:.2f}" + (f" ({lo_hi[0]:.2f}-{lo_hi[1]:.2f})" if lo_hi else "")

    for name in names:
        lines.append(f"| {name} | " + " | ".join(cell(s, name, h) for h in head for s in splits) + " |")
    return "\n".join(lines)


class CachedASR:
    """The index's ASR with its answers kept in OUT/asr-windows/ by audio content and model, so
    `--reindex` after a segmentation or ranking change re-runs everything but Whisper. The words are
    the model's own (same samples, same model, same options give the same transcript)."""

    def __init__(self, inner, folder: Path, options) -> None:
        import hashlib

        self.inner, self.folder = inner, folder
        self.hits = 0  # windows answered from the cache (the indexing time then leaves Whisper out)
        # the decoding code is part of the key: a change to how windows are decoded (or repaired) is
        # measured on fresh transcripts, never on the old code's cached ones
        code = hashlib.sha1(b"".join((ROOT / "momentsearch" / "models" / name).read_bytes()
                                     for name in ("asr.py", "asr_repair.py", "asr_words.py", "level.py"))).hexdigest()
        self.salt = json.dumps([str(getattr(inner, "model_id", "")), repr(options), code], sort_keys=True)

    def __getattr__(self, name):
        return getattr(self.inner, name)

    def transcribe(self, audio):
        import hashlib

        import numpy as np

        from momentsearch.types import TranscriptSegment, Word

        samples = np.ascontiguousarray(audio, dtype=np.float32)
        key = hashlib.sha1(self.salt.encode() + samples.tobytes()).hexdigest()
        path = self.folder / f"{key}.json"
        if path.is_file():
            self.hits += 1
            return [TranscriptSegment(s[0], s[1], s[2], [Word(*w) for w in s[3]])
                    for s in json.loads(path.read_text())]
        segments = self.inner.transcribe(audio)
        self.folder.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps([[s.start, s.end, s.text, [[w.start, w.end, w.word, w.probability]
                                                             for w in s.words]] for s in segments]))
        return segments


def indexing_cost(paths: list[Path], config, folder: Path) -> dict:
    """Issue 11's cost target, measured side by side in one run on the same files: ASR alone (decode the
    audio + Whisper, the default model) against the whole indexing (every channel, into a fresh index);
    nothing cached. Returns seconds and their ratio."""
    import shutil

    from momentsearch.api import MomentIndex
    from momentsearch.models.build import Models
    from momentsearch.pipeline.decode import iter_audio_windows

    asr = Models(config).asr
    asr.load()
    t0 = time.perf_counter()
    for path in paths:
        for window in iter_audio_windows(path, config.asr.window_seconds):
            asr.transcribe(window.samples)
    asr_s = time.perf_counter() - t0
    db = folder / "db-cost"
    shutil.rmtree(db, ignore_errors=True)
    index = MomentIndex(db, config)
    index.models.asr = asr  # loaded once above, as the ASR-alone run had it
    t0 = time.perf_counter()
    report = index.index([str(p) for p in paths])
    index_s = time.perf_counter() - t0
    shutil.rmtree(db, ignore_errors=True)
    stages = {k: round(v, 1) for k, v in sorted(report.times.seconds.items(), key=lambda kv: -kv[1])}
    return {"asr_s": asr_s, "index_s": index_s, "ratio": index_s / max(asr_s, 1e-9), "stages": stages}


def against(before_path: Path, truths, gt: list[dict], predictions: dict, unmeasurable: dict) -> str:
    """This run's predictions against an earlier run's on the same queries (paired), overall, per query
    type and per condition (R1@0.5)."""
    from momentsearch.evaluate import evaluate, load_predictions
    from momentsearch.evaluate.compare import compare, compare_reports, format_comparison, per_query

    before = evaluate(load_predictions(before_path, truths), truths, unmeasurable)
    after = evaluate(predictions, truths, unmeasurable)
    rows = compare_reports(before, after)
    condition = {g["qid"]: g["condition"] for g in gt}
    a, b = per_query(before, "R1@0.5"), per_query(after, "R1@0.5")
    for c in sorted(set(condition.values())):
        rows.append((c, compare({q: v for q, v in a.items() if condition[q] == c},
                                {q: v for q, v in b.items() if condition[q] == c})))
    return format_comparison(rows, "before", "this run") + f"\n\n(before: {before_path})\n"


def drop_other_files(index, paths: list[Path]) -> list[str]:
    """Remove from the benchmark's index every file that is not one of this split's videos (with its
    entries); returns their paths. A record left by an older render under another path (another
    checkout, a moved folder) has the same file name as the split's video, so its moments were judged
    against the new ground truth and its cuts counted with the new ones: the test split's long lecture
    was scored that way for a day (cut F1 0.64 instead of 0.86)."""
    from momentsearch.store.prune import prune

    wanted = {str(Path(p).resolve()) for p in paths}
    with index.writing():
        return prune(index.store, exists=lambda path: str(Path(path).resolve()) in wanted, yes=True).removed


def run_split(split: str, args, config) -> dict | None:
    """Render, index and evaluate one split. Returns {text: Markdown report (also written to
    OUT/SPLIT), ours / base: condition -> EvalReport, cuts: condition -> BoundaryScore}."""
    from momentsearch.api import MomentIndex
    from momentsearch.evaluate import GroundTruth, detected_boundaries, format_report, predictions_to_jsonl, run_eval
    from momentsearch.testing.corpus import render_split

    out = Path(args.out) / split
    t_start = time.perf_counter()
    paths, gt, cuts = render_split(Path(args.lectures) / f"{split}.toml", out,
                                   progress=lambda m: print(f"[{split}] {m}", flush=True))
    minutes = sum(c["duration"] for c in cuts) / 60
    print(f"[{split}] corpus: {len(paths)} videos, {minutes:.1f} min, {len(gt)} queries -> {out / 'gt.jsonl'}, "
          f"{out / 'cuts.jsonl'} (rendered in {time.perf_counter() - t_start:.0f} s)", flush=True)
    if args.render_only:
        return None
    if args.cost:
        cost = indexing_cost(paths, config, out)
        print(f"[{split}] indexing cost: ASR alone {cost['asr_s']:.0f} s, whole indexing {cost['index_s']:.0f} s "
              f"for {minutes:.1f} min: {cost['ratio']:.2f}x ASR alone; stages (s, the visual side overlaps ASR): "
              + ", ".join(f"{k} {v}" for k, v in cost["stages"].items()), flush=True)
        (out / "cost.json").write_text(json.dumps(cost))
        return None
    suffix = "-no-ocr" if args.no_ocr else ""
    index = MomentIndex(out / f"db{suffix}", config)
    if not args.no_asr_cache:
        index.models.asr = CachedASR(index.models.asr, Path(args.out) / "asr-windows", config.asr)
    if (out / f"db{suffix}").is_dir():
        for path in drop_other_files(index, paths):
            print(f"[{split}] removed from the index (not a video of this split): {path}", flush=True)
    t0 = time.perf_counter()
    report = index.index([str(p) for p in paths], reindex=args.reindex)
    for f in report.failed:
        print(f"index: {f.path}: {f.status} {f.reason}", file=sys.stderr)
    index_s = time.perf_counter() - t0
    truths = [GroundTruth(g["qid"], g["query"], g["video"], [tuple(w) for w in g["relevant_windows"]], g["type"])
              for g in gt]
    t0 = time.perf_counter()
    predictions, ours = run_eval(index, truths)
    search_s = time.perf_counter() - t0
    (out / f"pred{suffix}.jsonl").write_text("".join(x + "\n" for x in predictions_to_jsonl(truths, predictions)))
    base_pred = run_baseline(baseline_words(index, {p.stem: p for p in paths}), {p.stem: p for p in paths}, truths)
    no_visual = {"visual": "transcript-only baseline has no visual channel"}
    (out / "baseline_pred.jsonl").write_text("".join(x + "\n" for x in predictions_to_jsonl(truths, base_pred)))
    counts = ", ".join(f"{t} {n}" for t, n in sorted(ours.counts.items()) if t != "all")
    result = {"ours": condition_reports(truths, gt, predictions, ours.unmeasurable),
              "base": condition_reports(truths, gt, base_pred, no_visual),
              "cuts": cut_scores(detected_boundaries(index), cuts),
              "topics": topic_change_scores(section_starts(index), cuts)}
    text = (f"**{split}** split: {len(paths)} videos, {minutes:.1f} min, {len(gt)} queries ({counts}). "
            f"Index channels: {', '.join(sorted(index.channels()))}; "
            f"text model {index.search_text.model}.\n\n"
            + format_report(ours, f"momentsearch ({split}), per query type") + "\n\n"
            + f"**momentsearch ({split}), per condition**\n\n"
            + condition_table(result["ours"]) + "\n\n"
            + f"**baseline ({split}): transcript only, fixed 20 s windows, BM25, per condition**\n\n"
            + condition_table(result["base"]) + "\n\n"
            + f"**cut detection ({split}): visual segment starts vs true picture changes, +-1 s**\n\n"
            + cut_table(result["cuts"]) + "\n\n"
            + f"**topic changes with no picture change ({split}): section starts vs true topic changes, +-1 s "
            + "(starts at picture changes and builds are not counted)**\n\n"
            + cut_table(result["topics"], "true changes") + "\n\n"
            + f"Indexing {index_s:.0f} s for {minutes:.1f} min of video"
            + (f" ({index.asr.hits} ASR windows from the cache)" if getattr(index.asr, "hits", 0) else "")
            + "; search "
            + f"{1000 * search_s / len(truths):.0f} ms/query; whole run {time.perf_counter() - t_start:.0f} s.\n")
    if args.against:
        text += "\n" + against(Path(args.against) / split / f"pred{suffix}.jsonl", truths, gt, predictions,
                               ours.unmeasurable)
    (out / f"results{suffix}.md").write_text(text)
    (out / f"results{suffix}.json").write_text(json.dumps({
        "ours": {k: r.to_json() for k, r in result["ours"].items()},
        "baseline": {k: r.to_json() for k, r in result["base"].items()},
        **{key: {k: {"tp": c.tp, "fp": c.fp, "fn": c.fn, "f1": c.f1} for k, c in result[key].items()}
           for key in ("cuts", "topics")}}, indent=1))
    return {"text": text, **result}


# ------------------------------------------------------------------------------------------ main

def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--split", choices=(*SPLITS, "all"), default="dev", help="which lectures (default dev)")
    ap.add_argument("--out", default=str(ROOT / "bench-out"), help="cache and output folder (default bench-out/)")
    ap.add_argument("--lectures", default=str(ROOT / "scripts" / "lectures"), help="folder of dev.toml, test.toml")
    ap.add_argument("--render-only", action="store_true", help="render and write the ground truth, nothing else")
    ap.add_argument("--clip-model", help="open_clip architecture or JSON config (default: configs)")
    ap.add_argument("--clip-pretrained", help="CLIP checkpoint; without one the visual channel is off")
    ap.add_argument("--config", help="options file (TOML/YAML) for indexing and ranking")
    ap.add_argument("--reindex", action="store_true")
    ap.add_argument("--no-asr-cache", action="store_true",
                    help="transcribe again (by default Whisper's answers are kept in OUT/asr-windows/)")
    ap.add_argument("--cost", action="store_true",
                    help="only measure indexing cost: ASR alone vs the whole indexing, same files, same run")
    ap.add_argument("--no-ocr", action="store_true", help="index without slide OCR (into OUT/SPLIT/db-no-ocr)")
    ap.add_argument("--write-docs", action="store_true", help="update docs/benchmarks.md (Retrieval quality)")
    ap.add_argument("--against", metavar="OUT", help="compare with an earlier run's predictions in OUT/SPLIT/ "
                                                      "(query by query: difference, 95%% interval, gained / lost)")
    args = ap.parse_args()
    if args.against and Path(args.against).resolve() == Path(args.out).resolve():
        ap.error("--against names the folder this run writes: give the earlier run's --out")
    for split in (SPLITS if args.split == "all" else (args.split,)) if args.against else ():
        if not (Path(args.against) / split / f"pred{'-no-ocr' if args.no_ocr else ''}.jsonl").is_file():
            ap.error(f"--against {args.against}: no {split}/pred.jsonl there (an earlier run's --out folder)")

    from momentsearch.errors import MomentSearchError
    from momentsearch.options import load_config

    models = {}
    if args.clip_model:
        models["clip_model"] = args.clip_model
    if args.clip_pretrained:
        models["clip_pretrained"] = args.clip_pretrained
    if args.no_ocr:
        models["ocr"] = False
    try:
        config = load_config(args.config, {"models": models} if models else None)
        suffix = "-no-ocr" if args.no_ocr else ""
        results = {}
        for split in SPLITS if args.split == "all" else (args.split,):
            result = run_split(split, args, config)
            if result is None:
                continue
            results[split] = result
            print(result["text"], flush=True)
            if args.write_docs:
                write_docs(result["text"], f"retrieval-{split}{suffix}")
        saved = {split: json.loads((Path(args.out) / split / f"results{suffix}.json").read_text())
                 for split in SPLITS if (Path(args.out) / split / f"results{suffix}.json").is_file()}
        if results and saved:  # this run's splits next to the last run of the others
            table = side_by_side(saved)
            print(table)
            (Path(args.out) / f"side_by_side{suffix}.md").write_text(table + "\n")
            if args.write_docs and len(saved) == len(SPLITS):
                write_docs(table + "\n", f"retrieval-side-by-side{suffix}")
    except MomentSearchError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0


def write_docs(results: str, marker: str) -> None:
    """Replace the generated block `marker` in docs/benchmarks.md (appended under "Retrieval quality")."""
    START, END = f"<!-- {marker}:start -->", f"<!-- {marker}:end -->"
    doc = ROOT / "docs" / "benchmarks.md"
    text = doc.read_text() if doc.is_file() else "# Benchmarks\n"
    block = f"{START}\n{results}{END}"
    if START in text and END in text:
        text = text[: text.index(START)] + block + text[text.index(END) + len(END):]
    else:
        text = text.rstrip("\n") + "\n\n" + block + "\n"
    doc.parent.mkdir(exist_ok=True)
    doc.write_text(text)


if __name__ == "__main__":
    sys.exit(main())
