"""A press's answer that fails on the network stops nothing (Telegram's refusals are tested end to end)."""

from __future__ import annotations

import logging

import pytest
from telegram import Bot, CallbackQuery, User
from telegram.error import NetworkError
from telegram.request import BaseRequest, RequestData

from bot.telegram.presses import answer_press


class NoNetwork(BaseRequest):
    """A Bot API connection that always fails, as when the network is down."""

    @property
    def read_timeout(self) -> float | None:
        return 1.0

    async def initialize(self) -> None:
        pass

    async def shutdown(self) -> None:
        pass

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: object = None,
        write_timeout: object = None,
        connect_timeout: object = None,
        pool_timeout: object = None,
    ) -> tuple[int, bytes]:
        raise NetworkError("connection refused")


async def test_an_answer_lost_on_the_network_raises_nothing_and_is_logged(caplog: pytest.LogCaptureFixture) -> None:
    bot = Bot("6000000001:offline", request=NoNetwork(), get_updates_request=NoNetwork())
    query = CallbackQuery("4242", User(7_000_000_001, "李军", is_bot=False), chat_instance="1", data="item:accept:1")
    query.set_bot(bot)
    with caplog.at_level(logging.INFO, logger="fupin.bot"):
        await answer_press(query)
    assert [r.getMessage() for r in caplog.records] == ["button press 4242 not answered: connection refused"]
