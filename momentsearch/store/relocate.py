"""An index read at another place than where it was made: a course folder with its index inside (`course/.index`)
copied to a USB stick or a share under another path, maybe renamed, maybe read-only. Its records name the files
where they were indexed, so every one was "missing" there, and the server played none.

`index` notes the index folder's absolute path (INDEX_FOLDER_NOTE). A reader that finds the folder elsewhere takes
the end the two paths share (`/home/anna/course/.index` and `/media/stick/Course Copy/.index` share `.index`) as
the part that moved: the rest are the old and the new top folders. A record whose file is missing is looked for at
the same place under the new top, and taken only where that is the file indexed: the same size, and a modified time
within MTIME_SLACK or the same content. Its record then names the new file (its path, modified time, device and
inode), so the server's checks of "only the file as indexed" hold for that very file. Nothing is written to the
index (it may be read-only); `index` at the new place records the files there (it takes them over, nothing redone).

Where the two paths share no end (the index folder renamed: `.index` is `course-index` on the stick), or the index
keeps no note (made before notes were kept), or a path was written on Windows (`C:\\Users\\anna\\course\\w1.mp4`),
the top folders are guessed from the missing files themselves: a file's name, then its folder and name, and so on,
under the index folder's parent and the folders above it (GUESSED_RECORDS files at most are guessed from, the rest
follow the tops found). The same rule takes a guessed file, so a wrong guess takes nothing. The content hashes of
files taken at a new place are kept in the search cache (ACCEPTED_FILE: the user's for a read-only index), by the
file's path, size, time and inode, so the next process does not read an hour of video again to take it.
"""

from __future__ import annotations

import functools
import json
import os
import shlex
import stat
from dataclasses import dataclass, replace
from pathlib import Path, PurePosixPath, PureWindowsPath

from momentsearch.file_modes import write_json
from momentsearch.store.ids import content_hash, still_there
from momentsearch.types import FileRecord

INDEX_FOLDER_NOTE = "index_folder"  # the index note (Store.index_note) holding the folder's absolute path
MTIME_SLACK = 2.0  # seconds: FAT and exFAT keep modified times to 2 s, so a copy that keeps times may round them
GUESSED_RECORDS = 20  # missing files whose new place is guessed from their names when no known top holds them
ACCEPTED_FILE = "relocated.json"  # in the search cache folder: {path: [size, mtime_ns, inode, device, hash]}


@dataclass(frozen=True)
class Relocation:
    """Where an index was made (`old_db`; "" when it keeps no note of it) and where it is read (`new_db`), the top
    folders that stand for each other, and how many of the files missing at their indexed paths were `found`
    under the new top."""

    old_db: str
    new_db: str
    old_top: str
    new_top: str
    found: int = 0
    missing: int = 0

    def note(self) -> str:
        """What `info` says of it ("" when no indexed file was missing where it was indexed, or, for an index that
        keeps no note of where it was made, none was found elsewhere)."""
        if not self.missing or not (self.old_db or self.found):
            return ""
        said = (f"this index was made at {self.old_db} and is read at {self.new_db} (moved or copied with its "
                f"files): " if self.old_db else
                f"this index is read at {self.new_db}, and its files were indexed under {self.old_top}: ")
        one = self.found == 1
        if self.found == self.missing:
            command = f"momentsearch index {shlex.quote(self.new_top)} --db {shlex.quote(self.new_db)}"
            return said + (f"{_files(self.found)} not at {self.old_top} any more {'was' if one else 'were'} found "
                           f"at {'its' if one else 'their'} new place under {self.new_top} and "
                           f"{'is' if one else 'are'} read there; where the index can be written, `{command}` "
                           f"records {'it' if one else 'them'} there, with nothing redone")
        return said + (f"{self.found} of the {_files(self.missing)} not at {self.old_top} any more "
                       f"{'was' if one else 'were'} found at {'its' if one else 'their'} new place under "
                       f"{self.new_top}; the rest are not there (or are not the files indexed)")


def _files(n: int) -> str:
    return f"{n} indexed file" + ("" if n == 1 else "s")


def _windows(path: str) -> bool:
    """Whether `path` was written on Windows (`C:\\course\\w1.mp4`, `\\\\server\\share\\w1.mp4`)."""
    return "\\" in path and not path.startswith("/") or path[1:3] in (":\\", ":/")


def _parts(path: str) -> tuple[str, ...]:
    """A path's parts, one written on Windows by its own rules."""
    return (PureWindowsPath if _windows(path) else PurePosixPath)(path).parts


def _joined(parts: tuple[str, ...]) -> str:
    """`_parts` joined again (a Windows path's with backslashes)."""
    windows = bool(parts) and ("\\" in parts[0] or parts[0][1:2] == ":")
    return str((PureWindowsPath if windows else PurePosixPath)(*parts))


def moved_tops(old_db: str, new_db: str) -> tuple[str, str]:
    """The old and the new top folder: `old_db` and `new_db` without the end they share (never the root)."""
    old, new = _parts(old_db), Path(new_db).parts
    shared = 0
    while shared < min(len(old), len(new)) - 1 and old[-1 - shared] == new[-1 - shared]:
        shared += 1
    return _joined(old[:len(old) - shared]), str(Path(*new[:len(new) - shared]))


def note_index_folder(store) -> None:
    """Notes where a local index folder is (its absolute path, links followed), for readers of a copy of it."""
    if store.db_dir is not None:
        store.set_index_note(INDEX_FOLDER_NOTE, os.path.realpath(store.db_dir))


