"""Result dataclasses passed between stages. Times are seconds (float) everywhere."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field, fields
from typing import Any, Callable

from momentsearch.errors import QueryError

SAMPLE_RATE = 16_000  # Hz; audio is decoded at this rate, what both Whisper engines expect
REPR_ITEMS = 3  # a longer list shows only its first items in a repr (and its length)


class ShortRepr:
    """A dataclass repr that stays short however big the index: a list longer than REPR_ITEMS shows its first
    items and how many there are. A notebook shows `index.info()` or a report by its repr: with every file, and
    each file's slide and section times, that was about 1 MB for 300 hour-long lectures. (@dataclass(repr=False))"""

    def __repr__(self) -> str:
        def shown(value) -> str:
            if isinstance(value, list) and len(value) > REPR_ITEMS:
                return f"[{', '.join(map(repr, value[:REPR_ITEMS]))}, ... ({len(value)} in all)]"
            return repr(value)

        return f"{type(self).__name__}({', '.join(f'{f.name}={shown(getattr(self, f.name))}' for f in fields(self))})"


def shown_path(text: str) -> str:
    """A path as text that any UTF-8 reader takes (JSON, an HTTP header, a browser): the bytes of a file name
    that are no UTF-8 (kept by Python as lone surrogates, os.fsdecode) written as \\xNN."""
    try:
        return text.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
    except UnicodeEncodeError:  # a surrogate no file name decodes to: escaped as such
        return text.encode("utf-8", "backslashreplace").decode("utf-8")


def quoted_path(path) -> str:
    """A path in quotes for a message, its bytes that are no UTF-8 written \\xNN as everywhere else (and taken back
    as such by every command): repr wrote them as Python's surrogates ('lecture-\\udce9.mp4'), which name nothing."""
    return f"'{shown_path(os.fspath(path))}'"


_SHOWN_BYTE = re.compile(rb"\\x([89a-fA-F][0-9a-fA-F])")  # what shown_path writes for a byte that is no UTF-8


_SHOWN_CONTROL = re.compile(r"\\(?:x[0-9a-fA-F]{2}|u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8}|[ntr])")  # how the CLI's text
# output writes a character that shows nothing (cli/output.safe_text: \n, \t, \x1b, \u202e)


def unshown_path(text: str) -> str:
    """The path `shown_path` wrote as `text` (its \\xNN back to the bytes of the name), for commands given a
    path copied from --json output, and the text output's escapes of characters that show nothing (a newline or
    tab in a name, `\\n`) back to those characters. Callers try the path as typed first: a file may really be
    named with a backslash, and then it is the one meant."""
    if "\\" not in text:
        return text
    raw = os.fsencode(text)
    text = os.fsdecode(_SHOWN_BYTE.sub(lambda m: bytes([int(m.group(1), 16)]), raw)) if b"\\x" in raw else text
    return _SHOWN_CONTROL.sub(_unescaped_control, text)


def _unescaped_control(m: re.Match) -> str:
    """The character an escape of _SHOWN_CONTROL stands for, where the CLI would have escaped it; else as typed."""
    try:
        ch = m.group(0).encode("ascii").decode("unicode_escape")
    except (UnicodeDecodeError, OverflowError):  # \U past the last code point
        return m.group(0)
    return ch if not ch.isprintable() and ch != " " else m.group(0)


@dataclass(frozen=True)
class MediaInfo:
    """What probing a file found."""

    path: str
    duration: float  # seconds; 0.0 when unknown
    has_video: bool
    has_audio: bool
    width: int = 0
    height: int = 0
    fps: float = 0.0  # average frame rate of the video stream
    audio_note: str = ""  # which audio track speech is read from, when the file has several
    mime: str = ""  # the audio/* or video/* type it is served as (from the container FFmpeg found)


@dataclass
class SampledFrame:
    """One decoded frame at reduced size. `image` is RGB uint8 (H, W, 3)."""

    time: float
    image: Any  # np.ndarray


@dataclass
class VisualSegment:
    """A stretch of video with one stable picture (a slide, a shot), and its representative frame."""

    start: float
    end: float
    keyframe_time: float
    keyframe: Any = None  # np.ndarray RGB uint8, or None once stored
    forced: bool = False  # its start is no slide change (no section starts there): a periodic split of a
    # long stable stretch, a camera's switch between shots with no slide in them or back and forth, footage
    # after the card that opens it (pipeline/camera_shots)
    views: list["VisualSegment"] = field(default_factory=list)  # pictures inside it that differ by less
    # than a cut (a build step, a small change), each with its own last frame; [] when it shows one picture


