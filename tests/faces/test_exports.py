"""Exports are safe to open and never stall the bot: formula text escaped, the file work off the event loop."""

from __future__ import annotations

import asyncio
import csv
import functools
import io
import threading
from collections.abc import AsyncIterator, Callable
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import pytest
from openpyxl import load_workbook
from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.spreadsheets import write
from services.db import session_scope
from services.models import Household, HouseholdStatus
from services.sheets import ExportFormat, Row, Sheet
from tests.bot_support import ADMIN, Sandbox
from tests.people_support import village

#: A household head's name as a hostile roster would carry it: a live link in Excel if not escaped.
HOSTILE_NAME = '=HYPERLINK("http://evil.example","点我")'


async def _batches(*batches: list[Row]) -> AsyncIterator[list[Row]]:
    for batch in batches:
        yield batch


def _xlsx_rows(content: bytes) -> list[tuple[Any, ...]]:
    sheet = load_workbook(io.BytesIO(content)).active
    assert sheet is not None
    return [tuple(row) for row in sheet.iter_rows(values_only=True)]


def _csv_rows(content: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"), newline="")))


def _rows(content: bytes, fmt: ExportFormat) -> list[tuple[Any, ...]]:
    return _xlsx_rows(content) if fmt is ExportFormat.XLSX else [tuple(r) for r in _csv_rows(content)]


async def _written(tmp_path: Path, fmt: ExportFormat, *cells: Any) -> tuple[Any, ...]:
    """The one data row of a sheet holding `cells`, as the file reads back."""
    path = tmp_path / f"sheet.{fmt.value}"
    await write(Sheet("测试", tuple(f"列{i}" for i in range(len(cells))), _batches([cells])), fmt, path)
    _header, row = _rows(path.read_bytes(), fmt)
    return row


# --- formula text is shown, never run --------------------------------------------------------------


@pytest.mark.parametrize("fmt", list(ExportFormat))
@pytest.mark.parametrize(
    "text",
    [
        pytest.param("=1+2", id="equals"),
        pytest.param("+86 138 0000 0000", id="plus"),
        pytest.param("-SUM(A1:A9)", id="minus"),
        pytest.param("@SUM(A1)", id="at"),
        pytest.param("\t=1+2", id="tab"),
        pytest.param("\r=1+2", id="carriage-return"),
    ],
)
async def test_text_a_spreadsheet_would_run_as_a_formula_is_written_after_a_quote(
    tmp_path: Path, fmt: ExportFormat, text: str
) -> None:
    # XML reads a lone carriage return back as a line feed: that is the file format, not the escape.
    shown = text.replace("\r", "\n") if fmt is ExportFormat.XLSX else text
    assert await _written(tmp_path, fmt, text) == ("'" + shown,)


@pytest.mark.parametrize("fmt", list(ExportFormat))
async def test_ordinary_text_is_written_as_it_is(tmp_path: Path, fmt: ExportFormat) -> None:
    assert await _written(tmp_path, fmt, "数量有误 - 请核对") == ("数量有误 - 请核对",)


@pytest.mark.parametrize("value", [-5, -2.5, 0], ids=["negative-int", "negative-float", "zero"])
async def test_a_negative_number_stays_a_number_in_excel(tmp_path: Path, value: float) -> None:
    assert await _written(tmp_path, ExportFormat.XLSX, value) == (value,)


async def test_a_negative_number_is_written_bare_in_csv(tmp_path: Path) -> None:
    assert await _written(tmp_path, ExportFormat.CSV, -2.5) == ("-2.5",)


# --- end to end: the roster as the dashboard downloads it ------------------------------------------


async def _roster(sessionmaker: async_sessionmaker[AsyncSession], households: int, *, first_name: str) -> None:
    """`households` households in one village, bulk-inserted; the first one's head is `first_name`."""
    async with session_scope(sessionmaker) as session:
        home = await village(session, "永陵镇", "赫图阿拉村")
        await session.execute(
            insert(Household),
            [
                {
                    "id_number": f"2104{n:014d}",
                    "head_name": first_name if n == 0 else f"张{n}",
                    "village_id": home.id,
                    "members": 3,
                    "status": HouseholdStatus.REGISTERED,
                }
                for n in range(households)
            ],
        )


@pytest.mark.parametrize("fmt", list(ExportFormat))
async def test_a_hostile_head_name_in_the_full_roster_is_shown_as_text(
    http: httpx.AsyncClient, sessionmaker: async_sessionmaker[AsyncSession], fmt: ExportFormat
) -> None:
    await _roster(sessionmaker, 1, first_name=HOSTILE_NAME)
    response = await http.get("/api/exports/households", params={"format": fmt.value, "full": "true"}, headers=ADMIN)
    _header, row = _rows(response.content, fmt)
    assert row[1] == "'" + HOSTILE_NAME


async def test_the_household_count_stays_a_number_in_excel(
    http: httpx.AsyncClient, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    await _roster(sessionmaker, 1, first_name=HOSTILE_NAME)
    response = await http.get("/api/exports/households", params={"format": "xlsx"}, headers=ADMIN)
    _header, row = _xlsx_rows(response.content)
    assert row[4] == 3


# --- the bot answers while a large export is being written -----------------------------------------


class _HeldSpreadsheetWork(ThreadPoolExecutor):
    """The loop's default executor, holding the file work of `bot.spreadsheets` until released.

    With the export's file work held in its worker thread, the test can show, by the order of
    events rather than by timing, that the bot answers while an export is under way.
    """

    def __init__(self) -> None:
        super().__init__(max_workers=4)
        self.submitted = asyncio.Event()
        self.batches = 0
        self.release = threading.Event()

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
        # asyncio.to_thread submits functools.partial(context.run, work, *args).
        work = fn.args[0] if isinstance(fn, functools.partial) and fn.args else fn
        if getattr(work, "__module__", None) != "bot.spreadsheets":
            return super().submit(fn, *args, **kwargs)
        self.batches += 1
        self.submitted.set()

        def held() -> Any:
            if not self.release.wait(timeout=60):
                raise TimeoutError("the test never released the export")
            return fn(*args, **kwargs)

        return super().submit(held)


ROWS = 2500


async def test_a_question_is_answered_while_the_roster_export_is_being_written(
    sandbox: Sandbox, http: httpx.AsyncClient, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    await _roster(sessionmaker, ROWS, first_name="李四")
    executor = _HeldSpreadsheetWork()
    asyncio.get_running_loop().set_default_executor(executor)
    events: list[str] = []

    async def export() -> httpx.Response:
        response = await http.get("/api/exports/households", params={"format": "xlsx"}, headers=ADMIN)
        events.append("export done")
        return response

    exporting = asyncio.create_task(export())
    try:
        waiting = asyncio.create_task(executor.submitted.wait())
        await asyncio.wait([waiting, exporting], timeout=60, return_when=asyncio.FIRST_COMPLETED)
        assert executor.submitted.is_set(), "the export's file work never went to a worker thread"
        user = await sandbox.client.create_user("李大哥")
        await sandbox.client.send_text(user, "初中生一年补助多少")
        await sandbox.client.wait_for_bot_message(user["id"], timeout=30)
        events.append("answered")
    finally:
        executor.release.set()
        response = await asyncio.wait_for(exporting, timeout=60)
    assert events == ["answered", "export done"]
    assert len(_xlsx_rows(response.content)) == ROWS + 1


async def test_the_roster_export_is_written_in_bounded_batches(
    sandbox: Sandbox, http: httpx.AsyncClient, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    await _roster(sessionmaker, ROWS, first_name="李四")
    executor = _HeldSpreadsheetWork()
    executor.release.set()
    asyncio.get_running_loop().set_default_executor(executor)
    response = await http.get("/api/exports/households", params={"format": "csv"}, headers=ADMIN)
    assert response.status_code == 200
    # 2,500 rows: three batches of at most 1,000, then closing the file.
    assert executor.batches == 4
