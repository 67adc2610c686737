"""Writing `services.sheets.Sheet`s as files the county office opens: .xlsx, or .csv with a BOM.

Shared by `fupin export` and the dashboard's download buttons.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from urllib.parse import quote

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from services.sheets import Cell, ExportFormat, Sheet
from services.when import local_text
from services.workdays import CHINA_TZ

#: Media type of each format, for HTTP downloads.
MEDIA_TYPES = {
    ExportFormat.XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ExportFormat.CSV: "text/csv; charset=utf-8",
}
#: Excel's limit on a sheet name.
MAX_SHEET_TITLE = 31
#: Widest column set by the automatic sizing, in characters.
MAX_COLUMN_WIDTH = 60


def _csv_cell(value: Cell) -> str | int | float:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return local_text(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def _xlsx_cell(value: Cell) -> Cell:
    # Excel has no time zones: show times as the county reads them (Beijing), without a zone.
    if isinstance(value, dt.datetime):
        return value.astimezone(CHINA_TZ).replace(tzinfo=None)
    return value


def _width(value: object) -> int:
    text = str(value) if value is not None else ""
    # A Chinese character takes about two columns of Excel's default font.
    return sum(2 if ord(c) > 0x2E80 else 1 for c in text)


def to_xlsx(sheet: Sheet) -> bytes:
    """The sheet as an Excel workbook: bold header row, frozen below it, columns sized to fit."""
    workbook = Workbook()
    ws = workbook.active
    assert ws is not None
    ws.title = sheet.title[:MAX_SHEET_TITLE]
    ws.append(list(sheet.headers))
    for cell in ws[1]:
        cell.font = Font(bold=True)
    widths = [_width(h) for h in sheet.headers]
    for row in sheet.rows:
        ws.append([_xlsx_cell(v) for v in row])
        for i, value in enumerate(row[: len(widths)]):
            widths[i] = max(widths[i], _width(_csv_cell(value)))
    for i, width in enumerate(widths, 1):
        ws.column_dimensions[get_column_letter(i)].width = min(width + 2, MAX_COLUMN_WIDTH)
    ws.freeze_panes = "A2"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def to_csv(sheet: Sheet) -> bytes:
    """The sheet as CSV in UTF-8 with a byte-order mark, which Excel needs to read Chinese right."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(sheet.headers)
    writer.writerows([_csv_cell(v) for v in row] for row in sheet.rows)
    return buffer.getvalue().encode("utf-8-sig")


def render(sheet: Sheet, fmt: ExportFormat) -> bytes:
    """The sheet's bytes in `fmt`."""
    return to_xlsx(sheet) if fmt is ExportFormat.XLSX else to_csv(sheet)


def file_name(sheet: Sheet, fmt: ExportFormat, *, day: dt.date) -> str:
    """`目标进度-2018-06-30.xlsx`."""
    return f"{sheet.title}-{day.isoformat()}.{fmt.value}"


def content_disposition(name: str) -> str:
    """An attachment header carrying a Chinese file name (RFC 6266 / 5987) with an ASCII fallback."""
    fallback = name.encode("ascii", "replace").decode().replace("?", "_")
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(name)}"
