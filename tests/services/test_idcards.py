"""身份证号: what people type is folded to 18 characters; each kind of mistake gets its own message."""

from __future__ import annotations

import datetime as dt

import pytest

from services.errors import InvalidInput
from services.idcards import check_char, normalize_id_number
from tests.idcard_support import fake_id_number

#: The worked example of GB 11643-1999 (a specimen number, not a person).
STANDARD_EXAMPLE = "11010519491231002X"


def test_the_standard_example_checks() -> None:
    assert check_char(STANDARD_EXAMPLE[:17]) == "X"
    assert normalize_id_number(STANDARD_EXAMPLE) == STANDARD_EXAMPLE


def spaced(number: str) -> str:
    return f" {number[:6]} {number[6:14]} {number[14:]} "


def full_width(number: str) -> str:
    return number.translate({ord(c): ord(c) + 0xFEE0 for c in "0123456789X"})


def arabic_indic(number: str) -> str:
    """The number in Arabic-Indic digits (٠١٢…), which `int()` and `\\d` accept as digits."""
    return number.translate({ord(c): 0x0660 + int(c) for c in "0123456789"})


@pytest.mark.parametrize(
    "typed",
    [
        pytest.param(STANDARD_EXAMPLE, id="plain"),
        pytest.param(STANDARD_EXAMPLE.lower(), id="lowercase-x"),
        pytest.param(spaced(STANDARD_EXAMPLE), id="spaces"),
        pytest.param(STANDARD_EXAMPLE[:6] + "\u3000" + STANDARD_EXAMPLE[6:], id="ideographic-space"),
        pytest.param(full_width(STANDARD_EXAMPLE), id="full-width"),
        pytest.param(arabic_indic(STANDARD_EXAMPLE), id="arabic-indic"),
        pytest.param(STANDARD_EXAMPLE.translate({ord(c): 0x0966 + int(c) for c in "0123456789"}), id="devanagari"),
        pytest.param(f"{STANDARD_EXAMPLE[:6]}-{STANDARD_EXAMPLE[6:14]}-{STANDARD_EXAMPLE[14:]}", id="dashes"),
    ],
)
def test_what_people_type_is_folded(typed: str) -> None:
    assert normalize_id_number(typed) == STANDARD_EXAMPLE


def test_every_generated_number_is_valid() -> None:
    for serial in range(0, 1000, 37):
        number = fake_id_number(serial)
        assert normalize_id_number(number) == number


@pytest.mark.parametrize(
    ("typed", "says"),
    [
        pytest.param(STANDARD_EXAMPLE[:-1], "位数不对", id="17-digits"),
        pytest.param(STANDARD_EXAMPLE + "1", "位数不对", id="19-digits"),
        pytest.param("110105491231002", "位数不对", id="old-15-digit"),
        pytest.param("", "位数不对", id="empty"),
        pytest.param("1101051949123100XX", "格式不对", id="x-inside"),
        pytest.param("11010519491231002Y", "格式不对", id="letter-at-end"),
        pytest.param("110105194902300021", "出生日期不对", id="february-30"),
        pytest.param("110105189912310021", "出生日期不对", id="before-1900"),
        pytest.param("110105203001010021", "出生日期不对", id="future"),
        pytest.param("110105194912310021", "校验码不对，请核对", id="wrong-check-char"),
        pytest.param("11010519491231012X", "校验码不对，请核对", id="one-digit-mistyped"),
    ],
)
def test_each_mistake_is_named(typed: str, says: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        normalize_id_number(typed, today=dt.date(2026, 1, 1))
    assert says in caught.value.message
    assert "请" in caught.value.message  # and what to do about it


def test_messages_never_repeat_the_number() -> None:
    typed = "110105194912310021"
    with pytest.raises(InvalidInput) as caught:
        normalize_id_number(typed)
    assert typed not in caught.value.message
    assert typed[6:14] not in caught.value.message
