"""`fupin users`: issue invite links, list registered users and their roles."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Annotated

import typer

from bot.commands import texts
from bot.commands.runner import run_in_session

if TYPE_CHECKING:  # `fupin ask` registers this group too; SQLAlchemy loads only when a command runs
    from sqlalchemy.ext.asyncio import AsyncSession


@dataclass(frozen=True)
class IssuedInvite:
    """What `fupin users invite` shows: the code, its deep link, the role and when it expires."""

    code: str
    link: str
    role: str
    role_label: str
    binding: str
    expires_at: dt.datetime

    def as_json(self) -> dict[str, str]:
        """The `--json` shape: code, link, role, expires_at (ISO 8601, UTC)."""
        return {
            "code": self.code,
            "link": self.link,
            "role": self.role,
            "expires_at": self.expires_at.isoformat(),
        }


def describe_binding(*, villages: list[str], township: str | None, unit: str | None) -> str:
    """What a role or invite is bound to, in one Chinese phrase (empty when unbound)."""
    return texts.LIST_SEPARATOR.join([*villages, *filter(None, [township, unit])])


def register(app: typer.Typer) -> None:
    """Attach `fupin users invite` and `fupin users list`."""
    group = typer.Typer(help=texts.USERS_HELP, no_args_is_help=True)

    @group.command("invite", help=texts.USERS_INVITE_HELP)
    def invite(
        role: Annotated[str, typer.Option("--role", help=texts.USERS_ROLE_HELP)],
        village: Annotated[list[str] | None, typer.Option("--village", help=texts.USERS_VILLAGE_HELP)] = None,
        township: Annotated[str | None, typer.Option("--township", help=texts.USERS_TOWNSHIP_HELP)] = None,
        unit: Annotated[str | None, typer.Option("--unit", help=texts.USERS_UNIT_HELP)] = None,
        as_json: Annotated[bool, typer.Option("--json", help=texts.USERS_JSON_HELP)] = False,
    ) -> None:
        from services.config import get_settings
        from services.invites import create_invite, invite_link
        from services.users import ROLE_LABELS
        from services.when import local_text

        settings = get_settings()

        async def work(session: AsyncSession) -> IssuedInvite:
            created = await create_invite(
                session=session, role=role, villages=village or (), township=township, unit=unit
            )
            return IssuedInvite(
                code=created.code,
                link=invite_link(created.code, bot_username=settings.bot_username),
                role=created.role.value,
                role_label=ROLE_LABELS[created.role],
                binding=describe_binding(
                    villages=[v.full_name for v in created.villages],
                    township=created.township.name if created.township else None,
                    unit=created.unit,
                ),
                expires_at=created.expires_at,
            )

        issued = run_in_session(work)
        if as_json:
            typer.echo(json.dumps(issued.as_json(), ensure_ascii=False))
            return
        typer.echo(
            texts.INVITE_CREATED.format(
                role=issued.role_label,
                binding=texts.INVITE_BINDING.format(what=issued.binding) if issued.binding else "",
                expires=local_text(issued.expires_at),
                link=issued.link,
            )
        )

    @group.command("list", help=texts.USERS_LIST_HELP)
    def list_() -> None:
        from services.users import ROLE_LABELS, list_users

        async def work(session: AsyncSession) -> list[str]:
            lines = []
            for user in await list_users(session):
                roles = []
                for role in user.roles:
                    binding = describe_binding(
                        villages=[v.full_name for v in role.villages],
                        township=role.township.name if role.township else None,
                        unit=role.unit,
                    )
                    label = ROLE_LABELS[role.kind]
                    roles.append(texts.ROLE_WITH_BINDING.format(role=label, binding=binding) if binding else label)
                lines.append(
                    texts.USERS_LINE.format(
                        id=user.id,
                        name=user.display_name,
                        telegram_id=user.telegram_user_id,
                        status="" if user.active else texts.USERS_INACTIVE,
                        roles=texts.LIST_SEPARATOR.join(roles) or texts.USERS_NO_ROLE,
                    )
                )
            return lines or [texts.USERS_NONE]

        for line in run_in_session(work):
            typer.echo(line)

    app.add_typer(group, name="users")
