"""Twin recordings (search/twins.py): one lecture indexed as two files that share no entries (a copy trimmed at the
start, another intro, a re-upload with the intro cut) is found from the two transcripts agreeing at one shift, and
each moment is listed once, naming the other file at its time there. Lectures that share an intro, a repeated recap
or a joke, and one script read again at its own pace, are never twins. Transcripts here are made from the benchmark's
dev lectures' narration, with word times at a speaker's pace and a recogniser's slips in the copy."""

from __future__ import annotations

import json
import os
import random
import time
from pathlib import Path

import pytest
from conftest import needs_espeak, run_cli, search_json

from momentsearch.ranking.lexical import LexicalIndex
from momentsearch.search.corpus import Corpus
from momentsearch.search.twins import Twins, TwinFinder, find_twins, fingerprint, fold
from momentsearch.testing.corpus import load_split
from momentsearch.transcript import encode_times
from momentsearch.types import FileRecord, Moment, TranscriptChunk

DEV = Path(__file__).resolve().parent.parent / "scripts" / "lectures" / "dev.toml"
SLIPS = {"the": "a", "of": "off", "and": "an", "to": "two", "is": "was", "it": "its"}  # words heard wrong


def _narration(n: int) -> list[str]:
    """Lecture `n` of the dev split's narration, as sentences."""
    speech = " ".join(s.speech for s in load_split(DEV)[n].sections)
    return [s.strip() + "." for s in speech.split(".") if s.strip()]


Said = list[tuple[str, float]]  # a recording's words and when each begins (seconds)


def _said(sentences: list[str], seed: int, pace: float = 0.38) -> Said:
    """A recording of `sentences`: a word per `pace` seconds, a pause of its own after each sentence (`seed`)."""
    rng, t, said = random.Random(seed), 0.4, []
    for sentence in sentences:
        said += [(w, t + i * pace) for i, w in enumerate(sentence.split())]
        t = said[-1][1] + pace + rng.uniform(0.2, 1.2)
    return said


def _cut(said: Said, start: float, before: Said = ()) -> Said:
    """The recording from `start` on (times from there), after the recording `before` (another intro)."""
    gap = before[-1][1] + 1.0 if before else 0.0
    return [*before, *[(w, t - start + gap) for w, t in said if t >= start]]


def _transcript(video_id: str, said: Said, slips: float = 0.0, per_chunk: int = 25,
                timed: bool = True) -> list[TranscriptChunk]:
    """`said` as a recogniser writes it: chunks of about `per_chunk` words ending a sentence, `slips` of the words
    heard wrong, with word times (else none: an older index)."""
    heard, chunks, words = random.Random(f"slips {video_id}"), [], []
    for i, (w, t) in enumerate(said):
        words.append((SLIPS.get(w, w) if heard.random() < slips else w, t))
        if i + 1 == len(said) or (len(words) >= per_chunk and w.endswith(".")):
            start, end, text = words[0][1], words[-1][1] + 0.3, " ".join(w for w, _ in words)
            times = encode_times(start, [(s, s + 0.3) for _, s in words]) if timed else ""
            chunks.append(TranscriptChunk(f"{video_id}:{i}", video_id, start, end, text, times))
            words = []
    return chunks


def _twins(transcripts: dict[str, list[TranscriptChunk]]) -> Twins:
    return find_twins({v: fingerprint(chunks) for v, chunks in transcripts.items()})


def test_a_trimmed_copy_transcribed_again_is_a_twin_at_its_shift():
    """A copy with its first 7.5 s cut, heard with a few words wrong and cut into other chunks, agrees with the
    original 7.5 s earlier; so does one whose transcript has no word times (an older index)."""
    said = _said(_narration(0), seed=1)
    original = _transcript("orig", said)
    for trimmed in (_transcript("trim", _cut(said, 7.5), slips=0.08, per_chunk=15),
                    _transcript("trim", _cut(said, 7.5), slips=0.08, timed=False)):
        twins = _twins({"orig": original, "trim": trimmed, "other": _transcript("other", _said(_narration(1), 2))})
        (twin,) = twins.of("orig")
        assert twin.video_id == "trim" and twin.shift == pytest.approx(-7.5, abs=0.6)
        assert twins.of("trim")[0].shift == pytest.approx(7.5, abs=0.6) and twins.of("other") == []
        assert twin.holds(100.0, 110.0) and not twin.holds(0.0, 5.0)  # the cut intro is the original's alone


