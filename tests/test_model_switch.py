"""An index kept while its models or options change (another --asr, --no-ocr, a --config of chunks): a file whose
entries the change cannot touch (a photo has no speech) is neither redone nor named, and a file that is redone is
named with the flags that would have kept it."""

from __future__ import annotations

from PIL import Image

from fakes import FakeText, counting_video
from momentsearch.options import Config
from momentsearch.pipeline.discover import other_models_note
from momentsearch.pipeline.indexer import Indexer
from momentsearch.store.client import make_client
from momentsearch.store.store import Store
from momentsearch.types import FileRecord, TranscriptSegment, Word


class FakeASR:
    def __init__(self, model_id="faster-whisper:tiny.en"):
        self.model_id = model_id

    def transcribe(self, audio, language=None):
        return [TranscriptSegment(0.0, 1.0, "hello world.", [Word(0.0, 0.5, "hello"), Word(0.5, 1.0, "world.")])]


def _lectures(folder):
    folder.mkdir()
    counting_video(str(folder / "talk.mp4"), seconds=4.0)
    Image.new("RGB", (320, 200), (200, 220, 240)).save(folder / "board.png")
    return folder


def _index(db, folder, asr, config=None):
    config = config or Config()
    config.models.ocr = False
    indexer = Indexer(Store(make_client(str(db))), config, FakeText(), asr, None, None)
    return indexer.index([str(folder)])


def test_another_whisper_redoes_the_videos_not_the_photos(tmp_path):
    folder = _lectures(tmp_path / "lectures")
    first = _index(tmp_path / "db", folder, FakeASR("faster-whisper:tiny.en"))
    assert sorted(f.status for f in first.files) == ["indexed", "indexed"]
    again = _index(tmp_path / "db", folder, FakeASR("faster-whisper:base"))
    status = {f.path.rsplit("/", 1)[1]: f.status for f in again.files}
    assert status == {"talk.mp4": "indexed", "board.png": "unchanged"}  # a photo has no speech to hear again
    note = [w for w in again.warnings if "other models" in w]
    assert note == [note[0]] and note[0].startswith("1 file indexed before with other models (asr "
                                                    "faster-whisper:tiny.en -> faster-whisper:base)")


def test_a_config_of_chunks_does_not_name_the_photos(tmp_path):
    folder = _lectures(tmp_path / "lectures")
    _index(tmp_path / "db", folder, FakeASR())
    chunky = Config()
    chunky.chunks.min_seconds, chunky.chunks.max_seconds = 5.0, 12.0
    again = _index(tmp_path / "db", folder, FakeASR(), chunky)
    assert {f.status for f in again.files} == {"unchanged"}
    note = [w for w in again.warnings if "other options" in w]
    assert len(note) == 1 and note[0].startswith("1 unchanged file (talk.mp4) was indexed with other options")
    assert "board.png" not in note[0]


def _record(models):
    return FileRecord(path="/l/a.mp4", video_id="v" * 16, size=1, mtime=1.0, complete=True, models=models,
                      sources={"transcript": "asr: fake"})


def test_a_file_redone_for_another_channel_names_that_channels_flag():
    text, asr = "sentence-transformers:all-MiniLM-L6-v2", "faster-whisper:base"
    with_ocr = _record({"text": text, "asr": asr, "ocr": "rapidocr"})
    note = other_models_note([with_ocr], {"text": text, "asr": asr})  # this run: --no-ocr
    assert len(note) == 1 and "(ocr rapidocr -> none)" in note[0]
    assert "without --no-ocr" in note[0] and "--asr" not in note[0]  # speech was never the change
    without = _record({"text": text, "asr": asr})
    note = other_models_note([without], {"text": text, "asr": asr, "clip": "open_clip:tiny"})
    assert "(clip none -> open_clip:tiny)" in note[0] and "--asr" not in note[0]


