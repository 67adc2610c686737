"""Reading a quantity a cadre typed for a target's indicator: "3.5", "3.5公里", "三点五", "两座", "１２".

The rules are the plan's units: a countable unit (户, 座, 个…) takes whole numbers only, a measured
one (公里, 元…) takes decimals; zero and negative numbers are refused, and so is a unit other than the
indicator's ("3米" for a road counted in 公里), because converting silently would hide a slip of the
finger. Every refusal says what was wrong and what to type instead.
"""

from __future__ import annotations

import math
import re
import unicodedata

from services.errors import InvalidInput

#: Units counted in whole things: a fraction of a 户 or a 座 is a typing mistake.
COUNTABLE_UNITS: frozenset[str] = frozenset(
    {"户", "座", "个", "家", "人", "条", "所", "名", "项", "种", "次", "处", "间", "台", "套", "辆", "口", "眼", "批"}
)

#: Other ways of writing a unit that mean exactly the same unit (compared after lower-casing).
UNIT_ALIASES: dict[str, frozenset[str]] = {
    "公里": frozenset({"千米", "km"}),
    "米": frozenset({"m"}),
    "平方米": frozenset({"㎡", "m2", "m²", "平米"}),
    "元": frozenset({"块", "块钱"}),
}

#: Characters of a Chinese numeral, with 点 for the decimal point (cn2an reads 两 and 〇 too).
CN_NUMERAL_CHARS = "〇零一二两三四五六七八九十百千万亿点"

#: A number as typed (Arabic, Chinese or both, as in "1.2万"), then whatever follows it.
QUANTITY_RE = re.compile(rf"^(?P<sign>[-−负]?)(?P<number>[\d.,{CN_NUMERAL_CHARS}]+)(?P<unit>.*)$")

#: Digits with commas between groups of three ("1,200") — a thousands separator, nothing else.
THOUSANDS_RE = re.compile(r"^\d{1,3}(?:,\d{3})+(?:\.\d+)?$")

#: Words that make a quantity an estimate ("一些", "3公里多", "大概2座"): a report needs the figure.
VAGUE_RE = re.compile(r"些|几|多|来|左右|上下|大概|大约|约|差不多|将近|近|余")

#: A report above this many times the plan's whole (county-wide) target is a slip of the finger
#: (a digit too many), not progress: one village cannot do ten years of the county's work.
TARGET_MULTIPLE_CEILING = 10
#: Above this no indicator of a county plan goes (10 亿 元, 公里, 户…); it also bounds indicators
#: without a target figure, and keeps floats far from where they lose whole numbers.
ABSOLUTE_CEILING = 1e9

#: Blanks people put between the number and the unit, the ideographic space included.
_BLANKS_RE = re.compile(r"\s+")


def example_quantity(unit: str) -> str:
    """A number to show in a message, whole for countable units."""
    return "3" if unit in COUNTABLE_UNITS else "3.5"


def _ask_again(unit: str) -> str:
    """The closing sentence of every refusal: what to type instead."""
    example = example_quantity(unit)
    return f"请重新输入数量（单位：{unit}），如 {example} 或 {example}{unit}。"


def _same_unit(stated: str, unit: str) -> bool:
    return stated == unit or stated.lower() in UNIT_ALIASES.get(unit, frozenset())


def _to_number(number: str, *, original: str, unit: str) -> float:
    """The value of the numeral part: Arabic digits directly, anything Chinese through cn2an."""
    if "," in number:
        if not THOUSANDS_RE.match(number):
            # "3,5" is a European decimal or a slip; guessing either way could misreport by 1000×.
            raise InvalidInput(f"“{original}”中的逗号看不明白。小数请用小数点，如 3.5；{_ask_again(unit)}")
        number = number.replace(",", "")
    if re.fullmatch(r"\d+(?:\.\d+)?", number):
        return float(number)
    import cn2an  # imported on use: it costs ~0.1 s, which the bot's start-up need not pay

    try:
        value = cn2an.cn2an(number, "smart")
    except (ValueError, KeyError, IndexError) as exc:
        raise InvalidInput(f"没看懂“{original}”这个数。{_ask_again(unit)}") from exc
    return float(value)


