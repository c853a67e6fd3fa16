"""Where the voice changes: a second speaker's turn is a section edge; one voice in a noisy room never is."""

from __future__ import annotations

import shutil

import numpy as np
import pytest

from momentsearch.pipeline import voices
from momentsearch.pipeline.voices import VoiceTrack, _kept_turns, cepstra, change_score
from momentsearch.types import TranscriptSegment, Word

needs_espeak = pytest.mark.skipif(shutil.which("espeak-ng") is None, reason="espeak-ng not installed")

SENTENCES = [
    "Welcome back to the show. Today we talk about how cities plan their cycle lanes.",
    "The first thing to know is that paint on the road does very little for safety.",
    "I disagree with that, because a painted lane still tells drivers where bikes belong.",
    "And in our city the painted lanes came first, the kerbs only years later.",
]


def _said(pieces: list[tuple[str, str]], gap: float = 0.5) -> tuple[np.ndarray, list[list[Word]]]:
    """The sentences spoken one after another (voice, text) with `gap` s of silence between, and one
    unit per sentence whose words are its spoken stretches (espeak's audio above a floor, 0.3 s runs)."""
    from momentsearch.testing.synth import speak

    audio, units, at = [], [], 0.0
    for voice, text in pieces:
        clip = speak(text, voice=voice, rate=160)
        loud = np.convolve(np.abs(clip) > 0.02, np.ones(800), "same") > 0
        edges = np.flatnonzero(np.diff(np.r_[0, loud.astype(int), 0]))
        words = [Word(at + a / 16000, at + b / 16000, "word") for a, b in zip(edges[::2], edges[1::2])
                 if b - a > 1600]
        words[-1] = Word(words[-1].start, words[-1].end, text.split()[-1])
        units.append(words)
        audio += [clip, np.zeros(int(gap * 16000), np.float32)]
        at += len(clip) / 16000 + gap
    return np.concatenate(audio), units


def _track(audio: np.ndarray, units: list[list[Word]], noise: float = 0.0) -> VoiceTrack:
    if noise:
        audio = audio + np.random.default_rng(0).normal(0, noise, len(audio)).astype(np.float32)
    track = VoiceTrack()
    half = len(audio) // 2  # fed as two windows, as ASR goes
    words = [w for u in units for w in u]
    first = [w for w in words if w.end <= half / 16000]
    track.feed(audio[:half], 0.0, [TranscriptSegment(0, half / 16000, "", words=first)])
    track.feed(audio[half:], half / 16000, [TranscriptSegment(half / 16000, len(audio) / 16000, "",
                                                                words=words[len(first):])])
    return track


@needs_espeak
def test_another_voice_is_an_edge_and_the_same_voice_is_none():
    pieces = [("en-us+f4", SENTENCES[0]), ("en-us+f4", SENTENCES[1]), ("en-gb-x-rp+m6", SENTENCES[2]),
              ("en-gb-x-rp+m6", SENTENCES[3])]
    audio, units = _said(pieces)
    edges = _track(audio, units).changes(units)
    assert len(edges) == 1
    assert units[1][-1].end < edges[0] < units[2][0].start
    # a slide change there already is the edge
    assert _track(audio, units).changes(units, cuts=[edges[0] + 1.0]) == []


@needs_espeak
def test_one_voice_in_a_noisy_room_has_no_edge():
    audio, units = _said([("en-us+m3", s) for s in SENTENCES])
    assert _track(audio, units, noise=0.01).changes(units) == []


def test_cepstra_frames_and_the_score_of_two_sides():
    rng = np.random.default_rng(1)
    assert cepstra(np.zeros(100, np.float32)).shape == (0, voices.N_CEPS)
    assert cepstra(rng.normal(0, 0.1, 16000).astype(np.float32)).shape == (49, voices.N_CEPS)  # 20 ms frames

    def sums(x):
        return np.r_[len(x), x.sum(0), (x.T @ x)[np.triu_indices(voices.N_CEPS)]]

    a, b = rng.normal(0, 1, (300, voices.N_CEPS)), rng.normal(0, 1, (300, voices.N_CEPS))
    moved = rng.normal(0, 1, (300, voices.N_CEPS)) + 2.0
    assert change_score(sums(a), sums(b)) < voices.CHANGE < change_score(sums(a), sums(moved))
    assert change_score(sums(a[:20]), sums(moved)) == float("-inf")  # too little to judge


def _units(spans: list[tuple[float, float, str]]) -> list[list[Word]]:
    return [[Word(a, b, last)] for a, b, last in spans]


def test_an_interjection_is_no_turn_and_a_short_question_opens_its_answer():
    # A talks, B says "Right." (1 s), A goes on: one voice throughout, no edge
    units = _units([(0, 10, "a."), (10.5, 11.5, "Right."), (12, 25, "a."), (25.5, 40, "b.")])
    same = lambda lo, at, after=None: False  # noqa: E731  (the voice after the interjection is A's again)
    assert _kept_turns(units, [0, 1, 2, 3], same) == [25.25]
    # a 6 s question by M, then the guest's answer: the edge comes before the question, not after it
    units = _units([(0, 20, "a."), (20.5, 26.5, "bikes?"), (27, 60, "b."), (60.5, 64, "c.")])
    assert _kept_turns(units, [0, 1, 2, 3], lambda *a: True) == [20.25, 60.25]
    # a long turn that ends with a question is a turn of its own
    units = _units([(0, 20, "a."), (20.5, 40.5, "bikes?"), (41, 60, "b.")])
    assert _kept_turns(units, [0, 1, 2], lambda *a: True) == [20.25, 40.75]


class _Heard:
    """An ASR that 'hears' the units `_said` made (window-relative times), with their words."""

    model_id = "fake:heard"

    def __init__(self, units: list[list[Word]]) -> None:
        self.units, self.at = units, 0.0

    def transcribe(self, samples):
        lo, hi = self.at, self.at + len(samples) / 16000
        self.at = hi
        return [TranscriptSegment(u[0].start - lo, u[-1].end - lo, " ".join(w.word for w in u),
                                  [Word(w.start - lo, w.end - lo, w.word) for w in u])
                for u in self.units if lo <= u[0].start < hi]


@needs_espeak
def test_a_podcasts_second_voice_starts_a_section(tmp_path):
    """An audio file (two voices, one topic in words the fake embedder cannot tell apart): the section
    edge is where the second voice takes over, and each voice's words are chunks of their own."""
    import wave

    from fakes import FakeText

    from momentsearch.options import Config
    from momentsearch.pipeline.decode import probe
    from momentsearch.pipeline.process import FileProcessor

    pieces = [("en-us+f4", s) for s in SENTENCES[:2]] + [("en-gb-x-rp+m6", s) for s in SENTENCES[2:]]
    audio, units = _said(pieces)
    path = tmp_path / "episode.wav"
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1), out.setsampwidth(2), out.setframerate(16000)
        out.writeframes((np.clip(audio, -1, 1) * 32767).astype("<i2").tobytes())
    config = Config()
    config.models.ocr = False
    out = FileProcessor(config, FakeText(), _Heard(units), None, ocr=None).process_video(str(path), probe(path), "pod")
    change = [a for a, _ in out.sections[1:]]
    assert len(change) == 1 and units[1][-1].end < change[0] < units[2][0].start
    chunks = [(m["start"], m["end"]) for m in out.rows["transcript"].metadatas]
    assert all(e <= change[0] + 0.01 or s >= change[0] - 0.01 for s, e in chunks)
