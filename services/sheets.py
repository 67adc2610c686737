"""The shape of an export — kinds, formats, a sheet of rows — kept free of the database so the CLI loads fast."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator
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
#: One data row.
Row = tuple[Cell, ...]

#: Rows read from the database at a time: what an export holds in memory however large the table.
BATCH_ROWS = 1000


@dataclass(frozen=True)
class Sheet:
    """One table: a title, the header row and the data rows, in batches of at most `BATCH_ROWS`.

    The batches are read from the database while the file is written, inside the caller's session,
    and can be iterated once: a county roster of 100,000 households is never held whole.
    """

    title: str
    headers: tuple[str, ...]
    batches: AsyncIterator[list[Row]]
