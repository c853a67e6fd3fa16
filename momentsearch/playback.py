"""A copy of a recording that a web player plays with the audio track the index transcribed.

Browsers play a file's first (or its default) audio track and offer no way to pick another. A screen
recorder (OBS) often writes the desktop's sound on track 1 and the microphone on track 2; the index reads
the track with the most speech (`pipeline.decode.pick_audio_track`), but the web page played the music.
For such a file, `playable_copy` writes a copy by stream copy (no re-encode: about as fast as the disk
reads) holding the picture, then the speech track, marked default, then the other audio tracks, not
default. Every packet keeps its own time, so the copy keeps the file's clock (`time_origin`) and an index
time shows the same moment in both. It is made once, into a folder of the index's cache, and named by the
file's identity (video id, size, modification time, device and inode): a file edited or replaced and
indexed again gets a new copy, and the old one is removed then; `prune` and `remove` drop the copies of
the videos they take out (`drop_copies`, through momentsearch/leftovers.py), and unfinished copies a
killed server left. A file that plays its speech track as it is (one audio track, or the speech track
already first and default) gets an empty marker instead, so the choice, which listens to the tracks, is
made once too.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
import time
from pathlib import Path

from momentsearch.clips import copied_stream, damaged_sound
from momentsearch.errors import BadInputError, DiskFullError, IndexWriteError
from momentsearch.file_modes import as_umask_allows
from momentsearch.media import picture_stream
from momentsearch.types import FileRecord

# the copy's container, by the file's suffix: the one it came in, so the browser reads it as it read the file
COPY_FORMATS = {".mp4": "mp4", ".m4v": "mp4", ".m4a": "mp4", ".mov": "mov", ".webm": "webm", ".mkv": "matroska",
                ".mka": "matroska"}
AS_IS_SUFFIX = ".as-is"  # an empty marker: this file plays its speech track as it is, no copy needed
STALE_PART_SECONDS = 3600.0  # an unfinished copy (.part) untouched this long was left by a killed process


def copy_key(record: FileRecord) -> str:
    """The name a file's copy (or marker) has: its video id, then a digest of its size, modification time,
    device and inode, so a changed file never finds the copy of what it was."""
    identity = f"{record.size}:{record.mtime!r}:{record.device}:{record.inode}"
    return f"{record.video_id}-{hashlib.sha1(identity.encode()).hexdigest()[:12]}"


def copy_suffix(record: FileRecord) -> str:
    """The copy's suffix: the file's own where COPY_FORMATS has it, else Matroska (.mkv, .mka without a picture)."""
    suffix = Path(record.path).suffix.lower()
    return suffix if suffix in COPY_FORMATS else (".mka" if record.kind == "audio" else ".mkv")


def playable_copy(source, record: FileRecord, folder: str | os.PathLike, live_ids=None) -> Path | None:
    """The copy of `record`'s file with its speech track first (made now, or found in `folder`), or None
    when the file plays its speech track as it is. `source` is the file: a path, or a binary file object
    (the server's checked descriptor; read only when nothing is cached yet). Making a copy also removes the
    copies and markers in `folder` of this video's older versions and, when `live_ids` is given (a function
    that returns the indexed video ids, asked only then), of videos no longer indexed, and unfinished copies
    a killed process left (`drop_copies`). BadInputError when
    the file cannot be read or copied; IndexWriteError (DiskFullError) when `folder` cannot be written. A
    failed copy leaves no file behind."""
    import av

    folder, key = Path(folder), copy_key(record)
    out, marker = folder / (key + copy_suffix(record)), folder / (key + AS_IS_SUFFIX)
    if out.is_file():
        return out
    if marker.exists():
        return None
    is_path = isinstance(source, (str, os.PathLike))
    try:
        with av.open(os.fspath(source) if is_path else source) as src:
            speech = _speech_track_to_lead(src)
            if speech is None:
                _keep_marker(marker)
                return None
            _make_folder(folder)
            _write(lambda: _copy_to(src, speech, out))
    except av.error.FFmpegError as exc:
        raise BadInputError(record.path, f"cannot copy it with its speech track first: {exc}") from exc
    drop_copies(folder, live_ids() if live_ids else None, record.video_id, key)
    return out


def _speech_track_to_lead(src):
    """The audio stream a player must play first, when it is not the one a player plays now; else None."""
    from momentsearch.pipeline.decode import pick_audio_track

    audio = list(src.streams.audio)
    if len(audio) < 2:
        return None
    chosen = audio[pick_audio_track(src).index]
    default = [s for s in audio if _is_default(s)]
    if chosen is audio[0] and (not default or default == [chosen]):
        return None
    return chosen


def _is_default(stream) -> bool:
    import av

    return bool(stream.disposition & av.stream.Disposition.default)


def _copy_to(src, speech, out: Path) -> None:
    """Writes the picture stream and every audio stream of `src` into `out`, `speech` first of the audio
    and the only default one, packets as they are (their times too), through a temporary file renamed
    into place."""
    import av

    picture = picture_stream(src)
    streams = [s for s in src.streams if s.type == "audio" or (picture is not None and s.index == picture.index)]
    streams.sort(key=lambda s: (s.type != "video", s is not speech))  # stable: the others keep their order
    fd, tmp = tempfile.mkstemp(prefix=f".{out.name}.", suffix=".part", dir=out.parent)
    os.close(fd)
    try:
        src.seek(0)
        with av.open(tmp, mode="w", format=COPY_FORMATS.get(out.suffix, "matroska")) as dst:
            outs = {s.index: copied_stream(dst, s) for s in streams}
            for s in streams:
                if s.type == "audio":
                    outs[s.index].disposition = av.stream.Disposition.default if s is speech else 0
            for packet in src.demux(streams):
                if packet.pts is None or damaged_sound(packet):
                    continue  # a flush packet, or sound an interrupted recording cut short
                packet.stream = outs[packet.stream.index]
                dst.mux(packet)
        as_umask_allows(tmp)  # not mkstemp's 0600: a server run by another user of the index plays it too
        os.replace(tmp, out)
    finally:
        Path(tmp).unlink(missing_ok=True)


def _keep_marker(marker: Path) -> None:
    """Notes that a file plays as it is, so the choice is not made again; where the folder cannot be written
    (a read-only index) it is made again next time, and that is all: the file needs no copy."""
    try:
        marker.parent.mkdir(parents=True, exist_ok=True)
        marker.touch()
    except OSError:
        pass


def _make_folder(folder: Path) -> None:
    _write(lambda: folder.mkdir(parents=True, exist_ok=True))


def _write(step) -> None:
    """Runs a step that writes to the cache folder; an OSError becomes IndexWriteError (DiskFullError).
    FFmpeg's errors (some of which are OSErrors too) pass on as they are."""
    import errno

    import av

    try:
        step()
    except av.error.FFmpegError:
        raise
    except OSError as exc:
        kind = DiskFullError if exc.errno == errno.ENOSPC else IndexWriteError
        raise kind(f"cannot write the player's copy into {exc.filename or 'the cache folder'}: "
                   f"{exc.strerror or exc}") from exc


