"""Letters compared without their accents, for the lexical channel and the indexes' own text."""

from __future__ import annotations

import unicodedata

# Letters with no accent to take off (Unicode does not decompose them) written as their plain forms, as slide
# OCR reads them ("Ærø" as "AEro") and as people type them without the key ("Aero", "coeur", "Lodz")
_PLAIN = str.maketrans({"ß": "ss", "ẞ": "SS", "æ": "ae", "Æ": "AE", "œ": "oe", "Œ": "OE", "ø": "o", "Ø": "O",
                        "ł": "l", "Ł": "L", "đ": "d", "Đ": "D", "ð": "d", "Ð": "D", "þ": "th", "Þ": "TH", "ı": "i"})


def fold(text: str) -> str:
    """`text` with its letters' accents left out and ß written ss ("Größe" -> "Grosse", "café" -> "cafe"):
    slide OCR reads "Wärme" as "Warme" as often as not, Whisper writes the umlaut, people type either
    (or "Waerme": `search/spelling.py`). Letters without an accent to take off are written plain too
    ("Ærø" -> "AEro", "œuvre" -> "oeuvre", "Łódź" -> "Lodz"). Letters without accents (English) are
    returned as they are."""
    if text.isascii():
        return text
    text = text.translate(_PLAIN)
    return unicodedata.normalize("NFC", "".join(c for c in unicodedata.normalize("NFD", text)
                                               if not unicodedata.combining(c)))
