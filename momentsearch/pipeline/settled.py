"""What an index run can tell from the file records alone, before any model loads.

A re-run over files that are all indexed and unchanged has nothing to do: `settle_unchanged` says so from
the records and the models' ids (no torch, no ONNX session), where loading CLIP only to learn again that
its weights are missing took most of such a run. The records also say which momentsearch, with which
options, made each file's entries (`made_by_note`): an upgrade or another --config redoes nothing by
itself, so the user is told once what `--reindex` would change.
"""

from __future__ import annotations

import functools
import importlib.util
import json
import os
import shlex
from dataclasses import asdict

from momentsearch import __version__
from momentsearch.models.device import downloads_allowed
from momentsearch.pipeline.captions import sidecar_changed
from momentsearch.pipeline.made_with import same_models
from momentsearch.types import REINDEX_COMMAND

CLIP_COLLECTIONS = ("keyframes", "unified")  # the collections of CLIP vectors (frames, photos)
CLIP_OFF = "clip_off"  # the index note left when CLIP could not load: what was missing, and where it would be


# Options that change how fast a file is indexed, never its entries (the visual side in a thread or not, its
# niceness, images read at once): a department's file that tunes them was told every file had been indexed "with
# other options" and that --reindex would redo them.
SPEED_ONLY = {"sampling": ("overlap", "visual_nice"), "ocr": ("workers",)}


def entry_options(config) -> tuple[dict, ...]:
    """asr, sampling, keyframes and ocr options as dicts, the speed-only ones at their defaults (so a record
    made with the defaults keeps its hash)."""
    out = []
    for stage in ("asr", "sampling", "keyframes", "ocr"):
        options = getattr(config, stage)
        out.append({**asdict(options), **{k: getattr(type(options)(), k) for k in SPEED_ONLY.get(stage, ())}})
    return tuple(out)


def options_fingerprint(config, photo: bool = False) -> str:
    """A hash of the options that decide a file's entries (the kept partial work's, plus chunking); of a `photo`'s,
    the slide OCR's alone (no speech, no video: another `--config` of chunks or Whisper options cannot change it)."""
    from momentsearch.pipeline.partial import fingerprint

    if photo:
        return fingerprint("photo", asdict(config.ocr), config.models.ocr)
    return fingerprint(*entry_options(config), asdict(config.chunks), config.models.ocr)


def _other_options(record, options: str | None, photo_options: str | None) -> bool:
    """Whether `record` was made with other options than `options` (`photo_options`, a photo's, where given: a
    photo indexed before its own hash was kept holds the whole `options`)."""
    if options is None or not record.options:
        return False
    if record.kind == "photo" and photo_options is not None:
        return record.options not in (photo_options, options)
    return record.options != options


def made_by_note(records, options: str | None = None, what: str = "", db: str | os.PathLike | None = None,
                 photo_options: str | None = None) -> str:
    """One line naming the complete `records` whose entries another momentsearch made (or one that recorded
    no version: indexes made before 7 Dec), or, given this run's `options` fingerprint, other options; and
    what to run to redo them (`db`: the index folder, named in that command; None for a Chroma server). ""
    when there are none (`photo_options`: a photo's fingerprint, else photos are held to `options`). Nothing
    is redone for the user."""
    differ = [r for r in records if r is not None and r.complete and (
        r.version != __version__ or _other_options(r, options, photo_options))]
    if not differ:
        return ""
    versions = sorted({r.version for r in differ if r.version and r.version != __version__})
    ways = [f"by momentsearch {', '.join(versions)}"] if versions else []
    ways += ["by a momentsearch that recorded no version"] if any(not r.version for r in differ) else []
    ways += ["with other options than this run's"] if any(r.version == __version__ for r in differ) else []
    n = len(differ)
    names = ", ".join(sorted(os.path.basename(r.path) for r in differ)[:3]) + (f" and {n - 3} more" if n > 3 else "")
    how = "with this run's options" if ways == ["with other options than this run's"] else "the way this version does"
    return (f"{n} {what}file{'s' if n > 1 else ''} ({names}) {'were' if n > 1 else 'was'} indexed "
            f"{' or '.join(ways)} (this is momentsearch {__version__}): searched as indexed, nothing redone; "
            f"`{reindex_command(differ, db)}` indexes {'them' if n > 1 else 'it'} again {how}")


def reindex_command(records, db: str | os.PathLike | None) -> str:
    """The command that redoes `records` in the index at `db`, to paste: their files (up to three), else their
    folders (up to three), else PATH; and `--db DB` (the bare command indexed into ./momentsearch-db or
    $MOMENTSEARCH_DB, a new index beside the one the note was about, which stayed as it was)."""
    paths = sorted(r.path for r in records)
    folders = sorted({os.path.dirname(p) for p in paths})
    targets = paths if len(paths) <= 3 else folders if len(folders) <= 3 else ["PATH"]
    named = " ".join(t if t == "PATH" else shlex.quote(t) for t in targets)
    return f"{REINDEX_COMMAND} {named}" + (f" --db {shlex.quote(os.fspath(db))}" if db else "")


