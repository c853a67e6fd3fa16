"""Languages: the multilingual `base` model (the default) transcribes a German lecture when asked to detect
the language, the detected language is stored, and its exact words are found by the lexical channel (the
text encoder is English-only); taken for English, the lecture's summary says its words were doubted and
what to run; an English-only model asked for another language is refused."""

from __future__ import annotations

import json
import re

from tests.conftest import needs_espeak, run_cli

GERMAN = [("Erneuerbare Energie", "Willkommen zur Vorlesung über erneuerbare Energie. Heute sprechen wir über "
           "Sonnenenergie und Windkraft in Deutschland.", ["Sonne", "Wind"]),
          ("Der Zeitplan", "Im nächsten Jahr bauen wir die Solaranlage auf dem Dach der Bibliothek. "
           "Danach prüfen wir die Ergebnisse.", ["Planung", "Bau"])]


@needs_espeak
def test_german_lecture_is_transcribed_and_its_words_found(tmp_path):
    from momentsearch.testing.synth import Section, render_lecture

    video = tmp_path / "vorlesung.mp4"
    rendered = render_lecture(video, [Section(t, s, b) for t, s, b in GERMAN], size=(320, 180), fps=2, voice="de")
    db = tmp_path / "db"
    # taken for English (the default), Whisper turns it into English it doubts: the summary says so, and what to run
    summary = json.loads(run_cli("index", str(video), "--db", str(db), "--no-ocr", "--quiet", "--json").stdout)
    reason = summary["files"][0]["reason"]
    assert "unsure" in reason and "German (de" in reason and "--language de --reindex" in reason, reason
    run_cli("index", str(video), "--db", str(db), "--language", "auto", "--reindex", "--no-ocr", "--quiet")
    (rec,) = json.loads(run_cli("info", "--db", str(db), "--json").stdout)["files"]
    assert rec["language"] == "de"
    assert rec["sources"]["transcript"] == "asr: faster-whisper:base"
    vtt = run_cli("chapters", str(video), "--db", str(db), "--format", "json").stdout  # the API reads it back
    assert json.loads(vtt)
    heard = set()
    from momentsearch.api import MomentIndex

    for chunk in MomentIndex(db).chunks_of(rec["video_id"]):
        heard |= {w.lower() for w in re.findall(r"\w{6,}", chunk.text)}
    spoken = {w.lower() for _, s, _ in GERMAN for w in re.findall(r"\w{6,}", s)}
    common = sorted(heard & spoken, key=len, reverse=True)
    assert len(common) >= 4, f"base heard too few of the German words: {sorted(heard)}"
    for word in common[:2]:
        res = json.loads(run_cli("search", word, "--db", str(db), "--json").stdout)["results"]
        assert res and res[0]["channels"].get("lexical", 0) > 0.5, (word, res[:1])
        section = next(r for r, (_, s, _) in zip(rendered, GERMAN) if word in s.lower())
        assert res[0]["start"] < section.end and res[0]["end"] > section.start


def test_language_flags_reach_the_config(tmp_path):
    from momentsearch.cli.main import _asr_overrides

    assert _asr_overrides(None, None) == {}
    assert _asr_overrides(None, "auto") == {"language": None}
    assert _asr_overrides(None, "de") == {"language": "de"}
    assert _asr_overrides("base", None) == {"model": "base", "language": None}  # named: the multilingual one
    assert _asr_overrides("tiny.en", "en") == {"model": "tiny.en", "language": "en"}
    # the engine alone keeps the configured model (base, as the README says; it was tiny.en here)
    assert _asr_overrides("openai-whisper", None) == {"engine": "openai-whisper"}
    assert _asr_overrides("openai-whisper:tiny.en", None) == {"engine": "openai-whisper", "model": "tiny.en"}
    from momentsearch.cli.args import build_parser
    from momentsearch.cli.main import _config

    asr = _config(build_parser().parse_args(["index", str(tmp_path), "--asr", "openai-whisper"])).asr
    assert (asr.engine, asr.model, asr.language) == ("openai-whisper", "base", "en")


