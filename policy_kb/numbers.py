"""Figures in Chinese text: Arabic and Chinese numerals with their units, read exactly as written.

Plans of this genre write most counts in Arabic digits ("1246 人", "21.5 公里") but money often in
Chinese numerals ("每户补助四万元") or with a 万 multiplier ("3万元"). Everything is normalised to a
plain number and a base unit, so that 四万元, 4万元 and 40000 元 compare equal. Chinese numerals are
converted with cn2an; nothing here guesses a figure the text does not state.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

Number = int | float

#: Characters of a Chinese numeral (cn2an reads 两 and 〇 too).
CN_NUMERAL_CHARS = "〇零一二两三四五六七八九十百千万亿"
#: Multipliers written after Arabic digits, as in "3万元" (the number is multiplied out).
MULTIPLIERS: dict[str, int] = {"万": 10_000, "亿": 100_000_000}
#: Units of measure a figure of this genre carries, longest first so that 公里 wins over shorter
#: prefixes. 年/月/日/号 are deliberately absent: they date or number things, they do not count
#: (天 does: 每月在村工作不少于 20 天).
UNITS: tuple[str, ...] = (
    "平方公里",
    "平方米",
    "立方米",
    "人次",
    "场次",
    "户次",
    "公里",
    "公顷",
    "元",
    "人",
    "户",
    "个",
    "家",
    "条",
    "座",
    "次",
    "种",
    "所",
    "名",
    "项",
    "处",
    "间",
    "台",
    "套",
    "亩",
    "吨",
    "米",
    "天",
    "箱",
    "盏",
    "辆",
    "支",
    "部",
    "袋",
    "头",
    "只",
    "株",
    "棵",
    "眼",
    "栋",
    "幢",
    "口",
    "孔",
    "羽",
    "匹",
)
#: Units a 万 multiplies out (money); for any other unit 万 stays part of the unit as the plan
#: writes it (1.5万亩, 10万袋), since the plan's own figures are said back in its own words.
MULTIPLIED_UNITS: tuple[str, ...] = ("元",)
#: Percent signs, half- and full-width; the unit of a percentage is always stored as "%".
PERCENT_SIGNS = "%％"
#: Written right after a quantity, "以上" means "at least" (新型职业农民 240 人以上).
AT_LEAST_AFTER: tuple[str, ...] = ("以上",)
#: Written before a quantity in the same clause, these also mean "at least" (至少设有 1 所).
AT_LEAST_BEFORE: tuple[str, ...] = ("至少", "不少于", "不低于")
#: Horizontal white space the plan puts between a figure and its unit ("1246 人").
_GAP = r"[ \t\u3000]*"

_ARABIC = r"\d+(?:\.\d+)?"
_CHINESE = f"[{CN_NUMERAL_CHARS}]+"
_UNIT_ALTERNATION = "|".join(re.escape(u) for u in UNITS)

#: A figure with its unit: an Arabic number (optionally ×万/亿) or a Chinese numeral, then a unit
#: or a percent sign. Not after 第 (an ordinal) nor after another digit or letter.
QUANTITY_RE = re.compile(
    rf"(?<![第\d.A-Za-z])(?P<num>{_ARABIC}|{_CHINESE}){_GAP}(?P<mult>[万亿])?{_GAP}"
    # 一次性 is "one-off" and 6个月 a duration, not counts
    rf"(?P<unit>{_UNIT_ALTERNATION}|[{PERCENT_SIGNS}])(?!性)(?!(?<=个)月)"
)
#: A range: "2000—3000元", "1—2万元", "2000～3000元", "1万元至2万元" (the unit and 万 may be written
#: once, after the high end).
RANGE_RE = re.compile(
    rf"(?<![第\d.A-Za-z])(?P<low>{_ARABIC}|{_CHINESE}){_GAP}(?P<low_mult>[万亿])?(?P<low_unit>{_UNIT_ALTERNATION})?"
    rf"{_GAP}[—–―\-－~～至到]{{1,2}}{_GAP}"
    rf"(?P<high>{_ARABIC}|{_CHINESE}){_GAP}(?P<mult>[万亿])?{_GAP}(?P<unit>{_UNIT_ALTERNATION}|[{PERCENT_SIGNS}])"
)
#: A percentage written out in words, as in "百分之二十".
PERCENT_WORDS_RE = re.compile(rf"百分之(?P<num>{_ARABIC}|[{CN_NUMERAL_CHARS}点]+)")


@dataclass(frozen=True)
class Quantity:
    """A figure found in a text: its value and unit, where it stands, and how it was written."""

    value: Number
    unit: str
    start: int
    end: int
    text: str
    numeral: Literal["arabic", "chinese"]
    #: True when 以上 follows the unit.
    at_least: bool = False
    #: The high end of a range ("2000—3000元": value 2000, max_value 3000); None for one figure.
    max_value: Number | None = None


def tidy(value: float) -> Number:
    """An int when the value is whole, so that 1200.0 is stored and shown as 1200."""
    return int(value) if float(value).is_integer() else value


def parse_number(text: str) -> Number:
    """Read one number written in Arabic digits or Chinese numerals ("1250", "21.5", "四万").

    Raises:
        ValueError: when the text is not a number.
    """
    text = text.strip()
    if re.fullmatch(_ARABIC, text):
        return tidy(float(text))
    import cn2an  # imported on first Chinese numeral: it costs ~0.1 s, and a cached KB never needs it

    try:
        value = cn2an.cn2an(text, "smart")
    except (ValueError, KeyError, IndexError) as exc:
        raise ValueError(f"不是数字：{text!r}") from exc
    return tidy(float(value))


def find_quantities(text: str) -> list[Quantity]:
    """Every figure-with-unit in the text, left to right, multipliers applied (3万元 -> 30000 元)."""
    ranges = [q for m in RANGE_RE.finditer(text) if (q := _range(text, m)) is not None]
    found = [q for m in QUANTITY_RE.finditer(text) if (q := _quantity(text, m)) is not None]
    found += [q for m in PERCENT_WORDS_RE.finditer(text) if (q := _percent_words(text, m)) is not None]
    found = [q for q in found if not any(r.start <= q.start < r.end for r in ranges)]
    return sorted(found + ranges, key=lambda q: q.start)


def parse_quantity(text: str) -> Quantity | None:
    """The first figure-with-unit in a short text such as "四万元" or "3.5 公里", or None."""
    found = find_quantities(text)
    return found[0] if found else None


def _quantity(text: str, match: re.Match[str]) -> Quantity | None:
    """Build a Quantity from a QUANTITY_RE match; None when the numeral does not read as a number."""
    raw = match["num"]
    try:
        value = parse_number(raw)
    except ValueError:
        return None
    unit = "%" if match["unit"] in PERCENT_SIGNS else match["unit"]
    value, unit = _multiplied(value, match["mult"], unit)
    return Quantity(
        value=value,
        unit=unit,
        start=match.start(),
        end=match.end(),
        text=match.group(0),
        numeral="arabic" if re.fullmatch(_ARABIC, raw) else "chinese",
        at_least=_followed_by_at_least(text, match.end()),
    )


def as_written(q: Quantity) -> tuple[Number, str]:
    """A target's figure in the unit the plan writes it: "不少于3000万元" is 3000 万元 (money paid to
    someone is counted in 元; a sum the plan aims at is reported and shown the way it is written)."""
    written = q.text.replace(" ", "")
    for mult, factor in MULTIPLIERS.items():
        if q.unit in MULTIPLIED_UNITS and mult + q.unit in written:
            return tidy(q.value / factor), mult + q.unit
    return q.value, q.unit


def _multiplier_of(unit: str) -> tuple[int, str]:
    """The factor a unit as written carries, and the unit it multiplies: 万元 -> (10000, 元)."""
    for mult, factor in MULTIPLIERS.items():
        if unit.startswith(mult) and unit.removeprefix(mult) in MULTIPLIED_UNITS:
            return factor, unit.removeprefix(mult)
    return 1, unit


def base_unit(unit: str) -> str:
    """The unit a figure compares in: 万元 -> 元; any other unit is its own."""
    return _multiplier_of(unit)[1]


def base_value(quantity: Number, unit: str) -> Number:
    """A figure in its base unit, for comparing figures however they are written: 3 万元 -> 30000."""
    factor = _multiplier_of(unit)[0]
    return tidy(quantity * factor) if factor != 1 else quantity


def _multiplied(value: Number, mult: str | None, unit: str) -> tuple[Number, str]:
    """3万元 -> 30000 元; 1.5万亩 -> 1.5 万亩."""
    if not mult:
        return value, unit
    if unit in MULTIPLIED_UNITS:
        return tidy(value * MULTIPLIERS[mult]), unit
    return value, mult + unit


def _range(text: str, match: re.Match[str]) -> Quantity | None:
    """Build a Quantity for a range; None when an end does not read or the units disagree."""
    try:
        low, high = parse_number(match["low"]), parse_number(match["high"])
    except ValueError:
        return None
    unit = "%" if match["unit"] in PERCENT_SIGNS else match["unit"]
    if match["low_unit"] and match["low_unit"] != unit:
        return None
    # "1—2万元": a 万 written once, after the high end, multiplies both ends.
    low_mult = match["low_mult"] or (None if match["low_unit"] else match["mult"])
    low, _ = _multiplied(low, low_mult, unit)
    high, unit = _multiplied(high, match["mult"], unit)
    if high <= low:
        return None
    return Quantity(
        value=low,
        unit=unit,
        start=match.start(),
        end=match.end(),
        text=match.group(0),
        numeral="arabic" if re.fullmatch(_ARABIC, match["low"]) else "chinese",
        at_least=_followed_by_at_least(text, match.end()),
        max_value=high,
    )


def _percent_words(text: str, match: re.Match[str]) -> Quantity | None:
    """Build a percentage Quantity from "百分之二十"."""
    try:
        value = parse_number(match["num"])
    except ValueError:
        return None
    return Quantity(
        value=value,
        unit="%",
        start=match.start(),
        end=match.end(),
        text=match.group(0),
        numeral="chinese",
        at_least=_followed_by_at_least(text, match.end()),
    )


def _followed_by_at_least(text: str, end: int) -> bool:
    """Whether 以上 (after optional spaces) follows position `end`."""
    rest = text[end:].lstrip(" \t\u3000")
    return rest.startswith(AT_LEAST_AFTER)
