"""Invites register people in roles: validated when made, single-use and expiring when redeemed, audited."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from services.audit import list_audit
from services.errors import InvalidInput, InviteExpired, InviteNotFound, InviteUsed
from services.invites import create_invite, redeem_invite
from services.models import Invite, RoleKind, User
from services.places import import_villages, read_villages_csv
from services.users import list_users

NOW = dt.datetime(2018, 5, 2, 9, 0, tzinfo=dt.UTC)
VILLAGES_CSV = "township,village\n新宾镇,腰站村\n新宾镇,东村\n永陵镇,东村\n"


@pytest.fixture
async def villages(sessionmaker: async_sessionmaker[AsyncSession]) -> None:
    async with sessionmaker.begin() as session:
        await import_villages(session, read_villages_csv(VILLAGES_CSV))


async def count(sessionmaker: async_sessionmaker[AsyncSession], model: type) -> int:
    async with sessionmaker() as session:
        return await session.scalar(select(func.count()).select_from(model)) or 0


async def test_cadre_invite_binds_villages_and_expires_in_seven_days(session: AsyncSession, villages: None) -> None:
    invite = await create_invite(session=session, role="cadre", villages=["腰站村", "永陵镇/东村"], now=NOW)
    assert invite.role == RoleKind.CADRE
    assert [v.full_name for v in invite.villages] == ["新宾镇/腰站村", "永陵镇/东村"]
    assert invite.expires_at == NOW + dt.timedelta(days=7)
    assert len(invite.code) >= 20
    assert invite.code.replace("-", "").replace("_", "").isalnum()


async def test_codes_differ(session: AsyncSession) -> None:
    codes = {(await create_invite(session=session, role="office", now=NOW)).code for _ in range(5)}
    assert len(codes) == 5


async def test_redeem_binds_the_user_to_the_role(session: AsyncSession, villages: None) -> None:
    invite = await create_invite(session=session, role="cadre", villages=["腰站村"], now=NOW)
    role = await redeem_invite(session=session, code=invite.code, telegram_user_id=4242, display_name="张三明", now=NOW)
    assert role.kind == RoleKind.CADRE
    assert [v.full_name for v in role.villages] == ["新宾镇/腰站村"]
    [user] = await list_users(session)
    assert (user.telegram_user_id, user.display_name, user.active) == (4242, "张三明", True)
    assert [r.kind for r in user.roles] == [RoleKind.CADRE]


async def test_second_cadre_invite_adds_villages_to_the_same_role(session: AsyncSession, villages: None) -> None:
    for village in ("腰站村", "永陵镇/东村"):
        invite = await create_invite(session=session, role="cadre", villages=[village], now=NOW)
        await redeem_invite(session=session, code=invite.code, telegram_user_id=7, display_name="李四", now=NOW)
    [user] = await list_users(session)
    [role] = user.roles
    assert [v.full_name for v in role.villages] == ["新宾镇/腰站村", "永陵镇/东村"]


async def test_township_and_unit_invites(session: AsyncSession, plan_units: list[str]) -> None:
    township = await create_invite(session=session, role="township", township="永陵镇", now=NOW)
    unit = await create_invite(session=session, role="unit", unit="县交通局", now=NOW)
    role = await redeem_invite(session=session, code=unit.code, telegram_user_id=9, display_name="王五", now=NOW)
    assert township.township is not None
    assert township.township.name == "永陵镇"
    assert (role.kind, role.unit) == (RoleKind.UNIT, "县交通局")


async def test_expired_invite_is_refused_and_nothing_changes(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    async with sessionmaker.begin() as session:
        invite = await create_invite(session=session, role="office", now=NOW, ttl=dt.timedelta(days=1))
    with pytest.raises(InviteExpired, match="邀请码已过期"):
        async with sessionmaker.begin() as session:
            await redeem_invite(
                session=session,
                code=invite.code,
                telegram_user_id=1,
                display_name="赵六",
                now=NOW + dt.timedelta(days=1),
            )
    assert await count(sessionmaker, User) == 0


async def test_invite_is_single_use(sessionmaker: async_sessionmaker[AsyncSession]) -> None:
    async with sessionmaker.begin() as session:
        invite = await create_invite(session=session, role="office", now=NOW)
        await redeem_invite(session=session, code=invite.code, telegram_user_id=1, display_name="赵六", now=NOW)
    with pytest.raises(InviteUsed, match="邀请码已被使用"):
        async with sessionmaker.begin() as session:
            await redeem_invite(session=session, code=invite.code, telegram_user_id=2, display_name="钱七", now=NOW)
    assert await count(sessionmaker, User) == 1


async def test_same_person_redeeming_twice_is_harmless(session: AsyncSession) -> None:
    """Telegram may deliver the same /start twice; the second time changes nothing."""
    invite = await create_invite(session=session, role="office", now=NOW)
    first = await redeem_invite(session=session, code=invite.code, telegram_user_id=1, display_name="赵六", now=NOW)
    rows = len(await list_audit(session))
    again = await redeem_invite(session=session, code=invite.code, telegram_user_id=1, display_name="赵六", now=NOW)
    assert again.id == first.id
    assert len(await list_audit(session)) == rows


async def test_wrong_code_is_refused(session: AsyncSession) -> None:
    with pytest.raises(InviteNotFound, match="邀请码不存在"):
        await redeem_invite(session=session, code="no-such-code", telegram_user_id=1, display_name="赵六", now=NOW)


@pytest.mark.parametrize(
    ("kwargs", "expected"),
    [
        pytest.param({"role": "boss"}, "可选角色：household（贫困户）、cadre（驻村干部）", id="unknown-role"),
        pytest.param({"role": "cadre"}, "驻村干部邀请至少要指定一个村", id="cadre-without-village"),
        pytest.param(
            {"role": "cadre", "villages": ["西村"]},
            "没有名为“西村”的村。可选的村：",
            id="unknown-village",
        ),
        pytest.param({"role": "cadre", "villages": ["东村"]}, "请写明乡镇：新宾镇/东村、永陵镇/东村", id="ambiguous"),
        pytest.param({"role": "township", "township": "新滨镇"}, "是不是“新宾镇”", id="unknown-township"),
        pytest.param({"role": "township"}, "全县乡镇：新宾镇、旺清门镇", id="township-missing"),
        pytest.param({"role": "unit", "unit": "县交通"}, "是不是“县交通局”？可选单位：", id="unknown-unit"),
        pytest.param({"role": "office", "villages": ["腰站村"]}, "县扶贫办邀请不需要指定村", id="needless-binding"),
    ],
)
async def test_bad_invites_are_refused_naming_the_choices(
    sessionmaker: async_sessionmaker[AsyncSession],
    villages: None,
    plan_units: list[str],
    kwargs: dict[str, object],
    expected: str,
) -> None:
    with pytest.raises(InvalidInput) as caught:
        async with sessionmaker.begin() as session:
            await create_invite(session=session, now=NOW, **kwargs)  # type: ignore[arg-type]
    assert expected in caught.value.message
    assert await count(sessionmaker, Invite) == 0


async def test_unknown_unit_lists_every_plan_unit(session: AsyncSession, plan_units: list[str]) -> None:
    with pytest.raises(InvalidInput) as caught:
        await create_invite(session=session, role="unit", unit="县财政", now=NOW)
    assert set(plan_units) <= set(caught.value.choices)
    assert {"县交通局", "县教育局"} <= set(caught.value.choices)


async def test_every_change_leaves_an_audit_row_without_personal_data(session: AsyncSession, villages: None) -> None:
    invite = await create_invite(session=session, role="cadre", villages=["腰站村"], now=NOW)
    await redeem_invite(session=session, code=invite.code, telegram_user_id=4242, display_name="张三明", now=NOW)
    entries = await list_audit(session)
    assert [e.action for e in entries] == [
        "places.import",
        "invite.create",
        "user.create",
        "user.role.grant",
        "invite.redeem",
    ]
    assert entries[1].actor == "cli"
    assert entries[1].after is not None
    assert entries[1].after["villages"] == ["新宾镇/腰站村"]
    assert entries[2].actor == "telegram:4242"
    assert entries[2].after is not None
    assert entries[2].after["display_name"] == "张*明"
    assert all(invite.code not in str(e.before) + str(e.after) for e in entries)
    assert "张三明" not in "".join(str(e.after) for e in entries)
    assert await list_audit(session, since=NOW + dt.timedelta(seconds=1)) == [e for e in entries if e.at > NOW]
