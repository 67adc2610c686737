"""Townships are seeded; village lists import all-or-nothing, with errors that name the line."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from services.audit import list_audit
from services.errors import InvalidInput
from services.models import Village
from services.places import (
    ensure_townships,
    import_villages,
    list_townships,
    list_villages,
    read_villages_csv,
    resolve_villages,
)

GOOD_CSV = "township,village\n新宾镇,赫图阿拉村\n新宾镇,腰站村\n永陵镇,永陵村\n"


async def village_count(sessionmaker: async_sessionmaker[AsyncSession]) -> int:
    async with sessionmaker() as session:
        return await session.scalar(select(func.count()).select_from(Village)) or 0


async def test_the_fifteen_townships_are_seeded_once(session: AsyncSession) -> None:
    assert await ensure_townships(session) == 0  # the fixture seeded them already
    townships = await list_townships(session)
    assert len(townships) == 15
    assert (townships[0].code, townships[0].name) == ("210422100", "新宾镇")


async def test_import_good_file_then_again_is_idempotent(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    async with sessionmaker.begin() as session:
        first = await import_villages(session, read_villages_csv(GOOD_CSV))
    async with sessionmaker.begin() as session:
        again = await import_villages(session, read_villages_csv(GOOD_CSV))
        villages = await list_villages(session, township="新宾镇")
    assert (first.created, first.existing) == (3, 0)
    assert (again.created, again.existing) == (0, 3)
    assert {v.full_name for v in villages} == {"新宾镇/赫图阿拉村", "新宾镇/腰站村"}
    assert await village_count(sessionmaker) == 3


async def test_bad_line_is_named_and_nothing_is_written(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    text = "township,village\n新宾镇,赫图阿拉村\n永陵镇,\n永陵镇,永陵村\n"
    with pytest.raises(InvalidInput) as caught:
        async with sessionmaker.begin() as session:
            await import_villages(session, read_villages_csv(text))
    assert "第 3 行：村名为空" in caught.value.message
    assert "未导入任何数据" in caught.value.message
    assert await village_count(sessionmaker) == 0
    async with sessionmaker() as session:
        assert await list_audit(session) == []


async def test_unknown_township_suggests_the_closest(session: AsyncSession) -> None:
    text = "township,village\n新宾镇,腰站村\n旺青门镇,旺清门村\n"
    with pytest.raises(InvalidInput) as caught:
        await import_villages(session, read_villages_csv(text))
    assert caught.value.problems == ("第 3 行：没有名为“旺青门镇”的乡镇，是不是“旺清门镇”？",)


async def test_duplicate_lines_name_both_lines(session: AsyncSession) -> None:
    text = "township,village\n新宾镇,腰站村\n永陵镇,永陵村\n新宾镇,腰站村\n"
    with pytest.raises(InvalidInput) as caught:
        await import_villages(session, read_villages_csv(text))
    assert caught.value.problems == ("第 4 行：“新宾镇/腰站村”与第 2 行重复",)


def test_wrong_header_is_refused_with_the_expected_one() -> None:
    with pytest.raises(InvalidInput, match="第 1 行表头应为：township,village"):
        read_villages_csv("乡,村名\n新宾镇,腰站村\n")


def test_chinese_header_bom_and_trailing_columns_are_accepted() -> None:
    rows = read_villages_csv("\ufeff乡镇,村,,\n新宾镇,腰站村,,\n\n永陵镇,永陵村\n")
    assert [(r.line, r.township, r.village) for r in rows] == [
        (2, "新宾镇", "腰站村"),
        (4, "永陵镇", "永陵村"),
    ]


async def test_village_names_resolve_alone_or_with_their_township(session: AsyncSession) -> None:
    await import_villages(session, read_villages_csv("township,village\n新宾镇,东村\n永陵镇,东村\n永陵镇,西村\n"))
    [west] = await resolve_villages(session, names=["西村"])
    [east] = await resolve_villages(session, names=["永陵镇/东村"])
    assert (west.full_name, east.full_name) == ("永陵镇/西村", "永陵镇/东村")
    with pytest.raises(InvalidInput, match="有 2 个村都叫“东村”，请写明乡镇：新宾镇/东村、永陵镇/东村"):
        await resolve_villages(session, names=["东村"])
