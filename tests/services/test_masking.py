"""Personal data is masked the way the office expects to read it in logs."""

from __future__ import annotations

import io
import logging
from collections.abc import Callable, Iterator

import pytest
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from services.masking import (
    install_log_masking,
    mask_id_number,
    mask_name,
    mask_personal_text,
    mask_phone,
    mask_text,
)
from services.models import User


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


# --- logs ----------------------------------------------------------------------------------------

ID_NUMBER = "210422198001011234"
PHONE = "13812345678"


@pytest.fixture
def masking_installed() -> Iterator[None]:
    """`install_log_masking()` as `fupin serve` runs it, undone afterwards for the other tests."""
    factory = logging.getLogRecordFactory()
    install_log_masking()
    yield
    logging.setLogRecordFactory(factory)


def _logged(logger_name: str, log: Callable[[logging.Logger], None]) -> str:
    """What a handler of its own on `logger_name` writes (the root's handlers play no part)."""
    logger = logging.getLogger(logger_name)
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    logger.addHandler(handler)
    logger.propagate, propagate = False, logger.propagate
    try:
        log(logger)
    finally:
        logger.removeHandler(handler)
        logger.propagate = propagate
    return stream.getvalue()


def test_a_log_record_with_an_id_number_or_a_phone_number_is_masked(masking_installed: None) -> None:
    shown = _logged("fupin.test.masking", lambda log: log.warning("户主 %s 电话 %s", ID_NUMBER, PHONE))
    assert ID_NUMBER not in shown
    assert PHONE not in shown
    assert "2104**********1234" in shown


def test_a_logged_exception_is_masked_too(masking_installed: None) -> None:
    def log_failure(log: logging.Logger) -> None:
        try:
            raise ValueError(f"bad row: {ID_NUMBER} {PHONE}")
        except ValueError:
            log.exception("import failed")

    shown = _logged("fupin.test.masking", log_failure)
    assert "ValueError" in shown
    assert ID_NUMBER not in shown
    assert PHONE not in shown


async def test_a_database_error_logged_carries_no_parameters(session: AsyncSession) -> None:
    session.add(User(telegram_user_id=1, display_name="王大山"))
    await session.commit()
    session.add(User(telegram_user_id=1, display_name=f"王大山{ID_NUMBER}"))
    with pytest.raises(IntegrityError) as failure:
        await session.commit()
    await session.rollback()
    shown = _logged("fupin.test.sql", lambda log: log.error("insert failed", exc_info=failure.value))
    assert "IntegrityError" in shown
    assert ID_NUMBER not in shown


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        ("我叫张三明，娃上初中补多少", "我叫张*明，娃上初中补多少"),
        ("户主王大力家房子漏雨", "户主王*力家房子漏雨"),
        ("我是贫困户，看病能报多少", "我是贫困户，看病能报多少"),
        ("电话13812345678", "电话138****5678"),
    ],
    ids=["introduced-name", "household-head", "no-name-after-我是", "phone"],
)
def test_a_question_kept_for_the_office_has_its_personal_data_masked(text: str, masked: str) -> None:
    assert mask_personal_text(text) == masked


def test_the_writers_own_name_is_masked_wherever_it_stands() -> None:
    assert mask_personal_text("刘桂芳家的低保咋办", names=["刘桂芳"]) == "刘*芳家的低保咋办"
