"""End to end: the office uploads next year's plan, previews it, puts it in force; a household is
answered from it in the bot, and a rollback returns to the plan before."""

from __future__ import annotations

from typing import Any

import httpx

from tests.bot_support import ADMIN, Sandbox
from tests.services.test_plans import HOUSING, PLAN_2019


async def _ask(sandbox: Sandbox, user: dict[str, Any], question: str) -> str:
    await sandbox.client.send_text(user, question)
    return (await sandbox.client.wait_for_bot_message(user["id"]))["text"]  # type: ignore[no-any-return]


async def _upload(http: httpx.AsyncClient) -> dict[str, Any]:
    response = await http.post("/api/plans", headers=ADMIN, json={"text": PLAN_2019, "filename": "xinbin-2019.txt"})
    assert response.status_code == 201, response.text
    return response.json()  # type: ignore[no-any-return]


async def test_the_preview_shows_the_raised_grant(http: httpx.AsyncClient) -> None:
    preview = await _upload(http)
    assert [c["new"] for c in preview["changes"]] == ["D级危房改造补助：每户 50000 元（5万元），一次性补助"]


async def test_an_uploaded_plan_is_not_yet_in_force(sandbox: Sandbox, http: httpx.AsyncClient) -> None:
    await _upload(http)
    user = await sandbox.client.create_user("王大爷")
    assert "40000 元" in await _ask(sandbox, user, HOUSING)


async def test_a_plan_put_in_force_answers_households(sandbox: Sandbox, http: httpx.AsyncClient) -> None:
    plan = (await _upload(http))["plan"]
    assert (await http.post(f"/api/plans/{plan['id']}/activate", headers=ADMIN)).status_code == 200
    user = await sandbox.client.create_user("王大爷")
    assert "50000 元" in await _ask(sandbox, user, HOUSING)


async def test_a_rollback_answers_from_the_plan_before(sandbox: Sandbox, http: httpx.AsyncClient) -> None:
    plan = (await _upload(http))["plan"]
    await http.post(f"/api/plans/{plan['id']}/activate", headers=ADMIN)
    assert (await http.post("/api/plans/rollback", headers=ADMIN)).json() is None
    user = await sandbox.client.create_user("王大爷")
    assert "40000 元" in await _ask(sandbox, user, HOUSING)


async def test_a_text_that_is_no_plan_is_refused_in_chinese(http: httpx.AsyncClient) -> None:
    response = await http.post("/api/plans", headers=ADMIN, json={"text": "通知：明天开会。"})
    assert response.status_code == 422
    assert "无法读取这份方案" in response.text


async def test_only_the_office_may_upload_a_plan(http: httpx.AsyncClient) -> None:
    response = await http.post("/api/plans", json={"text": PLAN_2019})
    assert response.status_code == 401
