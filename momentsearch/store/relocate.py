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
"""

from __future__ import annotations

import functools
import os
import shlex
import stat
from dataclasses import dataclass, replace
from pathlib import Path

from momentsearch.store.ids import content_hash, still_there
from momentsearch.types import FileRecord

INDEX_FOLDER_NOTE = "index_folder"  # the index note (Store.index_note) holding the folder's absolute path
MTIME_SLACK = 2.0  # seconds: FAT and exFAT keep modified times to 2 s, so a copy that keeps times may round them


@dataclass(frozen=True)
class Relocation:
    """Where an index was made (`old_db`) and where it is read (`new_db`), the top folders that stand for each
    other, and how many of the files missing at their indexed paths were `found` under the new top."""

    old_db: str
    new_db: str
    old_top: str
    new_top: str
    found: int = 0
    missing: int = 0

    def note(self) -> str:
        """What `info` says of it ("" when no indexed file was missing where it was indexed)."""
        if not self.missing:
            return ""
        said = (f"this index was made at {self.old_db} and is read at {self.new_db} (moved or copied with its "
                f"files): ")
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


def moved_tops(old_db: str, new_db: str) -> tuple[str, str]:
    """The old and the new top folder: `old_db` and `new_db` without the end they share (never the root)."""
    old, new = Path(old_db).parts, Path(new_db).parts
    shared = 0
    while shared < min(len(old), len(new)) - 1 and old[-1 - shared] == new[-1 - shared]:
        shared += 1
    return str(Path(*old[:len(old) - shared])), str(Path(*new[:len(new) - shared]))


def note_index_folder(store) -> None:
    """Notes where a local index folder is (its absolute path, links followed), for readers of a copy of it."""
    if store.db_dir is not None:
        store.set_index_note(INDEX_FOLDER_NOTE, os.path.realpath(store.db_dir))


def relocation_of(store) -> Relocation | None:
    """The Relocation of a local index read elsewhere than where `index` noted it; None when it was not moved,
    is not a local folder (a Chroma server), or holds no note (made before notes were kept)."""
    db = getattr(store, "db_dir", None)
    noted = store.index_note(INDEX_FOLDER_NOTE) if db is not None else ""
    if not noted:
        return None
    here = os.path.realpath(db)
    if here == noted:
        return None
    return Relocation(noted, here, *moved_tops(noted, here))


def relocated_files(store) -> tuple[list[FileRecord], Relocation | None]:
    """`store.files()`, each record whose file is missing where it was indexed naming the file found at its new
    place instead (see the module's docstring), and the Relocation (None when the index was not moved)."""
    records = store.files()
    moved = relocation_of(store)
    if moved is None:
        return records, None
    found = missing = 0
    out = []
    for rec in records:
        if _under(rec.path, moved.old_top) and not still_there(rec.path):
            missing += 1
            new = found_at(rec, os.path.join(moved.new_top, os.path.relpath(rec.path, moved.old_top)))
            found += new is not None
            rec = new or rec
        out.append(rec)
    return out, replace(moved, found=found, missing=missing)


def _under(path: str, top: str) -> bool:
    return path.startswith(os.path.join(top, ""))


def found_at(record: FileRecord, path: str) -> FileRecord | None:
    """`record` naming the file at `path` when that is the file indexed (a regular file of its size, with a
    modified time within MTIME_SLACK of its record's or the same content), else None. A symbolic link is not
    taken: records name files with links resolved, and the server plays none."""
    try:
        st = os.lstat(path)
    except OSError:
        return None
    if not stat.S_ISREG(st.st_mode) or st.st_size != record.size:
        return None
    if abs(st.st_mtime - record.mtime) > MTIME_SLACK and (
            _hash_of_state(path, st.st_size, st.st_mtime_ns, st.st_ino, st.st_dev) != record.video_id):
        return None
    return replace(record, path=path, mtime=st.st_mtime, device=st.st_dev, inode=st.st_ino)


@functools.lru_cache(maxsize=1024)
def _hash_of_state(path: str, size: int, mtime_ns: int, inode: int, device: int) -> str:
    """The content hash of the file at `path` in this state (a long-lived server reloads its records often)."""
    try:
        return content_hash(path)
    except OSError:
        return ""