def parse_quantity(text: str, *, unit: str, target: float | None = None) -> float:
    """The positive quantity in `text`, in the indicator's `unit`.

    Full-width digits and blanks are folded first; a unit may follow the number ("3.5公里", "两座")
    and must then be the indicator's own. Commas are read only as thousands separators ("1,200").

    Args:
        target: the plan's county-wide target for the indicator, when it sets one (`check_quantity`).

    Raises:
        InvalidInput: not a number, zero or negative, a fraction for a countable unit, another
            unit than `unit`, or beyond what is plausible; the Chinese message says which and what
            to type instead.
    """
    original = text.strip()
    folded = _BLANKS_RE.sub("", unicodedata.normalize("NFKC", original))
    if not folded:
        raise InvalidInput(f"没有收到数量。{_ask_again(unit)}")
    if VAGUE_RE.search(folded):
        raise InvalidInput(f"“{original}”是个大概的数，上报要填确切的数量。{_ask_again(unit)}")
    if "分之" in folded or "/" in folded:
        raise InvalidInput(f"请不要写分数，收到的是“{original}”。{_ask_again(unit)}")
    match = QUANTITY_RE.match(folded)
    if match is None or not match["number"].strip(".,点"):
        raise InvalidInput(f"“{original}”不是一个数。{_ask_again(unit)}")
    stated = match["unit"]
    if stated and not _same_unit(stated, unit):
        raise InvalidInput(f"这个指标按“{unit}”计，不是“{stated}”。{_ask_again(unit)}")
    value = _to_number(match["number"], original=original, unit=unit)
    return check_quantity(-value if match["sign"] else value, unit=unit, original=original, target=target)


def ceiling(target: float | None) -> float:
    """The largest quantity one report may carry: `TARGET_MULTIPLE_CEILING` × the target, at most
    `ABSOLUTE_CEILING` (which alone applies when the plan sets no figure)."""
    if target is None or target <= 0:
        return ABSOLUTE_CEILING
    return min(ABSOLUTE_CEILING, TARGET_MULTIPLE_CEILING * float(target))


def check_quantity(value: float, *, unit: str, original: str | None = None, target: float | None = None) -> float:
    """`value` if it is a quantity a report may carry in `unit`: finite, above zero, whole if
    countable, and plausible (at most `ceiling(target)`; `target` is the plan's county-wide figure).

    `parse_quantity` applies it to what was typed; `services.reports` applies it again, because a
    service must not trust that its caller parsed.

    Raises:
        InvalidInput: what was wrong and what to type instead (`original` is what was typed).
    """
    shown = original if original is not None else format_quantity(value) if math.isfinite(value) else str(value)
    if not math.isfinite(value):
        raise InvalidInput(f"“{shown}”不是一个有效的数。{_ask_again(unit)}")
    if value <= 0:
        raise InvalidInput(f"数量要大于 0，收到的是“{shown}”。{_ask_again(unit)}")
    if unit in COUNTABLE_UNITS and not float(value).is_integer():
        raise InvalidInput(f"“{unit}”要按整数计，不能是 {format_quantity(value)}。{_ask_again(unit)}")
    limit = ceiling(target)
    if value > limit:
        whole = f"全县目标才 {format_quantity(float(target))}{unit}，" if target else ""
        raise InvalidInput(
            f"“{shown}”太大了：{whole}一次上报最多 {format_quantity(limit)}{unit}。多半是多打了几位，{_ask_again(unit)}"
        )
    return float(value)


#: Decimal places kept when a quantity is shown; sums of floats grow noise beyond them.
SHOWN_DECIMALS = 6


def format_quantity(value: float) -> str:
    """A quantity as people write it: 3.5, 12 rather than 12.0, 1200000 rather than 1.2e+06."""
    return f"{value:.{SHOWN_DECIMALS}f}".rstrip("0").rstrip(".")
