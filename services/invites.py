"""Invites: single-use, expiring codes that register a Telegram user in a role via a deep link.

The office issues an invite bound to what the role needs (villages, a township or a unit); the
person opens `https://t.me/<bot>?start=<code>` and the bot redeems it. Validation happens when
the invite is made, so a code never promises a binding that cannot be granted.
"""

from __future__ import annotations

import datetime as dt
import logging
import secrets
from collections.abc import Sequence
from typing import Any, Literal

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services import audit
from services.config import get_settings
from services.errors import Forbidden, InvalidInput, InviteExpired, InviteNotFound, InviteUsed
from services.masking import mask_name
from services.models import Invite, Role, RoleKind, Township, Village, utcnow
from services.office_tokens import Principal
from services.places import closest, find_township, list_townships, resolve_villages
from services.users import ROLE_LABELS, get_or_create_user, grant_role

log = logging.getLogger(__name__)

#: Why an office user's token cannot invite to the office.
OFFICE_INVITE_NEEDS_ADMIN = (
    "县扶贫办的邀请只能用管理令牌（FUPIN_ADMIN_TOKEN）或命令行 fupin users invite 生成："
    "/dashboard 领到的令牌有时限，由它邀请来的账号却长期有效。"
)

#: Random bytes per code: 16 give 22 URL-safe characters, well inside Telegram's 64-character
#: `start` parameter and beyond guessing.
CODE_BYTES = 16


async def plan_units(session: AsyncSession) -> list[str]:
    """Every responsible unit the plan in force names — the only units a unit role may be bound to."""
    from services.plans import kb_in_force  # imported on use: the CLI's other commands need no knowledge base

    return (await kb_in_force(session=session)).all_units()


#: Where an invite stands: still usable, redeemed, or past its validity.
InviteStatus = Literal["open", "used", "expired"]


def invite_status(invite: Invite, *, now: dt.datetime) -> InviteStatus:
    """Whether the invite can still be redeemed at `now`, and if not, why."""
    if invite.used_at is not None:
        return "used"
    return "expired" if invite.expires_at <= now else "open"


def invite_link(code: str, *, bot_username: str) -> str:
    """The Telegram deep link that starts the bot with this invite code."""
    return f"https://t.me/{bot_username}?start={code}"


def new_code() -> str:
    """A fresh random code made of Telegram-safe characters (A–Z, a–z, 0–9, _ and -)."""
    return secrets.token_urlsafe(CODE_BYTES)


def _role_choices() -> str:
    return "、".join(f"{kind.value}（{label}）" for kind, label in ROLE_LABELS.items())


def parse_role(role: str | RoleKind) -> RoleKind:
    """The role named by its code (`cadre`) or its Chinese label (`驻村干部`).

    Raises:
        InvalidInput: an unknown role; the message lists every valid one.
    """
    wanted = str(role).strip()
    for kind, label in ROLE_LABELS.items():
        if wanted.lower() == kind.value or wanted == label:
            return kind
    raise InvalidInput(f"没有“{wanted}”这种角色。可选角色：{_role_choices()}。", choices=[k.value for k in RoleKind])


def _check_unit(unit: str, units: list[str]) -> str:
    wanted = unit.strip()
    if wanted in units:
        return wanted
    suggestion = closest(wanted, units)
    hint = f"是不是“{suggestion[0]}”？" if suggestion else ""
    raise InvalidInput(f"实施方案中没有“{wanted}”这个责任单位。{hint}可选单位：{'、'.join(units)}。", choices=units)


def invite_snapshot(invite: Invite) -> dict[str, Any]:
    """The invite as the audit log keeps it — never the code, which would let a reader redeem it."""
    return {
        "role": invite.role.value,
        "villages": [v.full_name for v in invite.villages],
        "township": invite.township.name if invite.township else None,
        "unit": invite.unit,
        "expires_at": invite.expires_at.isoformat(),
        "used_at": invite.used_at.isoformat() if invite.used_at else None,
        "used_by": f"user:{invite.used_by_id}" if invite.used_by_id else None,
    }