def test_another_intro_or_an_intro_cut_is_a_twin():
    """A re-upload with a new intro of two sentences, and one with the intro cut, are twins of the original."""
    said = _said(_narration(2), seed=3)
    intro = _said(["Hello and welcome to the recording of this week.", "The slides are on the course page."], 4)
    twins = _twins({"orig": _transcript("orig", said), "new": _transcript("new", _cut(said, 20.0, intro), 0.05),
                    "cut": _transcript("cut", _cut(said, 20.0), 0.05)})
    assert {t.video_id for t in twins.of("orig")} == {"new", "cut"}
    shifts = sorted(t.shift for t in twins.of("orig"))
    assert shifts == pytest.approx([-20.0, intro[-1][1] + 1.0 - 20.0], abs=0.6)


def test_lectures_sharing_an_intro_a_recap_and_a_joke_are_no_twins():
    """Two lectures of one course open with the same welcome, tell the same joke and close with the same recap;
    a third has the welcome alone: no two are twins, and none of them is folded into another."""
    intro = ["Welcome back everyone, please put your phones away and close your laptops.",
             "As always the recording of this session goes up on the course page tonight."]
    joke = ["An old joke: a neutron walks into a bar and asks how much for a drink, and the barman says for you, "
            "no charge."]
    recap = ["To recap, we saw the main idea, two ways to test it, and where it breaks down.",
             "Next week we build on this, so read the chapter before you come."]
    a, b, c = _narration(0), _narration(1), _narration(3)
    lectures = {"a": intro + a[:6] + joke + a[6:] + recap, "b": intro + b[:4] + joke + b[4:] + recap,
                "c": intro + c}
    twins = _twins({v: _transcript(v, _said(s, 7)) for v, s in lectures.items()})
    assert not twins and twins.widening({"a", "b", "c"}) == 1


def test_one_script_read_again_is_no_twin():
    """The same narration recorded again (another year: its own pauses, 3 % faster) agrees word for word, at a shift
    that drifts; so does a short one, whose drift stays within the slack of one shift."""
    for n in (4, 0):
        sentences = _narration(n)
        twins = _twins({"2023": _transcript("2023", _said(sentences, 11)),
                        "2024": _transcript("2024", _said(sentences, 12, pace=0.37))})
        assert not twins


def _record(video_id: str, path: str, duration: float = 300.0) -> FileRecord:
    return FileRecord(path, video_id=video_id, size=1, mtime=0.0, duration=duration, complete=True,
                      channels=["transcript"])


def _corpus(transcripts: dict[str, list[TranscriptChunk]], paths: dict[str, str]) -> Corpus:
    chunks = [c for v in transcripts for c in transcripts[v]]
    return Corpus((1,), {v: _record(v, p) for v, p in paths.items()}, LexicalIndex([c.text for c in chunks]),
                  [c.id for c in chunks], [{"video_id": c.video_id, "start": c.start, "end": c.end,
                                            "words": c.word_times} for c in chunks], [c.text for c in chunks],
                  {"transcript"}, copies={v: [p] for v, p in paths.items()})


def _moment(video_id: str, path: str, start: float, end: float, score: float) -> Moment:
    return Moment(path, video_id, start, end, score, {"transcript": score})


def test_a_moment_and_its_twins_moment_are_one_result_naming_the_other_at_its_time():
    """Ranked: the original's moment, an unrelated lecture's, the trimmed copy's same moment (7.5 s earlier there),
    the copy's next moment. Folded: the copy's same moment goes, its file named at its time; the copy's next moment
    stays (another stretch) naming the original 7.5 s later; the unrelated lecture's names none."""
    said = _said(_narration(0), seed=1)
    transcripts = {"orig": _transcript("orig", said), "trim": _transcript("trim", _cut(said, 7.5), 0.08, 15),
                   "other": _transcript("other", _said(_narration(1), 2))}
    corpus = _corpus(transcripts, {"orig": "/c/orig.mp4", "trim": "/c/trim.mp4", "other": "/c/other.mp4"})
    finder = TwinFinder()
    twins = finder.twins(corpus)
    assert finder.twins(corpus) is twins  # once per corpus
    ranked = [_moment("orig", "/c/orig.mp4", 40.0, 60.0, 0.9), _moment("other", "/c/other.mp4", 10.0, 30.0, 0.8),
              _moment("trim", "/c/trim.mp4", 33.0, 52.0, 0.7), _moment("trim", "/c/trim.mp4", 80.0, 95.0, 0.6)]
    folded = fold(ranked, twins, corpus)
    assert [(m.video_id, m.start) for m in folded] == [("orig", 40.0), ("other", 10.0), ("trim", 80.0)]
    assert folded[0].copies == ["/c/trim.mp4"] and folded[0].copies_at["/c/trim.mp4"] == pytest.approx(32.5, abs=0.6)
    assert folded[2].copies_at["/c/orig.mp4"] == pytest.approx(87.5, abs=0.6) and folded[1].copies == []
    assert folded[0].to_json()["copies_at"] == {"/c/trim.mp4": folded[0].copies_at["/c/trim.mp4"]}
    assert twins.widening({"orig", "trim", "other"}) == 2 and twins.widening({"orig", "other"}) == 1