def test_a_video_from_its_captions_is_not_redone_for_another_whisper():
    captioned = FileRecord(path="/l/a.mp4", video_id="v" * 16, size=1, mtime=1.0, complete=True,
                           models={"text": "t", "asr": "faster-whisper:tiny.en"},
                           sources={"transcript": "captions: sidecar a.srt"})
    assert other_models_note([captioned], {"text": "t", "asr": "faster-whisper:base"}) == []
    assert other_models_note([captioned], {"text": "t", "asr": "faster-whisper:base"}, captions="ignore")


def test_the_reindex_command_the_cli_suggests_carries_this_runs_options(tmp_path, monkeypatch, capsys):
    """`index lectures --config short.toml` said "`momentsearch index --reindex FILES --db DB` indexes them again
    with this run's options": pasted, that command indexed with the defaults (base, 10-30 s chunks)."""
    import importlib
    import json

    import momentsearch
    cli = importlib.import_module("momentsearch.cli.main")  # (the package names its function `main` too)
    from momentsearch.pipeline.settled import made_by_note
    from momentsearch.types import IndexReport

    options = tmp_path / "short.toml"
    options.write_text("[chunks]\nmin_seconds = 5.0\nmax_seconds = 12.0\n")
    old = FileRecord(path="/term/week1.mp4", video_id="v" * 16, size=1, mtime=1.0, complete=True,
                     version=momentsearch.__version__, options="made with the defaults")
    note = made_by_note([old], "this run's", "unchanged ", "/term/db")

    class Index:
        chroma_url, db = None, "/term/db"

        def index(self, paths, **kwargs):
            return IndexReport(warnings=[note])

    monkeypatch.setattr(cli, "_index_for", lambda args: Index())
    monkeypatch.chdir(tmp_path)
    cli.main(["index", "/term", "--db", "/term/db", "--config", "short.toml", "--asr", "tiny.en", "--no-ocr",
              "--quiet", "--json"])
    warnings = json.loads(capsys.readouterr().out)["warnings"]
    assert f"`momentsearch index --reindex --config {options} --asr tiny.en --no-ocr /term/week1.mp4 --db /term/db`" \
        in warnings[0], warnings


def test_info_names_each_whisper_that_made_the_index(tmp_path):
    """Older lectures indexed with tiny.en, a new one with base: `info` said "Model asr: faster-whisper:base", the
    last file's, as if every file had been heard by it."""
    import momentsearch

    _index(tmp_path / "db", _lectures(tmp_path / "old"), FakeASR("faster-whisper:tiny.en"))
    new = tmp_path / "new"
    new.mkdir()
    counting_video(str(new / "week9.mp4"), seconds=3.0)
    _index(tmp_path / "db", new, FakeASR("faster-whisper:base"))
    models = momentsearch.MomentIndex(str(tmp_path / "db")).info().models
    assert models["asr"] == "faster-whisper:base (1 file), faster-whisper:tiny.en (1 file)"  # (the photo heard none)
    assert models["text"] == FakeText().model_id


def test_a_search_says_which_files_were_indexed_without_slide_text(tmp_path):
    """Two lectures indexed with slide OCR, a third added with --no-ocr: a search for words on its slides missed
    it without a word (nor did /api/health, which shows the same warnings, say so)."""
    from dataclasses import replace

    import momentsearch

    folder = tmp_path / "term"
    folder.mkdir()
    for name, seconds in (("week1.mp4", 2.0), ("week2.mp4", 2.4), ("week3.mp4", 2.8)):  # three contents
        counting_video(str(folder / name), seconds=seconds)
    _index(tmp_path / "db", folder, FakeASR())
    store = Store(make_client(str(tmp_path / "db")))
    for record in store.files():  # as OCR made them (the fake run had it off): week3's run had --no-ocr
        if not record.path.endswith("week3.mp4"):
            store.put_file(replace(record, models={**record.models, "ocr": "rapidocr-onnxruntime:1.4.4"}))
    warnings = momentsearch.MomentIndex(str(tmp_path / "db")).warnings
    assert [w for w in warnings if w.startswith("slide text (ocr) not searched in 1 of 3 files (week3.mp4: "
                                                "indexed with --no-ocr)")], warnings
    assert not [w for w in warnings if "visual" in w]  # no file has CLIP: no mix to tell of
