"""`fupin units`: the office's directory of units (phone, address, office hours)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from bot.commands import texts
from bot.commands.runner import run_in_session

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession


def register(app: typer.Typer) -> None:
    """Attach `fupin units list|set|clear`."""
    group = typer.Typer(help=texts.UNITS_HELP, no_args_is_help=True)

    @group.command("list", help=texts.UNITS_LIST_HELP)
    def list_() -> None:
        from services.directory import directory

        async def work(session: AsyncSession) -> list[str]:
            return [
                texts.UNITS_LINE.format(
                    unit=line.unit,
                    phone=line.contact.phone or "—",
                    address=line.contact.address or "—",
                    hours=line.contact.hours or "—",
                )
                if line.contact
                else texts.UNITS_LINE_EMPTY.format(unit=line.unit)
                for line in await directory(session=session)
            ]

        typer.echo("\n".join(run_in_session(work)))

    @group.command("set", help=texts.UNITS_SET_HELP)
    def set_(
        unit: Annotated[str, typer.Argument(help=texts.UNITS_UNIT_HELP)],
        phone: Annotated[str, typer.Option("--phone", help=texts.UNITS_PHONE_HELP)] = "",
        address: Annotated[str, typer.Option("--address", help=texts.UNITS_ADDRESS_HELP)] = "",
        hours: Annotated[str, typer.Option("--hours", help=texts.UNITS_HOURS_HELP)] = "",
    ) -> None:
        from services.audit import CLI_ACTOR
        from services.directory import set_contact

        async def work(session: AsyncSession) -> str:
            contact = await set_contact(
                session=session, unit=unit, phone=phone, address=address, hours=hours, actor=CLI_ACTOR
            )
            return texts.UNITS_SET_DONE.format(unit=contact.unit)

        typer.echo(run_in_session(work))

    @group.command("clear", help=texts.UNITS_CLEAR_HELP)
    def clear(unit: Annotated[str, typer.Argument(help=texts.UNITS_UNIT_HELP)]) -> None:
        from services.audit import CLI_ACTOR
        from services.directory import clear_contact

        async def work(session: AsyncSession) -> str:
            await clear_contact(session=session, unit=unit, actor=CLI_ACTOR)
            return texts.UNITS_CLEAR_DONE.format(unit=unit.strip())

        typer.echo(run_in_session(work))

    app.add_typer(group, name="units")
