"""The benchmark corpus: lectures written in TOML (scripts/lectures/{dev,test}.toml), rendered
with synth.render_lecture, and their ground truth.

`render_split(toml_path, out_dir)` renders (or reuses) every lecture of a split and writes
  OUT/gt.jsonl    one query a line (the layout `momentsearch eval` reads, plus `condition`, `tags`)
  OUT/cuts.jsonl  one video a line: true picture changes (`cuts`) and bullet builds (`optional`)
Times are seconds. A lecture is re-rendered only when its text, settings or the renderer change.
"""

from __future__ import annotations

import hashlib
import json
import math
import random
import re
import tomllib
from dataclasses import asdict, dataclass, field
from pathlib import Path

from momentsearch.errors import ConfigError
from momentsearch.testing.synth import RenderedSection, Section, render_lecture

QUERY_TYPES = ("said", "concept", "shown", "visual")
_SECTION_KEYS = {"title", "speech", "bullets", "chart", "min_seconds", "slide", "view", "transition", "build", "lead",
                 "tail", "pauses"}
# How lecturers pause (drawn per lecture, the same on every render): after a sentence they sometimes stop to
# think, mid-topic, and at a topic change they often run straight on (a click while talking); so a long pause
# is no sure sign of a new section, nor a short one of the same (scripts/bench_topics.py measures both ways).
THINK, THINK_SECONDS = 0.12, (0.6, 2.0)  # share of sentence ends followed by a pause this long
RUN_ON, RUN_ON_LEAD, RUN_ON_TAIL = 0.4, (0.05, 0.2), (0.1, 0.3)  # share of section changes spoken across
_RENDERER = [Path(__file__).with_name(f"{m}.py") for m in ("synth", "slides", "scenes", "acoustics")]  # a change
# to any renderer module re-renders; other test tooling in this folder does not


@dataclass
class Lecture:
    name: str
    condition: str  # the row this lecture's queries are reported under
    sections: list[Section]
    queries: list[dict[str, str]]  # per section: query type -> text (hand-written; "said" may be derived)
    render: dict = field(default_factory=dict)  # keyword arguments for render_lecture


def load_split(path: str | Path) -> list[Lecture]:
    """Lectures of one split file; a ConfigError names a bad entry."""
    data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    lectures = []
    for spec in data.get("lecture", []):
        name = spec.get("name") or ""
        spec = {**({"size": data["size"]} if "size" in data else {}), **spec}  # a split-wide size, unless its own
        render = {k: spec[k] for k in ("template", "scene", "voice", "rate", "room", "fps", "seed", "size") if k in spec}
        if "size" in render:
            render["size"] = tuple(int(v) for v in render["size"])  # [width, height]; default 640x360
        render.setdefault("seed", int(hashlib.sha1(name.encode()).hexdigest()[:6], 16) % 1000)
        sections, queries = [], []
        for n, s in enumerate(spec.get("section", [])):
            unknown = set(s) - _SECTION_KEYS - set(QUERY_TYPES)
            if unknown or "title" not in s or "speech" not in s:
                raise ConfigError(f"{path}: lecture {name!r} section {n + 1}: needs title and speech; "
                                  f"unknown keys {sorted(unknown)}")
            args = {k: (" ".join(v.split()) if k == "speech" else v) for k, v in s.items() if k in _SECTION_KEYS}
            args.setdefault("transition", spec.get("transition", "cut"))
            # the narrator starts talking a moment after the slide appears, a different moment each time
            args.setdefault("lead", round(0.3 + 0.6 * ((render["seed"] * 7 + n * 13) % 10) / 10, 2))
            _pace(args, sections, random.Random(f"{name}:{n}"), lead_given="lead" in s)
            sections.append(Section(**args))
            queries.append({t: s[t] for t in QUERY_TYPES if s.get(t)})
        if not name or not sections:
            raise ConfigError(f"{path}: every lecture needs a name and at least one section")
        lectures.append(Lecture(name, spec.get("condition", render.get("scene", "screen")), sections, queries, render))
    return lectures


def _pace(args: dict, before: list[Section], rng: random.Random, lead_given: bool) -> None:
    """Draw a section's pauses (`args`, unless given) as lecturers make them (THINK, RUN_ON): a pause
    after some sentences, and with RUN_ON's chance the narration runs on from the previous section
    (a short tail there, a short lead here), when both are spoken and neither edge was given."""
    sentences = len(re.findall(r"[.!?](?:\s|$)", args["speech"]))
    if "pauses" not in args:
        args["pauses"] = [round(rng.uniform(*THINK_SECONDS), 2) if rng.random() < THINK else 0.0
                          for _ in range(max(sentences - 1, 0))]
    if (before and before[-1].speech and args["speech"] and rng.random() < RUN_ON and before[-1].tail is None
            and not lead_given):
        args["lead"] = round(rng.uniform(*RUN_ON_LEAD), 2)
        before[-1].tail = round(rng.uniform(*RUN_ON_TAIL), 2)


def _digest(lecture: Lecture) -> str:
    code = "".join(p.read_text() for p in _RENDERER)
    blob = json.dumps([lecture.name, [asdict(s) for s in lecture.sections], lecture.render], sort_keys=True)
    return hashlib.sha1((blob + code).encode()).hexdigest()[:16]


