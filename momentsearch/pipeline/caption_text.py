"""Caption files as text: their bytes decoded (UTF-8 with or without a BOM, UTF-16 with or without one,
Windows-1252), their SRT / WebVTT / ASS cues parsed, and the styling taken off each cue's text."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

# hh:mm:ss,ttt; also hh:mm:ss and VTT's mm:ss.ttt / mm:ss, as hand-written files and small tools write them
# (FFmpeg refuses "00:00:05 --> 00:00:07": a file of such cues failed as "broken")
_TIME = r"(?:(\d+):)?(\d{1,2}):(\d{1,2})(?:[,.](\d{1,3}))?"
_TIMING = re.compile(rf"^\s*{_TIME}\s*-->\s*{_TIME}")
_STRAYS = re.compile("[\udc80-\udcff]+")  # bytes that were no UTF-8, as surrogateescape decodes them
_ASS_TIME = re.compile(r"^\s*(\d+):(\d{1,2}):(\d{1,2})(?:[.,](\d{1,3}))?\s*$")
# markup only: the tags WebVTT and SRT players style with (<i>, </font>, <v Speaker>, <c.loud>, <lang en>,
# <ruby>), <00:01:02.500> word times and ASS {\an8} overrides; "x < 5 and y > 3", "if x <y and y> z",
# "List<String>" and "{a, b}" in a maths or code lecture are words
_TAG_NAMES = "b|i|u|s|c|v|lang|ruby|rt|font|span|br"
_TAG = re.compile(rf"</?(?:{_TAG_NAMES})(?:[.\s][^<>]*)?/?>|<\d[\d:.]*>|\{{\\[^}}]*\}}", re.IGNORECASE)
_SOUND = re.compile(r"\[[^\]]*\]|[♪♫]")  # [Music], [Applause]: sound notes, never speech
_PAREN = re.compile(r"\(([A-Z][A-Za-z ]*)\)")  # (APPLAUSE), (Laughter), but also "a neural network (RNN)", "(Newton)"
# a speaker's name in capitals before a colon, where a line or a ">>" turn starts ("JOHN: Welcome", "- DR. LEE: So",
# ">> SPEAKER 2: Yes"): no words said (a search for "John" found every line he said); "John: next", "Note: ..."
# and "3:4" stay, as such a line may be speech
_LABEL = re.compile(r"(^\s*(?:-\s+)?|>>+\s*)([^\W\d_][\w .'’-]{0,30}?):(?=\s)")
# a (Capitalised) note is a sound, not words said, when it is a line of its own or starts with one of these
SOUND_WORDS = frozenset("applause laughter laughs laughing chuckles chuckling music cheering cheers clapping sighs "
                        "sigh coughs coughing cough inaudible indistinct crosstalk silence noise static beep beeping "
                        "bell bells phone typing door footsteps murmuring whispering whispers groans gasps sneezes "
                        "background unintelligible".split())


@dataclass(frozen=True)
class Cue:
    start: float  # seconds
    end: float
    text: str  # cleaned, one line


# ------------------------------------------------------------------------------------ decoding

def decode_caption_bytes(raw: bytes) -> str | None:
    """A caption file's text, or None when its bytes are no text. UTF-16 with its byte-order mark or without
    one (some Windows tools write it bare: every other byte of its ASCII times and numbers is zero), UTF-8
    with a BOM or without, else Windows-1252 (old SRT files, Latin-1 ones alike: curly quotes, accents); a UTF-8
    file with a few Windows-1252 bytes pasted in stays UTF-8 (`_utf8_with_strays`)."""
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return raw.decode("utf-16", errors="replace")
    if b"\x00" in raw[:4096]:
        bare = _bare_utf16(raw[:4096])
        return raw.decode(bare, errors="replace") if bare else None
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return _utf8_with_strays(raw.removeprefix(b"\xef\xbb\xbf"))


def _utf8_with_strays(raw: bytes) -> str:
    """Bytes that are not all UTF-8, read as Windows-1252; but where most of their non-ASCII text is UTF-8, as
    UTF-8 with the stray bytes alone read as Windows-1252: one 0x92 apostrophe pasted into a UTF-8 file made
    every accented word of it mojibake ("cafÃ©")."""
    text = raw.decode("utf-8", errors="surrogateescape")  # each byte that is no UTF-8: one U+DC80-U+DCFF
    strays = sum(1 for ch in text if "\udc80" <= ch <= "\udcff")
    if sum(1 for ch in text if ch > "\x7f") - strays < strays:  # fewer UTF-8 characters than stray bytes
        return raw.decode("cp1252", errors="replace")
    return _STRAYS.sub(lambda m: m[0].encode("utf-8", "surrogateescape").decode("cp1252", errors="replace"), text)


def _bare_utf16(head: bytes) -> str:
    """"utf-16-le" or "utf-16-be" when `head` reads as UTF-16 text without a byte-order mark (zeros in one
    half of the byte pairs, almost none in the other: a caption file's digits, colons and arrows are ASCII),
    else ""."""
    even, odd = head[0::2].count(0), head[1::2].count(0)
    pairs = len(head) // 2
    if pairs and odd >= 0.3 * pairs and even * 10 <= odd:
        return "utf-16-le"
    if pairs and even >= 0.3 * pairs and odd * 10 <= even:
        return "utf-16-be"
    return ""


# ------------------------------------------------------------------------------------ parsing

def _seconds(h, m, s, frac) -> float:
    frac = (frac or "0").ljust(3, "0")[:3]
    return int(h or 0) * 3600 + int(m) * 60 + int(s) + int(frac) / 1000


def clean_text(raw: str) -> str:
    """One line of plain words from a cue's styled text."""
    text = raw.replace("\\N", " ").replace("\\n", " ").replace("\\h", " ")
    text = html.unescape(_TAG.sub(lambda m: " " if m[0][1:3].lower() == "br" else "", text))  # <br> parts words
    alone = text.strip()
    text = _PAREN.sub(lambda m: " " if m[0] == alone or m[1].split()[0].lower() in SOUND_WORDS else m[0], text)
    text = _SOUND.sub(" ", text)
    # a speaker change: ">>" anywhere, a dash only where the line starts ("- Is it hard?"): one between words
    # is speech ("x - y = 3": "x y = 3" lost a maths lecture's minus sign)
    text = _LABEL.sub(lambda m: m[1] if m[2].isupper() and sum(ch.isalpha() for ch in m[2]) > 1 else m[0], text)
    text = re.sub(r"^\s*-\s|(^|\s)>>+\s", " ", text)
    return " ".join(text.split())


def cue_lines(lines: list[str]) -> str:
    """Cleaned lines of one cue, kept apart by newlines (mend() compares lines), empty ones left out."""
    return "\n".join(t for t in (clean_text(ln) for ln in lines) if t)


def parse_srt_vtt(text: str) -> tuple[list[Cue], int]:
    """Cues of an SRT or WebVTT text, and the number of blocks that had text but no valid timing. A cue is
    its timing line and the lines after it up to a blank line, or up to the next cue's number where a file
    leaves out the blank lines (its text had taken in "2 00:00:05,000 --> ..." as words)."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    timings = _timing_lines(lines)
    claimed: set[int] = set()
    cues, bad = [], 0
    for k, i in enumerate(timings):
        stop = timings[k + 1] if k + 1 < len(timings) else len(lines)
        if i > 0 and lines[i - 1].strip():
            claimed.add(i - 1)  # its number (SRT) or id (WebVTT)
        body = []
        for j in range(i + 1, stop):
            if not lines[j].strip():
                break
            if j == stop - 1 and k + 1 < len(timings) and lines[j].strip().isdigit():
                break  # the next cue's number, no blank line before it
            body.append(lines[j])
        claimed.update(range(i, i + 1 + len(body)))
        m = _TIMING.match(lines[i])
        if m is None:
            bad += 1
            continue
        g = m.groups()
        cues.append(Cue(_seconds(*g[:4]), _seconds(*g[4:]), cue_lines(body)))
    block: list[str] = []
    for j, ln in enumerate([*lines, ""]):  # text outside every cue: headers, notes, or a cue without its timing
        if ln.strip() and j not in claimed:
            block.append(ln.strip())
            continue
        if block and not block[0].startswith(("WEBVTT", "NOTE", "STYLE", "REGION", "Kind:", "Language:")):
            bad += not (len(block) == 1 and block[0].isdigit())
        block = []
    return cues, bad


def _timing_lines(lines: list[str]) -> list[int]:
    """Where the cues' timing lines are: lines with "-->" that read as a timing, or that start a block (a broken
    timing, counted as such); one inside a cue's text that is no timing is its words ("A --> B" in a logic
    lecture: it was taken for a broken timing and the cue's words were lost)."""
    out: list[int] = []
    in_cue = False
    for i, ln in enumerate(lines):
        if not ln.strip():
            in_cue = False
        elif "-->" in ln and (not in_cue or _TIMING.match(ln)):
            out.append(i)
            in_cue = True
    return out


def parse_ass(text: str) -> tuple[list[Cue], int]:
    """Cues of an ASS/SSA script's [Events] Dialogue lines, and the number of lines that failed."""
    fields: list[str] = []
    cues, bad = [], 0
    for line in text.splitlines():
        is_format = line.lower().startswith("format:")
        named = [f.strip().lower() for f in line.split(":", 1)[1].split(",")] if is_format else []
        if "start" in named and "end" in named:  # the [Events] section's (a script's [V4+ Styles] has one first)
            fields = named
        elif line.startswith("Dialogue:"):
            names = fields or ["layer", "start", "end", "style", "name", "marginl", "marginr", "marginv",
                               "effect", "text"]
            parts = line.split(":", 1)[1].split(",", len(names) - 1)
            row = dict(zip(names, parts))
            s = _ASS_TIME.match(row.get("start", ""))
            e = _ASS_TIME.match(row.get("end", ""))
            if not (s and e and "text" in row):
                bad += 1
                continue
            cues.append(Cue(_seconds(*s.groups()), _seconds(*e.groups()), cue_lines(row["text"].split("\\N"))))
    return cues, bad