def relocation_of(store) -> Relocation | None:
    """The Relocation of a local index read elsewhere than where `index` noted it (old_top "" where it holds no
    note: made before notes were kept); None when it was not moved, or is not a local folder (a Chroma server)."""
    db = getattr(store, "db_dir", None)
    if db is None:
        return None
    noted, here = store.index_note(INDEX_FOLDER_NOTE), os.path.realpath(db)
    if noted == here:
        return None
    return Relocation(noted, here, *moved_tops(noted, here)) if noted else Relocation("", here, "", "")


def relocated_files(store, cache_dir: str | None = None) -> tuple[list[FileRecord], Relocation | None]:
    """`store.files()`, each record whose file is missing where it was indexed naming the file found at its new
    place instead (see the module's docstring), and the Relocation (None when the index was not moved).
    `cache_dir`: the search cache folder, where the content hashes read to take a file are kept."""
    records = store.files()
    moved = relocation_of(store)
    if moved is None:
        return records, None
    tops = {(_parts(moved.old_top), moved.new_top): 0} if moved.old_top else {}  # -> how many files each took
    hashes = _KeptHashes(cache_dir)
    missing = 0
    out = []
    for rec in records:
        if not still_there(rec.path):
            missing += 1
            new, top = _look_for(rec, tops, moved.new_db, hashes, guess=missing <= GUESSED_RECORDS)
            if new is not None:
                tops[top] = tops.get(top, 0) + 1
            rec = new or rec
        out.append(rec)
    hashes.save()
    if not tops:
        return out, replace(moved, missing=missing)
    (old, new), _ = max(tops.items(), key=lambda item: item[1])  # the tops that took the most files: named
    return out, replace(moved, old_top=_joined(old), new_top=new, found=sum(tops.values()),
                        missing=missing)


def _look_for(record: FileRecord, tops: dict, new_db: str, hashes, guess: bool) -> tuple[FileRecord | None, tuple]:
    """The record at its place under one of `tops` ((old parts, new top) pairs), else (`guess`) at a place guessed
    from its path's end; and the tops that took it."""
    parts = _parts(record.path)
    for old, new in tops:
        if parts[:len(old)] == old and len(parts) > len(old):
            got = found_at(record, os.path.join(new, *parts[len(old):]), hashes)
            if got is not None:
                return got, (old, new)
    for depth in range(1, len(parts) if guess else 1):
        for base in Path(new_db).parents:
            place, top = os.path.join(base, *parts[-depth:]), (parts[:-depth], str(base))
            if top not in tops and os.path.lexists(place) and (got := found_at(record, place, hashes)) is not None:
                return got, top
    return None, ()


def found_at(record: FileRecord, path: str, hashes=None) -> FileRecord | None:
    """`record` naming the file at `path` when that is the file indexed (a regular file of its size, with a
    modified time within MTIME_SLACK of its record's or the same content), else None. A symbolic link is not
    taken: records name files with links resolved, and the server plays none. `hashes`: a _KeptHashes."""
    try:
        st = os.lstat(path)
    except OSError:
        return None
    if not stat.S_ISREG(st.st_mode) or st.st_size != record.size:
        return None
    if abs(st.st_mtime - record.mtime) > MTIME_SLACK:
        state = (path, st.st_size, st.st_mtime_ns, st.st_ino, st.st_dev)
        own = record.content_id or record.video_id  # a re-encoded copy's entries carry its original's id
        if (hashes.get(state) if hashes is not None else _hash_of_state(*state)) != own:
            return None
    return replace(record, path=path, mtime=st.st_mtime, device=st.st_dev, inode=st.st_ino)


@functools.lru_cache(maxsize=1024)
def _hash_of_state(path: str, size: int, mtime_ns: int, inode: int, device: int) -> str:
    """The content hash of the file at `path` in this state (a long-lived server reloads its records often)."""
    try:
        return content_hash(path)
    except OSError:
        return ""


class _KeptHashes:
    """Content hashes of files in a given state (path, size, mtime_ns, inode, device), kept in ACCEPTED_FILE under
    the search cache folder between processes: a copy that dropped the files' times is read whole once, not on
    every search. A state another file takes (replaced, touched) has another time or inode: it is read again."""

    def __init__(self, cache_dir: str | None):
        self.file = Path(cache_dir) / ACCEPTED_FILE if cache_dir else None
        self.kept: dict[str, list] | None = None
        self.new = False

    def get(self, state: tuple) -> str:
        if self.kept is None:
            self.kept = self._read()
        kept = self.kept.get(state[0])
        if isinstance(kept, list) and tuple(kept[:-1]) == state[1:]:
            return str(kept[-1])
        got = _hash_of_state(*state)
        if got:
            self.kept[state[0]], self.new = [*state[1:], got], True
        return got

    def _read(self) -> dict:
        try:
            kept = json.loads(self.file.read_text(encoding="utf-8", errors="surrogateescape")) if self.file else {}
        except (OSError, ValueError):
            return {}
        return kept if isinstance(kept, dict) else {}

    def save(self) -> None:
        """Writes the hashes read (nowhere where the cache folder cannot be written: a read-only stick's)."""
        if not self.new or self.file is None:
            return
        try:
            self.file.parent.mkdir(parents=True, exist_ok=True)
            write_json(self.file, self.kept)
        except (OSError, ValueError):
            pass  # (a full disk: no half-written file left behind)
