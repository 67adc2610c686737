"""FastAPI dependencies: typed aliases for what routes take from the app's state."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.ext.asyncio import AsyncSession

from policy_kb.schema import KnowledgeBase
from services.config import Settings
from services.db import session_scope
from services.office_tokens import Principal, authenticate
from services.questions import Answerer

#: Reads `Authorization: Bearer …` and shows the "Authorize" button in /docs; never answers by itself.
_bearer = HTTPBearer(
    auto_error=False,
    description="FUPIN_ADMIN_TOKEN，或县扶贫办工作人员在机器人中发送 /dashboard 得到的令牌",
)


async def _session(request: Request) -> AsyncIterator[AsyncSession]:
    async with session_scope(request.app.state.sessionmaker) as session:
        yield session


def _kb(request: Request) -> KnowledgeBase:
    answerer = getattr(request.app.state, "answerer", None)
    kb: KnowledgeBase = answerer.engine.index.kb if answerer is not None else request.app.state.kb
    return kb


#: One committed session per request. `scope="function"` commits before the response is sent:
#: FastAPI's default for `yield` dependencies would commit afterwards, so a client could read
#: stale data right after a 2xx, and a failed commit would go unreported.
SessionDep = Annotated[AsyncSession, Depends(_session, scope="function")]
#: The knowledge base of the plan in force (it follows a plan the office puts in force).
KbDep = Annotated[KnowledgeBase, Depends(_kb)]


def _answerer(request: Request) -> Answerer:
    answerer: Answerer = request.app.state.answerer
    return answerer


#: The engine this process answers with (rebuilt in place on a reload).
AnswererDep = Annotated[Answerer, Depends(_answerer)]


async def reload_now(request: Request, session: AsyncSession) -> int:
    """Commit the office's change, then rebuild this process's engine at once (other bots follow the
    reload request within their next look); returns how many reviewed phrases it knows."""
    await session.commit()
    return await _answerer(request).reload(request.app.state.sessionmaker)


def _settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


#: The app's settings.
SettingsDep = Annotated[Settings, Depends(_settings)]


async def _office(
    session: SessionDep,
    settings: SettingsDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Principal:
    token = credentials.credentials.strip() if credentials is not None else None
    return await authenticate(session, token=token, settings=settings)


#: The poverty office, signed in: 401 without a valid token, 403 when its user may no longer act.
OfficeDep = Annotated[Principal, Depends(_office)]
