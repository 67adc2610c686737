"""`fupin kb diff OLD NEW`: what the office sees change before it puts next year's plan in force."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import pytest

from bot.cli import main

PLAN = Path(str(resources.files("policy_kb").joinpath("sources/xinbin-2018-plan.txt")))


#: Each test builds into a cache of its own, so none reads another's (or the user's) cached plan.
pytestmark = pytest.mark.usefixtures("cache_home")


def _next_year(tmp_path: Path, *edits: tuple[str, str]) -> Path:
    text = PLAN.read_text("utf-8")
    for old, new in edits:
        assert old in text
        text = text.replace(old, new)
    path = tmp_path / "next-year.txt"
    path.write_text(text, "utf-8")
    return path


def _diff(old: Path, new: Path, capsys: pytest.CaptureFixture[str]) -> list[str]:
    assert main(["kb", "diff", str(old), str(new)]) == 0
    return capsys.readouterr().out.splitlines()


def test_a_raised_subsidy_is_shown_with_both_figures(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    lines = _diff(PLAN, _next_year(tmp_path, ("每户补助四万元", "每户补助五万元")), capsys)
    assert any("40000 元" in line and "50000 元" in line for line in lines)


def test_a_changed_target_is_shown(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    lines = _diff(PLAN, _next_year(tmp_path, ("新建桥梁 5 座", "新建桥梁 8 座")), capsys)
    assert "变化（农村基础设施巩固提升工程）：新建桥梁：5 座 → 新建桥梁：8 座" in lines


def test_a_changed_lead_unit_is_shown(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    lines = _diff(PLAN, _next_year(tmp_path, ("（责任单位：县城建局、", "（责任单位：县住建局、")), capsys)
    assert any(line.startswith("责任单位变化（安居扶贫巩固提升工程）：县城建局") for line in lines)


def test_the_same_plan_has_no_changes(capsys: pytest.CaptureFixture[str]) -> None:
    assert _diff(PLAN, PLAN, capsys) == ["两份方案的措施、责任单位和数字完全相同。"]


def test_the_summary_counts_the_changes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    new = _next_year(tmp_path, ("每户补助四万元", "每户补助五万元"), ("新建桥梁 5 座", "新建桥梁 8 座"))
    assert _diff(PLAN, new, capsys)[-1] == "共 2 处变化。"


def test_a_missing_plan_is_a_clear_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["kb", "diff", str(PLAN), str(tmp_path / "none.txt")]) == 2
    assert "找不到" in capsys.readouterr().err
