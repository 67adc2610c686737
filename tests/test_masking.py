"""Personal data is masked the way the office expects to read it in logs."""

from __future__ import annotations

import pytest

from services.masking import mask_id_number, mask_name, mask_phone, mask_text


@pytest.mark.parametrize(
    ("name", "masked"),
    [
        pytest.param("张三明", "张*明", id="three-characters"),
        pytest.param("张三", "张*", id="two-characters"),
        pytest.param("欧阳娜娜", "欧**娜", id="compound-surname"),
        pytest.param("李", "*", id="one-character"),
        pytest.param(" 王小二 ", "王*二", id="surrounding-blanks"),
        pytest.param("", "", id="empty"),
    ],
)
def test_mask_name(name: str, masked: str) -> None:
    assert mask_name(name) == masked


@pytest.mark.parametrize(
    ("id_number", "masked"),
    [
        pytest.param("210422198001011234", "2104**********1234", id="18-digits"),
        pytest.param("21042219800101123X", "2104**********123X", id="check-letter-X"),
        pytest.param("210422800101123", "2104*******1123", id="old-15-digits"),
        pytest.param("1234", "****", id="too-short-to-keep-anything"),
    ],
)
def test_mask_id_number(id_number: str, masked: str) -> None:
    assert mask_id_number(id_number) == masked


@pytest.mark.parametrize(
    ("phone", "masked"),
    [
        pytest.param("13812345678", "138****5678", id="mobile"),
        pytest.param("138-1234-5678", "138****5678", id="with-dashes"),
        pytest.param("+86 138 1234 5678", "138****5678", id="country-code"),
    ],
)
def test_mask_phone(phone: str, masked: str) -> None:
    assert mask_phone(phone) == masked


def test_mask_text_hides_id_numbers_and_phones_in_a_sentence() -> None:
    text = "户主身份证210422198001011234，电话13812345678，请核实"
    assert mask_text(text) == "户主身份证2104**********1234，电话138****5678，请核实"
