"""The shape of an export — kinds, formats, a sheet of rows — kept free of the database so the CLI loads fast."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum


class ExportKind(StrEnum):
    """What can be exported."""

    PROGRESS = "progress"
    TASKS = "tasks"
    HOUSEHOLDS = "households"


class ExportFormat(StrEnum):
    """File formats: Excel, or CSV (UTF-8 with BOM so that Excel reads the Chinese right)."""

    XLSX = "xlsx"
    CSV = "csv"


#: Name of each export, used as the sheet name and the start of the file name.
EXPORT_TITLES: dict[ExportKind, str] = {
    ExportKind.PROGRESS: "目标进度",
    ExportKind.TASKS: "事项清单",
    ExportKind.HOUSEHOLDS: "贫困户名册",
}

#: What one cell may hold.
Cell = str | int | float | dt.date | dt.datetime | None


@dataclass(frozen=True)
class Sheet:
    """One table: a title, the header row and the data rows."""

    title: str
    headers: tuple[str, ...]
    rows: list[tuple[Cell, ...]]
