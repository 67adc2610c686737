"""Masks for personal data — names, 身份证号, phone numbers — in anything that is logged.

The plan's households are identifiable people; logs, audit rows and error reports show only
enough to tell records apart (张*明, 2104**********1234, 138****5678).
"""

from __future__ import annotations

import logging
import numbers
import re
from collections.abc import Callable, Iterable, Mapping
from typing import Any

#: Mask character used everywhere, so masked values look alike across logs.
MASK = "*"

#: A mainland resident ID number: 18 characters (17 digits and a digit or X) or the old 15 digits.
ID_NUMBER_RE = re.compile(r"(?<![0-9A-Za-z])(\d{17}[\dXx]|\d{15})(?![0-9A-Za-z])")

#: A mainland mobile number, optionally after +86 / 86.
PHONE_RE = re.compile(r"(?<!\d)(?:\+?86[- ]?)?(1[3-9]\d{9})(?!\d)")


def mask_name(name: str) -> str:
    """Keep the first and last character of a name: 张三明 → 张*明, 张三 → 张*, 欧阳娜娜 → 欧**娜."""
    name = name.strip()
    if len(name) <= 1:
        return MASK * len(name)
    if len(name) == 2:
        return name[0] + MASK
    return name[0] + MASK * (len(name) - 2) + name[-1]


def mask_id_number(id_number: str) -> str:
    """Keep the first 4 (region) and last 4 characters: 2104**********1234; short values vanish."""
    value = id_number.strip()
    if len(value) <= 8:
        return MASK * len(value)
    return value[:4] + MASK * (len(value) - 8) + value[-4:]


def mask_phone(phone: str) -> str:
    """Keep the first 3 and last 4 digits of a phone number: 138****5678."""
    digits = re.sub(r"\D", "", phone)
    if len(digits) > 11 and digits.startswith("86"):
        digits = digits[2:]
    if len(digits) <= 7:
        return MASK * len(digits)
    return digits[:3] + MASK * (len(digits) - 7) + digits[-4:]


def mask_text(text: str) -> str:
    """Mask every ID number and mobile number found in free text (names cannot be found this way)."""
    text = ID_NUMBER_RE.sub(lambda m: mask_id_number(m.group(1)), text)
    return PHONE_RE.sub(lambda m: mask_phone(m.group(1)), text)


#: Common surnames (single characters of the Baijiaxing most borne in Liaoning, Manchu families'
#: Han surnames included): a name is looked for only after one of them.
SURNAMES = (
    "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎余潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史顾侯邵孟龙万段雷钱汤尹黎易常武乔贺赖龚文"
    "关佟那富鲍隋佘宫谷姬敖滕葛付"
)
#: A name as people give it in a message: after 我叫 / 我是 / 户主 / 姓名 and the like, a surname and
#: one or two characters more ("我叫张三明，娃上初中…" -> "我叫张*明，…").
NAME_IN_TEXT_RE = re.compile(
    rf"(?:我叫|我是|名叫|叫做|本人|户主|姓名|老人|孩子叫|娃叫)[:：是叫]?([{SURNAMES}][\u4e00-\u9fff]{{1,2}})"
)


def mask_personal_text(text: str, *, names: Iterable[str] = ()) -> str:
    """Free text a person wrote, with ID numbers, mobile numbers and names masked.

    Names are those given in `names` (the writer's own, as Telegram knows them) and those the writer
    introduces ("我叫张三明"): any other bare name in a sentence cannot be told from ordinary words,
    so a text kept for long must also be short-lived (the office's question log keeps 30 days).
    """
    text = mask_text(text)
    for name in sorted({n.strip() for n in names if len(n.strip()) >= 2}, key=len, reverse=True):
        text = text.replace(name, mask_name(name))
    return NAME_IN_TEXT_RE.sub(lambda m: m.group(0)[: m.start(1) - m.start(0)] + mask_name(m.group(1)), text)


def _masked_argument(value: object) -> object:
    """A log argument with ID and phone numbers masked; numbers stay numbers for `%d`-style formats."""
    if isinstance(value, str):
        return mask_text(value)
    if value is None or isinstance(value, numbers.Number):
        return value
    return mask_text(str(value))


def mask_record(record: logging.LogRecord) -> logging.LogRecord:
    """Mask every ID and phone number in a log record: its message, its arguments and its traceback.

    The arguments are masked one by one (not merged into the message), so formatters that read
    `record.args` — uvicorn's access log does — still find them.
    """
    # A message that is not a string (an exception, say) is shown as its str() anyway.
    record.msg = mask_text(record.msg if isinstance(record.msg, str) else str(record.msg))
    if isinstance(record.args, tuple):
        record.args = tuple(_masked_argument(a) for a in record.args)
    elif isinstance(record.args, Mapping):
        record.args = {k: _masked_argument(v) for k, v in record.args.items()}
    if record.exc_info and record.exc_text is None:
        record.exc_text = mask_text(logging.Formatter().formatException(record.exc_info))
    return record


class _MaskingFactory:
    """The log record factory that masks what the one it wraps made; its type marks it as installed."""

    def __init__(self, wrapped: Callable[..., logging.LogRecord]) -> None:
        self._wrapped = wrapped

    def __call__(self, *args: Any, **kwargs: Any) -> logging.LogRecord:
        return mask_record(self._wrapped(*args, **kwargs))


def install_log_masking() -> None:
    """Mask every log record this process creates, whichever logger logs it and whichever handler shows it.

    A filter on the root logger would see only records logged on the root itself (Python applies a
    logger's filters before propagation, not to records from child loggers), and uvicorn's loggers
    have handlers of their own; wrapping the record factory reaches them all. Idempotent.
    """
    factory = logging.getLogRecordFactory()
    if not isinstance(factory, _MaskingFactory):
        logging.setLogRecordFactory(_MaskingFactory(factory))
