"""Quantities as cadres type them: Arabic, Chinese, full-width, with or without the unit."""

from __future__ import annotations

import pytest

from services.errors import InvalidInput
from services.quantities import COUNTABLE_UNITS, format_quantity, parse_quantity


@pytest.mark.parametrize(
    ("text", "unit", "value"),
    [
        pytest.param("3.5", "公里", 3.5, id="decimal"),
        pytest.param("3.5公里", "公里", 3.5, id="decimal-with-unit"),
        pytest.param("3.5 公里", "公里", 3.5, id="space-before-unit"),
        pytest.param("三点五", "公里", 3.5, id="chinese-decimal"),
        pytest.param("二十一点五公里", "公里", 21.5, id="chinese-with-unit"),
        pytest.param("两座", "座", 2, id="liang-with-measure-word"),
        pytest.param("１２", "户", 12, id="full-width-digits"),
        pytest.param("１２　户", "户", 12, id="full-width-with-ideographic-space"),
        pytest.param("３．５", "公里", 3.5, id="full-width-decimal-point"),
        pytest.param("3.5km", "公里", 3.5, id="km-is-gongli"),
        pytest.param("1,200", "元", 1200, id="thousands-separator"),
        pytest.param("1.2万", "元", 12000, id="wan-multiplier"),
        pytest.param("两千元", "元", 2000, id="chinese-money"),
        pytest.param("  7 ", "人", 7, id="surrounding-blanks"),
    ],
)
def test_accepted(text: str, unit: str, value: float) -> None:
    assert parse_quantity(text, unit=unit) == value


@pytest.mark.parametrize(
    ("text", "unit", "says"),
    [
        pytest.param("0", "户", "要大于 0", id="zero"),
        pytest.param("零", "户", "要大于 0", id="chinese-zero"),
        pytest.param("-3", "公里", "要大于 0", id="negative"),
        pytest.param("负三", "公里", "要大于 0", id="chinese-negative"),
        pytest.param("不知道", "户", "不是一个数", id="words"),
        pytest.param("一些", "公里", "上报要填确切的数量", id="some"),
        pytest.param("3公里多", "公里", "上报要填确切的数量", id="more-than"),
        pytest.param("大约2座", "座", "上报要填确切的数量", id="about"),
        pytest.param("", "户", "没有收到数量", id="empty"),
        pytest.param("2.5", "户", "要按整数计", id="fraction-of-a-household"),
        pytest.param("两点五座", "座", "要按整数计", id="fraction-of-a-bridge"),
        pytest.param("三分之一", "公里", "不要写分数", id="written-fraction"),
        pytest.param("1/2", "公里", "不要写分数", id="slash-fraction"),
        pytest.param("3米", "公里", "按“公里”计，不是“米”", id="metres-for-kilometres"),
        pytest.param("3个", "家", "按“家”计，不是“个”", id="other-measure-word"),
        pytest.param("3,5", "公里", "小数请用小数点", id="decimal-comma-refused"),
        pytest.param("3.5.2", "公里", "没看懂", id="two-points"),
    ],
)
def test_refused_with_what_was_wrong_and_what_to_type(text: str, unit: str, says: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        parse_quantity(text, unit=unit)
    assert says in caught.value.message
    assert f"请重新输入数量（单位：{unit}）" in caught.value.message


def test_examples_in_messages_are_whole_for_countable_units() -> None:
    with pytest.raises(InvalidInput) as caught:
        parse_quantity("半", unit="户")
    assert "如 3 或 3户" in caught.value.message
    with pytest.raises(InvalidInput) as caught:
        parse_quantity("半", unit="公里")
    assert "如 3.5 或 3.5公里" in caught.value.message


def test_the_plans_countable_units_are_countable() -> None:
    assert {"户", "座", "个", "家", "人", "条", "所", "名", "项", "种", "次"} <= COUNTABLE_UNITS
    assert not {"公里", "元", "米", "亩"} & COUNTABLE_UNITS


@pytest.mark.parametrize(
    ("value", "shown"),
    [(3.5, "3.5"), (12.0, "12"), (1_200_000.0, "1200000"), (0.1 + 0.2, "0.3")],
    ids=["decimal", "whole", "large", "float-noise"],
)
def test_format_quantity(value: float, shown: str) -> None:
    assert format_quantity(value) == shown


@pytest.mark.parametrize(
    ("text", "target", "says"),
    [
        pytest.param("100000000000000000000", None, "一次上报最多 1000000000公里", id="absurd-without-target"),
        pytest.param("1千亿", 106.0, "一次上报最多 1060公里", id="absurd-with-target"),
        pytest.param("1061", 106.0, "全县目标才 106公里", id="ten-times-the-target"),
    ],
)
def test_implausible_quantities_are_refused(text: str, target: float | None, says: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        parse_quantity(text, unit="公里", target=target)
    assert says in caught.value.message


def test_up_to_ten_times_the_target_is_accepted() -> None:
    """Beyond what remains the bot asks to confirm; only the implausible is refused outright."""
    assert parse_quantity("1060", unit="公里", target=106.0) == 1060
