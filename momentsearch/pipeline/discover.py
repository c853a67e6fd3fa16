"""Finding the files to index: folders walked recursively, media recognised by extension."""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

VIDEO_EXTENSIONS = frozenset(".mp4 .m4v .mov .mkv .webm .avi .mpg .mpeg .ts .flv .wmv .ogv .3gp".split())
AUDIO_EXTENSIONS = frozenset(".mp3 .wav .m4a .aac .flac .ogg .opus".split())
IMAGE_EXTENSIONS = frozenset(".jpg .jpeg .png .webp .bmp .gif .tif .tiff".split())
MEDIA_EXTENSIONS = VIDEO_EXTENSIONS | AUDIO_EXTENSIONS | IMAGE_EXTENSIONS


@dataclass
class Found:
    """A path the walk met: `reason` is empty for a file to index, else why it is skipped."""

    path: str
    reason: str = ""
    failed: bool = False  # True when media may be missed (unreadable folder, a named path not found)


def discover(paths: list[str]) -> list[Found]:
    """Media files under `paths` (files or folders, recursive), sorted, each once.

    Unreadable folders, symlink loops and files that are not media are reported with a reason.
    Files named directly are taken whatever their extension (probing decides).
    """
    out: dict[str, Found] = {}
    for raw in paths:
        # absolute (symlinks kept as named): the index, the API, the CLI and the server then all show one
        # path for a file, whatever folder the command ran in
        p = Path(os.path.abspath(raw))
        if p.is_dir():
            _walk(p, out)
        elif p.exists():
            out.setdefault(str(p), Found(str(p)))
        else:
            # a name without a media extension was most likely meant as a folder
            what = "file" if p.suffix.lower() in MEDIA_EXTENSIONS else "folder"
            out.setdefault(str(p), Found(str(p), f"{what} not found", failed=True))
    return [out[k] for k in sorted(out)]


def _walk(root: Path, out: dict[str, Found]) -> None:
    seen: set[tuple[int, int]] = set()

    def on_error(err: OSError) -> None:
        out.setdefault(str(err.filename), Found(str(err.filename), f"cannot read folder: {err.strerror}",
                                                failed=True))

    for dirpath, dirnames, filenames in os.walk(root, onerror=on_error, followlinks=True):
        try:
            st = os.stat(dirpath)
        except OSError:
            continue
        key = (st.st_dev, st.st_ino)
        if key in seen:  # a symlink loop brought us back here
            out.setdefault(dirpath, Found(dirpath, "symlink loop: folder already visited"))
            dirnames[:] = []
            continue
        seen.add(key)
        dirnames.sort()
        for name in sorted(filenames):
            full = os.path.join(dirpath, name)
            if Path(name).suffix.lower() in MEDIA_EXTENSIONS:
                out.setdefault(full, Found(full))
            elif not name.startswith("."):
                out.setdefault(full, Found(full, "not a media file (unknown extension)"))


def content_hash(path: str, chunk: int = 1 << 20) -> str:
    """First 16 hex digits of blake2b over the file's bytes: the id of its content."""
    h = hashlib.blake2b(digest_size=8)
    with open(path, "rb") as f:
        while block := f.read(chunk):
            h.update(block)
    return h.hexdigest()
