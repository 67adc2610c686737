"""The office's roster: Excel and CSV (UTF-8, BOM, GBK) with the county's headers, all or nothing, rows named."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook
from sqlalchemy import event, func, select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from services.audit import list_audit
from services.errors import InvalidInput
from services.households import find_household
from services.models import Household, HouseholdStatus
from services.places import import_villages, read_villages_csv
from services.roster import ImportResult, import_roster, read_roster
from tests.idcard_support import fake_id_number

VILLAGES = "township,village\n新宾镇,腰站村\n新宾镇,东村\n永陵镇,东村\n永陵镇,西村\n"

HEADER = ["户主姓名", "身份证号", "乡镇", "村", "人口数", "致贫原因", "状态"]
GOOD_ROWS: list[list[Any]] = [
    ["王大山", fake_id_number(1), "新宾镇", "腰站村", 3, "因病", "在册"],
    ["李秀英", fake_id_number(2), "新宾镇", "东村", 1, "因残致贫", "已脱贫"],
    ["赵铁柱", fake_id_number(3), "永陵镇", "西村", "5人", "缺劳动力", ""],
]


@pytest.fixture
async def villages(sessionmaker: async_sessionmaker[AsyncSession]) -> None:
    async with sessionmaker.begin() as session:
        await import_villages(session, read_villages_csv(VILLAGES))


def write_xlsx(path: Path, rows: Sequence[Sequence[Any]], *, title: str | None = None) -> Path:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    if title is not None:
        sheet.append([title])
    for row in rows:
        sheet.append(list(row))
    workbook.save(path)
    return path


def csv_text(rows: Sequence[Sequence[Any]]) -> str:
    return "".join(",".join(str(cell) for cell in row) + "\r\n" for row in rows)


async def load(sessionmaker: async_sessionmaker[AsyncSession], path: Path) -> ImportResult:
    async with sessionmaker.begin() as session:
        return await import_roster(session, rows=read_roster(path), actor="cli")


async def households(sessionmaker: async_sessionmaker[AsyncSession]) -> int:
    async with sessionmaker() as session:
        return await session.scalar(select(func.count()).select_from(Household)) or 0


async def refused(sessionmaker: async_sessionmaker[AsyncSession], path: Path) -> InvalidInput:
    with pytest.raises(InvalidInput) as caught:
        await load(sessionmaker, path)
    return caught.value


async def test_excel_with_a_title_row_and_the_same_file_twice(
    villages: None, sessionmaker: async_sessionmaker[AsyncSession], tmp_path: Path
) -> None:
    path = write_xlsx(tmp_path / "roster.xlsx", [HEADER, *GOOD_ROWS], title="新宾县建档立卡贫困户花名册")
    assert [row.row for row in read_roster(path)] == [3, 4, 5]
    assert await load(sessionmaker, path) == ImportResult(created=3, updated=0, unchanged=0)
    audited = len(await _audit(sessionmaker))
    assert await load(sessionmaker, path) == ImportResult(created=0, updated=0, unchanged=3)
    assert len(await _audit(sessionmaker)) == audited  # nothing changed, nothing audited
    async with sessionmaker() as session:
        exited = await find_household(session, id_number=fake_id_number(2))
        third = await find_household(session, id_number=fake_id_number(3))
    assert exited is not None
    assert (exited.status, exited.cause, exited.village.full_name) == (
        HouseholdStatus.EXITED,
        "因残",
        "新宾镇/东村",
    )
    assert third is not None
    assert (third.status, third.members, third.cause) == (HouseholdStatus.REGISTERED, 5, "缺劳力")


async def _audit(sessionmaker: async_sessionmaker[AsyncSession]) -> list[Any]:
    async with sessionmaker() as session:
        return [row for row in await list_audit(session) if row.action == "household.import"]


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk"])
async def test_csv_as_excel_saves_it(
    villages: None, sessionmaker: async_sessionmaker[AsyncSession], tmp_path: Path, encoding: str
) -> None:
    synonyms = ["户主", "证件号码", "乡镇", "行政村", "家庭人口", "主要致贫原因", "贫困户状态"]
    path = tmp_path / "roster.csv"
    path.write_bytes(csv_text([synonyms, *GOOD_ROWS]).encode(encoding))
    assert await load(sessionmaker, path) == ImportResult(created=3, updated=0, unchanged=0)
    async with sessionmaker() as session:
        found = await find_household(session, id_number=fake_id_number(1))
    assert found is not None
    assert found.head_name == "王大山"


async def test_a_changed_row_updates_the_household_and_is_audited_masked(
    villages: None, sessionmaker: async_sessionmaker[AsyncSession], tmp_path: Path
) -> None:
    await load(sessionmaker, write_xlsx(tmp_path / "a.xlsx", [HEADER, *GOOD_ROWS]))
    changed = [list(row) for row in GOOD_ROWS]
    changed[0][4] = 4
    assert await load(sessionmaker, write_xlsx(tmp_path / "b.xlsx", [HEADER, *changed])) == ImportResult(
        created=0, updated=1, unchanged=2
    )
    rows = await _audit(sessionmaker)
    update = rows[-1]
    assert update.before["members"] == 3
    assert update.after["members"] == 4
    dumped = repr([(row.before, row.after) for row in rows])
    assert "王大山" not in dumped
    assert "王*山" in dumped
    assert all(fake_id_number(n) not in dumped for n in (1, 2, 3))


async def test_columns_the_file_leaves_out_keep_what_is_recorded(
    villages: None, sessionmaker: async_sessionmaker[AsyncSession], tmp_path: Path
) -> None:
    await load(sessionmaker, write_xlsx(tmp_path / "full.xlsx", [HEADER, *GOOD_ROWS]))
    # No township column: a village named alone must be unique in the county, or written 乡镇/村.
    short = [["户主姓名", "身份证号", "村", "人口数"], ["李秀英", fake_id_number(2), "新宾镇/东村", 1]]
    short.append(["赵铁柱", fake_id_number(3), "西村", 5])
    assert await load(sessionmaker, write_xlsx(tmp_path / "short.xlsx", short)) == ImportResult(0, 0, 2)
    async with sessionmaker() as session:
        kept = await find_household(session, id_number=fake_id_number(3))
        exited = await find_household(session, id_number=fake_id_number(2))
    assert kept is not None
    assert (kept.status, kept.cause) == (HouseholdStatus.REGISTERED, "缺劳力")
    assert exited is not None
    assert exited.status is HouseholdStatus.EXITED


async def test_bad_rows_are_named_by_row_and_column_and_nothing_is_written(
    villages: None, sessionmaker: async_sessionmaker[AsyncSession], tmp_path: Path
) -> None:
    bad_check = fake_id_number(5)[:-1] + ("1" if fake_id_number(5)[-1] != "1" else "2")
    rows = [
        HEADER,
        *GOOD_ROWS,
        ["孙二", bad_check, "新宾镇", "腰站村", 2, "因学", "在册"],
        ["", fake_id_number(6), "新宾镇", "腰站村", 0, "懒", "不知道"],
        ["周五", fake_id_number(1), "新宾镇", "腰站存", 2, "因病", "在册"],
        ["吴六", fake_id_number(7), "", "东村", 2, "因病", "在册"],
        ["郑七", fake_id_number(2), "新宾镇", "腰站村", 2, "因病", "在册"],
    ]
    problem = await refused(sessionmaker, write_xlsx(tmp_path / "bad.xlsx", rows))
    message = problem.message
    assert message.startswith("贫困户名单有 8 处错误，未导入任何数据")
    assert "第 5 行 B 列（身份证号）：身份证号校验码不对" in message
    assert "第 6 行 A 列（户主姓名）：户主姓名不能为空" in message
    assert "第 6 行 E 列（人口数）" in message
    assert "第 6 行 F 列（致贫原因）" in message
    assert "第 6 行 G 列（状态）：不认识的状态“不知道”" in message
    assert "第 7 行 D 列（村）：新宾镇没有名为“腰站存”的村，是不是“腰站村”？" in message
    assert "第 8 行 D 列（村）：有 2 个村都叫“东村”" in message
    assert "第 9 行 B 列（身份证号）：身份证号与第 3 行重复" in message
    assert "第 7 行 B 列" not in message  # 周五's number repeats row 2's but the row is refused for its village
    assert len(problem.problems) == 8
    assert bad_check not in message
    assert "孙二" not in message
    assert await households(sessionmaker) == 0


async def test_more_than_ten_problems_are_counted(
    villages: None, sessionmaker: async_sessionmaker[AsyncSession], tmp_path: Path
) -> None:
    rows = [HEADER, *[["某", "123", "新宾镇", "腰站村", 1, "", ""] for _ in range(12)]]
    problem = await refused(sessionmaker, write_xlsx(tmp_path / "many.xlsx", rows))
    assert "有 12 处错误" in problem.message
    assert "……另有 2 处错误" in problem.message
    assert "位数不对" in problem.message


async def test_an_id_number_excel_stored_as_a_number_is_explained(
    villages: None, sessionmaker: async_sessionmaker[AsyncSession], tmp_path: Path
) -> None:
    rows = [HEADER, ["王大山", 210422197001010000, "新宾镇", "腰站村", 3, "因病", "在册"]]
    problem = await refused(sessionmaker, write_xlsx(tmp_path / "number.xlsx", rows))
    assert "第 2 行 B 列（身份证号）：身份证号被 Excel 存成了数字" in problem.message
    assert "文本" in problem.message


async def test_no_villages_yet(sessionmaker: async_sessionmaker[AsyncSession], tmp_path: Path) -> None:
    problem = await refused(sessionmaker, write_xlsx(tmp_path / "r.xlsx", [HEADER, *GOOD_ROWS]))
    assert "fupin places import" in problem.message


@pytest.mark.parametrize(
    ("name", "content", "says"),
    [
        pytest.param("r.xls", b"\xd0\xcf\x11\xe0", "另存为 .xlsx 或 CSV", id="old-excel"),
        pytest.param("r.csv", "姓名,村\n王大山,腰站村\n".encode(), "缺少“身份证号、人口数”列", id="missing-columns"),
        pytest.param("r.csv", csv_text([HEADER]).encode(), "没有任何数据行", id="header-only"),
        pytest.param("r.xlsx", b"not a workbook", "完好的 Excel", id="damaged-workbook"),
    ],
)
def test_files_that_cannot_be_read(tmp_path: Path, name: str, content: bytes, says: str) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(InvalidInput) as caught:
        read_roster(path)
    assert says in caught.value.message


def test_a_missing_file(tmp_path: Path) -> None:
    with pytest.raises(InvalidInput) as caught:
        read_roster(tmp_path / "nowhere.csv")
    assert "找不到文件" in caught.value.message


async def test_a_large_roster_is_written_in_a_few_bulk_statements(
    engine: AsyncEngine, sessionmaker: async_sessionmaker[AsyncSession], villages: None, tmp_path: Path
) -> None:
    """On SQLite the import holds the one write lock the bot also needs: a statement per household
    (or per audit row) would keep the bot waiting for minutes on a county-sized roster."""
    names = "一二三四五六七八九十"
    rows = [
        [
            f"王{names[n % 10]}{names[n // 10 % 10]}",
            fake_id_number(n % 1000, born=f"{1950 + n // 1000}0101"),
            "新宾镇",
            "东村",
            2,
        ]
        for n in range(1500)
    ]
    path = tmp_path / "roster.csv"
    path.write_text(csv_text([HEADER[:5], *rows]), encoding="utf-8")
    parsed = read_roster(path)
    statements: list[str] = []

    def count(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        statements.append(statement)

    event.listen(engine.sync_engine, "before_cursor_execute", count)
    try:
        async with sessionmaker.begin() as session:
            result = await import_roster(session, rows=parsed, actor="cli")
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", count)
    assert result.created == 1500
    assert len(statements) < 20


async def test_every_household_of_a_bulk_import_is_audited_under_its_own_id(
    sessionmaker: async_sessionmaker[AsyncSession], villages: None, tmp_path: Path
) -> None:
    await load(sessionmaker, write_xlsx(tmp_path / "roster.xlsx", [HEADER, *GOOD_ROWS]))
    async with sessionmaker() as session:
        ids = set((await session.scalars(select(Household.id))).all())
        subjects = {e.subject for e in await list_audit(session) if e.action == "household.import"}
    assert subjects == {f"household:{i}" for i in ids}