def test_without_twins_results_stay_as_ranked():
    """An index without twins (the benchmark's): the results are the ranked ones, untouched, ranked as many."""
    transcripts = {"a": _transcript("a", _said(_narration(0), 1)), "b": _transcript("b", _said(_narration(1), 2))}
    corpus = _corpus(transcripts, {"a": "/c/a.mp4", "b": "/c/b.mp4"})
    twins = TwinFinder().twins(corpus)
    ranked = [_moment("a", "/c/a.mp4", 0.0, 10.0, 0.9), _moment("b", "/c/b.mp4", 0.0, 10.0, 0.8)]
    assert fold(ranked, twins, corpus) is ranked and twins.widening({"a", "b"}) == 1


PHYSICS = "Welcome back to physics one oh one. Please put your phones away, and let us begin."


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    """A heat lecture, its copy trimmed by 3 s and encoded again (so indexed on its own: pipeline/reencoded.py), and a
    waves lecture of the course opening with the same welcome; indexed through the CLI: (db, folder)."""
    from momentsearch.testing.reencode import reencode
    from momentsearch.testing.synth import Section, render_lecture

    folder = tmp_path_factory.mktemp("twins")
    intro = Section("Physics 101", PHYSICS)
    render_lecture(folder / "heat.mp4", [intro, Section(
        "Heat engines", "A heat engine turns the flow of heat into work. No engine beats the Carnot cycle, which runs "
        "between two reservoirs.", ["Carnot cycle"]), Section(
        "Entropy", "Entropy never falls in a closed system. That is the second law, and it explains why a cup of "
        "coffee cools down.", ["Second law"]), Section(
        "Refrigerators", "A refrigerator is a heat engine run backwards. It spends work to pump heat out of the cold "
        "box into the kitchen.", ["Heat pumps"])], size=(192, 108), fps=5)
    render_lecture(folder / "waves.mp4", [intro, Section(
        "Standing waves", "A guitar string fixed at both ends holds standing waves. Only whole numbers of half "
        "wavelengths fit on it.", ["Harmonics"]), Section(
        "Resonance", "Push a swing at its own frequency and the amplitude grows. Soldiers break step on bridges for "
        "this reason.", ["Driven oscillators"])], size=(192, 108), fps=5)
    reencode(folder / "heat.mp4", folder / "heat_trimmed.mp4", trim=3.0)
    db = folder / "db"
    run_cli("index", str(folder), "--db", str(db), "--no-ocr", "--asr", "tiny.en", "--quiet")
    return db, folder


def _seen(results) -> list[tuple]:
    return [(Path(r["video"]).name, round(r["start"], 2), {Path(p).name: round(t, 2) for p, t in
                                                            r["copies_at"].items()}) for r in results]


