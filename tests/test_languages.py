"""Languages: the multilingual `base` model (the default) transcribes a German lecture when asked to detect
the language, the detected language is stored, and its exact words are found by the lexical channel (the
text encoder is English-only); an English-only model asked for another language is refused."""

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
    run_cli("index", str(video), "--db", str(db), "--language", "auto", "--no-ocr", "--quiet")  # default model: base
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
    proc = run_cli("index", str(tmp_path), "--db", str(tmp_path / "db"), "--asr", "tiny.en", "--language", "de",
                   check=False)
    assert proc.returncode == 2 and "knows English only" in proc.stderr, proc.stderr
    assert not (tmp_path / "db").exists()  # refused before anything was written