def test_an_empty_language_is_refused_not_taken_for_english(tmp_path):
    """`--language "$LANG_CODE"` with the variable unset indexed a German lecture as English without a word."""
    import pytest

    from momentsearch.cli.args import build_parser
    from momentsearch.cli.main import _config
    from momentsearch.errors import ConfigError

    with pytest.raises(ConfigError, match="asr.language must be a Whisper language code .* got ''"):
        _config(build_parser().parse_args(["index", str(tmp_path), "--language", ""]))
    proc = run_cli("index", str(tmp_path), "--db", str(tmp_path / "db"), "--asr", "tiny.en", "--language", "de",
                   check=False)
    assert proc.returncode == 2 and "knows English only" in proc.stderr, proc.stderr
    assert not (tmp_path / "db").exists()  # refused before anything was written


class _Guessing:
    """An ASR engine whose guess at the language is fixed (no model)."""

    def __init__(self, guess):
        self.guess, self.asked = guess, 0

    def language_of(self, audio):
        self.asked += 1
        return self.guess


def _words(n: int, probability: float):
    from momentsearch.types import TranscriptSegment, Word

    return [TranscriptSegment(0.0, n * 0.5, "x", [Word(i * 0.5, i * 0.5 + 0.4, " x", probability) for i in range(n)])]


def test_a_file_whose_words_whisper_doubted_or_did_not_hear_gets_a_note_with_its_language():
    import numpy as np

    from momentsearch.options import ASROptions
    from momentsearch.pipeline.unheard import Unheard

    english, base_en = ASROptions(language="en"), ASROptions()
    heard = Unheard()
    heard.start(np.zeros(16000 * 200, np.float32))
    assert heard.first.size == 16000 * 120  # the first two minutes are kept for the guess
    german = _Guessing(("de", 0.61))
    assert heard.note(german, english, _words(30, 0.9)) == "" and german.asked == 0  # sure words: no guess made
    note = heard.note(german, english, _words(30, 0.4))
    assert "unsure of its English (mean word probability 0.40)" in note and "German (de, 0.61)" in note
    assert "--language de --reindex" in note
    assert heard.note(german, english, _words(5, 0.4)) == ""  # too few words to say
    assert heard.note(german, english, []) == ""  # nothing heard at all: "no speech found" stays
    heard.seconds = 20.0  # what `add` measures with the voice detector on windows without words
    assert "speech heard (20 s) but no English words recognised" in heard.note(german, english, [])
    assert "--language auto --reindex detects it" in heard.note(_Guessing(None), base_en, [])
    far = heard.note(_Guessing(("en", 0.9)), base_en, [])  # English heard from the back of a hall
    assert "it does sound like English: noise, reverb" in far and "--language" not in far
    tiny = ASROptions(model="tiny.en")
    assert "tiny.en knows English only: --asr base" in heard.note(_Guessing(None), tiny, [])
    assert heard.note(german, ASROptions(language=None), []).endswith("too noisy, or music?")


@needs_espeak
def test_the_voice_detector_measures_speech_in_windows_without_words(tmp_path):
    import subprocess
    import wave

    import numpy as np

    from momentsearch.pipeline.unheard import Unheard

    wav = tmp_path / "de.wav"
    subprocess.run(["espeak-ng", "-v", "de", "-s", "150", "-w", str(wav), GERMAN[0][1]], check=True)
    with wave.open(str(wav)) as w:
        rate, x = w.getframerate(), np.frombuffer(w.readframes(w.getnframes()), np.int16) / 32768
    samples = np.interp(np.arange(0, x.size, rate / 16000), np.arange(x.size), x).astype(np.float32)
    heard = Unheard()
    heard.add(np.concatenate([np.zeros(16000 * 3, np.float32), samples]))
    assert 0.7 * samples.size / 16000 <= heard.seconds <= samples.size / 16000 + 0.5
    silent = Unheard()
    silent.add(np.zeros(16000 * 10, np.float32))
    assert silent.seconds == 0.0


class _Engine:
    """A faster-whisper engine (WhisperModel or BatchedInferencePipeline) that detects `language` when asked
    for none, and records the language each call was given."""

    def __init__(self, language, segments):
        self.language, self.segments, self.asked = language, segments, []

    def transcribe(self, samples, language=None, **kwargs):
        from types import SimpleNamespace

        self.asked.append(language)
        info = SimpleNamespace(language=language or self.language, language_probability=1.0 if language else 0.3)
        return iter(self.segments), info


