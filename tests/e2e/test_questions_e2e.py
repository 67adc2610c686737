"""End to end: a household's question the bot cannot answer, seen by the office, fixed with a phrase, answered.

The office's side is the admin API over HTTP; `fupin kb reload` reaching the bot is driven in-process
(`tests/faces/test_household_chat.py`)."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx

from policy_kb import load_kb
from policy_kb import texts as kb_texts
from tests.bot_support import ADMIN, Sandbox

#: 马架子 is the Northeast's old log-and-mud hut; a household fears it will fall down.
HUT = "俺家马架子要塌了能给钱不"
HUT_PHRASE = "马架子要塌"
HOUSING_GRANT = "m06300403/benefit/D级危房改造补助"
HOUSING_FIGURE = "40000 元"


async def _ask(sandbox: Sandbox, user: dict[str, Any], question: str) -> str:
    await sandbox.client.send_text(user, question)
    return (await sandbox.client.wait_for_bot_message(user["id"]))["text"]  # type: ignore[no-any-return]


async def kept_groups(http: httpx.AsyncClient, headers: dict[str, str], *, at_least: int) -> list[dict[str, Any]]:
    """The office's groups, once the bot has kept the question (it does so right after replying)."""
    for _ in range(100):
        response = await http.get("/api/questions", headers=headers)
        assert response.status_code == 200, response.text
        groups: list[dict[str, Any]] = response.json()
        if sum(g["count"] for g in groups) >= at_least:
            return groups
        await asyncio.sleep(0.05)
    raise AssertionError(f"fewer than {at_least} questions kept: {groups}")


async def test_a_question_asked_seen_by_the_office_fixed_with_a_phrase_is_answered(
    sandbox: Sandbox, http: httpx.AsyncClient
) -> None:
    user = await sandbox.client.create_user("赵大娘")
    first = await _ask(sandbox, user, HUT)
    assert kb_texts.not_covered(load_kb().source) in first

    (group,) = await kept_groups(http, ADMIN, at_least=1)
    assert (group["wording"], group["matched"]) == (HUT, False)

    attached = await http.post(
        "/api/questions/phrases", headers=ADMIN, json={"phrase": HUT_PHRASE, "entry": HOUSING_GRANT}
    )
    assert attached.status_code == 201, attached.text
    reloaded = await http.post("/api/kb/reload", headers=ADMIN)
    assert reloaded.json() == {"phrases": 1}

    assert HOUSING_FIGURE in await _ask(sandbox, user, HUT)


async def test_an_unsure_answer_is_shown_to_the_office_under_its_measures_title(
    sandbox: Sandbox, http: httpx.AsyncClient
) -> None:
    await _ask(sandbox, await sandbox.client.create_user("钱大爷"), "补贴")
    (group,) = await kept_groups(http, ADMIN, at_least=1)
    assert group["measure_title"] == load_kb().measure(group["measure"]).title


async def test_the_office_is_told_in_chinese_why_a_phrase_with_an_amount_is_refused(http: httpx.AsyncClient) -> None:
    response = await http.post(
        "/api/questions/phrases", headers=ADMIN, json={"phrase": "房子塌了给四万", "entry": HOUSING_GRANT}
    )
    assert response.status_code == 422
    assert "短语不能包含数字或金额" in response.text


async def test_the_questions_need_the_office_token(http: httpx.AsyncClient) -> None:
    assert (await http.get("/api/questions")).status_code == 401


async def test_the_office_sees_the_entries_it_can_attach_to(http: httpx.AsyncClient) -> None:
    response = await http.get("/api/questions/entries", headers=ADMIN)
    assert HOUSING_GRANT in {e["key"] for e in response.json()}


async def test_the_office_never_sees_the_askers_own_name(sandbox: Sandbox, http: httpx.AsyncClient) -> None:
    user = await sandbox.client.create_user("孙桂兰")
    await _ask(sandbox, user, "孙桂兰家的马架子要塌了能给钱不，电话13812345678")
    (group,) = await kept_groups(http, ADMIN, at_least=1)
    assert group["wording"] == "孙*兰家的马架子要塌了能给钱不，电话138****5678"


async def test_the_office_lists_and_takes_back_a_phrase(http: httpx.AsyncClient) -> None:
    body = {"phrase": HUT_PHRASE, "entry": HOUSING_GRANT}
    assert (await http.post("/api/questions/phrases", headers=ADMIN, json=body)).status_code == 201
    assert (await http.get("/api/questions/phrases", headers=ADMIN)).json() == [body]
    assert (await http.delete(f"/api/questions/phrases/{HUT_PHRASE}", headers=ADMIN)).status_code == 204
    assert (await http.get("/api/questions/phrases", headers=ADMIN)).json() == []
