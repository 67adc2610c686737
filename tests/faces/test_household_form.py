"""The /household form's pure parts: which steps a draft goes through, where 修改 leads, what the summary shows."""

from __future__ import annotations

import pytest

from bot import texts
from bot.conversations.household import HouseholdState, next_step, steps_for, summary_text
from services.masking import mask_id_number
from services.models import ChangeKind
from tests.idcard_support import fake_id_number

S = HouseholdState
ONE_VILLAGE = [[1, "新宾镇/腰站村"]]
TWO_VILLAGES = [[1, "新宾镇/腰站村"], [2, "永陵镇/西村"]]


def _draft(kind: ChangeKind, villages: list[list[object]] = ONE_VILLAGE, **fields: object) -> dict[str, object]:
    return {"trail": [], "wrong": 0, "villages": villages, "kind": kind.value, **fields}


@pytest.mark.parametrize(
    ("kind", "villages", "steps"),
    [
        pytest.param(
            ChangeKind.INCLUDE,
            ONE_VILLAGE,
            [S.KIND, S.ID_NUMBER, S.HEAD, S.MEMBERS, S.CAUSE, S.NOTE],
            id="新识别纳入-一个村",
        ),
        pytest.param(
            ChangeKind.RETURN,
            TWO_VILLAGES,
            [S.KIND, S.VILLAGE, S.ID_NUMBER, S.HEAD, S.MEMBERS, S.CAUSE, S.NOTE],
            id="返贫-两个村",
        ),
        pytest.param(
            ChangeKind.EXIT, ONE_VILLAGE, [S.KIND, S.ID_NUMBER, S.HEAD, S.MEMBERS, S.NOTE], id="脱贫退出-无致贫原因"
        ),
        pytest.param(
            ChangeKind.UPDATE, TWO_VILLAGES, [S.KIND, S.VILLAGE, S.ID_NUMBER, S.HEAD, S.MEMBERS, S.NOTE], id="信息变更"
        ),
    ],
)
def test_steps_follow_the_kind_and_the_cadres_villages(
    kind: ChangeKind, villages: list[list[object]], steps: list[HouseholdState]
) -> None:
    draft = _draft(kind, villages)
    assert steps_for(draft) == steps
    assert [next_step(draft, step) for step in steps] == [*steps[1:], S.CONFIRM]


def test_while_editing_the_next_step_is_the_first_unanswered_one_else_the_summary() -> None:
    full = {"village_id": 1, "id_masked": "2104**********1234", "head_name": "张三明", "members": 3, "note": None}
    draft = _draft(ChangeKind.EXIT, editing=True, **full)
    assert next_step(draft, S.HEAD) is S.CONFIRM
    draft["kind"] = ChangeKind.INCLUDE.value  # now a cause is wanted
    assert next_step(draft, S.KIND) is S.CAUSE


def test_the_summary_masks_the_number_the_name_and_numbers_in_the_note() -> None:
    number = fake_id_number(7)
    draft = _draft(
        ChangeKind.INCLUDE,
        village_id=1,
        id_masked=mask_id_number(number),
        head_name="张三明",
        members=3,
        cause="因病",
        note=f"户主电话 13812345678，配偶 {fake_id_number(8)}",
    )
    text = summary_text(draft)
    assert number not in text
    assert fake_id_number(8) not in text
    assert "13812345678" not in text
    assert "2104**********" in text
    assert "张*明" in text
    assert "138****5678" in text
    assert "新宾镇/腰站村" in text
    assert "新识别纳入" in text
    assert "因病" in text
    assert texts.HOUSEHOLD_SUMMARY_CAUSE.format(cause="因病") in text


def test_the_summary_leaves_out_a_cause_the_kind_does_not_take() -> None:
    draft = _draft(
        ChangeKind.EXIT,
        village_id=1,
        id_masked=mask_id_number(fake_id_number(9)),
        head_name="王大山",
        members=5,
        cause="因病",
        note=None,
    )
    assert "致贫原因" not in summary_text(draft)
