"""Who may use the admin API and dashboard: the admin token, or a signed token handed to an office user.

The bot hands an office user (县扶贫办) a token via `/dashboard`: `fpd1.<user id>.<expiry>.<signature>`,
the signature an HMAC-SHA256 over the rest with a server secret. No table is needed: the token
proves which user it was issued to and until when; whether that user may still act is read from
the database on every request, so deactivating the user or removing the office role revokes
their tokens at once. Changing the secret (`FUPIN_DASHBOARD_SECRET`, or the admin token it is
derived from) revokes every token handed out.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from functools import lru_cache

from sqlalchemy.ext.asyncio import AsyncSession

from services.config import Settings
from services.errors import Forbidden, Unauthorized
from services.models import RoleKind, User, utcnow

#: Version prefix of the token format, so the format can change without ambiguity.
TOKEN_PREFIX = "fpd1"
#: Audit actor of whoever holds `FUPIN_ADMIN_TOKEN`.
ADMIN_ACTOR = "admin"
#: Mixed into the admin token to derive the signing key, so the key is never the token itself.
_DERIVATION_LABEL = b"fupin dashboard token key v1"


@dataclass(frozen=True)
class Principal:
    """Who is calling: the admin token's holder (`user` None) or an active office user.

    `expires_at` is when the caller's token stops working (None for the admin token): what the
    caller creates must not outlive it (`services.invites.create_invite`).
    """

    actor: str
    user: User | None = None
    expires_at: dt.datetime | None = None


@dataclass(frozen=True)
class IssuedToken:
    """A dashboard token and when it stops working."""

    token: str
    expires_at: dt.datetime


@lru_cache(maxsize=1)
def _process_key() -> bytes:
    """Development only, with no secret configured: a key that lives as long as the process."""
    return secrets.token_bytes(32)


def signing_key(settings: Settings) -> bytes:
    """The key that signs dashboard tokens: the dashboard secret, else derived from the admin token.

    In development with neither set (the sandbox), a random key per process: tokens then stop
    working when the server restarts, which is acceptable there. Production always has an admin
    token (`Settings` refuses to start without one).
    """
    if settings.dashboard_secret is not None:
        return settings.dashboard_secret.get_secret_value().encode()
    if settings.admin_token is not None:
        return hmac.new(settings.admin_token.get_secret_value().encode(), _DERIVATION_LABEL, hashlib.sha256).digest()
    return _process_key()


def _signature(key: bytes, payload: str) -> str:
    digest = hmac.new(key, payload.encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def issue_token(user: User, *, settings: Settings, now: dt.datetime | None = None) -> IssuedToken:
    """A dashboard token for an office user, valid `FUPIN_DASHBOARD_TOKEN_HOURS` hours.

    Raises:
        Forbidden: the user is inactive or holds no office role.
    """
    if not user.active or user.role(RoleKind.OFFICE) is None:
        raise Forbidden("工作看板只对县扶贫办工作人员开放。")
    expires_at = (now or utcnow()) + dt.timedelta(hours=settings.dashboard_token_hours)
    payload = f"{TOKEN_PREFIX}.{user.id}.{int(expires_at.timestamp())}"
    return IssuedToken(token=f"{payload}.{_signature(signing_key(settings), payload)}", expires_at=expires_at)


def _user_id_of(token: str, *, key: bytes, now: dt.datetime) -> tuple[int, dt.datetime]:
    """The user id a well-signed, unexpired token names, and its expiry; Unauthorized otherwise."""
    parts = token.split(".")
    if len(parts) != 4 or parts[0] != TOKEN_PREFIX or not parts[1].isdigit() or not parts[2].isdigit():
        raise Unauthorized()
    payload = ".".join(parts[:3])
    if not hmac.compare_digest(parts[3], _signature(key, payload)):
        raise Unauthorized()
    if int(parts[2]) <= now.timestamp():
        raise Unauthorized("令牌已过期，请在机器人中重新发送 /dashboard 获取。")
    return int(parts[1]), dt.datetime.fromtimestamp(int(parts[2]), dt.UTC)


async def authenticate(
    session: AsyncSession, *, token: str | None, settings: Settings, now: dt.datetime | None = None
) -> Principal:
    """The caller a bearer token names.

    Raises:
        Unauthorized: no token, or a token that is neither the admin token nor a valid signed one.
        Forbidden: a valid token whose user is no longer active or no longer holds the office role.
    """
    if not token:
        raise Unauthorized()
    admin = settings.admin_token
    if admin is not None and hmac.compare_digest(token.encode(), admin.get_secret_value().encode()):
        return Principal(actor=ADMIN_ACTOR)
    user_id, expires_at = _user_id_of(token, key=signing_key(settings), now=now or utcnow())
    user = await session.get(User, user_id)
    if user is None:
        raise Unauthorized()
    if not user.active or user.role(RoleKind.OFFICE) is None:
        raise Forbidden("此令牌的用户已停用或不再是县扶贫办工作人员。")
    return Principal(actor=f"user:{user.id}", user=user, expires_at=expires_at)
