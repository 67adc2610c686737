"""Writing `services.sheets.Sheet`s as files the county office opens: .xlsx, or .csv with a BOM.

Shared by `fupin export` and the dashboard's download buttons. The file work (openpyxl, csv) is
CPU-bound and runs in a worker thread, one batch of rows at a time as the rows are read: the one
event loop that serves the bot, the webhook and the API keeps answering during a 100,000-row
export, and the workbook is streamed to disk (openpyxl's write-only mode), never held whole.

Text that a spreadsheet would run as a formula is escaped here, once for both formats.
"""

from __future__ import annotations

import asyncio
import csv
import datetime as dt
from pathlib import Path
from typing import IO, TYPE_CHECKING
from urllib.parse import quote

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from services.sheets import Cell, ExportFormat, Row, Sheet
from services.when import local_text
from services.workdays import CHINA_TZ

if TYPE_CHECKING:
    from _csv import Writer as _csv_writer

    from openpyxl.worksheet._write_only import WriteOnlyWorksheet

#: Media type of each format, for HTTP downloads.
MEDIA_TYPES = {
    ExportFormat.XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ExportFormat.CSV: "text/csv; charset=utf-8",
}
#: Excel's limit on a sheet name.
MAX_SHEET_TITLE = 31
#: Widest column set by the automatic sizing, in characters.
MAX_COLUMN_WIDTH = 60
#: First characters that make Excel, LibreOffice or Sheets read a text cell as a formula (OWASP,
#: "CSV Injection"): a return reason or a household head's name typed as `=HYPERLINK(…)` must
#: stay text. Tab and carriage return are on OWASP's list because some programs strip them first.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
#: Put before such text so that it is shown, not run (OWASP's advice).
FORMULA_ESCAPE = "'"


def safe_text(value: Cell) -> Cell:
    """`value`, with text a spreadsheet would run as a formula prefixed by `'`.

    Only text is escaped: a number (a negative one too) stays a number cell, as it was written.
    """
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return FORMULA_ESCAPE + value
    return value


def _csv_cell(value: Cell) -> str | int | float:
    value = safe_text(value)
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
    return safe_text(value)


def _width(value: object) -> int:
    text = str(value) if value is not None else ""
    # A Chinese character takes about two columns of Excel's default font.
    return sum(2 if ord(c) > 0x2E80 else 1 for c in text)


class _XlsxWriter:
    """An Excel workbook in write-only mode: bold header row, frozen below it, columns sized to fit.

    Write-only worksheets take column widths before the first row, so the widths fit the header
    and the first batch (a thousand rows: representative of a table's columns).
    """

    def __init__(self, sheet: Sheet, path: Path) -> None:
        self._sheet = sheet
        self._path = path
        self._workbook = Workbook(write_only=True)
        self._ws: WriteOnlyWorksheet | None = None

    def _start(self, first: list[Row]) -> WriteOnlyWorksheet:
        ws = self._workbook.create_sheet(self._sheet.title[:MAX_SHEET_TITLE])
        widths = [_width(h) for h in self._sheet.headers]
        for row in first:
            for i, value in enumerate(row[: len(widths)]):
                widths[i] = max(widths[i], _width(_csv_cell(value)))
        for i, width in enumerate(widths, 1):
            ws.column_dimensions[get_column_letter(i)].width = min(width + 2, MAX_COLUMN_WIDTH)
        ws.freeze_panes = "A2"
        header = [WriteOnlyCell(ws, value=safe_text(text)) for text in self._sheet.headers]
        for cell in header:
            cell.font = Font(bold=True)
        ws.append(header)
        self._ws = ws
        return ws

    def write(self, rows: list[Row]) -> None:
        ws = self._ws or self._start(rows)
        for row in rows:
            ws.append([_xlsx_cell(v) for v in row])

    def close(self) -> None:
        if self._ws is None:
            self._start([])
        self._workbook.save(self._path)

    def abort(self) -> None:
        # Nothing of ours is open before `save`; openpyxl removes its scratch sheet file at exit.
        self._path.unlink(missing_ok=True)


class _CsvWriter:
    """CSV in UTF-8 with a byte-order mark, which Excel needs to read Chinese right."""

    def __init__(self, sheet: Sheet, path: Path) -> None:
        self._sheet = sheet
        self._path = path
        self._file: IO[str] | None = None
        self._csv: _csv_writer | None = None

    def _start(self) -> _csv_writer:
        self._file = self._path.open("w", encoding="utf-8-sig", newline="")
        self._csv = csv.writer(self._file, lineterminator="\r\n")
        self._csv.writerow([safe_text(h) for h in self._sheet.headers])
        return self._csv

    def write(self, rows: list[Row]) -> None:
        out = self._csv or self._start()
        out.writerows([_csv_cell(v) for v in row] for row in rows)

    def close(self) -> None:
        if self._file is None:
            self._start()
        assert self._file is not None
        self._file.close()

    def abort(self) -> None:
        if self._file is not None:
            self._file.close()
        self._path.unlink(missing_ok=True)


async def write(sheet: Sheet, fmt: ExportFormat, path: Path) -> int:
    """Write `sheet` to `path` in `fmt`, batch by batch in a worker thread; returns the rows written.

    A failed export removes what it had written, so no half file is left behind.
    """
    writer = _XlsxWriter(sheet, path) if fmt is ExportFormat.XLSX else _CsvWriter(sheet, path)
    rows = 0
    try:
        async for batch in sheet.batches:
            await asyncio.to_thread(writer.write, batch)
            rows += len(batch)
        await asyncio.to_thread(writer.close)
    except BaseException:
        writer.abort()
        raise
    return rows


def file_name(sheet: Sheet, fmt: ExportFormat, *, day: dt.date) -> str:
    """`目标进度-2018-06-30.xlsx`."""
    return f"{sheet.title}-{day.isoformat()}.{fmt.value}"


def content_disposition(name: str) -> str:
    """An attachment header carrying a Chinese file name (RFC 6266 / 5987) with an ASCII fallback."""
    fallback = name.encode("ascii", "replace").decode().replace("?", "_")
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(name)}"
