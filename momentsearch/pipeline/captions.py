"""Captions in: a video's own subtitles instead of speech recognition.

Looked for, in this order: sidecar files next to the video (`talk.srt`, `talk.vtt`, `talk.en.vtt`,
`talk.ass`; a file without a language tag first, then English, then by name), then text subtitle
streams inside the file (mov_text, subrip, webvtt, ass/ssa, read with PyAV). Cue times become
word times (spread over each cue by characters), so chunks are cut as for ASR.

Styling is removed (`<i>`, `<c.colour>`, `<v Speaker>`, inline `<00:00:01.000>` word times, ASS
`{\\an8}` overrides, `\\N`, HTML entities, `>>` speaker marks, `JOHN:` speaker names in capitals,
`[Music]`-style sound notes, and `(APPLAUSE)` ones, not `(RNN)` or `(Newton)`: caption_text.SOUND_WORDS); the
rolling repeats of auto-generated captions (each cue repeating the line before) are dropped;
overlapping or reversed cue times are mended. A caption file that cannot be read as captions is a
per-file BadInputError. `usable()` says when a track looks empty or like garbage (mode "auto" then
falls back to ASR).
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from momentsearch.errors import BadInputError
from momentsearch.media import time_origin
from momentsearch.pipeline.caption_text import Cue, cue_lines, decode_caption_bytes, parse_ass, parse_srt_vtt
from momentsearch.pipeline.deck_pdf import deck_bytes, deck_changed
from momentsearch.pipeline.media_names import MEDIA_EXTENSIONS
from momentsearch.pipeline.opening import open_media
from momentsearch.types import TranscriptSegment, Word

SIDECAR_SUFFIXES = (".srt", ".vtt", ".ass", ".ssa")
TEXT_SUB_CODECS = {"mov_text", "subrip", "srt", "webvtt", "ass", "ssa", "text"}
MAX_CAPTION_BYTES = 20 * 2**20  # a caption file larger than this is not captions
MIN_WORDS = 8  # fewer words in a whole track: empty for our purpose
MIN_LETTER_SHARE = 0.5  # of non-space characters; below this the track is symbols or noise
MAX_REPEAT_SHARE = 0.5  # one line making up more than this share of the cues: garbage ("[Music]" loops)
MIN_COVERAGE = 0.02  # cues spanning less than this share of a long video's duration: not its speech
DEFAULT_SECONDS_PER_WORD = 0.4  # a cue without a usable end lasts this long per word
TWO_LETTER = {"eng": "en", "fre": "fr", "fra": "fr", "ger": "de", "deu": "de", "spa": "es", "ita": "it", "por": "pt",
              "dut": "nl", "nld": "nl", "rus": "ru", "jpn": "ja", "chi": "zh", "zho": "zh", "kor": "ko"}  # a stream's
# ISO 639-2 tag as Whisper and sidecar names write the language
_LANG_TAG = re.compile(r"^[A-Za-z]{2,3}(?:[-_][A-Za-z0-9]{2,8})?$")  # en, eng, en-US, pt_BR, zh-Hans


@dataclass
class CaptionTrack:
    """Captions found for a video, and where they came from."""

    source: str  # "sidecar talk.en.vtt" or "embedded mov_text (stream 2)"
    cues: list[Cue] = field(default_factory=list)
    language: str = ""  # from the file name or the stream's tag ("" unknown)
    after_end: list[float] = field(default_factory=list)  # starts of the cues left out: after the video's end
    written: list[Cue] = field(default_factory=list)  # a caption file's cues as written (not mended); [] for a stream

    def segments(self) -> list[TranscriptSegment]:
        """One transcript segment per cue, its words timed by their share of the cue's characters."""
        out = []
        for cue in self.cues:
            words = cue.text.split()
            total = sum(len(w) + 1 for w in words)
            t, timed = cue.start, []
            for w in words:
                step = (cue.end - cue.start) * (len(w) + 1) / total
                timed.append(Word(round(t, 3), round(t + step, 3), w))
                t += step
            out.append(TranscriptSegment(cue.start, cue.end, cue.text, timed))
        return out

    @classmethod
    def of_file(cls, source: str, written: list[Cue], language: str, duration: float) -> CaptionTrack:
        """A caption file's track: its cues as `written`, mended for a video of `duration` seconds (0: unknown),
        the starts of those after its end kept in `after_end`."""
        late = sorted(c.start for c in written if duration > 0 and c.start >= duration and c.text.strip())
        return cls(source, mend(written, duration), language, late, written)

    def shifted(self, seconds: float, duration: float) -> CaptionTrack:
        """The track with the cues as written moved `seconds` later (earlier where negative), mended again: cues
        left out past the video's end come back where they move into it."""
        moved = [Cue(max(0.0, c.start + seconds), max(0.0, c.end + seconds), c.text) for c in self.written]
        return CaptionTrack.of_file(self.source, moved, self.language, duration)