def _segment(words, start, end, ratio=1.2):
    from types import SimpleNamespace

    timed = [SimpleNamespace(word=w, start=start + i * 0.2, end=start + i * 0.2 + 0.2, probability=0.8)
             for i, w in enumerate(words)]
    return SimpleNamespace(text="".join(words), start=start, end=end, words=timed, compression_ratio=ratio,
                           no_speech_prob=0.0, avg_logprob=-0.3, temperature=0.0)


def test_a_stretch_decoded_again_is_heard_in_the_language_detected_for_its_window():
    """With `--language auto` the batched pass detects the window's language from its speech (German).
    A stretch it decoded into a failure loop is decoded again on its own; that second decode detected its
    language afresh from the second or two it holds (base took espeak's French and Polish for Thai even from
    13 s of them), transcribed it in that language, and the file was recorded as being in it."""
    import numpy as np

    from momentsearch.models.asr import FasterWhisperASR
    from momentsearch.options import ASROptions

    asr = FasterWhisperASR(ASROptions(language=None))
    looped = _segment([" Heute", " sprechen"] + [" f"] * 30, 0.0, 8.0, ratio=3.0)
    asr._batched, asr._batch = _Engine("de", [looped]), 4
    asr._model = _Engine("th", [_segment([" wir", " über", " Wärme"], 0.0, 1.0)])
    asr.transcribe(np.zeros(10 * 16000, np.float32))
    assert asr._batched.asked == [None]  # the window's language: detected
    assert asr._model.asked and set(asr._model.asked) == {"de"}  # the stretch: heard as German
    assert asr.detected_language == "de"


def test_a_detected_language_is_named_when_its_words_or_the_detection_were_doubted():
    """`--language auto` on espeak's French: base took it for Thai (probability 0.2), wrote Thai letters,
    and the summary said "Whisper was unsure of its words (mean word probability 0.41): too noisy, or
    music?" - nothing named the wrong language or the way out. Polish, taken for Thai too but with fewer
    than 20 words, got no note at all. Now the note names the detected language, how sure Whisper was of
    it, and the command that names the right one; a language detected sure, with sure words, says nothing."""
    from types import SimpleNamespace

    from momentsearch.options import ASROptions
    from momentsearch.pipeline.unheard import Unheard

    auto = ASROptions(language=None)
    thai = SimpleNamespace(detected_language="th", language_probability=0.2)
    note = Unheard().note(thai, auto, _words(30, 0.41))
    assert note.startswith("Whisper was unsure of its words (mean word probability 0.41)"), note
    assert "Thai (th, detected with probability 0.20)" in note and "--language CODE --reindex" in note
    few = Unheard().note(thai, auto, _words(8, 0.7))  # too few words to doubt them: the unsure detection alone
    assert few.startswith("Whisper took its language for Thai (th, detected with probability 0.20)"), few
    assert Unheard().note(SimpleNamespace(detected_language="de", language_probability=0.9), auto, _words(8, 0.7)) == ""
    sure_language = Unheard().note(SimpleNamespace(detected_language="de", language_probability=0.9), auto,
                                   _words(30, 0.4))
    assert "German (de, detected with probability 0.90)" in sure_language


class _Detecting:
    """Whisper with the language left to it: it detects German from a window of 30 s or more, and English from
    less (base took 3.8 s of espeak's German for English, 0.55); records the language each window was given."""

    model_id = "fake:detecting"

    def __init__(self):
        self.asked, self.detected_language, self.language_probability = [], "", 0.0

    def transcribe(self, samples, language=None):
        from momentsearch.types import TranscriptSegment, Word

        self.asked.append(language)
        long = samples.size >= 30 * 16000
        self.detected_language = language or ("de" if long else "en")
        self.language_probability = 1.0 if language else (0.8 if long else 0.55)
        words = [" Wärme", " fließt"] if self.detected_language == "de" else [" the", " vimifleast"]
        return [TranscriptSegment(1.0, 2.0, "".join(words), [Word(1.0 + i * 0.4, 1.3 + i * 0.4, w, 0.9)
                                                               for i, w in enumerate(words)])]


