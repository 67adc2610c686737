"""Whether typed text says something in words: a 退回 or 不通过 reason must be one a person can act on."""

from __future__ import annotations

import unicodedata


def has_words(text: str) -> bool:
    """True when `text` holds at least one letter (a 汉字, a Latin letter…).

    Letters are Unicode category L*: an emoji (👍 is So), punctuation ("。。。", "？") and digits
    alone say nothing the reporter could correct, so they are not words.
    """
    return any(unicodedata.category(char).startswith("L") for char in text)
