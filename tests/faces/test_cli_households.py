"""`fupin households import|list` as the office runs them: output masked, exit status, rows written."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.cli import main
from services.models import Household
from tests.idcard_support import fake_id_number

HEADER = ["户主", "证件号码", "乡镇", "村", "家庭人口", "致贫原因", "状态"]
ROWS = [
    ["王大山", fake_id_number(1), "新宾镇", "腰站村", 3, "因病", "在册"],
    ["李秀英", fake_id_number(2), "永陵镇", "永陵村", 2, "因残", "已脱贫"],
]


async def fupin(*argv: str) -> int:
    """Run the CLI as a console script would; in a thread, because it runs its own event loop."""
    return await asyncio.to_thread(main, list(argv))


async def count(sessionmaker: async_sessionmaker[AsyncSession]) -> int:
    async with sessionmaker() as session:
        return await session.scalar(select(func.count()).select_from(Household)) or 0


@pytest.fixture
async def with_villages(cli_database: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "villages.csv"
    path.write_text("township,village\n新宾镇,腰站村\n永陵镇,永陵村\n", encoding="utf-8")
    assert await fupin("places", "import", str(path)) == 0
    capsys.readouterr()


def roster(tmp_path: Path, rows: list[list[object]]) -> Path:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    for row in [HEADER, *rows]:
        sheet.append(row)
    path = tmp_path / "roster.xlsx"
    workbook.save(path)
    return path


async def test_import_then_again_then_list_masked(
    with_villages: None, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = roster(tmp_path, ROWS)
    assert await fupin("households", "import", str(path)) == 0
    assert "新增 2 户，更新 0 户，无变化 0 户" in capsys.readouterr().out
    assert await fupin("households", "import", str(path)) == 0
    assert "新增 0 户，更新 0 户，无变化 2 户" in capsys.readouterr().out

    assert await fupin("households", "list") == 0
    out = capsys.readouterr().out
    assert "王*山" in out
    assert "李*英" in out
    assert "共 2 户" in out
    assert fake_id_number(1)[:4] + "*" * 10 + fake_id_number(1)[-4:] in out
    assert fake_id_number(1) not in out
    assert "王大山" not in out
    assert "新宾镇/腰站村 3人 致贫原因：因病 在册贫困户" in out

    assert await fupin("households", "list", "--village", "永陵村") == 0
    out = capsys.readouterr().out
    assert "李*英" in out
    assert "王*山" not in out
    assert "已脱贫" in out


async def test_csv_in_gbk(with_villages: None, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "roster.csv"
    lines = [HEADER, *ROWS]
    path.write_bytes("".join(",".join(map(str, row)) + "\r\n" for row in lines).encode("gbk"))
    assert await fupin("households", "import", str(path)) == 0
    assert "新增 2 户" in capsys.readouterr().out


async def test_a_bad_row_exits_2_naming_it_and_writes_nothing(
    with_villages: None,
    sessionmaker: async_sessionmaker[AsyncSession],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    bad = ["赵铁柱", fake_id_number(3)[:-2], "新宾镇", "腰站村", 4, "因学", "在册"]
    assert await fupin("households", "import", str(roster(tmp_path, [*ROWS, bad]))) == 2
    err = capsys.readouterr().err
    assert err.startswith("错误：贫困户名单有 1 处错误，未导入任何数据")
    assert "第 4 行 B 列（证件号码）：身份证号位数不对" in err
    assert "赵铁柱" not in err
    assert fake_id_number(3)[:-2] not in err
    assert await count(sessionmaker) == 0


async def test_missing_file_and_unknown_village(
    with_villages: None, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert await fupin("households", "import", str(tmp_path / "nowhere.xlsx")) == 2
    assert "找不到文件" in capsys.readouterr().err
    assert await fupin("households", "list", "--village", "不存在村") == 2
    assert "没有名为“不存在村”的村" in capsys.readouterr().err


async def test_list_before_any_import(cli_database: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert await fupin("households", "list") == 0
    assert "还没有贫困户记录" in capsys.readouterr().out
