"""Telling every running bot to rebuild its engine.

The office changes what the engine knows (a reviewed phrase, the plan in force) in the database;
each bot looks regularly for the request and rebuilds, so no process answers from an old plan.
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from services import audit, bot_state
from services.models import utcnow

_NAMESPACE, _KEY = "questions", "reload_requested"


async def request_reload(*, session: AsyncSession, actor: str) -> None:
    """Ask every running bot to rebuild its engine with what is stored now; audited."""
    at = utcnow().isoformat()
    await bot_state.save_value(session=session, namespace=_NAMESPACE, key=_KEY, data=at)
    await audit.record(session, actor=actor, action="kb.reload", subject="kb", after={"requested_at": at})


async def last_request(*, session: AsyncSession) -> str | None:
    """The mark of the latest reload request (None: none was ever made)."""
    return (await bot_state.load_namespace(session=session, namespace=_NAMESPACE)).get(_KEY)
