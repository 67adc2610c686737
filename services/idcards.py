"""居民身份证号 (GB 11643-1999): folding what people type into the canonical 18 characters, and checking it.

Hand-written rather than taken from a library: the rule is a weighted sum mod 11, and what the
bot needs around it — full-width digits, spaces, a lowercase x, and a Chinese message saying which
part is wrong — is most of the code either way.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata

from services.errors import InvalidInput

#: Weights of the first 17 digits in the checksum (2^(18-i) mod 11), GB 11643-1999 §7.
CHECK_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)

#: Check character for each remainder of the weighted sum mod 11.
CHECK_CHARS = "10X98765432"

#: 17 ASCII digits, then a digit or X — the shape before any arithmetic. ASCII only: Python's `\d`
#: also matches Arabic-Indic and other scripts' digits, which must be folded first (`fold_digits`).
ID_SHAPE = re.compile(r"[0-9]{17}[0-9X]")

#: Blanks people leave in a number copied from a form: spaces (incl. the ideographic one), dashes.
SEPARATORS = re.compile(r"[\s\-]+")

#: Earliest birth year a living person's number can carry.
EARLIEST_BIRTH_YEAR = 1900

WRONG_LENGTH = "身份证号位数不对：应为 18 位（17 位数字加最后一位数字或 X），您输入的是 {count} 位，请核对后重新输入。"
WRONG_SHAPE = "身份证号格式不对：前 17 位只能是数字，最后一位是数字或 X，请核对后重新输入。"
WRONG_BIRTH_DATE = "身份证号中的出生日期不对（第 7–14 位应是年月日，如 19650312），请核对后重新输入。"
WRONG_CHECKSUM = "身份证号校验码不对，请核对：多半是某一位抄错了，请对照身份证逐位检查后重新输入。"


def check_char(first17: str) -> str:
    """The 18th character GB 11643-1999 assigns to these 17 digits."""
    total = sum(int(digit) * weight for digit, weight in zip(first17, CHECK_WEIGHTS, strict=True))
    return CHECK_CHARS[total % 11]


def fold_digits(text: str) -> str:
    """`text` with every decimal digit of any script (٠١٢, ０１２, ०१२…) written as ASCII 0–9.

    NFKC folds full-width digits but not Arabic-Indic or Devanagari ones, and `int()` reads those
    too: without this a number typed in them would pass every check yet differ, as a string, from
    the same number typed in ASCII, and slip past the duplicate check.
    """
    return "".join(str(value) if (value := unicodedata.decimal(char, None)) is not None else char for char in text)


def normalize_id_number(text: str, *, today: dt.date | None = None) -> str:
    """The canonical 18-character number (upper-case X) for what a person typed.

    Accepts full-width digits and letters, the digits of any script (`fold_digits`), spaces and
    dashes between groups, and a lowercase x. This is the one place a typed number is folded, so
    the same person's number always compares equal.

    Raises:
        InvalidInput: the message says which check failed — 位数, 格式, 出生日期 or 校验码 — and
            asks to check and retype; it never repeats the number itself.
    """
    value = SEPARATORS.sub("", fold_digits(unicodedata.normalize("NFKC", text))).upper()
    if len(value) != 18:
        raise InvalidInput(WRONG_LENGTH.format(count=len(value)))
    if not ID_SHAPE.fullmatch(value):
        raise InvalidInput(WRONG_SHAPE)
    try:
        born = dt.date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        born = None
    if born is None or born.year < EARLIEST_BIRTH_YEAR or born > (today or dt.date.today()):
        raise InvalidInput(WRONG_BIRTH_DATE)
    if value[17] != check_char(value[:17]):
        raise InvalidInput(WRONG_CHECKSUM)
    return value
