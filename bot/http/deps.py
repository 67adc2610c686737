"""FastAPI dependencies: typed aliases for what routes take from the app's state."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.ext.asyncio import AsyncSession

from policy_kb.schema import KnowledgeBase
from services.db import session_scope


async def _session(request: Request) -> AsyncIterator[AsyncSession]:
    async with session_scope(request.app.state.sessionmaker) as session:
        yield session


def _kb(request: Request) -> KnowledgeBase:
    return request.app.state.kb  # type: ignore[no-any-return]


#: One committed session per request.
SessionDep = Annotated[AsyncSession, Depends(_session)]
#: The plan's knowledge base, loaded once at start-up.
KbDep = Annotated[KnowledgeBase, Depends(_kb)]