def mend(cues: list[Cue], duration: float = 0.0) -> list[Cue]:
    """Sorted cues with text, rolling repeats dropped, times made sane: a reversed or missing end gets
    DEFAULT_SECONDS_PER_WORD a word (up to the next cue), overlaps are cut at the next start."""
    cues = sorted((c for c in cues if c.text.strip()), key=lambda c: c.start)
    out: list[Cue] = []
    previous: set[str] = set()
    for i, cue in enumerate(cues):
        lines = cue.text.split("\n")
        new = [ln for ln in lines if ln not in previous]  # auto captions repeat the line before the new one
        previous = set(lines)
        text = " ".join(new)
        if not text or (out and text == out[-1].text):
            continue
        if duration > 0 and cue.start >= duration:
            break
        nxt = cues[i + 1].start if i + 1 < len(cues) else None
        end = cue.end
        if end <= cue.start:
            end = cue.start + DEFAULT_SECONDS_PER_WORD * len(text.split())
            if nxt is not None and nxt > cue.start:
                end = min(end, nxt)
        if out and out[-1].end > cue.start:  # overlapping: the one before ends where this one starts
            prev = out[-1]
            out[-1] = Cue(prev.start, round(max(cue.start, prev.start + 0.01 * len(prev.text.split())), 3), prev.text)
        start = max(cue.start, out[-1].end if out else 0.0)
        if duration > 0:
            end = min(end, duration)  # a cue past the file's end ends with it
        if end <= start:
            end = start + 0.01 * len(text.split())
        out.append(Cue(round(start, 3), round(end, 3), text))
    return out


def usable(cues: list[Cue], duration: float) -> str:
    """"" when the cues look like real captions, else why not (empty, symbols, one repeated line...)."""
    words = [w for c in cues for w in c.text.split()]
    if not words:  # an empty file, a header alone, sound notes alone
        return "it holds no words"
    if len(words) < MIN_WORDS:
        return f"only {len(words)} words"
    chars = "".join(words)
    if sum(ch.isalpha() for ch in chars) < MIN_LETTER_SHARE * len(chars):
        return "mostly symbols, not words"
    top = max(Counter(c.text for c in cues).values(), default=0)
    if len(cues) >= 6 and top > MAX_REPEAT_SHARE * len(cues):
        return "one line repeated over and over"
    covered = sum(c.end - c.start for c in cues)
    if duration > 120 and covered < MIN_COVERAGE * duration:
        return f"cues cover only {covered:.0f} s of {duration:.0f} s"
    return ""


# ------------------------------------------------------------------------------------- finding

def sidecar_files(video: str | Path) -> list[tuple[Path, str]]:
    """Caption files next to `video` as (path, language tag), best first: named in the video's own case, no tag,
    English, the rest. One named in another case (lecture.srt beside Lecture.mp4) is not taken where a video of
    its own case is there too (lecture.mp4 beside Lecture.mp4, on a file system that tells them apart)."""
    video = Path(video)
    found = []
    try:
        siblings = list(video.parent.iterdir())
    except OSError:
        return []
    stems = {p.stem for p in siblings if p != video and p.suffix.lower() in MEDIA_EXTENSIONS}
    for p in siblings:
        if (middle := caption_tag(video, p)) is not None:
            exact = p.name.startswith(video.stem + ".")
            if exact or p.name[:len(video.stem)] not in stems:
                found.append((p, middle, exact))
    found.sort(key=lambda x: (not x[2], bool(x[1]), not x[1].lower().startswith("en"), x[0].name))
    return [(p, middle) for p, middle, _ in found]


def caption_tag(video: Path, path: Path) -> str | None:
    """The language tag of `path` named as a caption file of `video` ("" for talk.srt, "en" for talk.en.vtt),
    or None when it is not named as one (talk.part2.srt belongs to another video). Names only: not the folder.
    The name's case does not count, as for video players (VLC, mpv): lecture.srt is Lecture.mp4's, as it is on
    the Mac or Windows disk it was downloaded to (it was "subtitles with no video of the same name")."""
    stem = video.stem + "."
    if path.suffix.lower() not in SIDECAR_SUFFIXES or path.name[:len(stem)].lower() != stem.lower():
        return None
    middle = path.name[len(stem): -len(path.suffix)]
    return middle if not middle or _LANG_TAG.match(middle) else None


