"""Letters compared without their accents, and in their plain compatibility forms, for the lexical channel and
the indexes' own text."""

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
    returned as they are.

    Compatibility forms are made plain first (NFKC), as clean_query makes a query's: "CO₂" -> "CO2", "x²" -> "x2",
    "µ" (micro sign) -> "μ", "ﬁ" -> "fi", "℃" -> "°C". A caption file or a transcript that wrote "CO₂" or "8 µm"
    otherwise held words no query could type: the query "CO₂" is searched as "CO2"."""
    if text.isascii():
        return text
    text = unicodedata.normalize("NFKC", text).translate(_PLAIN)
    return unicodedata.normalize("NFC", "".join(c for c in unicodedata.normalize("NFD", text)
                                               if not unicodedata.combining(c)))