def render_one(lecture: Lecture, folder: Path) -> list[RenderedSection]:
    """Render `lecture` to folder/NAME.mp4 unless an up-to-date render is there (NAME.json)."""
    video, meta = folder / f"{lecture.name}.mp4", folder / f"{lecture.name}.json"
    digest = _digest(lecture)
    if video.is_file() and meta.is_file():
        saved = json.loads(meta.read_text())
        if saved.get("digest") == digest:
            return [RenderedSection(**r) for r in saved["sections"]]
    folder.mkdir(parents=True, exist_ok=True)
    tmp = video.with_suffix(".tmp.mp4")
    rendered = render_lecture(tmp, lecture.sections, section_keyframes=False, **lecture.render)
    tmp.replace(video)
    meta.write_text(json.dumps({"digest": digest, "sections": [asdict(r) for r in rendered]}, indent=1))
    return rendered


def cut_truth(rendered: list[RenderedSection]) -> tuple[list[float], list[float]]:
    """(cuts, optional): times the picture changes (a cut, a crossfade's middle, to or from the
    speaker), and times a bullet appears on an unchanged slide (a detector may or may not cut there)."""
    cuts = [r.start for r in rendered if r.change in ("cut", "fade")]
    optional = [t for r in rendered for t in r.builds]
    return cuts, optional


def topic_truth(rendered: list[RenderedSection]) -> list[float]:
    """Times a new section starts while the picture stays (an aside on the same slide, the speaker's
    next point): moment edges only the speech can give."""
    return [r.start for r in rendered if r.change == "none"]


def content_words(text: str) -> set[str]:
    from momentsearch.ranking.lexical import tokenize

    return set(tokenize(text))


def said_query(speech: str, all_speech: list[str], width: int = 6) -> str:
    """The stretch of `width` words of `speech` whose words are rarest in the whole narration."""
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


def check_queries(lectures: list[Lecture]) -> list[str]:
    """Problems with hand-written queries. A *shown* query asks for what is only on its slide: all
    its words are on the slide, none is spoken in its own section, and most (at least half, at
    least one) are spoken nowhere in the split."""
    spoken = set().union(*(content_words(s.speech) for lec in lectures for s in lec.sections))
    problems = []
    for lec in lectures:
        for section, queries in zip(lec.sections, lec.queries):
            if "shown" not in queries:
                continue
            where = f"{lec.name}/{section.title}: shown query {queries['shown']!r}"
            words = content_words(queries["shown"])
            if section.slide == "same" or section.view == "speaker":
                problems.append(f"{where} needs a slide of its own")
            if words - content_words(" ".join([section.title, *section.bullets])):
                problems.append(f"{where} has words not on the slide")
            if words & content_words(section.speech):
                problems.append(f"{where} uses words of its narration {sorted(words & content_words(section.speech))}")
            if not words or 2 * len(words - spoken) < len(words):
                problems.append(f"{where}: most words are spoken in the split {sorted(words & spoken)}")
    return problems


def _tags(section: Section, rendered: RenderedSection) -> list[str]:
    tags = []
    if rendered.change == "none":
        tags.append("no-slide-change")
    if section.view == "speaker":
        tags.append("speaker-only")
    if rendered.builds:
        tags.append("build")
    if rendered.change == "fade":
        tags.append("crossfade")
    return tags


def ground_truth(lectures: list[Lecture], rendered: dict[str, list[RenderedSection]]) -> list[dict]:
    """One record per query: the relevant window is its whole section (topic start to topic end)."""
    all_speech = [s.speech for lec in lectures for s in lec.sections]
    items = []
    for lec in lectures:
        for n, (section, queries, r) in enumerate(zip(lec.sections, lec.queries, rendered[lec.name]), 1):
            queries = {"said": said_query(section.speech, all_speech), **queries} if section.speech else queries
            for kind in QUERY_TYPES:
                if kind in queries:
                    items.append({"qid": f"{lec.name}-{n:02d}-{kind}", "query": queries[kind],
                                  "video": f"{lec.name}.mp4", "relevant_windows": [[round(r.start, 3), round(r.end, 3)]],
                                  "type": kind, "condition": lec.condition, "tags": _tags(section, r),
                                  "title": section.title})
    return items


def render_split(toml_path: str | Path, out: str | Path, progress=None) -> tuple[list[Path], list[dict], list[dict]]:
    """Render a split into OUT/videos and write OUT/gt.jsonl and OUT/cuts.jsonl.
    Returns (video paths, ground-truth records, cut records). `progress(message)` hears each render."""
    out = Path(out)
    lectures = load_split(toml_path)
    problems = check_queries(lectures)
    if problems:
        raise ConfigError("bad benchmark queries:\n  " + "\n  ".join(problems))
    rendered, paths, cuts = {}, [], []
    for lec in lectures:
        rendered[lec.name] = render_one(lec, out / "videos")
        paths.append(out / "videos" / f"{lec.name}.mp4")
        hard, optional = cut_truth(rendered[lec.name])
        cuts.append({"video": f"{lec.name}.mp4", "condition": lec.condition, "duration": rendered[lec.name][-1].end,
                     "cuts": hard, "optional": optional,
                     "topics": topic_truth(rendered[lec.name])})
        if progress:
            progress(f"{lec.name}.mp4: {rendered[lec.name][-1].end / 60:.1f} min, {len(lec.sections)} sections")
    gt = ground_truth(lectures, rendered)
    (out / "gt.jsonl").write_text("".join(json.dumps(g) + "\n" for g in gt))
    (out / "cuts.jsonl").write_text("".join(json.dumps(c) + "\n" for c in cuts))
    return paths, gt, cuts
