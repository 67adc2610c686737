"""`fupin places …` and `fupin users …` as the office runs them: output, exit status, rows written."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.cli import main
from services.audit import list_audit
from services.models import Invite, Village


async def fupin(*argv: str) -> int:
    """Run the CLI as a console script would; in a thread, because it runs its own event loop."""
    return await asyncio.to_thread(main, list(argv))


async def count(sessionmaker: async_sessionmaker[AsyncSession], model: type) -> int:
    async with sessionmaker() as session:
        return await session.scalar(select(func.count()).select_from(model)) or 0


@pytest.fixture
def village_csv(tmp_path: Path) -> Path:
    path = tmp_path / "villages.csv"
    path.write_text("township,village\n新宾镇,腰站村\n永陵镇,永陵村\n", encoding="utf-8")
    return path


async def test_places_import_and_list(cli_database: str, village_csv: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert await fupin("places", "import", str(village_csv)) == 0
    assert "新增 2 个村，已存在 0 个村" in capsys.readouterr().out
    assert await fupin("places", "import", str(village_csv)) == 0
    assert "新增 0 个村，已存在 2 个村" in capsys.readouterr().out
    assert await fupin("places", "list") == 0
    out = capsys.readouterr().out
    assert "210422100 新宾镇（1 个村）" in out
    assert "腰站村" in out
    assert "下夹河乡（0 个村）" in out


async def test_places_import_gbk_file(cli_database: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "excel.csv"
    path.write_bytes("township,village\n木奇镇,木奇村\n".encode("gbk"))
    assert await fupin("places", "import", str(path)) == 0
    assert "新增 1 个村" in capsys.readouterr().out


async def test_places_import_bad_file_exits_2_naming_the_line(
    cli_database: str,
    sessionmaker: async_sessionmaker[AsyncSession],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    path = tmp_path / "bad.csv"
    path.write_text("township,village\n新宾镇,腰站村\n红升镇,红升村\n", encoding="utf-8")
    assert await fupin("places", "import", str(path)) == 2
    assert "第 3 行：没有名为“红升镇”的乡镇，是不是“红升乡”？" in capsys.readouterr().err
    assert await count(sessionmaker, Village) == 0


async def test_users_invite_json(
    cli_database: str,
    village_csv: Path,
    sessionmaker: async_sessionmaker[AsyncSession],
    capsys: pytest.CaptureFixture[str],
) -> None:
    await fupin("places", "import", str(village_csv))
    capsys.readouterr()
    assert await fupin("users", "invite", "--role", "cadre", "--village", "腰站村", "--json") == 0
    shown = json.loads(capsys.readouterr().out)
    assert set(shown) == {"code", "link", "role", "expires_at"}
    assert shown["role"] == "cadre"
    assert shown["link"] == f"https://t.me/XinbinFupinBot?start={shown['code']}"
    expires = dt.datetime.fromisoformat(shown["expires_at"])
    assert dt.timedelta(days=6, hours=23) < expires - dt.datetime.now(dt.UTC) <= dt.timedelta(days=7)
    async with sessionmaker() as session:
        [invite] = (await session.scalars(select(Invite))).all()
        assert invite.code == shown["code"]
        assert [e.action for e in await list_audit(session)][-1] == "invite.create"


async def test_users_invite_plain_output_is_a_chinese_sentence(
    cli_database: str, plan_units: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    assert await fupin("users", "invite", "--role", "unit", "--unit", "县教育局") == 0
    out = capsys.readouterr().out
    assert "已生成责任单位邀请（县教育局）" in out
    assert "https://t.me/XinbinFupinBot?start=" in out


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        pytest.param(["--role", "boss"], "可选角色：", id="unknown-role"),
        pytest.param(["--role", "cadre", "--village", "不存在村"], "没有名为“不存在村”的村", id="unknown-village"),
        pytest.param(["--role", "township", "--township", "新滨镇"], "是不是“新宾镇”", id="unknown-township"),
        pytest.param(["--role", "unit", "--unit", "县气象局"], "可选单位：", id="unknown-unit"),
    ],
)
async def test_users_invite_bad_input_exits_2_and_writes_nothing(
    cli_database: str,
    plan_units: list[str],
    sessionmaker: async_sessionmaker[AsyncSession],
    capsys: pytest.CaptureFixture[str],
    argv: list[str],
    expected: str,
) -> None:
    assert await fupin("users", "invite", *argv, "--json") == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.startswith("错误：")
    assert expected in captured.err
    assert await count(sessionmaker, Invite) == 0
    async with sessionmaker() as session:
        assert await list_audit(session) == []


async def test_users_list(
    cli_database: str, sessionmaker: async_sessionmaker[AsyncSession], capsys: pytest.CaptureFixture[str]
) -> None:
    from services.invites import create_invite, redeem_invite

    assert await fupin("users", "list") == 0
    assert "还没有已注册的用户" in capsys.readouterr().out
    async with sessionmaker.begin() as session:
        invite = await create_invite(session=session, role="township", township="永陵镇")
        await redeem_invite(session=session, code=invite.code, telegram_user_id=555, display_name="刘乡长", now=None)
    assert await fupin("users", "list") == 0
    assert "刘乡长（Telegram 555）：乡镇干部（永陵镇）" in capsys.readouterr().out