@dataclass(frozen=True)
class Word:
    start: float
    end: float
    word: str
    probability: float = 1.0


@dataclass
class TranscriptSegment:
    """One ASR segment (roughly a sentence) with word timestamps."""

    start: float
    end: float
    text: str
    words: list[Word] = field(default_factory=list)


@dataclass
class Chunk:
    """A searchable span of transcript, sentence aligned."""

    start: float
    end: float
    text: str
    word_times: list[tuple[float, float]] = field(default_factory=list)  # (start, end) per word of `text`
    # (its whitespace-separated pieces); [] when unknown


@dataclass(repr=False)
class FileRecord(ShortRepr):
    """Per-file state kept in the index."""

    path: str
    video_id: str  # content hash (first 16 hex of blake2b)
    size: int
    mtime: float
    kind: str = "video"  # "video", "audio" (a file with no picture) or "photo"
    duration: float = 0.0
    channels: list[str] = field(default_factory=list)
    visual_segments: list[tuple[float, float]] = field(default_factory=list)
    sections: list[tuple[float, float]] = field(default_factory=list)  # moment edges: slide changes and
    # topic changes in speech, without periodic splits ([] in indexes made before: visual_segments then)
    models: dict[str, str] = field(default_factory=dict)
    sources: dict[str, str] = field(default_factory=dict)  # channel -> where its text came from (ASR, captions)
    language: str = ""  # spoken language (from ASR detection or the captions' tag), "" when unknown
    complete: bool = False  # False while a file is being written: a re-run redoes it
    device: int = 0  # st_dev and st_ino when indexed: the server serves only this very file (0: not recorded)
    inode: int = 0
    mime: str = ""  # audio/..., video/... or image/... from probing the file; "" in older indexes
    version: str = ""  # the momentsearch that made its entries ("" in indexes made before 7 Dec: not known)
    options: str = ""  # a hash of the options that decided its entries (pipeline/settled.options_fingerprint)
    content_id: str = ""  # the file's own content hash where its entries are another file's (a re-encoded copy
    # shares its original's video_id: pipeline/reencoded.py); "" where video_id says it


@dataclass(frozen=True)
class TranscriptChunk:
    """An indexed transcript chunk as search reads it back: its entry id, video, times and text."""

    id: str
    video_id: str
    start: float
    end: float
    text: str
    word_times: str = ""  # the words' times as stored (momentsearch.transcript.decode_times reads them);
    # "" in older indexes


@dataclass
class Moment:
    """A ranked search result: a time range in one video (or a photo), with the evidence for it."""

    video: str  # file path
    video_id: str
    start: float
    end: float
    score: float
    channels: dict[str, float]  # calibrated score per channel of the file that was searched (0.0: nothing matched
    # in the moment), the parts of `score`; a channel the file does not have is left out, as from its score
    text: str = ""  # best matching transcript text
    kind: str = "moment"  # "moment" or "photo"
    evidence: dict[str, str] = field(default_factory=dict)  # channel -> what matched (text, frame id)
    segment_id: str = ""  # id of the best keyframe entry, when there is one
    hit_start: float | None = None  # where in [start, end] the strongest matched words lie (search/results.py);
    hit_end: float | None = None  # None: found by its picture or place alone, or a photo
    # the channels whose match here is by sound-alike letters (ranking/fuzzy.py: "glazier" for a "glacier" written
    # there), not the query's words: their text does not hold the word searched for
    by_sound: list[str] = field(default_factory=list)
    copies: list[str] = field(default_factory=list)  # other paths of the same recording (identical files), on disk,
    # and of its twins (search/twins.py: the same lecture trimmed or with another intro, so shifted in time)
    copies_at: dict[str, float] = field(default_factory=dict)  # a twin's path -> this moment's start in it (seconds);
    # a copy not named here is identical: the moment starts at `start` there too
    copies_ids: dict[str, str] = field(default_factory=dict)  # a twin's path -> its video id (the server plays it by
    # that id); a copy not named here is identical, of `video_id`
    # "lecture.pdf p. 4": the slide text that matched holds words of the query that OCR did not read on the slide,
    # from that page of the lecture's deck, which the slide shows (pipeline/deck_match.py); "" otherwise
    deck: str = ""

    @property
    def url(self) -> str:
        from pathlib import Path

        uri = Path(self.video).resolve().as_uri()
        return uri if self.kind == "photo" else f"{uri}#t={self.start:.1f}"

    def to_json(self) -> dict[str, Any]:
        return {
            "video": shown_path(self.video),
            "video_id": self.video_id,
            "kind": self.kind,
            "start": round(self.start, 3),
            "end": round(self.end, 3),
            "score": round(self.score, 6),
            "channels": {k: round(v, 6) for k, v in self.channels.items()},
            "text": self.text,
            "evidence": self.evidence,
            "segment_id": self.segment_id,
            "hit": None if self.hit_start is None else [round(self.hit_start, 3), round(self.hit_end, 3)],
            "by_sound": list(self.by_sound),
            "copies": [shown_path(p) for p in self.copies],
            "copies_at": {shown_path(p): round(self.copies_at.get(p, self.start), 3) for p in self.copies},
            "deck": self.deck,
            "url": self.url,
        }


