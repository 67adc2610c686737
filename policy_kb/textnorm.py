"""Chinese text as people type it -> one comparable form.

Households write in traditional characters sometimes, with full-width letters and digits, spaces,
emoji and run-on punctuation. Everything the search compares goes through `normalize` first, the
plan's text and the question alike, so that both sides meet in the same form.
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache, lru_cache
from importlib import resources

import zhconv

#: Clause separators: a fact is looked up within the clause that carries it.
CLAUSE_SEPARATORS = "，,；;。！!？?：:\n"

#: Anything that is not a CJK character (〇 included: "二〇二一年"), a Latin letter, a digit or one of the few symbols
#: that carry meaning in the plan (% and the decimal point).
_NOISE = re.compile(r"[^\u3007\u3400-\u9fff0-9a-z%.]+")


@lru_cache(maxsize=4096)
def normalize(text: str) -> str:
    """Fold width, case and script, and drop spaces, punctuation and emoji.

    NFKC turns full-width ＡＢＣ１２３ and （） into their ASCII forms; zhconv turns traditional
    characters into simplified ones; what remains is compared character by character.
    """
    text = unicodedata.normalize("NFKC", text).lower()
    _load_zhconv_dictionary()
    text = zhconv.convert(text, "zh-cn")
    return _NOISE.sub("", text)


@cache
def _load_zhconv_dictionary() -> None:
    """zhconv's dictionary, loaded by path: zhconv's own first load leaves the file open (zhconv 1.4.3)."""
    with resources.as_file(resources.files("zhconv").joinpath("zhcdict.json")) as path:
        zhconv.loaddict(str(path))


def clauses(text: str) -> list[str]:
    """Split a question or a sentence into clauses, keeping each clause's own words together."""
    # A space between words is a comma typed on a phone ("娃念书的钱能帮点不 老大念高一").
    parts = re.split(f"[{re.escape(CLAUSE_SEPARATORS)}\\s]+", unicodedata.normalize("NFKC", text))
    return [p for p in (normalize(p) for p in parts) if p]
