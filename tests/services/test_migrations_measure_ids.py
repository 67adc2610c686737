"""Migration 0009: rows stored under the old positional measure ids point at the same measures after it."""

from __future__ import annotations

import asyncio
import importlib
import re
from collections import Counter
from importlib import resources

from alembic import command
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from policy_kb import build_kb
from policy_kb.loader import PLAN_RESOURCE
from policy_kb.numbers import parse_number
from services import bot_state
from services.db import alembic_config, migrate
from services.models import BotStateEntry, Item, Report, ReviewedPhrase
from tests.dashboard_support import road_report

MIGRATION = importlib.import_module("services.migrations.versions.0009_stable_measure_ids")
BEFORE = "0008_questions"
OLD_ROADS, ROADS = "2.2.8-1", "mc0623e77"


def _packaged_2018_plan() -> str:
    return resources.files("policy_kb").joinpath(PLAN_RESOURCE).read_text("utf-8")


#: The number at the start of a heading label: 二、 （二） (二) 8、
HEADING_NUMBER_RE = re.compile(r"[（(]?\s*(?P<num>[一二三四五六七八九十]+|\d+)")


def _heading_number(label: str) -> str:
    found = HEADING_NUMBER_RE.match(label)
    assert found is not None, label
    return str(int(parse_number(found["num"])))


def _positional_ids(paths: list[list[str]]) -> list[str]:
    """The ids the builder gave before 0009: heading numbers joined by dots, -1/-2 for a shared heading."""
    numbers = [".".join(_heading_number(label) for label in path) for path in paths]
    count, seen = Counter(numbers), Counter[str]()
    ids = []
    for number in numbers:
        seen[number] += 1
        ids.append(f"{number}-{seen[number]}" if count[number] > 1 else number)
    return ids


def test_the_mapping_covers_every_measure_of_the_2018_plan_under_both_ids() -> None:
    kb = build_kb(_packaged_2018_plan())
    expected = dict(zip(_positional_ids([m.path for m in kb.measures]), [m.id for m in kb.measures], strict=True))
    assert MIGRATION.POSITIONAL_TO_STABLE == expected


async def _stored_ids(sessionmaker: async_sessionmaker[AsyncSession]) -> tuple[str, str]:
    # Columns, not whole rows: at an older revision the table lacks columns added since (plan_year).
    async with sessionmaker() as session:
        report = (await session.scalars(select(Report.measure_id))).one()
        item = (await session.scalars(select(Item.measure_id))).one()
        return report, item


async def test_a_report_on_an_old_id_points_to_the_same_measure_after_0009(
    database_url: str, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    async with sessionmaker() as session:
        await road_report(session)
        await session.commit()
    await asyncio.to_thread(command.downgrade, alembic_config(database_url), BEFORE)
    try:
        assert await _stored_ids(sessionmaker) == (OLD_ROADS, OLD_ROADS)
    finally:
        await migrate(database_url)
    assert await _stored_ids(sessionmaker) == (ROADS, ROADS)


async def test_a_reviewed_phrase_and_a_half_written_report_follow_the_new_id(
    database_url: str, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    await asyncio.to_thread(command.downgrade, alembic_config(database_url), BEFORE)
    try:
        async with sessionmaker() as session:
            session.add(ReviewedPhrase(phrase="修路", entry_key=f"{OLD_ROADS}/target/硬化村组道路", created_by="cli"))
            draft = {"report": {"measure_id": OLD_ROADS, "indicator": "硬化村组道路", "trail": ["measure"]}}
            await bot_state.save_value(session=session, namespace="user_data", key="1", data=draft)
            await session.commit()
    finally:
        await migrate(database_url)
    async with sessionmaker() as session:
        phrase = (await session.scalars(select(ReviewedPhrase))).one()
        assert phrase.entry_key == f"{ROADS}/target/硬化村组道路"
        stored = await session.get(BotStateEntry, ("user_data", "1"))
        assert stored is not None
        assert stored.data["report"]["measure_id"] == ROADS