def named_as_captions(video: str | Path, path: str | Path) -> bool:
    """Whether a file written at `path`, there or not yet, would be read as `video`'s captions the next time
    it is indexed: next to it, named talk.vtt, talk.en.srt and the like."""
    video, path = Path(video), Path(path)
    try:
        return caption_tag(video, path) is not None and path.parent.resolve() == video.parent.resolve()
    except OSError:
        return False


def read_sidecar(path: Path, duration: float = 0.0) -> list[Cue]:
    """The mended cues of one caption file; BadInputError when it is not readable as captions."""
    return mend(sidecar_cues(path), duration)


def sidecar_cues(path: Path) -> list[Cue]:
    """The cues of one caption file as written (not mended); BadInputError when it is not readable as captions."""
    try:
        if path.stat().st_size > MAX_CAPTION_BYTES:
            raise BadInputError(str(path), f"caption file {path.name} larger than {MAX_CAPTION_BYTES >> 20} MB")
        raw = path.read_bytes()
    except OSError as exc:
        raise BadInputError(str(path), f"cannot read the caption file {path.name}: {exc.strerror or exc}") from exc
    text = decode_caption_bytes(raw)
    if text is None:
        raise BadInputError(str(path), f"the caption file {path.name} is binary, not SRT/WebVTT/ASS text")
    parse = parse_ass if path.suffix.lower() in (".ass", ".ssa") else parse_srt_vtt
    cues, bad = parse(text)
    if bad and bad >= max(1, len(cues)):
        raise BadInputError(str(path), f"broken caption file {path.name}: {bad} cue(s) without valid times "
                                       f"(expected 00:00:01,000 --> 00:00:02,500 lines)")
    return cues


def embedded_tracks(video: str | Path, duration: float = 0.0) -> list[CaptionTrack]:
    """Text subtitle streams inside the file, as tracks (BadInputError when one cannot be decoded). Cue
    times count from the file's start (`time_origin`), as every index time does."""
    import av

    tracks = []
    container = open_media(video)  # probe's reason for a file cut short since it was probed (a Ray worker finds)
    try:
        with container:
            origin = time_origin(container)
            for stream in container.streams.subtitles:
                codec = stream.codec_context.name
                if codec not in TEXT_SUB_CODECS:
                    continue  # bitmap subtitles (DVD, PGS) need OCR: not read
                cues = [c for packet in container.demux(stream) for c in _packet_cues(packet, origin)]
                container.seek(0)
                lang = (stream.language or stream.metadata.get("language", "") or "").replace("und", "")
                lang = TWO_LETTER.get(lang.lower(), lang)
                tracks.append(CaptionTrack(f"embedded {codec} (stream {stream.index})", mend(cues, duration), lang))
    except av.error.FFmpegError as exc:
        raise BadInputError(str(video), f"cannot read its subtitle stream: {exc}") from exc
    # as for sidecars: English first (a French track as stream 2 won over the English one), then untagged
    return sorted(tracks, key=lambda t: 0 if t.language.startswith("en") else 1 if not t.language else 2)


def _packet_cues(packet, origin: float) -> list[Cue]:
    """The cues of one subtitle packet, timed from the file's start: `origin` (seconds on the stream's
    clock, `time_origin`) is taken off, so a capture whose timestamps start at 1000 s lines up."""
    if packet.pts is None:
        return []
    t0 = max(0.0, float(packet.pts * packet.time_base) - origin)
    out = []
    for sub in packet.decode():
        raw = getattr(sub, "dialogue", b"") or getattr(sub, "text", b"")
        text = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else str(raw)
        end = t0 + float((packet.duration or 0) * packet.time_base)
        out.append(Cue(t0, end, cue_lines(text.split("\n"))))
    return out


def indexed_id(video: str | Path, content_id: str, mode: str) -> str:
    """The id of what indexing `video` makes: its content's id (`content_id`, discover.content_hash),
    mixed with its sidecar caption file's bytes when captions are looked for (`mode` not "ignore") and
    one lies next to it, and with its slide deck's (lecture.pdf: `deck_pdf.deck_beside`) when it has one.
    Copies of one recording share their entries by that id, so a copy whose captions make its transcript (or
    whose deck backs its slide text) must not have the id of a copy transcribed by ASR (or captioned
    otherwise, or without a deck): its entries would replace theirs. Same format as a content id (16 hex digits)."""
    import hashlib

    found = sidecar_files(video)[:1] if mode != "ignore" else []
    captions = None
    try:
        captions = found[0][0].read_bytes() if found else None
    except OSError:  # unreadable: find_captions reports it; the content's id stays
        pass
    deck = deck_bytes(video)  # lecture.pdf beside it backs up its slide text: a copy without it is another
    if captions is None and deck is None:
        return content_id
    h = hashlib.blake2b(content_id.encode("ascii"), digest_size=8)
    if captions is not None:
        h.update(captions)
    if deck is not None:
        h.update(b"\0deck\0" + deck)
    return h.hexdigest()


