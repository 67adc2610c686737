"""`/api/exports/{kind}`: the dashboard's downloads — the same files as `fupin export`."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import FileResponse
from starlette.background import BackgroundTask

from bot.http.deps import KbDep, OfficeDep, SessionDep
from bot.spreadsheets import MEDIA_TYPES, content_disposition, file_name, write
from services.exports import build_sheet
from services.sheets import ExportFormat, ExportKind
from services.workdays import china_today

router = APIRouter(prefix="/exports", tags=["exports"])


@router.get(
    "/{kind}",
    response_class=FileResponse,
    responses={200: {"content": {MEDIA_TYPES[ExportFormat.XLSX]: {}, MEDIA_TYPES[ExportFormat.CSV]: {}}}},
)
async def export(
    kind: ExportKind,
    session: SessionDep,
    kb: KbDep,
    office: OfficeDep,
    fmt: Annotated[ExportFormat, Query(alias="format", description="xlsx 或 csv")] = ExportFormat.XLSX,
    full: Annotated[bool, Query(description="贫困户名册：导出完整身份证号和姓名（记入审计日志）")] = False,
) -> FileResponse:
    """An export as an Excel workbook or CSV file with Chinese headers.

    The file is written to a scratch file off the event loop, then streamed from disk and removed.
    """
    today = china_today()
    sheet = await build_sheet(session, kb, kind=kind, today=today, actor=office.actor, full=full)
    handle, name = tempfile.mkstemp(prefix="fupin-export-", suffix=f".{fmt.value}")
    os.close(handle)
    path = Path(name)
    try:
        await write(sheet, fmt, path)
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    return FileResponse(
        path,
        media_type=MEDIA_TYPES[fmt],
        headers={"Content-Disposition": content_disposition(file_name(sheet, fmt, day=today))},
        background=BackgroundTask(path.unlink, missing_ok=True),
    )
