"""`/dashboard`: the office's page (static, signs in in the browser) and the words it shows.

The page itself holds no data and needs no token; its words and settings are written into it,
and its script asks for a token, keeps it in `sessionStorage` and reads `/api/dashboard` and
`/api/exports/…` with it.
"""

from __future__ import annotations

import json
from functools import lru_cache
from importlib import resources
from typing import Any

from fastapi import APIRouter
from fastapi.responses import HTMLResponse

from bot.http import texts
from services.sheets import ExportFormat, ExportKind

router = APIRouter(tags=["dashboard"])


#: Where the page's settings go: a JSON script element, read by its script without another request.
CONFIG_SLOT = "<!-- dashboard config -->"


def page_config() -> dict[str, Any]:
    """The page's words and where its data and downloads are."""
    return {
        "texts": texts.DASHBOARD,
        "data_api": "/api/dashboard",
        "exports_api": "/api/exports",
        "questions_api": "/api/questions",
        "entries_api": "/api/questions/entries",
        "phrases_api": "/api/questions/phrases",
        "reload_api": "/api/kb/reload",
        "plans_api": "/api/plans",
        "units_api": "/api/units",
        "exports": [k.value for k in ExportKind],
        "formats": [f.value for f in ExportFormat],
    }


@lru_cache(maxsize=1)
def page_html() -> str:
    """`bot/static/dashboard.html` with its settings filled in (built once per process)."""
    template = (resources.files("bot") / "static" / "dashboard.html").read_text(encoding="utf-8")
    # `</` inside a script element would end it; JSON allows the escaped form.
    config = json.dumps(page_config(), ensure_ascii=False).replace("</", "<\\/")
    return template.replace(CONFIG_SLOT, f'<script id="config" type="application/json">{config}</script>')


@router.get("/dashboard", include_in_schema=False, response_class=HTMLResponse)
async def page() -> str:
    """The dashboard page; it holds no data until its script signs in."""
    return page_html()
