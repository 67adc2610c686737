"""`fupin audit`: the append-only audit log, oldest first, optionally only since a date."""

from __future__ import annotations

import datetime as dt
import json
from typing import TYPE_CHECKING, Annotated, Any

import typer

from bot.commands import texts
from bot.commands.runner import CliInputError, run_in_session
from services.workdays import CHINA_TZ

if TYPE_CHECKING:  # `fupin ask` registers this group too; SQLAlchemy loads only when a command runs
    from sqlalchemy.ext.asyncio import AsyncSession


def parse_since(value: str) -> dt.datetime:
    """The moment `--since` names, as an aware datetime.

    A bare date (2026-11-28) means midnight in China, where the office reads the log; an ISO time
    without a zone is China time too; one with a zone (…Z, …+00:00) is taken as written.

    Raises:
        CliInputError: not a date or time; exit status 2, as for other input the user can correct.
    """
    text = value.strip()
    try:
        if len(text) == len("2026-11-28"):
            return dt.datetime.combine(dt.date.fromisoformat(text), dt.time(), tzinfo=CHINA_TZ)
        moment = dt.datetime.fromisoformat(text)
    except ValueError:
        raise CliInputError(texts.AUDIT_BAD_DATE.format(value=value)) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=CHINA_TZ)


def _shown(data: dict[str, Any] | None) -> str:
    return json.dumps(data, ensure_ascii=False, sort_keys=True) if data is not None else texts.AUDIT_NOTHING


def register(app: typer.Typer) -> None:
    """Attach `fupin audit`."""

    @app.command("audit", help=texts.AUDIT_HELP)
    def audit_(
        since: Annotated[str | None, typer.Option("--since", help=texts.AUDIT_SINCE_HELP)] = None,
        as_json: Annotated[bool, typer.Option("--json", help=texts.AUDIT_JSON_HELP)] = False,
    ) -> None:
        from services.audit import list_audit

        moment = parse_since(since) if since is not None else None

        async def work(session: AsyncSession) -> list[dict[str, Any]]:
            return [
                {
                    "id": e.id,
                    "at": e.at,
                    "actor": e.actor,
                    "action": e.action,
                    "subject": e.subject,
                    "before": e.before,
                    "after": e.after,
                }
                for e in await list_audit(session, since=moment)
            ]

        entries = run_in_session(work)
        if as_json:
            rows = [entry | {"at": entry["at"].isoformat()} for entry in entries]
            typer.echo(json.dumps(rows, ensure_ascii=False, indent=2))
            return
        if not entries:
            typer.echo(texts.AUDIT_EMPTY_SINCE.format(since=since) if since else texts.AUDIT_EMPTY)
            return
        for entry in entries:
            typer.echo(
                texts.AUDIT_LINE.format(
                    at=entry["at"].astimezone(CHINA_TZ).strftime("%Y-%m-%d %H:%M:%S"),
                    actor=entry["actor"],
                    action=entry["action"],
                    subject=entry["subject"],
                    before=_shown(entry["before"]),
                    after=_shown(entry["after"]),
                )
            )
