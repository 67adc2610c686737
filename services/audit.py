"""The append-only audit log: every change a service makes leaves one row saying who, what, before, after.

Rows are only ever inserted. Callers pass personal data already masked (`services.masking`),
because the log is read by more people than the records it describes.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.models import AuditEntry, utcnow

#: Actor recorded for changes made from the `fupin` command line.
CLI_ACTOR = "cli"
#: Actor recorded for changes the system makes on its own (seeding, schedules).
SYSTEM_ACTOR = "system"


def telegram_actor(telegram_user_id: int) -> str:
    """Actor notation for a person acting through Telegram."""
    return f"telegram:{telegram_user_id}"


async def record(
    session: AsyncSession,
    *,
    actor: str,
    action: str,
    subject: str,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    at: dt.datetime | None = None,
) -> AuditEntry:
    """Append one audit row in the caller's transaction, so it commits or rolls back with the change.

    Args:
        actor: who did it — `cli`, `system`, `telegram:<id>`, `user:<id>`.
        action: dotted verb, e.g. `invite.create`, `invite.redeem`, `places.import`.
        subject: the record changed, e.g. `invite:12`, `user:3`.
        before: the record's relevant fields before the change (None when created).
        after: the same fields after the change (None when removed).
    """
    entry = AuditEntry(at=at or utcnow(), actor=actor, action=action, subject=subject, before=before, after=after)
    session.add(entry)
    await session.flush()
    return entry


async def record_each(
    session: AsyncSession,
    *,
    actor: str,
    action: str,
    changes: Iterable[tuple[str, dict[str, Any] | None, dict[str, Any] | None]],
) -> None:
    """Append one audit row per `(subject, before, after)`, in one bulk statement.

    For imports of thousands of records: a flush per row would hold the database's write lock
    (SQLite has one for the whole file) for minutes while the bot waits to write its own.
    """
    at = utcnow()
    rows = [
        {"at": at, "actor": actor, "action": action, "subject": subject, "before": before, "after": after}
        for subject, before, after in changes
    ]
    if rows:
        await session.execute(insert(AuditEntry), rows)


async def list_audit(session: AsyncSession, since: dt.datetime | None = None) -> list[AuditEntry]:
    """Audit rows in the order they were written, optionally only those at or after `since`."""
    query = select(AuditEntry).order_by(AuditEntry.id)
    if since is not None:
        query = query.where(AuditEntry.at >= since)
    return list((await session.scalars(query)).all())
