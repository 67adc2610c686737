"""`POST /api/entitlements`: the calculator over HTTP (the web part served in memory), figures taken
from the knowledge base."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from policy_kb import load_kb
from services.entitlements import HOUSING_WORDS, STAGE_WORDS, SchoolStage
from tests.bot_support import web_part_in_memory


@pytest.fixture
async def http(database_url: str, engine: AsyncEngine) -> AsyncIterator[httpx.AsyncClient]:
    async with web_part_in_memory(database_url) as client:
        yield client


def _kb_amount(word: str, *, kind: str = "cash") -> int | float | None:
    kb = load_kb()
    return next(
        b.amount_yuan
        for m in kb.measures
        for b in m.benefits
        if (word in b.beneficiary or word in b.item) and b.kind == kind and b.amount_yuan
    )


def test_every_plan_word_of_the_calculator_is_found_in_the_knowledge_base() -> None:
    kb = load_kb()
    words = [*STAGE_WORDS.values(), *HOUSING_WORDS.values()]
    for word in words:
        assert any(word in b.beneficiary or word in b.item for m in kb.measures for b in m.benefits), word


async def test_two_pupils_and_a_dangerous_house(http: httpx.AsyncClient) -> None:
    profile = {
        "members": [
            {"school_stage": "junior", "disability": "none", "serious_illness": False},
            {"school_stage": "senior", "disability": "none", "serious_illness": False},
            {"school_stage": "none", "disability": "severe", "serious_illness": True},
        ],
        "housing_grade": "D",
        "able_to_work": False,
        "registered_poor": True,
    }
    response = await http.post("/api/entitlements", json=profile)
    assert response.status_code == 200, response.text
    body = response.json()
    items = {(i["item"], i["member"]): i for i in body["items"]}
    assert items[("初中生活补贴", 1)]["amount_yuan"] == _kb_amount(STAGE_WORDS[SchoolStage.JUNIOR]) == 1250
    assert items[("普通高中补助", 2)]["amount_yuan"] == 2000
    assert items[("学杂费", 2)]["amount_yuan"] is None  # a waiver has no amount
    grant = items[("D级危房改造补助", None)]
    assert grant["amount_yuan"] == 40000
    assert grant["period"] == "次"
    assert grant["unit"] == "县城建局"
    assert items[("挂号费", None)]["kind"] == "waiver"
    assert ("重度残疾人护理补贴", 3) in items
    assert items[("重度残疾人护理补贴", 3)]["amount_yuan"] is None
    assert ("低保", None) in items
    assert body["annual_cash_yuan"] == 1250 + 2000  # the one-off housing grant is not yearly cash
    assert set(items[("初中生活补贴", 1)]) >= {"item", "amount_yuan", "per", "period", "unit", "measure"}


async def test_a_household_not_registered_gets_nothing(http: httpx.AsyncClient) -> None:
    response = await http.post(
        "/api/entitlements", json={"members": [{"school_stage": "primary"}], "registered_poor": False}
    )
    assert response.json()["items"] == []
    assert response.json()["annual_cash_yuan"] == 0


@pytest.mark.parametrize(
    ("profile", "field"),
    [
        pytest.param({"members": [{"school_stage": "kindergarten"}]}, "school_stage", id="unknown-stage"),
        pytest.param({"housing_grade": "E"}, "housing_grade", id="unknown-grade"),
        pytest.param({"able_to_work": "maybe"}, "able_to_work", id="not-a-bool"),
        pytest.param({"members": [{"disability": "some"}]}, "disability", id="unknown-disability"),
        pytest.param({"members": "two"}, "members", id="members-not-a-list"),
    ],
)
async def test_a_bad_profile_gets_422_naming_the_field(http: httpx.AsyncClient, profile: dict, field: str) -> None:
    response = await http.post("/api/entitlements", json=profile)
    assert response.status_code == 422
    assert any(field in [str(p) for p in error["loc"]] for error in response.json()["detail"])
