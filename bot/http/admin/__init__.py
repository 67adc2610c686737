"""The admin API under `/api`: one router per resource, every route for the poverty office only."""

from __future__ import annotations

from fastapi import APIRouter

from bot.http.admin import broadcasts, dashboard, exports, invites, items, places, plans, questions, units, users

router = APIRouter(prefix="/api")
for resource in (users, invites, places, items, broadcasts, dashboard, exports, questions, plans, units):
    router.include_router(resource.router)