def test_a_files_short_last_window_is_heard_in_the_language_of_its_earlier_windows(tmp_path):
    """Audio is transcribed in windows (`asr.window_seconds`, 5 minutes by default), and with `--language
    auto` each window detected its own language, from its own speech alone. A file's last window can be a
    few seconds ("Danke, bis nächste Woche"): detected from those (base took 3.8 s of German for English)
    it was transcribed in the wrong language, and, being the last, set the language the file was recorded
    in. Now a window too short for Whisper's 30 s of detection keeps the language of the file's earlier
    windows, and the file is recorded in the language most of its words were heard in."""
    import wave

    import numpy as np
    from fakes import FakeText

    from momentsearch.options import Config
    from momentsearch.pipeline.decode import probe
    from momentsearch.pipeline.process import FileProcessor

    rng = np.random.default_rng(0)
    audio = 0.1 * rng.standard_normal(45 * 16000)
    audio[int(37.5 * 16000):int(38.5 * 16000)] = 0.0  # the pause the first window ends in
    path = tmp_path / "vorlesung.wav"
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1), out.setsampwidth(2), out.setframerate(16000)
        out.writeframes((audio * 32767).astype("<i2").tobytes())
    config = Config()
    config.models.ocr, config.asr.language, config.asr.window_seconds = False, None, 40.0
    asr = _Detecting()
    out = FileProcessor(config, FakeText(), asr, None, ocr=None).process_video(str(path), probe(path), "v")
    assert asr.asked == [None, "de"]  # the first window detected, the 7 s after it heard as German
    assert out.language == "de"
    assert "Wärme" in " ".join(out.rows["transcript"].documents) and "vimifleast" not in " ".join(
        out.rows["transcript"].documents)


def test_a_language_guess_nothing_stands_out_in_is_not_advice_to_switch():
    """espeak's French indexed with `--language fr`: base doubted its French words and guessed Thai with
    probability 0.20 - under faster-whisper's own 0.5 for a language to count as detected - and the summary
    told the user "it sounds like Thai (th, 0.20): if it is, index it again with --language th". A guess that
    weak says that Whisper cannot tell, not that the named language is wrong."""
    from momentsearch.options import ASROptions
    from momentsearch.pipeline.unheard import Unheard

    heard = Unheard()
    heard.start(__import__("numpy").zeros(16000, "float32"))
    note = heard.note(_Guessing(("th", 0.2)), ASROptions(language="fr"), _words(30, 0.32))
    assert note.startswith("Whisper was unsure of its French (mean word probability 0.32)"), note
    assert "cannot tell its language" in note and "Thai" in note and "--language th" not in note
    assert "--language de --reindex" in heard.note(_Guessing(("de", 0.61)), ASROptions(language="fr"), _words(30, 0.3))


@needs_espeak
def test_openai_whisper_detects_the_language_from_the_speech_not_the_music_before_it(tmp_path):
    """`--asr openai-whisper --language auto` on a lecture that opens with 32 s of music (a jingle): whisper
    detects the language from the first 30 s of the audio, which held only music, took the German lecture
    for Nynorsk (nn), transcribed it as such and recorded it so. faster-whisper detects from the voice
    detector's speech; the openai-whisper engine now does the same."""
    import pytest

    pytest.importorskip("whisper")
    import numpy as np
    from tests.test_models import _spoken

    from momentsearch.models import make_asr
    from momentsearch.options import ASROptions
    from momentsearch.types import SAMPLE_RATE

    said = _spoken(tmp_path / "de.wav", "Willkommen zur Vorlesung über Thermodynamik. Heute sprechen wir über den "
                   "ersten Hauptsatz. Die innere Energie eines geschlossenen Systems ändert sich durch Wärme und "
                   "Arbeit.", "-v", "de")
    t = np.arange(32 * SAMPLE_RATE) / SAMPLE_RATE
    on = np.sin(2 * np.pi * 2 * t) > 0  # two notes, four a second
    music = 0.2 * np.where(on, np.sin(2 * np.pi * 440 * t), np.sin(2 * np.pi * 660 * t))
    # (a few tokens a window, no fallback: the language is what is looked at, not the words)
    asr = make_asr(ASROptions(engine="openai-whisper", language=None, max_new_tokens=8, temperatures=[0.0]), "cpu")
    asr.transcribe(np.concatenate([music, said]).astype(np.float32))
    assert asr.detected_language == "de"
    assert asr.language_probability > 0.5