@needs_espeak
def test_front_doors_list_a_twins_moment_once_naming_the_other_file_at_its_second(course):
    """The trimmed copy and the heat lecture each held the coffee moment, listed twice; now once, naming the other
    file with the moment's second there (3 s apart), the same from the CLI (plain and --json), Python and HTTP."""
    from fastapi.testclient import TestClient

    from momentsearch.api import MomentIndex
    from momentsearch.server.app import create_app

    db, folder = course
    query = "why does a cup of coffee cool down"
    found = search_json(db, query)["results"]
    (kept,) = (db / "momentsearch-cache").glob("twins-*.json")  # the CLI's process kept the pair for the next
    assert len(json.loads(kept.read_text(encoding="utf-8"))["pairs"]) == 2
    heat = [r for r in found if Path(r["video"]).name in ("heat.mp4", "heat_trimmed.mp4")]
    top = heat[0]
    other = "heat_trimmed.mp4" if Path(top["video"]).name == "heat.mp4" else "heat.mp4"
    shift = -3.0 if other == "heat_trimmed.mp4" else 3.0
    assert "coffee" in top["text"] and [Path(p).name for p in top["copies"]] == [other]
    at = top["copies_at"][str(folder / other)]
    assert at == pytest.approx(max(0.0, top["start"] + shift), abs=0.5)
    for r in heat[1:]:  # the heat lecture's other moments, each once: none is the coffee moment again
        there = r["start"] + (0.0 if Path(r["video"]).name == Path(top["video"]).name else -shift)
        assert there >= top["end"] - 1.0 or r["end"] + there - r["start"] <= top["start"] + 1.0, (top, r)
    plain = run_cli("search", query, "--db", str(db)).stdout
    also = [line.strip() for line in plain.splitlines() if line.strip().startswith("also in:")]
    assert any(line.endswith(f"{other} at 0:{int(at):02d}") for line in also), plain
    index = MomentIndex(str(db))
    python = [m.to_json() for m in index.search(query)]
    with TestClient(create_app(index), base_url="http://127.0.0.1:8000") as client:
        http = client.get("/api/search", params={"q": query}).json()["results"]
    assert _seen(found) == _seen(python) == _seen(http)
    # the page plays the other file by its own id (the server plays indexed files by id)
    twin = index.find_video(folder / other).video_id
    assert next(r for r in http if r["video"] == top["video"])["copies_ids"] == {str(folder / other): twin}
    assert twin != top["video_id"]


@needs_espeak
def test_a_welcome_two_lectures_share_is_listed_for_each(course):
    """The course's welcome opens the heat and the waves lecture: both are listed, the waves one naming no copy; the
    heat one names its trimmed copy, whose welcome is cut short."""
    db, folder = course
    found = search_json(db, "welcome back to physics, put your phones away")["results"]
    names = [Path(r["video"]).name for r in found if r["start"] < 3.0]
    assert "waves.mp4" in names and len(set(names) & {"heat.mp4", "heat_trimmed.mp4"}) == 1
    waves = next(r for r in found if Path(r["video"]).name == "waves.mp4")
    assert waves["copies"] == [] and waves["copies_at"] == {}


def test_a_new_process_reads_the_twins_another_found_at_this_state_of_the_index(tmp_path, monkeypatch):
    """Every `momentsearch search` process fingerprinted every file again (2.7 s at 100 hours): the pairs found are
    kept in the search cache under the index's state, read by the next process, and found again after a commit
    (another generation) or from a damaged file."""
    import momentsearch.search.twins as twins_module

    said = _said(_narration(0), seed=1)
    transcripts = {"orig": _transcript("orig", said), "trim": _transcript("trim", _cut(said, 7.5), 0.08, 15),
                   "other": _transcript("other", _said(_narration(1), 2))}
    paths = {"orig": "/c/orig.mp4", "trim": "/c/trim.mp4", "other": "/c/other.mp4"}
    cache = tmp_path / "momentsearch-cache"
    cache.mkdir()
    dead = cache / ".tmp-k1ll3d"  # a process killed while it wrote them, a day ago
    dead.write_text('{"version": 1, "pa', encoding="utf-8")
    os.utime(dead, (time.time() - 24 * 3600,) * 2)
    first = TwinFinder(str(cache)).twins(_corpus(transcripts, paths))
    assert not dead.exists()
    (kept,) = cache.glob("twins-*.json")
    fingerprinted = []
    monkeypatch.setattr(twins_module, "fingerprint", lambda chunks: fingerprinted.append(chunks) or fingerprint(chunks))
    again = TwinFinder(str(cache)).twins(_corpus(transcripts, paths))  # another process, the same index state
    assert fingerprinted == [] and bool(again)
    assert {v: again.of(v) for v in paths} == {v: first.of(v) for v in paths}
    kept.write_text('{"version": 1, "params": [', encoding="utf-8")  # a process killed mid-write on another system
    assert TwinFinder(str(cache)).twins(_corpus(transcripts, paths)).of("orig") == first.of("orig")
    assert len(fingerprinted) == 3
    later = _corpus(transcripts, paths)
    later.generation = (2,)  # a commit: its key is another, the old file goes
    assert TwinFinder(str(cache)).twins(later).of("trim") == first.of("trim") and len(fingerprinted) == 6
    assert [p.name for p in cache.glob("twins-*.json")] != [kept.name] and len(list(cache.glob("twins-*"))) == 1
