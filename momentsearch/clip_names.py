"""What a clip is called and which container it goes into: by its suffix (`CLIP_SUFFIXES`), and for a clip
momentsearch names itself (`search --export-clips`, the page's download), a name any file system takes."""

from __future__ import annotations

import os
import re
import unicodedata
from pathlib import Path

AUDIO_SUFFIXES = {".m4a": "ipod", ".mp3": "mp3", ".wav": "wav", ".flac": "flac", ".ogg": "ogg", ".opus": "ogg"}
CLIP_SUFFIXES = {".mp4": "mp4", ".m4v": "mp4", ".mov": "mov", ".mkv": "matroska", ".webm": "webm", **AUDIO_SUFFIXES}
NAME_BYTES = 255  # the longest file name most file systems take (ext4, APFS, NTFS: 255 bytes or characters)
WINDOWS_REFUSES = re.compile(r'[<>:"/\\|?*\x00-\x1f]')  # characters no file name may hold on Windows (NTFS, FAT)
INVISIBLE = frozenset({"Cc", "Cf", "Zl", "Zp"})  # Unicode categories that show nothing of themselves (controls,
# format characters: a right-to-left override makes "lecture\u202egnp.srt" show as "lecturetrs.png")


def visible_name(name: str) -> str:
    """`name` with "_" for each invisible character (`INVISIBLE`): a name given to a downloaded or exported file
    shows what it is in a file manager."""
    return "".join("_" if unicodedata.category(c) in INVISIBLE else c for c in name)


def clip_file_name(source: str | os.PathLike, start: float, end: float, prefix: str = "") -> str:
    """A clip's file name: PREFIXNAME-START-END.EXT, NAME the source's name shortened (at a whole character)
    so the whole stays within NAME_BYTES, with "_" for each character Windows refuses in a name
    (`WINDOWS_REFUSES`: clips are copied to other machines) and each invisible one (`visible_name`); EXT the
    source's where it can be copied into, else .mkv. A name of this process's file system (os.fsdecode of the UTF-8
    bytes): show it with shown_path."""
    from momentsearch.types import shown_path

    src = Path(source)
    tail = f"-{start:.0f}-{end:.0f}{src.suffix.lower() if src.suffix.lower() in CLIP_SUFFIXES else '.mkv'}"
    # as the file system's encoding names those bytes: under `LC_ALL=C PYTHONUTF8=0` the text itself cannot be written
    return os.fsdecode(saved_name(shown_path(src.stem), tail, prefix).encode())


def saved_name(stem: str, tail: str, prefix: str = "") -> str:
    """PREFIXSTEMTAIL, a name momentsearch gives a file it makes (a clip, the page's subtitle download `STEM.srt`):
    "_" for each character Windows refuses (`WINDOWS_REFUSES`) and each invisible one (`visible_name`) in `stem`,
    which is shortened (at a whole character) so the whole stays within NAME_BYTES."""
    room = NAME_BYTES - len((prefix + tail).encode())
    stem = visible_name(WINDOWS_REFUSES.sub("_", stem))
    return prefix + stem.encode()[:room].decode("utf-8", "ignore") + tail  # a cut character is dropped


def part_name(out: str | os.PathLike) -> Path:
    """The hidden file that `out` is written into before it is renamed to it: `.NAME.part` beside it, NAME
    shortened (at a whole character) where the whole would pass NAME_BYTES, so an output whose own name is
    near the limit (a clip named after a long lecture name) can still be written."""
    out = Path(out)
    raw, room = os.fsencode(out.name), NAME_BYTES - len(b"..part")  # (the file system's bytes: any locale's name)
    if len(raw) > room:
        raw = raw[:room].decode("utf-8", "ignore").encode()  # a cut character is dropped
    return out.with_name(f".{os.fsdecode(raw)}.part")


def part_file(out: Path) -> Path:
    """The hidden file a clip is written into before it is renamed to `out`, made now: FFmpeg opens it only at
    the first packet, with an error that names no file, so a folder that cannot be written was reported as the
    source video that "cannot cut a clip: Permission denied". An OSError names `out` instead."""
    tmp = part_name(out)
    try:
        tmp.touch()
    except OSError as exc:
        raise OSError(exc.errno, exc.strerror, os.fspath(out)) from exc
    return tmp