async def create_invite(
    *,
    session: AsyncSession,
    role: str | RoleKind,
    villages: Sequence[str] = (),
    township: str | None = None,
    unit: str | None = None,
    ttl: dt.timedelta | None = None,
    now: dt.datetime | None = None,
    actor: str = audit.CLI_ACTOR,
    issuer: Principal | None = None,
) -> Invite:
    """Issue an invite for `role`, bound to what that role needs.

    What a token creates must not outlive or outrank it: an invite made with a token that expires
    (an office user's `/dashboard` token) expires no later than the token, and such a token cannot
    invite to the office — the account an office invite creates could mint new tokens forever.

    Args:
        role: household, cadre, township, unit or office (or the Chinese label).
        villages: for cadre, at least one village, each `村名` or `乡镇/村名`.
        township: for township, the township's name.
        unit: for unit, a responsible unit the plan names (e.g. 县教育局).
        ttl: how long the code stays valid; default `FUPIN_INVITE_TTL_DAYS` days.
        now: the current time (tests fix it); default the clock.
        actor: who issues it, for the audit log.
        issuer: who asked over the admin API; None for the command line and the sandbox.

    Raises:
        InvalidInput: an unknown role, village, township or unit — the message names the valid
            choices — a missing binding, or a binding the role does not take.
        Forbidden: an office invite asked for with an office user's token.
    """
    kind = parse_role(role)
    label = ROLE_LABELS[kind]
    delegated = issuer is not None and issuer.user is not None
    if delegated and kind is RoleKind.OFFICE:
        raise Forbidden(OFFICE_INVITE_NEEDS_ADMIN)
    given = {"村": bool(villages), "乡镇": township is not None, "单位": unit is not None}
    needed = {RoleKind.CADRE: "村", RoleKind.TOWNSHIP: "乡镇", RoleKind.UNIT: "单位"}.get(kind)
    extra = [what for what, present in given.items() if present and what != needed]
    if extra:
        raise InvalidInput(f"{label}邀请不需要指定{'、'.join(extra)}。")

    bound_villages: list[Village] = []
    bound_township: Township | None = None
    bound_unit: str | None = None
    if kind == RoleKind.CADRE:
        if not villages:
            raise InvalidInput(f"{label}邀请至少要指定一个村（村名，或“乡镇/村名”）。")
        bound_villages = await resolve_villages(session, names=villages)
    elif kind == RoleKind.TOWNSHIP:
        if township is None:
            names = [t.name for t in await list_townships(session)]
            raise InvalidInput(f"{label}邀请需要指定乡镇。全县乡镇：{'、'.join(names)}。", choices=names)
        bound_township = await find_township(session, name=township)
    elif kind == RoleKind.UNIT:
        units = await plan_units(session)
        if unit is None:
            raise InvalidInput(f"{label}邀请需要指定单位。可选单位：{'、'.join(units)}。", choices=units)
        bound_unit = _check_unit(unit, units)

    ttl = ttl if ttl is not None else dt.timedelta(days=get_settings().invite_ttl_days)
    if ttl <= dt.timedelta(0):
        raise InvalidInput("邀请的有效期必须大于零。")
    now = now or utcnow()
    expires_at = now + ttl
    if issuer is not None and issuer.expires_at is not None:
        expires_at = min(expires_at, issuer.expires_at)
    invite = Invite(
        code=new_code(),
        role=kind,
        villages=bound_villages,
        township=bound_township,
        unit=bound_unit,
        created_by=actor,
        created_at=now,
        expires_at=expires_at,
    )
    session.add(invite)
    await session.flush()
    await audit.record(
        session,
        actor=actor,
        action="invite.create",
        subject=f"invite:{invite.id}",
        after=invite_snapshot(invite),
        at=now,
    )
    return invite


async def list_invites(session: AsyncSession, *, limit: int = 200) -> list[Invite]:
    """The most recent invites, newest first (codes included: only the office may list them)."""
    return list((await session.scalars(select(Invite).order_by(Invite.id.desc()).limit(limit))).all())


async def redeem_invite(
    *,
    session: AsyncSession,
    code: str,
    telegram_user_id: int,
    display_name: str,
    now: dt.datetime | None = None,
) -> Role:
    """Register the Telegram user in the invite's role and use the code up.

    Redeeming again by the same person (Telegram may deliver `/start` twice) returns the same role
    and changes nothing.

    Returns:
        The role granted, with its binding loaded.

    Raises:
        InviteNotFound: no invite has this code.
        InviteUsed: someone else already redeemed it.
        InviteExpired: its validity period is over.
        Nothing is written when any of these is raised.
    """
    now = now or utcnow()
    invite = await session.scalar(select(Invite).where(Invite.code == code.strip()).with_for_update(of=Invite))
    if invite is None:
        raise InviteNotFound()
    actor = audit.telegram_actor(telegram_user_id)
    if invite.used_at is not None:
        if invite.used_by is not None and invite.used_by.telegram_user_id == telegram_user_id:
            repeat = invite.used_by.role(invite.role)
            if repeat is not None:
                return repeat
        raise InviteUsed()
    if invite.expires_at <= now:
        raise InviteExpired()

    user = await get_or_create_user(session, telegram_user_id=telegram_user_id, display_name=display_name, actor=actor)
    role = await grant_role(
        session,
        user=user,
        kind=invite.role,
        villages=invite.villages,
        township=invite.township,
        unit=invite.unit,
        actor=actor,
    )
    before = invite_snapshot(invite)
    invite.used_at, invite.used_by = now, user
    await session.flush()
    await audit.record(
        session,
        actor=actor,
        action="invite.redeem",
        subject=f"invite:{invite.id}",
        before=before,
        after=invite_snapshot(invite),
        at=now,
    )
    log.info("invite %s redeemed by user %s (%s) as %s", invite.id, user.id, mask_name(display_name), invite.role)
    return role
