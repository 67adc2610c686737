"""`fupin households`: import the office's 建档立卡 roster, list registered households (masked)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from bot.commands import texts
from bot.commands.runner import run_in_session

if TYPE_CHECKING:  # `fupin ask` registers this group too; SQLAlchemy loads only when a command runs
    from sqlalchemy.ext.asyncio import AsyncSession


def register(app: typer.Typer) -> None:
    """Attach `fupin households import` and `fupin households list`."""
    group = typer.Typer(help=texts.HOUSEHOLDS_HELP, no_args_is_help=True)

    @group.command("import", help=texts.HOUSEHOLDS_IMPORT_HELP)
    def import_(path: Annotated[Path, typer.Argument(help=texts.HOUSEHOLDS_IMPORT_FILE_HELP)]) -> None:
        from services.audit import CLI_ACTOR
        from services.roster import import_roster, read_roster

        async def work(session: AsyncSession) -> str:
            # Read inside the unit of work so a bad file is reported like any other domain error.
            result = await import_roster(session, rows=read_roster(path), actor=CLI_ACTOR)
            return texts.HOUSEHOLDS_IMPORT_DONE.format(
                created=result.created, updated=result.updated, unchanged=result.unchanged
            )

        typer.echo(run_in_session(work))

    @group.command("list", help=texts.HOUSEHOLDS_LIST_HELP)
    def list_(
        villages: Annotated[
            list[str] | None, typer.Option("--village", help=texts.HOUSEHOLDS_LIST_VILLAGE_HELP)
        ] = None,
    ) -> None:
        from services.households import STATUS_LABELS, list_households
        from services.masking import mask_id_number, mask_name
        from services.places import resolve_villages

        async def work(session: AsyncSession) -> list[str]:
            village_ids = [v.id for v in await resolve_villages(session, names=villages)] if villages else None
            households = await list_households(session, village_ids=village_ids)
            if not households:
                return [texts.HOUSEHOLDS_NONE]
            lines = [
                texts.HOUSEHOLDS_LINE.format(
                    id_number=mask_id_number(h.id_number),
                    name=mask_name(h.head_name),
                    village=h.village.full_name,
                    members=h.members,
                    cause=h.cause or texts.NONE,
                    status=STATUS_LABELS[h.status],
                )
                for h in households
            ]
            lines.append(texts.HOUSEHOLDS_TOTAL.format(count=len(households)))
            return lines

        for line in run_in_session(work):
            typer.echo(line)

    app.add_typer(group, name="households")
