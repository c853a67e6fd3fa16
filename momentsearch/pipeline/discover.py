"""Finding the files to index: folders walked recursively, media recognised by extension."""

from __future__ import annotations

import functools
import os
import re
import stat
from dataclasses import dataclass
from pathlib import Path

from momentsearch.errors import QueryError
from momentsearch.media import HEIF_REASON
from momentsearch.model_ids import model_ids_match
from momentsearch.pipeline.arriving import arriving_reason
from momentsearch.pipeline.captions import SIDECAR_SUFFIXES, caption_tag
from momentsearch.pipeline.deck_pdf import deck_file_reason
from momentsearch.pipeline.made_with import models_that_matter
from momentsearch.pipeline.media_names import (AUDIO_EXTENSIONS, IMAGE_EXTENSIONS, MEDIA_EXTENSIONS,
                                               VIDEO_EXTENSIONS)
from momentsearch.store.ids import content_hash
from momentsearch.types import (DECK_NOT_READ, DECK_READ, DECK_SECOND, DECK_UNUSED, NOT_MEDIA, FileResult, IndexReport,
                                unshown_path)

IMAGE_MAGIC = (b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff", b"GIF87a", b"GIF89a", b"BM", b"II*\x00", b"MM\x00*")  # + WebP
# slide decks and PDFs: only a PDF beside a video of its name is read, as that video's deck (pipeline/deck_pdf.py);
# FFmpeg probes a PDF of JPEG pages (Pillow's, a scanner's) as an MJPEG "video" of 0:00, so a named one is not probed
DECK_EXTENSIONS = frozenset(".pdf .ppt .pptx .pptm .pps .ppsx .key .odp".split())
DECK_REASONS = (DECK_NOT_READ, DECK_READ, DECK_UNUSED, DECK_SECOND)  # how every reason a deck is skipped with begins
PDF_MAGIC = b"%PDF-"
HEIF_EXTENSIONS = frozenset(".heic .heif".split())  # an iPhone's photos: Pillow has no decoder for them
AVIF_REASON = ("an AVIF photo: the installed Pillow cannot decode it (it was built without AVIF); upgrade "
               "Pillow (pip install -U pillow: recent wheels read AVIF), or convert it to JPEG")


def is_photo(path: str | os.PathLike) -> bool:
    """Whether a file is indexed as a photo: an image's extension, or, named without one ("scan", "x.dat"),
    an image's first bytes (PNG, JPEG, GIF, BMP, TIFF, WebP). FFmpeg reads a PNG too, but as a video of one
    frame at 0:00, without its EXIF rotation or the white behind its transparency."""
    suffix = Path(path).suffix.lower()
    if suffix in IMAGE_EXTENSIONS:
        return True
    if suffix in VIDEO_EXTENSIONS or suffix in AUDIO_EXTENSIONS:
        return False
    try:
        with open(path, "rb") as f:
            head = f.read(12)
    except OSError:
        return False
    return head.startswith(IMAGE_MAGIC) or (head[:4] == b"RIFF" and head[8:12] == b"WEBP")


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
            out.setdefault(str(p), _file(str(p)))
        else:
            # a name without a media extension was most likely meant as a folder
            what = "file" if p.suffix.lower() in MEDIA_EXTENSIONS else "folder"
            out.setdefault(str(p), Found(str(p), f"{what} not found", failed=True))
    return [out[k] for k in sorted(out)]


def given_paths(paths) -> list[str]:
    """The paths an index run was given, as strings: one path (a str or os.PathLike, not its characters: "/"
    among them would be the disk) or an iterable of them. QueryError for None or an empty path, which
    `os.path.abspath` makes the working folder: `index "$DIR"` with DIR unset indexed all of it. A path that is
    not there as typed but is as --json writes it (types.unshown_path: \\xNN for a byte that is no UTF-8) is that."""
    if paths is None:
        raise QueryError("give the files or folders to index (got None)")
    one = (str, bytes, os.PathLike)  # bytes as os.listdir(b".") gives them: decoded as the file system names them
    try:
        paths = [paths] if isinstance(paths, one) else list(paths)
    except TypeError:
        raise QueryError("give the files or folders to index as a path or a list of paths, "
                         f"not {paths!r:.60}") from None
    if bad := [p for p in paths if p is not None and not isinstance(p, one)]:
        raise QueryError(f"a path to index is a str, bytes or os.PathLike, not {type(bad[0]).__name__} "
                         f"({bad[0]!r:.60})")
    if any(p is None or not os.fsdecode(p).strip() for p in paths):
        raise QueryError("an empty path to index (an unset variable?); name a file or folder, `.` for this one")
    return [_as_typed_or_shown(os.fsdecode(p)) for p in paths]


def _as_typed_or_shown(path):
    if isinstance(path, bytes) or os.path.lexists(path):
        return path
    unshown = unshown_path(path)
    return unshown if unshown != path and os.path.lexists(unshown) else path


def other_models_note(records, models: dict[str, str], captions: str = "auto") -> list[str]:
    """A warning naming what makes complete files of the index (`records`, FileRecords or None) be indexed again
    whole: they were made with other models than this run's (`models`, as FileRecord.models), e.g. another
    `--asr`, and the flags that keep them; [] when none was (a photo, or a video transcribed from its captions
    (mode `captions`), made with another `--asr` alone is none). Without it a re-run looked like a fresh start
    for no reason."""
    def differ(r) -> set[str]:
        was, now = models_that_matter(r, r.models, captions), models_that_matter(r, models, captions)
        return {k for k in set(was) | set(now) if not model_ids_match(was.get(k), now.get(k))}

    changed = [r for r in records if r is not None and r.complete and r.models and differ(r)]
    if not changed:
        return []
    kinds = sorted(set().union(*map(differ, changed)))
    first = {k: next(r for r in changed if k in differ(r)) for k in kinds}
    was = ", ".join(f"{k} {first[k].models.get(k) or 'none'} -> {models.get(k) or 'none'}" for k in kinds)
    flags = "; ".join(_KEEP_FLAGS.get(k, (k, k))[k in first[k].models] for k in kinds)
    many = len(changed) > 1
    them, were = ("them", "they were") if many else ("it", "it was")
    return [(f"{len(changed)} file{'s' * many} indexed before with other models ({was}): indexed again whole; to keep "
             f"{them}, index with the models {were} made with ({flags})")]


# what a run names to use a model (second) or to go without it (first), by FileRecord.models key
_KEEP_FLAGS = {"asr": ("speech: --asr", "speech: --asr"),
               "ocr": ("slide text: --no-ocr", "slide text: without --no-ocr (models.ocr = true)"),
               "clip": ("pictures: without CLIP weights", "pictures: --clip-model, --clip-pretrained"),
               "text": ("text: --text-model", "text: --text-model")}


NOTHING_THERE = "nothing to index: none of the paths given exists (check the spelling); the index was not touched"


def only_missing(paths: list[str]) -> IndexReport | None:
    """The report of a batch none of whose `paths` exists (a typo): each path failed as `file not found` or
    `folder not found`, as in any batch, and a warning that nothing was done, so the caller can return it
    without creating or writing an index. None when a path exists, even an empty folder (then the index
    is made, with nothing in it yet), or when `paths` is empty."""
    if not paths or any(os.path.exists(os.path.abspath(p)) for p in paths):  # as `discover` sees them ("": here)
        return None
    return IndexReport(files=[FileResult(f.path, "failed", f.reason) for f in discover(paths)],
                       warnings=[NOTHING_THERE])


_CHROMA_SEGMENT = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")  # a collection's files
# beside Chroma's files in an index folder: the search cache and resume state (search/cache.CACHE_DIRNAME,
# pipeline/partial.PARTIAL_DIRNAME; named here, as importing those loads their models' libraries)
INDEX_INTERNALS = frozenset(("momentsearch-cache", "momentsearch-partial"))
SYSTEM_FOLDERS = frozenset(("@eaDir", "__MACOSX", "$RECYCLE.BIN", "System Volume Information"))
INDEX_FOLDER = "a search index (a Chroma database), not media: not walked"


def _is_index(folder: str) -> bool:
    """Whether `folder` holds a Chroma database (every momentsearch index does: chroma.sqlite3)."""
    return os.path.isfile(os.path.join(folder, "chroma.sqlite3"))


def _holds_its_link(dirpath: str, root: str) -> bool:
    """Whether `dirpath` (under `root`, reached through a link) is a folder that holds the link itself: the
    link's own folder or one above it (`up -> ..`, `home -> ~`), so walking it leaves the folder named."""
    if dirpath == root:
        return False
    real, above = os.path.realpath(dirpath), os.path.realpath(os.path.dirname(dirpath))
    return above == real or above.startswith(real.rstrip(os.sep) + os.sep)


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
        if key in seen or _holds_its_link(dirpath, str(root)):  # a symlink loop brought us back here, or would:
            # a link to a folder above (`up -> ..`) walked all of that folder, files outside the one named
            out.setdefault(dirpath, Found(dirpath, "symlink loop: folder already visited"))
            dirnames[:] = []
            continue
        seen.add(key)
        index_here = _is_index(dirpath)
        if index_here and dirpath != str(root):  # `index .` with the default ./momentsearch-db (a folder
            # named directly is walked: `index . --db .` keeps its index beside the recordings)
            out.setdefault(dirpath, Found(dirpath, INDEX_FOLDER))
            dirnames[:] = []
            continue
        # hidden folders (.git, .cache, .Trash) are left out as hidden files are, and so are the folders systems
        # write beside a user's files (a NAS's thumbnails of every video, a Mac zip's resource forks); named
        # directly, one is walked
        dirnames[:] = sorted(d for d in dirnames if not d.startswith(".") and d not in SYSTEM_FOLDERS)
        for deck in [d for d in dirnames if Path(d).suffix.lower() in DECK_EXTENSIONS]:  # a Keynote package
            # (a folder that the Mac shows as one file): its previews and pictures are no photos of the user's
            out.setdefault(os.path.join(dirpath, deck), Found(os.path.join(dirpath, deck), DECK_NOT_READ))
            dirnames.remove(deck)
        if index_here:  # the index kept in the folder named: its own files and folders are not the user's
            dirnames[:] = [d for d in dirnames if not (_CHROMA_SEGMENT.fullmatch(d) or d in INDEX_INTERNALS)]
            filenames = [n for n in filenames if n != "chroma.sqlite3"]
        media = [Path(n) for n in filenames if _media_suffix(n) in MEDIA_EXTENSIONS]  # (one folder: names)
        for name in sorted(filenames):
            full = os.path.join(dirpath, name)
            if arriving := arriving_reason(name, MEDIA_EXTENSIONS):  # lecture.mp4.part: not "not media", nor unsaid
                out.setdefault(full, Found(full, arriving))
            elif name.startswith("."):  # hidden files are left out, media names too: a Mac's `._lecture.mp4` (its
                continue  # AppleDouble metadata on a USB disk or share) failed every run as no media FFmpeg reads
            elif _media_suffix(name) in MEDIA_EXTENSIONS or Path(name).suffix.lower() in HEIF_EXTENSIONS:
                out.setdefault(full, _file(full))
            elif Path(name).suffix.lower() in SIDECAR_SUFFIXES:  # talk.srt: the captions of talk.mp4
                owned = any(caption_tag(m, Path(name)) is not None for m in media)
                out.setdefault(full, Found(full, CAPTIONS_READ if owned else CAPTIONS_ALONE))
            else:
                deck = Path(name).suffix.lower() in DECK_EXTENSIONS  # lecture.pdf of lecture.mp4 is read with it
                reason = deck_file_reason(full, [str(m) for m in media]) if deck else NOT_MEDIA
                out.setdefault(full, Found(full, reason))


def _media_suffix(name: str) -> str:
    """A file name's extension as a folder walk tells media by: "talk.mp4 " (a space after it: a copy from a Mac,
    a script's unquoted name) was skipped as not media, while `index "talk.mp4 "` indexed it (FFmpeg reads it
    by its bytes); the walk takes it too."""
    return Path(name).suffix.lower().rstrip()


CAPTIONS_READ = "subtitles: read as the captions of the video of the same name"
# a week4.srt left when week4.mp4 was deleted (or named unlike any video) was counted among the captions read
CAPTIONS_ALONE = "subtitles with no video of the same name beside them: not read"


def caption_files_used(results: list[FileResult], record_of, mode: str) -> None:
    """Puts right, once a batch is done, the reason of each caption file discovery took as read (CAPTIONS_READ)
    that its video did not use: its speech came from ASR (`--captions ignore`, or captions too short to trust,
    which the video's row says), or from another caption file of it (talk.srt before talk.en.vtt). The summary
    counted lecture.srt among the captions read under a row saying `captions (sidecar lecture.srt) not used`.
    `record_of(path)`: a file's FileRecord or None. A video that failed keeps its caption file as read (a
    broken caption file fails its video, whose row says so)."""
    owners: dict[str, list[FileResult]] = {}
    for r in results:
        if r.status in ("indexed", "unchanged"):
            owners.setdefault(os.path.dirname(os.path.realpath(r.path)), []).append(r)
    for r in results:
        if r.reason != CAPTIONS_READ:
            continue
        here = os.path.realpath(r.path)
        mine = [v for v in owners.get(os.path.dirname(here), []) if caption_tag(Path(v.path), Path(here)) is not None]
        sources = [((rec.sources.get("transcript") or "") if (rec := record_of(v.path)) else "", v) for v in mine]
        if not sources or any(src == f"captions: sidecar {Path(here).name}" for src, _ in sources):
            continue
        source, video = sources[0]
        ignored = " (--captions ignore)" if mode == "ignore" else ""
        r.reason = f"subtitles: not used{ignored}: the speech of {Path(video.path).name} came from {source or 'ASR'}"


def decks_indexed_before(results: list[FileResult], record_of, db) -> list[str]:
    """A warning naming the slide decks of `results` (skipped as decks: DECK_REASONS) that the index holds all the
    same: a PDF of JPEG pages named to `index` before 7 Dec was probed as an MJPEG video of 0:00 and kept as one; []
    if none. `record_of(path)`: its FileRecord or None; `db`: the index's folder (None: not named), for the command
    that takes them out."""
    held = [r.path for r in results if r.reason.startswith(DECK_REASONS) and record_of(r.path) is not None]
    if not held:
        return []
    import shlex

    many = len(held) > 1
    named = " ".join(shlex.quote(p) for p in held[:3]) + (" ..." if len(held) > 3 else "")
    return [f"{len(held)} slide deck{'s' * many} not read now, but indexed as {'videos' if many else 'a video'} of "
            f"0:00 by an earlier version ({', '.join(Path(p).name for p in held[:3])}): still in the index; "
            f"momentsearch remove {named}{f' --db {shlex.quote(os.fspath(db))}' if db else ''} takes "
            f"{'them' if many else 'it'} out"]


_CONTAINER_TYPES = {  # FFmpeg demuxer name -> (type with video, type of audio only)
    "mov,mp4,m4a,3gp,3g2,mj2": ("video/mp4", "audio/mp4"), "matroska,webm": ("video/webm", "audio/webm"),
    "ogg": ("video/ogg", "audio/ogg"), "avi": ("video/x-msvideo", "audio/x-msvideo"),
    "mpegts": ("video/mp2t", "audio/mp2t"), "mpeg": ("video/mpeg", "audio/mpeg"), "flv": ("video/x-flv", "audio/x-flv"),
    "asf": ("video/x-ms-asf", "audio/x-ms-asf"), "wav": ("video/wav", "audio/wav"), "mp3": ("audio/mpeg", "audio/mpeg"),
    "flac": ("audio/flac", "audio/flac"), "aac": ("audio/aac", "audio/aac"),
}


def container_mime(format_name: str, has_video: bool, suffix: str = "") -> str:
    """The media type a probed file is served as: always audio/* or video/*, never from the name
    alone (a `talk.html` that FFmpeg reads as mp4 is video/mp4)."""
    video, audio = _CONTAINER_TYPES.get(format_name, ("video/octet-stream", "audio/octet-stream"))
    if format_name == "matroska,webm" and suffix.lower() != ".webm":
        video, audio = "video/x-matroska", "audio/x-matroska"
    if format_name.startswith("mov,") and suffix.lower() in (".mov", ".qt") and has_video:
        video = "video/quicktime"
    return video if has_video else audio


def not_regular_reason(st: os.stat_result) -> str:
    """Why a path that is not a regular file is skipped (reading a FIFO would block for ever)."""
    mode = st.st_mode
    what = ("a named pipe (FIFO)" if stat.S_ISFIFO(mode) else "a socket" if stat.S_ISSOCK(mode)
            else "a device" if stat.S_ISCHR(mode) or stat.S_ISBLK(mode) else "not a regular file")
    return f"not a regular file: {what}; skipped without opening it"


def _file(path: str) -> Found:
    """A media path as found: skipped, with the reason, when it is not a regular file (checked
    with stat, which never opens it), or a HEIC photo: named on the command line it would reach FFmpeg,
    whose "MP4/MOV file ... probably truncated" would send its owner looking for a better copy. A slide deck or
    PDF (by its name, or a PDF's first bytes) is skipped saying so: FFmpeg read a PDF of JPEG pages as a video."""
    if Path(path).suffix.lower() in DECK_EXTENSIONS:
        return Found(path, deck_file_reason(path))
    if Path(path).suffix.lower() in HEIF_EXTENSIONS:
        return Found(path, HEIF_REASON)
    if Path(path).suffix.lower() == ".avif" and not pillow_reads_avif():
        return Found(path, AVIF_REASON)
    try:
        st = os.stat(path)
    except OSError:
        return Found(path)  # gone already: probing says so
    if not stat.S_ISREG(st.st_mode):
        return Found(path, not_regular_reason(st))
    return Found(path, DECK_NOT_READ) if _starts_with(path, PDF_MAGIC) else Found(path)


def _starts_with(path: str, magic: bytes) -> bool:
    try:
        with open(path, "rb") as f:
            return f.read(len(magic)) == magic
    except OSError:
        return False  # probing says why it cannot be read


@functools.cache
def pillow_reads_avif() -> bool:
    """Whether the installed Pillow decodes AVIF (its own plugin, in its wheels since 2025)."""
    import warnings

    from PIL import features

    with warnings.catch_warnings():  # an older Pillow warns "Unknown feature 'avif'"
        warnings.simplefilter("ignore")
        return bool(features.check("avif"))


def remembered_hash(path: str) -> str:
    """`content_hash`, kept for this process per file state (path, size, modification time, inode): Ray's
    driver hashes files of one size to send one per content, and settling the copies after them read
    each file again."""
    st = os.stat(path)
    return _hash_of_state(path, st.st_size, st.st_mtime_ns, st.st_ino, st.st_dev)


@functools.lru_cache(maxsize=4096)
def _hash_of_state(path: str, size: int, mtime_ns: int, inode: int, device: int) -> str:
    return content_hash(path)