RESULT_ORDERS = ("score", "time")  # how a front door lists a search's top results: best first, or by file and time


def in_order(moments: list[Moment], order: str = "score") -> list[Moment]:
    """`moments` (a search's, best first) listed by `order`: "score" as they are; "time" by file (its path), then
    by start in each file, so a lecture's moments read in the order they were said (the same moments either way)."""
    if order not in RESULT_ORDERS:
        raise QueryError(f"order must be one of {', '.join(RESULT_ORDERS)}, got {order!r}")
    return list(moments) if order == "score" else sorted(moments, key=lambda m: (m.video, m.start, m.end))


@dataclass
class StageTimes:
    """Wall seconds spent per stage, summed over files."""

    seconds: dict[str, float] = field(default_factory=dict)

    def add(self, stage: str, dt: float) -> None:
        self.seconds[stage] = self.seconds.get(stage, 0.0) + dt


REINDEX_COMMAND = "momentsearch index --reindex"  # how notes begin the command that redoes files (the CLI adds its flags)
# a file being copied or downloaded under a temporary name (lecture.mp4.part, rsync's .lecture.mp4.Xy12ab): skipped
# with a reason that begins so (pipeline/arriving.py); the CLI says them in one line under the summary
STILL_ARRIVING = "still arriving"
NOT_MEDIA = "not a media file (unknown extension)"  # a folder's other files (notes, code): skipped with this reason
# a lecture's slide deck beside its recording (lecture.pptx; a PDF with no video of its name): skipped with
# DECK_NOT_READ, which says why
# and what to do (DECK_HOW: the CLI's one line under the summary says it once for all of them)
DECK_HOW = ("momentsearch reads a deck only as a PDF beside the video of its name (lecture.pdf or lecture-slides.pdf "
            "with lecture.mp4), to back up the slides that video shows; to search a deck's pages, export them as "
            "PNG images (pdftoppm -png -r 100 deck.pdf deck; PowerPoint, Keynote: File > Export) and index those: "
            "each page is searched as a photo")
DECK_NOT_READ = "a slide deck or PDF, not read: " + DECK_HOW
# lecture.pdf beside lecture.mp4 (pipeline/deck_pdf.py): its pages' text backs up the slide text OCR reads there
DECK_READ = "a slide deck: read with the video of the same name, its pages backing up the slides that video shows"
# lecture.pdf beside lecture.mp4 that cannot back it up (scanned pages: no text layer; encrypted; damaged): a reason
# that begins so, then why (pipeline/deck_pdf.deck_file_reason); the CLI says it once under the summary, with DECK_FIX
DECK_UNUSED = "a slide deck beside the video of its name, not used"
DECK_FIX = ("a PDF exported from the slides has their text; a scan gets a text layer from OCR (ocrmypdf scan.pdf "
            "lecture.pdf)")
# why a deck read by name (DECK_READ) was not used after all, said after DECK_UNUSED once its video is indexed
# (pipeline/deck_match.decks_used): no page of it matched a slide the video shows (another lecture's deck?), or
# the video was indexed without slide text; DECK_FIX is no help for either
DECK_NO_MATCH = "no page of it matched a slide its video shows"
DECK_NO_OCR = "its video was indexed without slide text (--no-ocr, or no OCR model)"
# lecture-slides.pdf beside lecture.mp4 and lecture.pdf: a video has one deck (pipeline/deck_pdf.DECK_TAGS says
# which): a reason that begins so, then which video and deck are read together
DECK_SECOND = "another slide deck of a video, not read"


