"""`/dashboard`: the office's page (static, signs in in the browser) and the words it shows.

The page itself holds no data and needs no token; its script asks for a token, keeps it in
`sessionStorage` and reads `/api/dashboard` and `/api/exports/…` with it.
"""

from __future__ import annotations

from importlib import resources
from typing import Any

from fastapi import APIRouter
from fastapi.responses import FileResponse

from bot.http import texts
from services.sheets import ExportFormat, ExportKind

router = APIRouter(tags=["dashboard"])


@router.get("/dashboard", include_in_schema=False)
async def page() -> FileResponse:
    """The dashboard page (`bot/static/dashboard.html`)."""
    return FileResponse(str(resources.files("bot") / "static" / "dashboard.html"), media_type="text/html")


@router.get("/dashboard/config", include_in_schema=False)
async def config() -> dict[str, Any]:
    """The page's words and where its data and downloads are."""
    return {
        "texts": texts.DASHBOARD,
        "data_api": "/api/dashboard",
        "exports_api": "/api/exports",
        "exports": [k.value for k in ExportKind],
        "formats": [f.value for f in ExportFormat],
    }
