"""The bot side of delivery: Telegram's answers as outbox outcomes, and the report and reminder texts."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from telegram import Message
from telegram.error import BadRequest, ChatMigrated, Forbidden, NetworkError, RetryAfter, TimedOut

from bot import texts
from bot.telegram.delivery import render_reminder, render_report, telegram_sender
from bot.telegram.sending import MAX_TEXT
from services import outbox
from services.broadcasts import DeliveryReport, FailedDelivery
from services.deadlines import Reminder
from services.models import AudienceKind, BroadcastStatus, FailureReason


class AnsweringBot:
    """Stands in for Telegram's side of `send_message`: raises the given error, or accepts."""

    def __init__(self, error: Exception | None = None) -> None:
        self.error = error
        self.sent: list[dict[str, Any]] = []

    async def send_message(
        self, chat_id: int, text: str, reply_markup: Any = None, rate_limit_args: Any = None
    ) -> Message:
        if self.error is not None:
            raise self.error
        self.sent.append({"chat_id": chat_id, "text": text, "reply_markup": reply_markup, "lane": rate_limit_args})
        return Message.de_json(
            {"message_id": 77, "date": 0, "chat": {"id": chat_id, "type": "private"}, "text": text}, None
        )


@pytest.mark.parametrize(
    ("error", "expected"),
    [
        pytest.param(None, outbox.Sent(77), id="sent"),
        pytest.param(RetryAfter(3), outbox.RetryLater(3.0), id="429"),
        pytest.param(
            Forbidden("Forbidden: bot was blocked by the user"),
            outbox.Blocked("Forbidden: bot was blocked by the user"),
            id="403",
        ),
        pytest.param(BadRequest("Chat not found"), outbox.Rejected("Chat not found"), id="400"),
        pytest.param(TimedOut(), outbox.NetworkFailure("TimedOut: Timed out"), id="timeout"),
        pytest.param(
            NetworkError("Connection reset"), outbox.NetworkFailure("NetworkError: Connection reset"), id="network"
        ),
        pytest.param(
            ChatMigrated(-100123),
            outbox.Rejected("ChatMigrated: Group migrated to supergroup. New chat id: -100123"),
            id="migrated",
        ),
    ],
)
async def test_telegrams_answers_become_outbox_outcomes(error: Exception | None, expected: outbox.SendResult) -> None:
    send = telegram_sender(AnsweringBot(error))  # type: ignore[arg-type]
    assert await send(outbox.Outgoing(id=1, chat_id=42, text="通知")) == expected


async def test_buttons_stored_as_json_go_out_as_telegram_markup() -> None:
    bot = AnsweringBot()
    markup = {"inline_keyboard": [[{"text": "接收", "callback_data": "item:accept:1"}]]}
    await telegram_sender(bot)(outbox.Outgoing(id=1, chat_id=42, text="事项", reply_markup=markup))  # type: ignore[arg-type]
    assert bot.sent[0]["reply_markup"].to_dict() == markup


def test_the_report_gives_counts_and_masked_names_by_reason() -> None:
    report = DeliveryReport(
        broadcast_id=1,
        text="请各户于12月5日前到村委会核对2018年各项补贴发放信息，逾期不再补录，请相互转告。",
        audience="群众",
        status=BroadcastStatus.DONE,
        recipients=4,
        delivered=2,
        pending=0,
        failed=[
            FailedDelivery(name="张*明", reason=FailureReason.BLOCKED, reason_label="已屏蔽机器人"),
            FailedDelivery(name="李*", reason=FailureReason.BLOCKED, reason_label="已屏蔽机器人"),
        ],
    )
    text = render_report(report)
    assert "群众，共 4 人" in text
    assert "已送达 2 人" in text
    assert "未送达 2 人" in text
    assert "已屏蔽机器人（2 人）：张*明、李*" in text
    assert text.endswith(
        "通知：请各户于12月5日前到村委会核对2018年各项补贴发放信息，逾期不再补录，请相互…"
    )  # cut at 40


def test_a_report_of_a_thousand_failures_fits_one_message_and_counts_the_rest() -> None:
    blocked = [
        FailedDelivery(name=f"村民{i:04d}号", reason=FailureReason.BLOCKED, reason_label="已屏蔽机器人")
        for i in range(700)
    ]
    rejected = [
        FailedDelivery(name=f"外出{i:04d}号", reason=FailureReason.REJECTED, reason_label="账号不存在")
        for i in range(300)
    ]
    report = DeliveryReport(
        broadcast_id=1,
        text="请各户于12月5日前到村委会核对2018年各项补贴发放信息。",
        audience="群众",
        status=BroadcastStatus.DONE,
        recipients=3000,
        delivered=2000,
        pending=0,
        failed=blocked + rejected,
    )
    text = render_report(report)
    assert len(text) <= MAX_TEXT
    assert "已屏蔽机器人（700 人）：村民0000号、" in text
    assert texts.MORE_PEOPLE.format(count=700 - texts.BROADCAST_REPORT_NAMES) in text
    assert texts.MORE_PEOPLE.format(count=300 - texts.BROADCAST_REPORT_NAMES) in text


def test_reminders_say_how_long_is_left_and_quote_the_plan_for_recurring_duties() -> None:
    deadline = Reminder(
        key="deadline:1:1",
        title="上报道路硬化完成情况",
        due_date=dt.date(2026, 12, 20),
        days_left=1,
        offset=1,
        audience=AudienceKind.UNITS,
    )
    assert render_reminder(deadline) == "⏰ 截止提醒：上报道路硬化完成情况\n截止日期：2026-12-20（还有 1 天）"
    duty = Reminder(
        key="cadence:月调度:2026-12-01:0",
        title="月调度",
        due_date=dt.date(2026, 12, 1),
        days_left=0,
        offset=0,
        audience=AudienceKind.UNITS,
        sentence="建立月调度、季督查、年考核制度。",
    )
    assert "就是今天" in render_reminder(duty)
    assert "依据实施方案：建立月调度、季督查、年考核制度。" in render_reminder(duty)
