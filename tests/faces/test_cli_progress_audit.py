"""`fupin progress` and `fupin audit` as the office runs them: output, exit status."""

from __future__ import annotations

import asyncio
import datetime as dt
import json

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

import policy_kb
from bot.cli import main
from bot.commands.audit import parse_since
from bot.commands.runner import CliError
from policy_kb import load_kb
from tests.dashboard_support import road_report

INDICATOR_KEYS = {"measure", "indicator", "unit", "target", "done", "by_township", "per_village"}


async def fupin(*argv: str) -> int:
    """Run the CLI as a console script would; in a thread, because it runs its own event loop."""
    return await asyncio.to_thread(main, list(argv))


async def file_a_road_report(sessionmaker: async_sessionmaker[AsyncSession]) -> None:
    async with sessionmaker() as session, session.begin():
        await road_report(session)


async def test_progress_json_lists_every_target(cli_database: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert await fupin("progress", "--json") == 0
    data = json.loads(capsys.readouterr().out)
    assert list(data) == ["indicators", "superseded"]
    indicators = data["indicators"]
    assert len(indicators) == sum(len(m.targets) for m in load_kb().measures)
    assert all(set(row) == INDICATOR_KEYS for row in indicators)
    assert {
        "measure": "m06300403",
        "indicator": "D级危房改造",
        "unit": "户",
        "target": 189,
        "done": 0,
        "by_township": {},
        "per_village": None,
    } in (indicators)


async def test_progress_after_a_report(
    cli_database: str, sessionmaker: async_sessionmaker[AsyncSession], capsys: pytest.CaptureFixture[str]
) -> None:
    await file_a_road_report(sessionmaker)
    assert await fupin("progress", "--json") == 0
    rows = json.loads(capsys.readouterr().out)["indicators"]
    roads = next(r for r in rows if r["indicator"] == "硬化村组道路")
    assert roads == {
        "measure": "mc0623e77",
        "indicator": "硬化村组道路",
        "unit": "公里",
        "target": 106,
        "done": 3.5,
        "by_township": {"永陵镇": 3.5},
        "per_village": None,
    }
    assert await fupin("progress") == 0
    out = capsys.readouterr().out
    assert "mc0623e77 农村基础设施巩固提升工程" in out
    assert "村组道路硬化：3.5 / 106 公里（3.3%）" in out
    assert "分乡镇：永陵镇 3.5" in out
    assert "培育新型职业农民：0 / 240 人以上（0%）" in out


async def test_a_report_on_a_measure_next_years_plan_dropped_is_listed_as_the_previous_plans(
    cli_database: str,
    sessionmaker: async_sessionmaker[AsyncSession],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    await file_a_road_report(sessionmaker)
    plan = load_kb()
    next_year = plan.model_copy(update={"measures": [m for m in plan.measures if m.id != "mc0623e77"]})
    monkeypatch.setattr(policy_kb, "load_kb", lambda: next_year)
    assert await fupin("progress") == 0
    out = capsys.readouterr().out
    assert "上一版方案的措施" in out
    assert "mc0623e77 硬化村组道路：已上报 3.5 公里" in out


async def test_audit_lists_who_did_what(
    cli_database: str, sessionmaker: async_sessionmaker[AsyncSession], capsys: pytest.CaptureFixture[str]
) -> None:
    assert await fupin("audit") == 0
    assert "没有审计记录" in capsys.readouterr().out
    await file_a_road_report(sessionmaker)
    assert await fupin("audit") == 0
    lines = capsys.readouterr().out.splitlines()
    assert any(" telegram:1 item.create item:" in line and '"owner_unit": "县交通局"' in line for line in lines)
    assert any(" telegram:1 report.create report:" in line and line.split(" ", 6)[5] == "—" for line in lines)

    assert await fupin("audit", "--json") == 0
    entries = json.loads(capsys.readouterr().out)
    assert [e["action"] for e in entries][-2:] == ["item.create", "report.create"]
    assert entries[-1]["after"]["quantity"] == 3.5


async def test_audit_since(
    cli_database: str, sessionmaker: async_sessionmaker[AsyncSession], capsys: pytest.CaptureFixture[str]
) -> None:
    await file_a_road_report(sessionmaker)
    yesterday = (dt.datetime.now(dt.UTC) - dt.timedelta(days=1)).date().isoformat()
    assert await fupin("audit", "--since", yesterday) == 0
    assert "report.create" in capsys.readouterr().out
    assert await fupin("audit", "--since", "2999-01-01") == 0
    assert "2999-01-01 以来没有审计记录。" in capsys.readouterr().out
    assert await fupin("audit", "--since", "2999-01-01T08:00:00+00:00") == 0
    assert "以来没有审计记录" in capsys.readouterr().out


@pytest.mark.parametrize("bad", ["yesterday", "2026-13-01", "28/11/2026", ""])
async def test_audit_bad_date_exits_2_saying_how_to_write_it(
    bad: str, cli_database: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert await fupin("audit", "--since", bad) == 2
    err = capsys.readouterr().err
    assert f"无法识别的日期“{bad}”" in err
    assert "YYYY-MM-DD" in err


@pytest.mark.parametrize(
    ("text", "moment"),
    [
        ("2026-11-28", dt.datetime(2026, 11, 27, 16, tzinfo=dt.UTC)),  # midnight in Beijing
        ("2026-11-28T09:30", dt.datetime(2026, 11, 28, 1, 30, tzinfo=dt.UTC)),
        ("2026-11-28T09:30:00Z", dt.datetime(2026, 11, 28, 9, 30, tzinfo=dt.UTC)),
        ("2026-11-28 09:30+08:00", dt.datetime(2026, 11, 28, 1, 30, tzinfo=dt.UTC)),
    ],
    ids=["date-is-beijing-midnight", "naive-time-is-beijing", "utc", "with-offset"],
)
def test_parse_since(text: str, moment: dt.datetime) -> None:
    assert parse_since(text) == moment


def test_parse_since_refuses_words() -> None:
    with pytest.raises(CliError):
        parse_since("上周")
