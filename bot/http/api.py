"""`/api`: the entitlement calculator over HTTP, the same function the /check conversation uses."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from bot.http.deps import KbDep
from services.entitlements import Profile, compute_entitlements

router = APIRouter(prefix="/api", tags=["api"])


@router.post("/entitlements")
async def entitlements(profile: Profile, kb: KbDep) -> dict[str, Any]:
    """Itemised entitlements of a household profile and its recurring yearly cash.

    A profile that does not validate gets FastAPI's 422 whose `detail[].loc` names the field.
    """
    return compute_entitlements(kb=kb, profile=profile).to_dict()
