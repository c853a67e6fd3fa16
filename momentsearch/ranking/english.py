"""An English word list for telling a word from a typo or a run of glued words (ocr_spaces.py, spelling.py)."""

from __future__ import annotations

import functools


@functools.lru_cache(maxsize=1)
def english_words() -> dict[str, float]:
    """wordninja's English word list (126,000 words from Wikipedia, lower case) as word -> cost, the
    cost log((rank + 1) * log(n)) rising with rarity; {} without wordninja. Read once."""
    try:
        import wordninja
    except ImportError:
        return {}
    return wordninja.DEFAULT_LANGUAGE_MODEL._wordcost
