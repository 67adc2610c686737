"""Dashboard data, exports (HTTP and `fupin export`), broadcasts over the admin API, and `/dashboard` in the bot.

The API is the web part's, served in memory (`http` here is the `web` client); the link the bot
sends is followed on the served sandbox, where bot and API are one app. A cadre refused the
dashboard is driven in-process (`tests/faces/test_office_chat.py`).
"""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path
from urllib.parse import unquote

import httpx
import pytest
from openpyxl import load_workbook
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot import texts
from bot.cli import main
from services import audit
from services.db import session_scope
from services.exports import HOUSEHOLD_HEADERS, PROGRESS_HEADERS, TASK_HEADERS
from services.models import Report
from tests.bot_support import ADMIN, Sandbox
from tests.dashboard_support import (
    BROADCAST_TEXT,
    HOUSEHOLDS,
    ROAD_DONE,
    ROAD_INDICATOR,
    ROAD_TARGET,
    seed_county,
)
from tests.staff_support import register

#: A measure id of an earlier plan, which the plan in force does not have.
EARLIER = "m00000000"


@pytest.fixture
def http(web: httpx.AsyncClient) -> httpx.AsyncClient:
    """The web part served in memory: nothing here needs the bot or a socket, but the link test's own."""
    return web


# --- the dashboard's data --------------------------------------------------------------------------


