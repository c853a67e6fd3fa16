"""Letters compared without their accents, for the lexical channel and the indexes' own text."""

from __future__ import annotations

import unicodedata


def fold(text: str) -> str:
    """`text` with its letters' accents left out and ß written ss ("Größe" -> "Grosse", "café" -> "cafe"):
    slide OCR reads "Wärme" as "Warme" as often as not, Whisper writes the umlaut, people type either
    (or "Waerme": `search/spelling.py`). Letters without accents (English) are returned as they are."""
    if text.isascii():
        return text
    text = text.replace("ß", "ss").replace("ẞ", "SS")
    return unicodedata.normalize("NFC", "".join(c for c in unicodedata.normalize("NFD", text)
                                               if not unicodedata.combining(c)))