def drop_copies(folder: str | os.PathLike, live_ids=None, video_id: str = "", key: str = "") -> None:
    """Removes from the copies folder `folder` what no player will be given: the copies and markers of
    videos not in `live_ids` (the indexed video ids; None: not checked), those of `video_id` other than
    `key` (its older versions), and unfinished copies (`.part`) that a killed process left: untouched for
    STALE_PART_SECONDS (one being written now grows all the time, so it is kept). A file that cannot be
    removed stays (a copy nobody asks for costs disk only)."""
    try:
        entries = list(Path(folder).iterdir())
    except OSError:  # no folder yet (nothing was ever copied)
        return
    now = time.time()
    for path in entries:
        if path.name.startswith("."):  # a copy being written (another thread's or process's), or a dead one's
            stale = path.name.endswith(".part") and now - _mtime(path, now) > STALE_PART_SECONDS
        else:
            vid = path.name.split("-", 1)[0]
            stale = (vid == video_id and not path.name.startswith(key + ".")) or (
                live_ids is not None and vid not in live_ids)
        if stale:
            try:
                path.unlink(missing_ok=True)
            except OSError:
                pass


def _mtime(path: Path, default: float) -> float:
    try:
        return path.stat().st_mtime
    except OSError:  # renamed into place or removed meanwhile
        return default
