"""`fupin progress`: every target of the plan, how much is done county-wide and per township."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Annotated

import typer

from bot.commands import texts
from bot.commands.runner import run_in_session

if TYPE_CHECKING:  # `fupin ask` registers this group too; SQLAlchemy loads only when a command runs
    from sqlalchemy.ext.asyncio import AsyncSession


def register(app: typer.Typer) -> None:
    """Attach `fupin progress`."""

    @app.command("progress", help=texts.PROGRESS_HELP)
    def progress_(
        as_json: Annotated[bool, typer.Option("--json", help=texts.PROGRESS_JSON_HELP)] = False,
    ) -> None:
        from policy_kb import load_kb
        from services.progress import IndicatorProgress, progress, superseded
        from services.quantities import format_quantity

        kb = load_kb()

        async def work(session: AsyncSession) -> tuple[list[IndicatorProgress], list[IndicatorProgress]]:
            return await progress(session, kb), await superseded(session, kb)

        rows, earlier = run_in_session(work)
        if as_json:
            shown = {"indicators": [r.as_json() for r in rows], "superseded": [r.as_json() for r in earlier]}
            typer.echo(json.dumps(shown, ensure_ascii=False, indent=2))
            return
        typer.echo(texts.PROGRESS_TITLE)
        measure = None
        for row in rows:
            if row.measure != measure:
                measure = row.measure
                typer.echo(texts.PROGRESS_MEASURE.format(id=row.measure, title=row.measure_title))
            at_least = texts.PROGRESS_AT_LEAST if row.at_least else ""
            line = texts.PROGRESS_LINE if row.each is None else texts.PROGRESS_VILLAGES_LINE
            typer.echo(
                line.format(
                    label=row.label,
                    done=format_quantity(row.done),
                    target=format_quantity(row.target),
                    unit=row.unit,
                    at_least=at_least,
                    percent=format_quantity(row.percent),
                    each=format_quantity(row.each or 0),
                    each_unit=row.each_unit,
                )
            )
            if row.by_township:
                townships = texts.LIST_SEPARATOR.join(
                    texts.PROGRESS_TOWNSHIP.format(name=name, done=format_quantity(done))
                    for name, done in row.by_township.items()
                )
                typer.echo(texts.PROGRESS_TOWNSHIPS.format(townships=townships))
        if earlier:
            typer.echo(texts.PROGRESS_SUPERSEDED)
        for row in earlier:
            title = texts.PROGRESS_MEASURE.format(id=row.measure, title=row.measure_title).strip()
            done = format_quantity(row.done)
            typer.echo(texts.PROGRESS_SUPERSEDED_LINE.format(measure=title, label=row.label, done=done, unit=row.unit))
