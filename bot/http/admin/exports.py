"""`/api/exports/{kind}`: the dashboard's downloads — the same files as `fupin export`."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response

from bot.http.deps import KbDep, OfficeDep, SessionDep
from bot.spreadsheets import MEDIA_TYPES, content_disposition, file_name, render
from services.exports import build_sheet
from services.sheets import ExportFormat, ExportKind
from services.workdays import china_today

router = APIRouter(prefix="/exports", tags=["exports"])


@router.get(
    "/{kind}",
    response_class=Response,
    responses={200: {"content": {MEDIA_TYPES[ExportFormat.XLSX]: {}, MEDIA_TYPES[ExportFormat.CSV]: {}}}},
)
async def export(
    kind: ExportKind,
    session: SessionDep,
    kb: KbDep,
    office: OfficeDep,
    fmt: Annotated[ExportFormat, Query(alias="format", description="xlsx 或 csv")] = ExportFormat.XLSX,
    full: Annotated[bool, Query(description="贫困户名册：导出完整身份证号和姓名（记入审计日志）")] = False,
) -> Response:
    """An export as an Excel workbook or CSV file with Chinese headers."""
    today = china_today()
    sheet = await build_sheet(session, kb, kind=kind, today=today, actor=office.actor, full=full)
    return Response(
        content=render(sheet, fmt),
        media_type=MEDIA_TYPES[fmt],
        headers={"Content-Disposition": content_disposition(file_name(sheet, fmt, day=today))},
    )
