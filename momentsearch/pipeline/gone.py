"""Indexed files that are no longer where their records say: moved or renamed (the same content indexed at
another path), or gone. `index` of a folder notes them; it never prunes (an unmounted drive looks the same)."""

from __future__ import annotations

import os

from momentsearch.store.ids import absolute_path, still_there


def gone_notes(store, paths: list[str]) -> list[str]:
    """The indexed files under the folders in `paths` that no longer exist: the records of those whose
    content is indexed at a path that does exist (renamed or moved: the entries stay, shared) are taken
    out, with a note; a warning names the rest, which search still returns until `momentsearch prune`
    (which this does not do for the user: an unmounted drive looks the same)."""
    # resolved as the records' paths are: a folder given through a link (~/lectures -> /mnt/nas/...) too
    folders = [os.path.join(absolute_path(p), "") for p in paths if os.path.isdir(p)]
    if not folders:
        return []
    notes = []
    gone = sorted(rec.path for rec in store.files()
                  if any(rec.path.startswith(f) for f in folders) and not still_there(rec.path))
    kept = {path: found for path in gone if (found := kept_copy(store, path))}
    moved = {path: new for path, (new, same) in kept.items() if same}
    if moved:
        shown = "; ".join(f"{old} -> {new}" for old, new in list(moved.items())[:3])
        notes.append(f"renamed, moved or kept as a copy ({shown}{'; ...' if len(moved) > 3 else ''}"
                     "): the same content is indexed at the other path, so the old path was "
                     f"taken out of the index{'' if len(moved) == 1 else f' ({len(moved)} files)'}")
    if encodings := {path: new for path, (new, same) in kept.items() if not same}:
        shown = "; ".join(f"{old} -> {new}" for old, new in list(encodings.items())[:3])
        notes.append(f"gone, another encoding of {'it' if len(encodings) == 1 else 'each'} kept ({shown}"
                     f"{'; ...' if len(encodings) > 3 else ''}): search finds the recording's moments in that file, "
                     f"so the old path was taken out of the index"
                     f"{'' if len(encodings) == 1 else f' ({len(encodings)} files)'}")
    gone = [path for path in gone if path not in kept]
    if gone:
        names = ", ".join(os.path.basename(p) for p in gone[:3]) + (", ..." if len(gone) > 3 else "")
        notes.append(f"{len(gone)} indexed file{'s' if len(gone) > 1 else ''} in this folder "
                     f"no longer exist{'s' if len(gone) == 1 else ''} ({names}): search still "
                     "finds what of them was indexed whole; `momentsearch prune` removes "
                     f"{'it' if len(gone) == 1 else 'them'}")
    return notes


def kept_copy(store, path: str) -> tuple[str, bool] | None:
    """Drops the record of `path` (not on disk) when a complete record of an existing file holds its
    content, and returns that file's path and whether it holds these very bytes (else it is another encoding of
    the recording sharing its entries: pipeline/reencoded.py; one of the same bytes is taken first). Its words are
    found under that file (the entries stay: its record shares them). None, keeping the record, otherwise."""
    rec = store.get_file(path)
    if rec is None:
        return None
    own = rec.content_id or rec.video_id
    here = sorted(((c.content_id or c.video_id) != own, c.path) for c in store.copies_of(rec.video_id, path)
                  if c.complete and os.path.isfile(c.path))
    if not here:
        return None
    store.delete_file(path)
    return here[0][1], not here[0][0]
