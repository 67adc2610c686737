"""`/metrics`: what an operator's Prometheus reads after some activity, and who may read it.

The process's own counts are read after a household's question and an outbox message in the
sandbox; the database's figures from a web-only process served in memory (no worker changes
them under the test); a 429 from the flood-limited emulator.
"""

from __future__ import annotations

import asyncio
import datetime as dt

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families
from pydantic import SecretStr
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from telegram.ext import ExtBot

from bot.http import texts as web_texts
from bot.http.app import create_app
from bot.metrics import Metrics
from bot.telegram.sending import SendingLimiter
from emulator import FloodLimits, running_emulator
from policy_kb import load_kb
from services import audit, outbox
from services.config import Settings
from services.db import session_scope
from services.items import create_item
from services.models import FailureReason, ItemKind, OutboxMessage, OutboxStatus, RoleKind, utcnow
from services.routing import parties_for
from services.workdays import china_today
from tests.bot_support import Sandbox, web_part_in_memory
from tests.people_support import person, village

#: A question the plan answers with confidence.
QUESTION = "娃上初中一年补多少钱"
#: A chat Telegram (the emulator) does not know: a message to it is rejected.
NOBODY = 999_999_001

Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]


def samples(exposition: str) -> Samples:
    """Every sample of a scrape by name and labels."""
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(exposition)
        for sample in family.samples
    }


def sample(scrape: Samples, name: str, **labels: str) -> float:
    return scrape[(name, frozenset(labels.items()))]


async def failed_rows(sessionmaker: async_sessionmaker[AsyncSession]) -> int:
    async with sessionmaker() as session:
        return int(await session.scalar(select(func.count()).where(OutboxMessage.status == OutboxStatus.FAILED)) or 0)


# -- the process's own counts -----------------------------------------------------------------------


async def test_a_question_and_a_refused_notice_show_in_the_metrics(sandbox: Sandbox, http: httpx.AsyncClient) -> None:
    household = await sandbox.client.create_user("赵大娘")
    await sandbox.client.send_text(household, QUESTION)
    await sandbox.client.wait_for_bot_message(household["id"])
    sessionmaker = sandbox.app.state.sessionmaker
    async with session_scope(sessionmaker) as session:
        await outbox.enqueue(session, chat_id=NOBODY, text="这条没人收")
    for _ in range(1200):
        if await failed_rows(sessionmaker):
            break
        await asyncio.sleep(0.05)
    response = await http.get("/metrics")
    scrape = samples(response.text)
    assert response.headers["content-type"].startswith("text/plain")
    assert sample(scrape, "fupin_updates_total", kind="message") == 1
    assert sample(scrape, "fupin_updates_total", kind="command") == 0
    assert sample(scrape, "fupin_answer_seconds_count") == 1
    assert sample(scrape, "fupin_answer_seconds_sum") > 0
    assert sample(scrape, "fupin_questions_total", outcome="answered") == 1
    assert sample(scrape, "fupin_questions_total", outcome="unanswered") == 0
    assert sample(scrape, "fupin_outbox_sends_total", outcome="rejected") == 1
    assert sample(scrape, "fupin_outbox_failed_total", reason="rejected") == 1
    assert sample(scrape, "fupin_telegram_retry_after_total", lane="reply") == 0
    assert sample(scrape, "process_resident_memory_bytes") > 0


async def test_a_429_from_telegram_is_counted_on_its_lane() -> None:
    # A strict chat limit (1 a second) that the bot's pacer, allowing a burst, does not know of.
    metrics = Metrics()
    async with running_emulator(flood=True, flood_limits=FloodLimits(private_burst=1)) as emu:
        user = emu.state.add_user("赵大爷")
        limiter = SendingLimiter(outbox.Pacer(), metrics=metrics)
        async with ExtBot(emu.token, base_url=emu.api_url, rate_limiter=limiter) as bot:
            await bot.send_message(user.id, "第一条")
            await bot.send_message(user.id, "第二条")
    scrape = samples(metrics.exposition().decode())
    assert sample(scrape, "fupin_telegram_retry_after_total", lane="reply") == 1
    assert sample(scrape, "fupin_telegram_retry_after_total", lane="outbox") == 0


# -- the database's figures -------------------------------------------------------------------------


async def test_outbox_depth_its_oldest_due_message_failures_and_overdue_items_are_read_from_the_database(
    database_url: str, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    now = utcnow()
    async with session_scope(sessionmaker) as session:
        await outbox.enqueue(session, chat_id=1, text="等了十分钟", not_before=now - dt.timedelta(minutes=10))
        await outbox.enqueue(session, chat_id=2, text="明天再发", not_before=now + dt.timedelta(days=1))
        blocked = await outbox.enqueue(session, chat_id=3, text="被屏蔽了")
        blocked.status, blocked.failure = OutboxStatus.FAILED, FailureReason.BLOCKED
        place = await village(session, "新宾镇", "腰站村")
        cadre = await person(session, 8_000_001, RoleKind.CADRE, villages=[place])
        await create_item(
            session,
            kind=ItemKind.REPORT,
            measure_id="mc0623e77",
            title="硬化村组道路 3 公里",
            topic="硬化村组道路",
            village=place,
            reporter=cadre,
            parties=parties_for(load_kb(), measure_id="mc0623e77", township=place.township),
            actor=audit.SYSTEM_ACTOR,
            today=china_today() - dt.timedelta(days=60),  # long past its due date
        )
    async with web_part_in_memory(database_url) as http:
        scrape = samples((await http.get("/metrics")).text)
    assert sample(scrape, "fupin_outbox_depth", status="pending") == 2
    assert sample(scrape, "fupin_outbox_depth", status="sending") == 0
    assert 600 <= sample(scrape, "fupin_outbox_oldest_due_seconds") < 3600  # the one due ten minutes ago
    assert sample(scrape, "fupin_outbox_failed_total", reason="blocked") == 1
    assert sample(scrape, "fupin_outbox_failed_total", reason="network") == 0
    assert sample(scrape, "fupin_items_overdue") == 1


# -- who may read them ------------------------------------------------------------------------------


async def test_with_a_metrics_token_only_its_bearer_reads_the_metrics(database_url: str) -> None:
    async with web_part_in_memory(database_url, metrics_token=SecretStr("scrape-token-0123")) as http:
        without = await http.get("/metrics")
        wrong = await http.get("/metrics", headers={"Authorization": "Bearer guess"})
        right = await http.get("/metrics", headers={"Authorization": "Bearer scrape-token-0123"})
    assert without.status_code == 401
    assert without.json()["detail"] == web_texts.METRICS_TOKEN_WRONG
    assert wrong.status_code == 401
    assert right.status_code == 200


@pytest.mark.parametrize(
    ("client", "headers"),
    [
        pytest.param(("10.0.0.5", 40000), {}, id="another-machine"),
        pytest.param(("127.0.0.1", 40000), {"X-Forwarded-For": "203.0.113.9"}, id="through-a-proxy"),
    ],
)
async def test_without_a_token_the_metrics_are_refused_to_anyone_but_this_machine(
    client: tuple[str, int], headers: dict[str, str]
) -> None:
    # Refused before the database is read, so the app need not start.
    app = create_app(Settings(database_url="sqlite+aiosqlite:///:memory:", plan_reminders=False))
    transport = httpx.ASGITransport(app=app, client=client)
    async with httpx.AsyncClient(transport=transport, base_url="http://fupin") as http:
        refused = await http.get("/metrics", headers=headers)
    assert refused.status_code == 403
    assert refused.json()["detail"] == web_texts.METRICS_LOOPBACK_ONLY
