"""`fupin export`: progress, items or the household roster as an Excel or CSV file."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from bot.commands import texts
from bot.commands.runner import CliInputError, run_in_session
from services.sheets import ExportFormat, ExportKind

if TYPE_CHECKING:  # `fupin ask` registers this group too; SQLAlchemy loads only when a command runs
    from sqlalchemy.ext.asyncio import AsyncSession


def register(app: typer.Typer) -> None:
    """Attach `fupin export KIND --format xlsx|csv [--output PATH] [--full]`."""

    @app.command("export", help=texts.EXPORT_HELP)
    def export(
        kind: Annotated[ExportKind, typer.Argument(help=texts.EXPORT_KIND_HELP)],
        fmt: Annotated[ExportFormat, typer.Option("--format", help=texts.EXPORT_FORMAT_HELP)] = ExportFormat.XLSX,
        output: Annotated[Path | None, typer.Option("--output", "-o", help=texts.EXPORT_OUTPUT_HELP)] = None,
        full: Annotated[bool, typer.Option("--full", help=texts.EXPORT_FULL_HELP)] = False,
    ) -> None:
        from bot.spreadsheets import file_name, write
        from policy_kb import load_kb
        from services import audit
        from services.exports import build_sheet
        from services.workdays import china_today

        today = china_today()

        async def work(session: AsyncSession) -> tuple[Path, int]:
            # Written inside the unit of work: the rows stream from the database into the file, and a
            # failed write rolls back the full roster's audit entry with it.
            sheet = await build_sheet(session, load_kb(), kind=kind, today=today, actor=audit.CLI_ACTOR, full=full)
            path = output or Path(file_name(sheet, fmt, day=today))
            try:
                return path, await write(sheet, fmt, path)
            except OSError as exc:
                message = texts.EXPORT_WRITE_FAILED.format(path=path, reason=exc.strerror)
                raise CliInputError(message) from exc

        path, rows = run_in_session(work)
        typer.echo(texts.EXPORT_DONE.format(path=path, rows=rows))
        if full:
            typer.echo(texts.EXPORT_FULL_WARNING)