def sidecar_signature(video: str | Path, mode: str) -> str:
    """Which sidecar caption file would be read for `video` now, and its content: "NAME HASH" ("" with none,
    or with captions ignored). Kept in the file's record (`sources["sidecar"]`), so a caption file added,
    edited or taken away after indexing makes the next `index` do the file again (it said "unchanged")."""
    import hashlib

    found = sidecar_files(video)[:1] if mode != "ignore" else []
    if not found:
        return ""
    try:
        return f"{found[0][0].name} {hashlib.blake2b(found[0][0].read_bytes(), digest_size=8).hexdigest()}"
    except OSError:
        return f"{found[0][0].name} unreadable"


def sidecar_changed(record, mode: str) -> bool:
    """Whether a file read beside `record`'s video is not the one there now: its caption file (`captions_changed`)
    or its slide deck (lecture.pdf: `deck_pdf.deck_changed`)."""
    return captions_changed(record, mode) or deck_changed(record)


def captions_changed(record, mode: str) -> bool:
    """Whether `record`'s sidecar is not the one there now. A record made before sources held one (before 7 Dec)
    is judged by the file its transcript names: a caption file added next to a video transcribed by ASR, or the
    one its transcript came from taken away or renamed, is a change (it said "unchanged", and the summary that
    the caption file was read); an edit inside the same file cannot be told from such a record."""
    if "sidecar" in record.sources:
        return record.sources["sidecar"] != sidecar_signature(record.path, mode)
    if record.kind == "photo":
        return False
    source = record.sources.get("transcript", "")
    used = source.removeprefix("captions: sidecar ") if source.startswith("captions: sidecar ") else ""
    found = sidecar_files(record.path)[:1] if mode != "ignore" else []
    return (found[0][0].name if found else "") != used


def find_captions(video: str | Path, duration: float, mode: str) -> tuple[CaptionTrack | None, str]:
    """The captions to use instead of ASR, and a note: (track, "") to use it, (None, why) when there
    is none or (mode "auto") it is not usable. Mode "ignore" never looks; "prefer" takes any track
    with words. A broken caption file raises BadInputError (the file fails with that reason)."""
    if mode == "ignore":
        return None, ""
    tracks = [_sidecar_track(p, lang, duration) for p, lang in sidecar_files(video)[:1]]
    if not tracks:
        tracks = embedded_tracks(video, duration)[:1]
    if not tracks:
        return None, ""
    track = tracks[0]
    why = usable(track.cues, duration)
    if why and track.after_end:  # "only 0 words" of a file full of them: those of a longer recording?
        late = len(track.after_end)
        which = "every cue starts" if not track.cues else f"{late} cue{'s start' if late > 1 else ' starts'}"
        why = (f"{which} after the video ends at {_clock(duration)} ({late} from {_clock(track.after_end[0])} on: "
               f"another recording's captions, or times that are off)")
    if why and (mode == "auto" or not track.cues):
        return None, f"captions ({track.source}) not used: {why}; transcribed instead"
    return track, ""


def _sidecar_track(path: Path, lang: str, duration: float) -> CaptionTrack:
    language = lang.split("-")[0] if lang else ""
    return CaptionTrack.of_file(f"sidecar {path.name}", sidecar_cues(path), language, duration)


def _clock(seconds: float) -> str:
    """m:ss, or h:mm:ss from an hour on, as the index summary writes a duration."""
    h, rest = divmod(int(seconds), 3600)
    return f"{h}:{rest // 60:02d}:{rest % 60:02d}" if h else f"{rest // 60}:{rest % 60:02d}"


def language_note(track: CaptionTrack, language: str | None) -> str:
    """A note when the captions that replace speech recognition are tagged with another language than the
    one the speech is taken for (`asr.language`; None detects it: no note): a platform's download puts a
    translation next to the talk (an English lecture's `talk.es.vtt`), whose words then stood for the speech
    with nothing said. Only two-letter tags are compared (a stream's unknown three-letter code is no evidence)."""
    tag = re.split(r"[-_]", track.language or "")[0].lower()
    if not language or len(tag) != 2 or tag == language.lower():
        return ""
    return (f"speech taken from captions in {tag} ({track.source}), not {language} as --language says: if they "
            f"translate the talk, index it again with --captions ignore --reindex")
