"""Next year's plan: the office adds it, reads what changes, puts it in force, and can roll back.

The "next year's plan" here is the packaged 2018 plan with its year and one subsidy changed, as a
county's next edition usually is.
"""

from __future__ import annotations

import re
from importlib import resources
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.cli import main
from services import plans
from services.db import session_scope
from services.errors import Conflict, InvalidInput
from services.models import AuditEntry
from services.progress import superseded
from services.questions import Answerer
from tests.dashboard_support import road_report

PLAN_2018 = resources.files("policy_kb").joinpath("sources/xinbin-2018-plan.txt").read_text("utf-8")
#: The next edition: another year, and the D-grade housing grant raised from 4万 to 5万.
PLAN_2019 = PLAN_2018.replace("2018", "2019").replace("每户补助四万元", "每户补助五万元")
HOUSING = "D级危房改造一户补多少钱"
#: The next edition renames two measures: one title barely changes, the other says it anew.
PLAN_RENAMED = PLAN_2019.replace("3、安居扶贫巩固提升工程", "3、农村危房改造工程").replace(
    "8、农村基础设施巩固提升工程", "8、补齐农村发展短板"
)
HOUSING_ID, ROADS_ID = "m06300403", "mc0623e77"


async def _add(session: AsyncSession, text: str = PLAN_2019) -> plans.AddedPlan:
    added = await plans.add_plan(session=session, text=text, filename="xinbin-2019.txt", actor="cli")
    await session.commit()
    return added


async def _add_and_activate(sessionmaker: async_sessionmaker[AsyncSession]) -> int:
    async with session_scope(sessionmaker) as session:
        added = await plans.add_plan(session=session, text=PLAN_2019, filename="xinbin-2019.txt", actor="cli")
        await plans.activate(session=session, plan_id=added.plan.id, actor="cli")
        return added.plan.id


async def test_an_added_plan_is_not_yet_in_force(session: AsyncSession) -> None:
    await _add(session)
    assert (await plans.kb_in_force(session=session)).source.doc_number == "新脱贫发[2018]2号"


async def test_an_added_plan_shows_what_changes(session: AsyncSession) -> None:
    added = await _add(session)
    assert [(c.kind, c.new) for c in added.changes] == [
        ("figure_changed", "D级危房改造补助：每户 50000 元（5万元），一次性补助")
    ]


async def test_an_added_plan_carries_its_year(session: AsyncSession) -> None:
    assert (await _add(session)).plan.year == 2019


async def test_the_same_plan_twice_is_refused(session: AsyncSession) -> None:
    await _add(session)
    with pytest.raises(Conflict):
        await _add(session)


async def test_a_text_that_is_no_plan_is_refused_in_chinese(session: AsyncSession) -> None:
    with pytest.raises(InvalidInput, match="无法读取这份方案"):
        await _add(session, "这不是方案。")


async def test_an_activated_plan_is_in_force(sessionmaker: async_sessionmaker[AsyncSession]) -> None:
    await _add_and_activate(sessionmaker)
    async with session_scope(sessionmaker) as session:
        assert (await plans.kb_in_force(session=session)).source.doc_number == "新脱贫发[2019]2号"


async def test_activation_is_audited(sessionmaker: async_sessionmaker[AsyncSession]) -> None:
    plan_id = await _add_and_activate(sessionmaker)
    async with session_scope(sessionmaker) as session:
        entry = await session.scalar(select(AuditEntry).where(AuditEntry.action == "plan.activate"))
    assert entry is not None
    assert entry.subject == f"plan:{plan_id}"


async def test_a_rollback_returns_to_the_packaged_plan(sessionmaker: async_sessionmaker[AsyncSession]) -> None:
    await _add_and_activate(sessionmaker)
    async with session_scope(sessionmaker) as session:
        await plans.roll_back(session=session, actor="cli")
    async with session_scope(sessionmaker) as session:
        assert await plans.in_force_plan(session=session) is None


async def test_households_get_the_new_plans_figure(sessionmaker: async_sessionmaker[AsyncSession]) -> None:
    await _add_and_activate(sessionmaker)
    assert "50000" in (await Answerer.load(sessionmaker)).answer(HOUSING).answer


async def test_an_answer_names_the_plan_it_cites(sessionmaker: async_sessionmaker[AsyncSession]) -> None:
    await _add_and_activate(sessionmaker)
    assert "2019年实施方案" in (await Answerer.load(sessionmaker)).answer(HOUSING).answer