async def test_the_dashboard_data_shows_progress_items_changes_and_broadcasts(
    http: httpx.AsyncClient, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    await seed_county(sessionmaker)
    response = await http.get("/api/dashboard", headers=ADMIN)
    assert response.status_code == 200, response.text
    data = response.json()

    road = next(p for p in data["progress"] if p["indicator"] == ROAD_INDICATOR)
    done = sum(ROAD_DONE.values())
    assert road["target"] == ROAD_TARGET
    assert road["done"] == done
    assert road["percent"] == 50.0
    assert {t["township"]: t["done"] for t in road["by_township"]} == ROAD_DONE
    assert next(t for t in road["by_township"] if t["township"] == "永陵镇")["percent"] == round(3000 / 106, 1)
    assert all(p["done"] == 0 for p in data["progress"] if p["indicator"] != ROAD_INDICATOR)

    units = {u["unit"]: u for u in data["units"]}
    assert units["县交通局"] == {
        "unit": "县交通局",
        "new": 2,
        "accepted": 0,
        "done": 0,
        "returned": 1,
        "open": 2,
        "overdue": 2,
    }
    assert units["县扶贫办"]["open"] == 1
    assert units["县扶贫办"]["overdue"] == 0

    stages = {c["stage"]: c for c in data["changes"]}
    assert stages["village_review"] == {"stage": "village_review", "label": "村级评议", "count": 1}
    assert [c["label"] for c in data["changes"]][:4] == ["村级评议", "村公示", "乡镇审核", "县公告"]

    [broadcast] = data["broadcasts"]
    assert broadcast["text"] == BROADCAST_TEXT
    assert broadcast["audience_label"] == "全部驻村干部"
    assert broadcast["recipients"] == 1
    assert broadcast["sent"] + broadcast["pending"] + broadcast["failed"] == 1


async def test_a_report_on_a_measure_the_plan_no_longer_has_is_shown_as_the_previous_plans(
    http: httpx.AsyncClient, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    await seed_county(sessionmaker)
    async with session_scope(sessionmaker) as session:
        await session.execute(update(Report).where(Report.quantity == ROAD_DONE["旺清门镇"]).values(measure_id=EARLIER))
    data = (await http.get("/api/dashboard", headers=ADMIN)).json()
    [earlier] = data["superseded"]
    assert (earlier["measure_id"], earlier["indicator"], earlier["done"]) == (EARLIER, ROAD_INDICATOR, 23)
    road = next(p for p in data["progress"] if p["indicator"] == ROAD_INDICATOR)
    assert road["done"] == ROAD_DONE["永陵镇"]


async def test_the_dashboard_lists_the_overdue_items_with_their_unit(
    http: httpx.AsyncClient, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    seeded = await seed_county(sessionmaker)
    data = (await http.get("/api/dashboard", headers=ADMIN)).json()
    overdue = {i["id"]: i["owner_unit"] for i in data["overdue"]}
    assert overdue[seeded.overdue_item] == "县交通局"


async def test_the_dashboard_lists_no_item_that_is_not_overdue(
    http: httpx.AsyncClient, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    await seed_county(sessionmaker)
    data = (await http.get("/api/dashboard", headers=ADMIN)).json()
    assert all(i["overdue"] for i in data["overdue"])


async def test_the_dashboard_data_needs_a_token(http: httpx.AsyncClient) -> None:
    response = await http.get("/api/dashboard")
    assert response.status_code == 401
    assert response.headers["www-authenticate"].startswith("Bearer")


async def test_the_dashboard_page_and_its_words_are_served_without_a_token(http: httpx.AsyncClient) -> None:
    page = await http.get("/dashboard")
    assert page.status_code == 200
    assert "/static/dashboard.js" in page.text
    assert not re.search(r"(src|href)=\"(https?:)?//", page.text), "the page must load nothing from outside"
    config = json.loads(re.search(r'<script id="config" type="application/json">(.*?)</script>', page.text).group(1))
    assert config["texts"]["progress"] == "目标进度"
    assert config["exports"] == ["progress", "tasks", "households"]
    for asset in ("dashboard.js", "dashboard.css"):
        body = (await http.get(f"/static/{asset}")).text
        assert not re.search(r"https?://", body), asset


# --- exports over HTTP -----------------------------------------------------------------------------


def _xlsx_rows(content: bytes) -> list[tuple]:
    sheet = load_workbook(io.BytesIO(content)).active
    assert sheet is not None
    return [tuple(row) for row in sheet.iter_rows(values_only=True)]


def _csv_rows(content: bytes) -> list[list[str]]:
    assert content.startswith(b"\xef\xbb\xbf"), "Excel needs the BOM to read UTF-8"
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))


def _file_name(response: httpx.Response) -> str:
    match = re.search(r"filename\*=UTF-8''([^;]+)", response.headers["content-disposition"])
    assert match
    return unquote(match.group(1))


async def test_progress_exports_as_excel_with_chinese_headers_and_a_column_per_township(
    http: httpx.AsyncClient, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    await seed_county(sessionmaker)
    response = await http.get("/api/exports/progress", params={"format": "xlsx"}, headers=ADMIN)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/vnd.openxmlformats")
    assert _file_name(response).startswith("目标进度-")
    assert _file_name(response).endswith(".xlsx")
    header, *rows = _xlsx_rows(response.content)
    assert header[: len(PROGRESS_HEADERS)] == PROGRESS_HEADERS
    assert "永陵镇" in header
    assert len(header) == 7 + 15
    road = next(r for r in rows if r[2] == ROAD_INDICATOR)
    assert road[4:7] == (106, 53, 50)
    assert road[header.index("永陵镇")] == 30
    assert road[header.index("新宾镇")] == 0


async def test_tasks_export_as_csv_with_a_bom_and_overdue_marked(
    http: httpx.AsyncClient, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    seeded = await seed_county(sessionmaker)
    response = await http.get("/api/exports/tasks", params={"format": "csv"}, headers=ADMIN)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    header, *rows = _csv_rows(response.content)
    assert tuple(header) == TASK_HEADERS
    overdue = next(r for r in rows if r[0] == str(seeded.overdue_item))
    assert overdue[header.index("牵头单位")] == "县交通局"
    assert overdue[header.index("是否超期")] == "是"
    assert overdue[header.index("状态")] == "待接收"
    assert overdue[header.index("乡镇")] == "永陵镇"
    returned = next(r for r in rows if r[header.index("状态")] == "已退回")
    assert returned[header.index("退回原因")] == "数量有误"
    assert returned[header.index("是否超期")] == "否"


async def test_the_household_roster_is_masked_unless_the_full_roster_is_asked_for(
    http: httpx.AsyncClient, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    await seed_county(sessionmaker)
    masked = await http.get("/api/exports/households", params={"format": "xlsx"}, headers=ADMIN)
    header, *rows = _xlsx_rows(masked.content)
    assert header == HOUSEHOLD_HEADERS
    assert {r[0] for r in rows} == {"2104**********1236", "2104**********123X"}
    assert {r[1] for r in rows} == {"张*明", "李*"}
    async with session_scope(sessionmaker) as session:
        assert not [e for e in await audit.list_audit(session) if e.action.startswith("export")]

    full = await http.get("/api/exports/households", params={"format": "csv", "full": "true"}, headers=ADMIN)
    header, *rows = _csv_rows(full.content)
    assert {(r[0], r[1]) for r in rows} == {(id_number, name) for id_number, name, _ in HOUSEHOLDS}
    async with session_scope(sessionmaker) as session:
        [entry] = [e for e in await audit.list_audit(session) if e.action == "export.households.full"]
    assert entry.actor == "admin"
    assert entry.after == {"rows": 2}


@pytest.mark.parametrize(
    ("path", "params", "field"),
    [
        pytest.param("/api/exports/people", {}, "kind", id="unknown-kind"),
        pytest.param("/api/exports/progress", {"format": "pdf"}, "format", id="unknown-format"),
    ],
)
async def test_a_bad_export_request_is_422_naming_the_field(
    http: httpx.AsyncClient, path: str, params: dict, field: str
) -> None:
    response = await http.get(path, params=params, headers=ADMIN)
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"][-1] == field
    assert f"“{field}”" in response.json()["detail"][0]["msg"]


async def test_the_full_flag_is_refused_for_anything_but_the_roster(http: httpx.AsyncClient) -> None:
    response = await http.get("/api/exports/progress", params={"full": "true"}, headers=ADMIN)
    assert response.status_code == 422
    assert "贫困户名册" in response.json()["detail"]


# --- exports on the command line -------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
async def test_fupin_export_writes_the_file(
    cli_database: str, sessionmaker: async_sessionmaker[AsyncSession], tmp_path: Path, fmt: str, capsys
) -> None:
    await seed_county(sessionmaker)
    out = tmp_path / f"progress.{fmt}"
    assert await _cli(["export", "progress", "--format", fmt, "--output", str(out)]) == 0
    rows = _xlsx_rows(out.read_bytes()) if fmt == "xlsx" else _csv_rows(out.read_bytes())
    assert tuple(rows[0][:3]) == PROGRESS_HEADERS[:3]
    road = next(r for r in rows if r[2] == ROAD_INDICATOR)
    assert str(road[5]) in {"53", "53.0"}
    assert f"已导出 {out}" in capsys.readouterr().out


async def test_fupin_export_full_roster_is_audited_as_the_cli(
    cli_database: str, sessionmaker: async_sessionmaker[AsyncSession], tmp_path: Path, capsys
) -> None:
    await seed_county(sessionmaker)
    out = tmp_path / "roster.csv"
    assert await _cli(["export", "households", "--format", "csv", "--output", str(out), "--full"]) == 0
    assert "完整身份证号" in capsys.readouterr().out
    assert {r[0] for r in _csv_rows(out.read_bytes())[1:]} == {h[0] for h in HOUSEHOLDS}
    async with session_scope(sessionmaker) as session:
        [entry] = [e for e in await audit.list_audit(session) if e.action == "export.households.full"]
    assert entry.actor == audit.CLI_ACTOR


async def test_fupin_export_refuses_full_for_progress(cli_database: str, tmp_path: Path, capsys) -> None:
    assert await _cli(["export", "progress", "--full", "--output", str(tmp_path / "x.xlsx")]) == 2
    assert "贫困户名册" in capsys.readouterr().err
    assert not (tmp_path / "x.xlsx").exists()


async def _cli(argv: list[str]) -> int:
    # The CLI runs its own event loop (asyncio.run); keep it off the test's loop.
    import asyncio

    return await asyncio.to_thread(main, argv)


# --- broadcasts ------------------------------------------------------------------------------------


async def test_a_broadcast_is_created_and_listed_with_its_delivery(
    http: httpx.AsyncClient, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    await seed_county(sessionmaker)
    response = await http.post(
        "/api/broadcasts",
        json={"text": "  明天上午九点开会。 ", "audience": "township", "township": "永陵镇"},
        headers=ADMIN,
    )
    assert response.status_code == 201, response.text
    created = response.json()
    assert created["text"] == "明天上午九点开会。"
    assert created["audience_label"].startswith("永陵镇")
    assert created["created_by"] == "admin"
    assert created["recipients"] == 1
    listed = (await http.get("/api/broadcasts", headers=ADMIN)).json()
    assert [b["id"] for b in listed][:1] == [created["id"]]
    assert len(listed) == 2


@pytest.mark.parametrize(
    ("body", "field"),
    [
        pytest.param({"audience": "all"}, "text", id="text-missing"),
        pytest.param({"text": "通知", "audience": "everyone"}, "audience", id="unknown-audience"),
        pytest.param({"text": "", "audience": "all"}, "text", id="text-empty"),
        pytest.param({"text": "通知", "audience": "all", "scheduled_at": "明天"}, "scheduled_at", id="bad-time"),
    ],
)
async def test_a_bad_broadcast_is_422_naming_the_field(http: httpx.AsyncClient, body: dict, field: str) -> None:
    response = await http.post("/api/broadcasts", json=body, headers=ADMIN)
    assert response.status_code == 422
    errors = response.json()["detail"]
    assert any(e["loc"][-1] == field and f"“{field}”" in e["msg"] for e in errors), errors


async def test_a_township_broadcast_without_a_township_is_422(http: httpx.AsyncClient) -> None:
    response = await http.post("/api/broadcasts", json={"text": "通知", "audience": "township"}, headers=ADMIN)
    assert response.status_code == 422
    assert "乡镇" in response.json()["detail"]


# --- /dashboard in the bot -------------------------------------------------------------------------


async def test_an_office_user_gets_a_working_dashboard_link_in_telegram(
    sandbox: Sandbox, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    office = await register(sandbox.client, sessionmaker, "王主任", "office")
    sent = await sandbox.client.send_text(office, "/dashboard")
    reply = await _reply_after(sandbox, office["id"], sent["message_id"])
    match = re.search(r"(http://\S+/dashboard)#token=(\S+)", reply)
    assert match
    assert match.group(1) == sandbox.base_url + "/dashboard"
    token = match.group(2)
    assert f"\n{token}\n" in reply  # also shown on its own, to copy by hand
    async with httpx.AsyncClient(base_url=sandbox.base_url, trust_env=False) as served:
        assert (await served.get("/api/dashboard", headers={"Authorization": f"Bearer {token}"})).status_code == 200

    sent = await sandbox.client.send_text(office, texts.BUTTON_DASHBOARD)
    assert "#token=" in await _reply_after(sandbox, office["id"], sent["message_id"])


async def _reply_after(sandbox: Sandbox, chat_id: int, message_id: int) -> str:
    found = await sandbox.client.wait_for(chat_id, lambda m: m["sender"] == "bot" and m["message_id"] > message_id)
    return str(found["text"])