def remember_clip_off(store, clip, reason: Exception) -> None:
    """Leaves a note in the index that CLIP did not load because its extra or its weights are missing (where
    they would appear: `clip.missing_weights`), so the next run can tell, without importing torch, that it
    would not load either. Other failures leave no note: the next run tries again."""
    installed = importlib.util.find_spec("open_clip") is not None
    places = getattr(clip, "missing_weights", None)
    if installed and places is None:
        return
    note = {"model": clip.model_id, "cache_dir": getattr(clip, "cache_dir", None), "installed": installed,
            "places": places or [], "reason": str(reason)}
    store.set_index_note(CLIP_OFF, json.dumps(note))


def _clip_still_off(store, clip) -> str | None:
    """Why CLIP would not load now, as the last run found, while nothing it lacked has appeared; else None."""
    try:
        note = json.loads(store.index_note(CLIP_OFF) or "null")
    except ValueError:
        return None
    asked = (clip.model_id, getattr(clip, "cache_dir", None))
    if not isinstance(note, dict) or (note.get("model"), note.get("cache_dir")) != asked:
        return None
    if downloads_allowed() or note.get("installed") != (importlib.util.find_spec("open_clip") is not None):
        return None
    if any(os.path.exists(place) for place in note.get("places", [])):
        return None
    return str(note.get("reason", ""))


def settle_unchanged(indexer, todo: list[str]) -> bool:
    """True when every file of `todo` is indexed completely and unchanged with the models this run would use,
    told from the records and the models' ids, or likely to hold bytes the index holds (touched, moved, copied:
    `index_file` hashes them before it loads any model): the report's models (and the warning of a channel that
    stays off) are then set as loading them would set them, and nothing loads. False: the models must load."""
    from momentsearch.models.clip import looks_like_path

    models = {"text": indexer.text.model_id, "asr": indexer.asr.model_id}
    warnings = []
    if indexer.clip is not None:
        off = _clip_still_off(indexer.store, indexer.clip)
        pretrained = str(getattr(indexer.clip, "pretrained", ""))  # (a checkpoint path: checked it is there)
        if off is not None:
            warnings.append(f"visual channel off: {off}")
        elif looks_like_path(pretrained) and not os.path.isfile(os.path.expanduser(pretrained)):
            return False  # loading says which checkpoint is missing, and stops the run
        else:
            models["clip"] = indexer.clip.model_id
    if indexer.ocr is not None:
        models["ocr"] = indexer.ocr.model_id
    wanted = dict.fromkeys(("transcript", "ocr"), models["text"])
    wanted.update(dict.fromkeys(CLIP_COLLECTIONS, models["clip"]) if "clip" in models else {})
    indexer.store.check_models(wanted)  # an index of other models is refused as when they load
    before, indexer.report.models = indexer.report.models, models
    mode = indexer.config.captions.mode  # the sizes of the files indexed completely with these models, read once:
    sizes = functools.cache(lambda: {r.size for r in indexer.store.files()
                                     if r.complete and same_models(r, models, mode)})
    if any(indexer.needs_indexing(path, reindex=False) and not _same_bytes_likely(indexer, path, sizes)
           for path in todo):
        indexer.report.models = before
        return False
    indexer.report.warnings += warnings
    return True


def _same_bytes_likely(indexer, path: str, indexed_sizes) -> bool:
    """A file that needs indexing by its record yet whose bytes are likely indexed with these models: its record
    is complete, of its size, only its modified time changed (`touch`, a copy or sync that drops times); or it has
    no record and a file of its size is indexed (moved or copied there: a folder moved with its index).
    `index_file` hashes it before any model loads, and loads them only where the bytes are new."""
    try:
        size = os.stat(path).st_size
    except OSError:
        return False
    mode, models = indexer.config.captions.mode, indexer.report.models
    if (old := indexer.store.get_file(path)) is not None:
        return old.complete and old.size == size and same_models(old, models, mode) and not sidecar_changed(old, mode)
    return size in indexed_sizes()


def unchanged_note(indexer) -> list[str]:
    """made_by_note of the files this run found unchanged, as a report warning ([] when none differs)."""
    same = [indexer.store.get_file(f.path) for f in indexer.report.files if f.status == "unchanged"]
    note = made_by_note(same, options_fingerprint(indexer.config), "unchanged ", indexer.store.db_dir,
                        options_fingerprint(indexer.config, photo=True))
    return [note] if note else []