async def test_a_question_naming_last_year_gets_last_years_plan(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    await _add_and_activate(sessionmaker)
    assert "40000" in (await Answerer.load(sessionmaker)).answer("2018年" + HOUSING).answer


async def test_a_year_no_plan_covers_is_said_so(sessionmaker: async_sessionmaker[AsyncSession]) -> None:
    await _add_and_activate(sessionmaker)
    assert (await Answerer.load(sessionmaker)).answer("2021年" + HOUSING).matched is False


async def test_a_renamed_measure_keeps_its_identity(session: AsyncSession) -> None:
    added = await _add(session, PLAN_RENAMED)
    assert added.kb.measure(HOUSING_ID).title == "农村危房改造工程"


async def test_a_measure_said_anew_keeps_its_identity_under_the_same_lead_unit(session: AsyncSession) -> None:
    added = await _add(session, PLAN_RENAMED)
    assert added.kb.measure(ROADS_ID).title == "补齐农村发展短板"


async def test_each_line_of_a_renamed_measure_keeps_its_own_identity(session: AsyncSession) -> None:
    added = await _add(session, PLAN_RENAMED)
    assert added.kb.measure(ROADS_ID + "-2").lead_unit == "县水务局"


async def test_the_preview_shows_a_rename_not_a_removal(session: AsyncSession) -> None:
    added = await _add(session, PLAN_RENAMED)
    assert ("measure_renamed", "安居扶贫巩固提升工程") in [(c.kind, c.old) for c in added.changes]


async def test_reports_on_a_renamed_measure_are_not_shown_as_dropped(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    async with session_scope(sessionmaker) as session:
        await road_report(session)
        added = await plans.add_plan(session=session, text=PLAN_RENAMED, filename="xinbin-2019.txt", actor="cli")
    async with session_scope(sessionmaker) as session:
        assert await superseded(session, added.kb) == []


async def _stored_by_an_older_builder(session: AsyncSession, text: str = PLAN_2019) -> int:
    """Add a plan, then leave its stored knowledge base as a builder that missed the housing grant
    would have (the id of the plan)."""
    added = await _add(session, text)
    housing = added.kb.measure(HOUSING_ID)
    older = added.kb.model_copy(
        update={
            "measures": [m.model_copy(update={"benefits": []}) if m.id == HOUSING_ID else m for m in added.kb.measures]
        }
    )
    assert housing.benefits
    added.plan.kb_json = older.model_dump_json()
    await session.commit()
    return added.plan.id


async def test_a_rebuild_reads_the_stored_text_with_this_builder(session: AsyncSession) -> None:
    plan_id = await _stored_by_an_older_builder(session)
    rebuilt = await plans.rebuild_plan(session=session, plan_id=plan_id, actor="cli")
    assert "50000" in str([b.amount_yuan for b in rebuilt.kb.measure(HOUSING_ID).benefits])


async def test_a_rebuild_lists_what_it_changes(session: AsyncSession) -> None:
    plan_id = await _stored_by_an_older_builder(session)
    rebuilt = await plans.rebuild_plan(session=session, plan_id=plan_id, actor="cli")
    assert "figure_added" in {c.kind for c in rebuilt.changes}


async def test_a_rebuild_keeps_a_renamed_measures_identity(session: AsyncSession) -> None:
    plan_id = await _stored_by_an_older_builder(session, PLAN_RENAMED)
    rebuilt = await plans.rebuild_plan(session=session, plan_id=plan_id, actor="cli")
    assert rebuilt.kb.measure(HOUSING_ID).title == "农村危房改造工程"


async def test_households_are_answered_from_the_rebuilt_plan(sessionmaker: async_sessionmaker[AsyncSession]) -> None:
    async with sessionmaker() as session:
        plan_id = await _stored_by_an_older_builder(session)
    async with session_scope(sessionmaker) as session:
        await plans.activate(session=session, plan_id=plan_id, actor="cli")
        await plans.rebuild_plan(session=session, plan_id=plan_id, actor="cli")
    assert "50000" in (await Answerer.load(sessionmaker)).answer(HOUSING).answer


def _add_from_the_command_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> str:
    """`fupin kb add` next year's plan; the number it was given."""
    text = tmp_path / "xinbin-2019.txt"
    text.write_text(PLAN_2019, "utf-8")
    assert main(["kb", "add", str(text)]) == 0
    added = re.search(r"已添加为第 (\d+) 号方案", capsys.readouterr().out)
    assert added is not None
    return added.group(1)


def test_the_office_adds_and_activates_from_the_command_line(
    cli_database: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    plan_id = _add_from_the_command_line(tmp_path, capsys)
    assert main(["kb", "activate", plan_id]) == 0
    assert capsys.readouterr().out.startswith(f"已启用第 {plan_id} 号方案（2019 年")


def test_the_plan_list_marks_the_plan_in_force(
    cli_database: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    main(["kb", "activate", _add_from_the_command_line(tmp_path, capsys)])
    capsys.readouterr()
    main(["kb", "plans"])
    assert capsys.readouterr().out.strip().endswith("【执行中】")


def test_fupin_ask_answers_as_the_bot_from_the_plan_in_force(
    cli_database: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    main(["kb", "activate", _add_from_the_command_line(tmp_path, capsys)])
    capsys.readouterr()
    assert main(["ask", "--phrases", HOUSING]) == 0
    assert "50000" in capsys.readouterr().out


def test_the_office_rebuilds_a_plan_from_the_command_line(
    cli_database: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    plan_id = _add_from_the_command_line(tmp_path, capsys)
    assert main(["kb", "rebuild", plan_id]) == 0
    assert f"已重建第 {plan_id} 号方案：0 处变化" in capsys.readouterr().out


def test_rebuilding_an_unknown_plan_is_a_clear_error(cli_database: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["kb", "rebuild", "99"]) != 0
    assert "没有第 99 号方案" in capsys.readouterr().err


def test_a_rollback_with_nothing_in_force_is_a_clear_error(
    cli_database: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["kb", "rollback"]) != 0
    assert "没有可以退回的上一份方案" in capsys.readouterr().err
