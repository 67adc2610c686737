"""`fupin places`: import the village list, list townships and villages."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from bot.commands import texts
from bot.commands.runner import CliInputError, run_in_session

if TYPE_CHECKING:  # `fupin ask` registers this group too; SQLAlchemy loads only when a command runs
    from sqlalchemy.ext.asyncio import AsyncSession


def read_text_file(path: Path) -> str:
    """A text file as spreadsheets in China save it: UTF-8 (with or without BOM), else GBK/GB18030."""
    try:
        data = path.read_bytes()
    except FileNotFoundError as exc:
        raise CliInputError(texts.PLACES_FILE_NOT_FOUND.format(path=path)) from exc
    except OSError as exc:
        message = texts.PLACES_FILE_UNREADABLE.format(path=path, reason=exc.strerror)
        raise CliInputError(message) from exc
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("gb18030", errors="replace")


def register(app: typer.Typer) -> None:
    """Attach `fupin places import` and `fupin places list`."""
    group = typer.Typer(help=texts.PLACES_HELP, no_args_is_help=True)

    @group.command("import", help=texts.PLACES_IMPORT_HELP)
    def import_(path: Annotated[Path, typer.Argument(help=texts.PLACES_IMPORT_FILE_HELP)]) -> None:
        from services.places import import_villages, read_villages_csv

        text = read_text_file(path)

        async def work(session: AsyncSession) -> str:
            result = await import_villages(session, read_villages_csv(text))
            return texts.PLACES_IMPORT_DONE.format(created=result.created, existing=result.existing)

        typer.echo(run_in_session(work))

    @group.command("list", help=texts.PLACES_LIST_HELP)
    def list_(
        township: Annotated[str | None, typer.Option("--township", help=texts.PLACES_LIST_TOWNSHIP_HELP)] = None,
    ) -> None:
        from services.places import find_township, list_townships, list_villages

        async def work(session: AsyncSession) -> list[str]:
            if township is None:
                townships = await list_townships(session)
            else:
                townships = [await find_township(session, name=township)]
            villages = await list_villages(session, township=township)
            by_township: dict[int, list[str]] = {}
            for village in villages:
                by_township.setdefault(village.township_id, []).append(village.name)
            lines = [] if villages or township is not None else [texts.PLACES_NO_VILLAGES]
            for t in townships:
                names = by_township.get(t.id, [])
                lines.append(texts.PLACES_TOWNSHIP_LINE.format(code=t.code, name=t.name, count=len(names)))
                lines.extend(texts.PLACES_VILLAGE_LINE.format(name=name) for name in names)
            return lines

        for line in run_in_session(work):
            typer.echo(line)

    app.add_typer(group, name="places")
