"""The /report form's pure parts: measure buttons, which steps a draft goes through, where 修改 leads, the summary."""

from __future__ import annotations

import pytest

from bot import texts
from bot.conversations.report import ReportState, measure_choices, next_step, pick, steps_for, summary_text
from policy_kb import load_kb

S = ReportState
ONE_VILLAGE = [[1, "新宾镇/腰站村"]]
TWO_VILLAGES = [[1, "新宾镇/腰站村"], [2, "永陵镇/西村"]]


def _draft(villages: list[list[object]] = ONE_VILLAGE, **fields: object) -> dict[str, object]:
    return {"trail": [], "wrong": 0, "villages": villages, **fields}


def test_measure_buttons_name_the_lead_unit_so_two_measures_of_one_title_differ() -> None:
    labels = [label for _, label in measure_choices(load_kb())]
    assert len(labels) == len(set(labels))
    assert "农村基础设施巩固提升工程（县交通局）" in labels
    assert "农村基础设施巩固提升工程（县文广局）" in labels
    assert all(m.targets for m, _ in measure_choices(load_kb()))


@pytest.mark.parametrize(
    ("villages", "steps"),
    [
        pytest.param(ONE_VILLAGE, [S.MEASURE, S.INDICATOR, S.QUANTITY, S.PHOTO, S.NOTE], id="一个村-不问村"),
        pytest.param(TWO_VILLAGES, [S.MEASURE, S.INDICATOR, S.VILLAGE, S.QUANTITY, S.PHOTO, S.NOTE], id="两个村"),
    ],
)
def test_steps_follow_the_cadres_villages(villages: list[list[object]], steps: list[ReportState]) -> None:
    draft = _draft(villages)
    assert steps_for(draft) == steps
    assert [next_step(draft, step) for step in steps] == [*steps[1:], S.CONFIRM]


def test_while_editing_the_next_step_is_the_first_unanswered_one_else_the_summary() -> None:
    full = {"measure_id": "mc0623e77", "indicator": "硬化村组道路", "unit": "公里", "village_id": 1}
    draft = _draft(editing=True, **full, quantity=3.5, photo=None, note=None)
    assert next_step(draft, S.NOTE) is S.CONFIRM
    del draft["indicator"], draft["quantity"]  # the measure changed: its indicator and quantity are asked again
    assert next_step(draft, S.MEASURE) is S.INDICATOR
    draft["indicator"] = "新建桥梁"
    assert next_step(draft, S.INDICATOR) is S.QUANTITY


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        pytest.param("村组道路硬化（公里）", 0, id="按钮原文"),
        pytest.param("村组道路", 0, id="唯一包含"),
        pytest.param("桥", None, id="两个都含-不猜"),
        pytest.param("", None, id="空"),
        pytest.param("自来水", None, id="没有"),
    ],
)
def test_typed_answers_pick_a_button_only_when_unambiguous(typed: str, expected: int | None) -> None:
    labels = ["村组道路硬化（公里）", "新建桥梁（座）", "危桥改造（座）"]
    assert pick(typed, labels) == expected


def test_the_summary_shows_every_answer() -> None:
    draft = _draft(
        measure_id="mc0623e77", indicator="硬化村组道路", unit="公里", village_id=1, quantity=3.5, photo="F1", note=None
    )
    text = summary_text(load_kb(), draft)
    assert "农村基础设施巩固提升工程" in text
    assert "村组道路硬化" in text
    assert "新宾镇/腰站村" in text
    assert "3.5公里" in text
    assert texts.REPORT_PHOTO_YES in text
    assert f"说明：{texts.REPORT_NONE}" in text