@dataclass
class FileResult:
    path: str
    status: str  # "indexed", "unchanged", "skipped", "failed"
    reason: str = ""
    video_id: str = ""
    duration: float = 0.0
    channels: list[str] = field(default_factory=list)


@dataclass
class RayRunInfo:
    """How the Ray part of an indexing run went (`IndexReport.ray`), for the CLI's summary."""

    address: str = ""
    workers: int = 0
    nodes: int = 0
    wall_seconds: float = 0.0
    media_seconds: float = 0.0  # media processed by workers (files indexed, not skipped)
    per_worker: dict[str, int] = field(default_factory=dict)  # "host:pid" -> files done


@dataclass(repr=False)
class IndexReport(ShortRepr):
    """What an indexing run did, file by file, and what it cost."""

    files: list[FileResult] = field(default_factory=list)
    times: StageTimes = field(default_factory=StageTimes)
    warnings: list[str] = field(default_factory=list)
    models: dict[str, str] = field(default_factory=dict)
    ray: RayRunInfo | None = None  # set when the files were processed on Ray

    @property
    def failed(self) -> list[FileResult]:
        return [f for f in self.files if f.status in ("failed", "skipped")]

    @property
    def indexed(self) -> list[FileResult]:
        return [f for f in self.files if f.status == "indexed"]


@dataclass
class PruneReport:
    """What `prune` removed: records of files that no longer exist, and orphan entries per collection."""

    removed: list[str] = field(default_factory=list)  # paths whose record (and entries) went
    orphans: dict[str, int] = field(default_factory=dict)  # collection -> entries no file record owned
    unplaced: list[str] = field(default_factory=list)  # relative paths of old indexes, kept: not found from here
    dropped: list[str] = field(default_factory=list)  # video ids whose entries went (no record holds them now)
    erased: int = 0  # rows of Chroma's log that still held deleted entries' words, erased (store/erase.py)
    writer: str = ""  # a dry run's: who was writing the index as it listed (it took no lock), "" none


@dataclass
class ProgressEvent:
    """Sent to the progress callback, in this order for a batch:

      "start"  once: `total_files`, and `media_seconds` = seconds of media in the whole batch (probed)
      "file"   a file begins: `path`, `index` (0-based), `total_files`
      "stage"  a step of the current file begins: `stage` names it ("hash", "asr", ...); `path`, `index` and
               `total_files` as in its "file" event
      "media"  within a file, as its audio windows finish: `media_seconds` = seconds of this file done so
               far from its start (grows; a resumed file jumps to what a killed run finished), and
               `file_seconds` = its probed duration. A display adds min(media_seconds, file_seconds) to the
               seconds of the files before it, so the bar never runs past the total; its rate gives the ETA.
      "done"   the file is finished (indexed, unchanged, skipped or failed): `media_seconds` = its whole
               probed duration, which replaces whatever "media" said about it; `status`: which of those
               ("" where the sender does not know: a Ray batch)
    """

    kind: str
    path: str = ""
    index: int = 0  # 0-based file number
    total_files: int = 0
    stage: str = ""
    media_seconds: float = 0.0  # "start": the batch's media seconds; "media": this file's so far; "done": this file's
    file_seconds: float = 0.0  # "media": the current file's duration (seconds)
    status: str = ""  # "done": the FileResult's status, when known


ProgressCallback = Callable[[ProgressEvent], None]


@dataclass(repr=False)
class IndexInfo(ShortRepr):
    """What `momentsearch info` shows (MomentIndex.info)."""

    db: str
    files: list[FileRecord]  # by path (not in the order they were indexed: one listing whatever the runs' order)
    channels: list[str]
    models: dict[str, str]  # kind (text, asr, clip, ocr) -> model id, or "ID (N files), ID2 (M files)" where files differ
    counts: dict[str, int]
    writing: str = ""  # who is writing the index now (a running `index`), "" when nobody is
    notes: list[str] = field(default_factory=list)  # what to tell about it (files made by another momentsearch)
