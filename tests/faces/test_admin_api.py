"""The admin API over HTTP, on the web part served in memory: bearer auth (401/403), users, invites, places, items."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import AsyncIterator
from dataclasses import dataclass

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from services import audit
from services.config import Settings
from services.db import session_scope
from services.items import create_item
from services.models import ItemKind, ItemState, PartyRole, RoleKind, User
from services.office_tokens import issue_token
from services.places import VillageRow, import_villages, list_villages
from services.routing import PartySpec
from services.users import get_or_create_user, grant_role, mark_active
from services.workdays import china_today
from tests.bot_support import web_part_in_memory

ADMIN_TOKEN = "test-admin-token-0123456789"
SETTINGS = Settings(admin_token=ADMIN_TOKEN)


@dataclass
class Api:
    """An HTTP client on the web part, and headers for the admin token."""

    http: httpx.AsyncClient
    admin: dict[str, str]


@pytest.fixture
async def api(database_url: str, engine: AsyncEngine) -> AsyncIterator[Api]:
    async with web_part_in_memory(database_url, admin_token=ADMIN_TOKEN) as client:
        yield Api(http=client, admin={"Authorization": f"Bearer {ADMIN_TOKEN}"})


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def add_user(session: AsyncSession, telegram_id: int, name: str, kind: RoleKind, **binding: object) -> User:
    user = await get_or_create_user(session, telegram_user_id=telegram_id, display_name=name, actor=audit.CLI_ACTOR)
    await grant_role(session, user=user, kind=kind, actor=audit.CLI_ACTOR, **binding)  # type: ignore[arg-type]
    return user


async def seed_villages(session: AsyncSession) -> None:
    rows = [VillageRow(1, "永陵镇", "赫图阿拉村"), VillageRow(2, "旺清门镇", "孤脑村")]
    await import_villages(session, rows)


async def office_token(
    sessionmaker: async_sessionmaker[AsyncSession], *, telegram_id: int = 9001, hours: int = 12
) -> tuple[str, int]:
    """A `/dashboard` token of a new office user, valid `hours` hours (12 by default, as configured)."""
    settings = Settings(admin_token=ADMIN_TOKEN, dashboard_token_hours=hours)
    async with session_scope(sessionmaker) as session:
        user = await add_user(session, telegram_id, "王主任", RoleKind.OFFICE)
        return issue_token(user, settings=settings).token, user.id


# --- authentication -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "headers",
    [
        pytest.param({}, id="no-header"),
        pytest.param({"Authorization": "Bearer wrong"}, id="wrong-token"),
        pytest.param({"Authorization": f"Basic {ADMIN_TOKEN}"}, id="not-bearer"),
        pytest.param({"Authorization": "Bearer fpd1.1.99999999999.forged"}, id="forged-signature"),
    ],
)
async def test_no_valid_token_is_401_with_a_bearer_challenge(api: Api, headers: dict[str, str]) -> None:
    response = await api.http.get("/api/users", headers=headers)
    assert response.status_code == 401
    assert response.headers["www-authenticate"].startswith("Bearer")
    assert "令牌" in response.json()["detail"]


async def test_the_admin_token_and_an_office_users_token_are_let_in(
    api: Api, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    assert (await api.http.get("/api/users", headers=api.admin)).status_code == 200
    token, _ = await office_token(sessionmaker)
    response = await api.http.get("/api/users", headers=bearer(token))
    assert response.status_code == 200
    assert [u["display_name"] for u in response.json()] == ["王主任"]


async def test_an_expired_office_token_is_401(api: Api, sessionmaker: async_sessionmaker[AsyncSession]) -> None:
    async with session_scope(sessionmaker) as session:
        user = await add_user(session, 9001, "王主任", RoleKind.OFFICE)
        old = issue_token(user, settings=SETTINGS, now=dt.datetime.now(dt.UTC) - dt.timedelta(days=2))
    response = await api.http.get("/api/users", headers=bearer(old.token))
    assert response.status_code == 401
    assert "过期" in response.json()["detail"]


async def test_a_token_signed_with_another_secret_is_401(
    api: Api, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    async with session_scope(sessionmaker) as session:
        user = await add_user(session, 9001, "王主任", RoleKind.OFFICE)
        other = issue_token(user, settings=Settings(admin_token="another-admin-token"))
    assert (await api.http.get("/api/users", headers=bearer(other.token))).status_code == 401


async def test_a_valid_token_of_a_user_no_longer_in_the_office_is_403(
    api: Api, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    token, user_id = await office_token(sessionmaker)
    async with session_scope(sessionmaker) as session:
        user = await session.get(User, user_id)
        assert user is not None
        user.roles = [r for r in user.roles if r.kind != RoleKind.OFFICE]
    response = await api.http.get("/api/items", headers=bearer(token))
    assert response.status_code == 403
    assert "县扶贫办" in response.json()["detail"]


async def test_a_deactivated_office_user_is_403_even_once_reachable_again(
    api: Api, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    token, user_id = await office_token(sessionmaker)
    assert (await api.http.post(f"/api/users/{user_id}/deactivate", headers=api.admin)).status_code == 200
    assert (await api.http.get("/api/users", headers=bearer(token))).status_code == 403
    # Writing to the bot again makes a blocked user reachable (users.mark_active), not staff again.
    async with session_scope(sessionmaker) as session:
        user = await session.get(User, user_id)
        assert user is not None
        await mark_active(session, user=user, actor=audit.telegram_actor(9001))
    assert (await api.http.get("/api/users", headers=bearer(token))).status_code == 403


async def test_the_entitlements_calculator_stays_public(api: Api) -> None:
    assert (await api.http.post("/api/entitlements", json={})).status_code == 200


async def test_openapi_docs_list_the_admin_api_with_bearer_auth(api: Api) -> None:
    for page in ("/docs", "/redoc"):
        html = (await api.http.get(page)).text
        assets = re.findall(r"(?:src|href)=[\"']([^\"']+)", html)
        assert assets, f"{page} must load nothing from outside: {assets}"
        assert not [a for a in assets if "//" in a], f"{page} must load nothing from outside: {assets}"
        for asset in assets:
            assert (await api.http.get(asset)).status_code == 200, asset
    schema = (await api.http.get("/openapi.json")).json()
    for path in ("/api/users", "/api/invites", "/api/places/townships", "/api/places/villages", "/api/items"):
        assert path in schema["paths"], path
    assert schema["components"]["securitySchemes"]["HTTPBearer"]["scheme"] == "bearer"


# --- users -------------------------------------------------------------------------------------


async def test_users_are_listed_with_roles_and_can_be_deactivated(
    api: Api, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    async with session_scope(sessionmaker) as session:
        await seed_villages(session)
        villages = await list_villages(session)
        cadre = await add_user(session, 501, "李干部", RoleKind.CADRE, villages=villages[:1])
        await add_user(session, 502, "赵科长", RoleKind.UNIT, unit="县交通局")
    users = (await api.http.get("/api/users", headers=api.admin)).json()
    by_name = {u["display_name"]: u for u in users}
    assert by_name["李干部"]["roles"][0] == {
        "kind": "cadre",
        "label": "驻村干部",
        "villages": [villages[0].full_name],
        "township": None,
        "unit": None,
    }
    assert by_name["赵科长"]["roles"][0]["unit"] == "县交通局"

    response = await api.http.post(f"/api/users/{cadre.id}/deactivate", headers=api.admin)
    assert response.status_code == 200
    assert response.json()["active"] is False
    assert response.json()["roles"] == []
    again = await api.http.post(f"/api/users/{cadre.id}/deactivate", headers=api.admin)
    assert again.status_code == 200
    assert again.json()["active"] is False
    async with session_scope(sessionmaker) as session:
        rows = [e for e in await audit.list_audit(session) if e.subject == f"user:{cadre.id}"]
    deactivated = [e for e in rows if e.action == "user.deactivate"]
    assert len(deactivated) == 1
    assert deactivated[0].actor == "admin"
    assert deactivated[0].after["display_name"] == "李*部"
    [revoked] = [e for e in rows if e.action == "user.role.revoke"]
    assert revoked.before == {"kind": "cadre", "villages": [villages[0].full_name], "township": None, "unit": None}


async def test_deactivating_an_unknown_user_is_404(api: Api) -> None:
    response = await api.http.post("/api/users/424242/deactivate", headers=api.admin)
    assert response.status_code == 404
    assert "424242" in response.json()["detail"]


async def test_a_user_id_that_is_not_a_number_is_422_naming_the_field(api: Api) -> None:
    response = await api.http.post("/api/users/abc/deactivate", headers=api.admin)
    assert response.status_code == 422
    error = response.json()["detail"][0]
    assert error["loc"] == ["path", "user_id"]
    assert "user_id" in error["msg"]
    assert "整数" in error["msg"]


# --- invites -----------------------------------------------------------------------------------


async def test_an_invite_is_created_with_its_deep_link_and_listed(
    api: Api, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    async with session_scope(sessionmaker) as session:
        await seed_villages(session)
    token, user_id = await office_token(sessionmaker, hours=7 * 24)
    response = await api.http.post(
        "/api/invites", json={"role": "cadre", "villages": ["赫图阿拉村"], "ttl_days": 3}, headers=bearer(token)
    )
    assert response.status_code == 201, response.text
    invite = response.json()
    assert invite["link"] == f"https://t.me/XinbinFupinBot?start={invite['code']}"
    assert invite["villages"] == ["永陵镇/赫图阿拉村"]
    assert invite["status"] == "open"
    assert invite["created_by"] == f"user:{user_id}"
    assert invite["role_label"] == "驻村干部"
    expires = dt.datetime.fromisoformat(invite["expires_at"]) - dt.datetime.fromisoformat(invite["created_at"])
    assert expires == dt.timedelta(days=3)

    listed = (await api.http.get("/api/invites", headers=api.admin)).json()
    assert [i["code"] for i in listed] == [invite["code"]]


async def test_an_invite_made_with_a_12_hour_token_expires_with_the_token(
    api: Api, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    async with session_scope(sessionmaker) as session:
        await seed_villages(session)
    before = dt.datetime.now(dt.UTC)
    token, _ = await office_token(sessionmaker)
    body = {"role": "cadre", "villages": ["赫图阿拉村"], "ttl_days": 90}
    response = await api.http.post("/api/invites", json=body, headers=bearer(token))
    assert response.status_code == 201, response.text
    expires_at = dt.datetime.fromisoformat(response.json()["expires_at"])
    assert expires_at <= before + dt.timedelta(hours=12, seconds=1)


async def test_a_12_hour_token_cannot_invite_to_the_office(
    api: Api, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    token, _ = await office_token(sessionmaker)
    response = await api.http.post("/api/invites", json={"role": "office", "ttl_days": 90}, headers=bearer(token))
    assert response.status_code == 403
    assert "FUPIN_ADMIN_TOKEN" in response.json()["detail"]
    assert (await api.http.get("/api/invites", headers=api.admin)).json() == []


async def test_the_admin_token_still_invites_to_the_office_for_90_days(api: Api) -> None:
    response = await api.http.post("/api/invites", json={"role": "office", "ttl_days": 90}, headers=api.admin)
    assert response.status_code == 201, response.text
    invite = response.json()
    expires = dt.datetime.fromisoformat(invite["expires_at"]) - dt.datetime.fromisoformat(invite["created_at"])
    assert expires == dt.timedelta(days=90)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        pytest.param({"villages": ["赫图阿拉村"]}, "role", id="role-missing"),
        pytest.param({"role": "mayor"}, "role", id="unknown-role"),
        pytest.param({"role": "unit", "unit": "县交通局", "ttl_days": 0}, "ttl_days", id="ttl-zero"),
        pytest.param({"role": "cadre", "villages": "赫图阿拉村"}, "villages", id="villages-not-a-list"),
    ],
)
async def test_a_bad_invite_is_422_naming_the_field_in_chinese(api: Api, body: dict, field: str) -> None:
    response = await api.http.post("/api/invites", json=body, headers=api.admin)
    assert response.status_code == 422
    errors = response.json()["detail"]
    assert any(error["loc"][-1] == field and f"“{field}”" in error["msg"] for error in errors), errors


async def test_an_invite_for_an_unknown_unit_is_422_with_the_choices(api: Api) -> None:
    response = await api.http.post("/api/invites", json={"role": "unit", "unit": "县交通厅"}, headers=api.admin)
    assert response.status_code == 422
    body = response.json()
    assert "县交通厅" in body["detail"]
    assert "县交通局" in body["choices"]


# --- places ------------------------------------------------------------------------------------


async def test_townships_and_villages_are_listed_and_villages_imported(api: Api) -> None:
    townships = (await api.http.get("/api/places/townships", headers=api.admin)).json()
    assert len(townships) == 15
    assert all(t["villages"] == 0 for t in townships)
    body = {"villages": [{"township": "永陵镇", "village": "赫图阿拉村"}, {"township": "永陵镇", "village": "老城村"}]}
    response = await api.http.post("/api/places/villages", json=body, headers=api.admin)
    assert response.json() == {"created": 2, "existing": 0}
    again = await api.http.post("/api/places/villages", json=body, headers=api.admin)
    assert again.json() == {"created": 0, "existing": 2}
    villages = (await api.http.get("/api/places/villages", params={"township": "永陵镇"}, headers=api.admin)).json()
    assert sorted(v["full_name"] for v in villages) == ["永陵镇/老城村", "永陵镇/赫图阿拉村"]
    counts = {t["name"]: t["villages"] for t in (await api.http.get("/api/places/townships", headers=api.admin)).json()}
    assert counts["永陵镇"] == 2


async def test_a_bad_village_list_is_422_naming_each_line_and_imports_nothing(api: Api) -> None:
    body = {"villages": [{"township": "永陵镇", "village": "老城村"}, {"township": "永灵镇", "village": "某村"}]}
    response = await api.http.post("/api/places/villages", json=body, headers=api.admin)
    assert response.status_code == 422
    assert response.json()["problems"][0].startswith("第 2 行")
    assert (await api.http.get("/api/places/villages", headers=api.admin)).json() == []


async def test_an_unknown_township_filter_is_422(api: Api) -> None:
    response = await api.http.get("/api/places/villages", params={"township": "火星镇"}, headers=api.admin)
    assert response.status_code == 422
    assert "火星镇" in response.json()["detail"]


# --- items -------------------------------------------------------------------------------------


async def seed_items(sessionmaker: async_sessionmaker[AsyncSession]) -> dict[str, int]:
    """Three items: one overdue at 县交通局, one fresh at 县交通局, one done at 县教育局."""
    async with session_scope(sessionmaker) as session:
        await seed_villages(session)
        village = next(v for v in await list_villages(session) if v.name == "赫图阿拉村")
        reporter = await add_user(session, 601, "李干部", RoleKind.CADRE, villages=[village])
        roads = [PartySpec(PartyRole.LEAD, unit="县交通局"), PartySpec(PartyRole.PARTICIPANT, unit="县财政局")]
        schools = [PartySpec(PartyRole.LEAD, unit="县教育局")]
        common = {"kind": ItemKind.REPORT, "village": village, "reporter": reporter, "actor": audit.CLI_ACTOR}
        late = await create_item(
            session,
            measure_id="3.1",
            title="硬化村组道路 3.5 公里",
            topic="硬化村组道路",
            parties=roads,
            today=china_today() - dt.timedelta(days=60),
            **common,  # type: ignore[arg-type]
        )
        fresh = await create_item(
            session,
            measure_id="3.1",
            title="硬化村组道路 1 公里",
            topic="硬化村组道路",
            parties=roads,
            **common,  # type: ignore[arg-type]
        )
        done = await create_item(
            session,
            measure_id="4.1",
            title="校舍维修 1 所",
            topic="校舍维修",
            parties=schools,
            today=china_today() - dt.timedelta(days=60),
            **common,  # type: ignore[arg-type]
        )
        done.state = ItemState.DONE
        return {"late": late.id, "fresh": fresh.id, "done": done.id}


async def test_items_are_listed_with_filters_on_state_unit_and_lateness(
    api: Api, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    ids = await seed_items(sessionmaker)

    async def listed(**params: str) -> list[int]:
        response = await api.http.get("/api/items", params=params, headers=api.admin)
        assert response.status_code == 200, response.text
        return [i["id"] for i in response.json()]

    assert sorted(await listed()) == sorted(ids.values())
    assert await listed(overdue="true") == [ids["late"]]
    assert sorted(await listed(overdue="false")) == sorted([ids["fresh"], ids["done"]])
    assert sorted(await listed(unit="县交通局")) == sorted([ids["late"], ids["fresh"]])
    assert await listed(state="done") == [ids["done"]]
    assert await listed(state="new", unit="县教育局") == []

    late = next(i for i in (await api.http.get("/api/items", headers=api.admin)).json() if i["id"] == ids["late"])
    assert late["overdue"] is True
    assert late["state_label"] == "待接收"
    assert late["participants"] == ["县财政局"]
    assert late["village"] == "永陵镇/赫图阿拉村"
    assert late["owner_unit"] == "县交通局"


@pytest.mark.parametrize(
    ("params", "field"),
    [
        pytest.param({"state": "lost"}, "state", id="unknown-state"),
        pytest.param({"overdue": "perhaps"}, "overdue", id="overdue-not-bool"),
        pytest.param({"limit": "0"}, "limit", id="limit-too-small"),
    ],
)
async def test_a_bad_item_filter_is_422_naming_the_field(api: Api, params: dict, field: str) -> None:
    response = await api.http.get("/api/items", params=params, headers=api.admin)
    assert response.status_code == 422
    error = response.json()["detail"][0]
    assert error["loc"] == ["query", field]
    assert f"“{field}”" in error["msg"]
