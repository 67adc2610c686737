"""Broadcasts from the poverty office: audiences, scheduling, release into the outbox, delivery reports.

A broadcast is created now or for a later time. When its time comes, `release_due` resolves the
audience from users and roles and queues one outbox message per person in the same transaction;
`finish_delivered` closes it once every message is sent or given up and, in that same transaction,
queues the delivery report to whoever sent it — so the report, like the notice, goes out once.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy import and_, exists, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import ColumnElement

from services import audit, outbox
from services.errors import InvalidInput, NotFound
from services.masking import mask_name, mask_text
from services.models import (
    AudienceKind,
    Broadcast,
    BroadcastStatus,
    FailureReason,
    OutboxMessage,
    OutboxStatus,
    Role,
    RoleKind,
    Township,
    User,
    Village,
    role_villages,
    utcnow,
)

log = logging.getLogger(__name__)

#: The audiences in the words the office uses; `TOWNSHIP` is shown with the township's name.
AUDIENCE_LABELS: dict[AudienceKind, str] = {
    AudienceKind.ALL: "全部",
    AudienceKind.CADRES: "全部驻村干部",
    AudienceKind.TOWNSHIP: "乡镇",
    AudienceKind.UNITS: "各责任单位",
    AudienceKind.HOUSEHOLDS: "群众",
}
#: Why a message was given up, in words.
FAILURE_LABELS: dict[FailureReason, str] = {
    FailureReason.BLOCKED: "已屏蔽机器人",
    FailureReason.NETWORK: "网络故障，多次重试仍未送达",
    FailureReason.REJECTED: "Telegram 拒收",
}
#: Telegram's longest message.
MAX_TEXT = 4096
#: A broadcast "scheduled" this far in the past is taken as a typo, not as "now".
PAST_SLACK = dt.timedelta(minutes=5)


def audience_label(audience: AudienceKind, township: Township | None = None) -> str:
    """`全部驻村干部`, or `上夹河镇` for one township's people."""
    if audience is AudienceKind.TOWNSHIP and township is not None:
        return township.name
    return AUDIENCE_LABELS[audience]


def _has_role(*conditions: ColumnElement[bool]) -> ColumnElement[bool]:
    """The user holds a role meeting `conditions`."""
    return exists().where(Role.user_id == User.id, *conditions)


def _audience_filter(audience: AudienceKind, township_id: int | None) -> ColumnElement[bool]:
    """Which users an audience holds, as a WHERE clause on `User` (active users only)."""
    active = User.active.is_(True)
    match audience:
        case AudienceKind.ALL:
            return active
        case AudienceKind.CADRES:
            return and_(active, _has_role(Role.kind == RoleKind.CADRE))
        case AudienceKind.UNITS:
            return and_(active, _has_role(Role.kind == RoleKind.UNIT))
        case AudienceKind.HOUSEHOLDS:
            return and_(active, _has_role(Role.kind == RoleKind.HOUSEHOLD))
        case AudienceKind.TOWNSHIP:
            village_here = exists().where(
                role_villages.c.role_id == Role.id,
                role_villages.c.village_id == Village.id,
                Village.township_id == township_id,
            )
            bound_here = or_(Role.township_id == township_id, and_(Role.kind == RoleKind.CADRE, village_here))
            return and_(active, _has_role(bound_here))
    raise AssertionError(audience)


async def audience_users(
    session: AsyncSession, *, audience: AudienceKind, township_id: int | None = None
) -> list[User]:
    """The active users an audience reaches now, in registration order.

    全部 is every active user; 全部驻村干部 / 各责任单位 / 群众 those holding that role; one
    township's people are its township officers, the cadres of its villages and anyone else bound
    to it.
    """
    _check_audience(audience, township_id)
    query = select(User).where(_audience_filter(audience, township_id)).order_by(User.id)
    return list((await session.scalars(query)).all())


async def preview_count(session: AsyncSession, *, audience: AudienceKind, township_id: int | None = None) -> int:
    """How many people the audience holds now (the 预览 before 确认发送)."""
    _check_audience(audience, township_id)
    query = select(func.count()).select_from(User).where(_audience_filter(audience, township_id))
    return int(await session.scalar(query) or 0)


def _check_audience(audience: AudienceKind, township_id: int | None) -> None:
    if audience is AudienceKind.TOWNSHIP and township_id is None:
        raise InvalidInput("请选择要通知的乡镇。")


def check_text(text: str) -> str:
    """The notice's text, trimmed; InvalidInput when empty or longer than Telegram allows."""
    text = text.strip()
    if not text:
        raise InvalidInput("通知内容不能为空，请输入要发送的文字。")
    if len(text) > MAX_TEXT:
        raise InvalidInput(f"通知内容有 {len(text)} 字，超过 Telegram 的上限 {MAX_TEXT} 字，请删减后重发。")
    return text


def _snapshot(broadcast: Broadcast) -> dict[str, object]:
    return {
        "text": mask_text(broadcast.text[:200]),
        "audience": broadcast.audience.value,
        "township_id": broadcast.township_id,
        "scheduled_at": broadcast.scheduled_at.isoformat(),
        "status": broadcast.status.value,
        "recipients": broadcast.recipients,
    }


async def create_broadcast(
    session: AsyncSession,
    *,
    text: str,
    audience: AudienceKind,
    township_id: int | None = None,
    scheduled_at: dt.datetime | None = None,
    created_by: str,
    report_chat_id: int | None = None,
    update_id: int | None = None,
    now: dt.datetime | None = None,
) -> Broadcast:
    """Create a broadcast; one due now is released into the outbox at once.

    Args:
        scheduled_at: aware datetime; None for now.
        created_by: audit actor notation of who sends it.
        report_chat_id: private chat the delivery report goes to, if anyone waits for one.
        update_id: the Telegram update that confirmed it; the same update again (redelivered,
            or replayed after a crash) returns the broadcast it created instead of a second one.

    Raises:
        InvalidInput: empty or too long text, no township for a township audience, a time in the past.
        NotFound: no such township.
    """
    now = now or utcnow()
    if update_id is not None:
        existing = await session.scalar(select(Broadcast).where(Broadcast.source_update_id == update_id))
        if existing is not None:
            return existing
    text = check_text(text)
    _check_audience(audience, township_id)
    if township_id is not None and await session.get(Township, township_id) is None:
        raise NotFound("没有这个乡镇。")
    if scheduled_at is not None and scheduled_at < now - PAST_SLACK:
        raise InvalidInput("发送时间已经过去了，请输入将来的时间，或选择“现在发送”。")
    broadcast = Broadcast(
        text=text,
        audience=audience,
        township_id=township_id if audience is AudienceKind.TOWNSHIP else None,
        scheduled_at=max(scheduled_at or now, now),
        created_by=created_by,
        report_chat_id=report_chat_id,
        status=BroadcastStatus.SCHEDULED,
        created_at=now,
        source_update_id=update_id,
    )
    session.add(broadcast)
    await session.flush()
    await audit.record(
        session,
        actor=created_by,
        action="broadcast.create",
        subject=f"broadcast:{broadcast.id}",
        after=_snapshot(broadcast),
    )
    if broadcast.scheduled_at <= now:
        await _release(session, broadcast, now=now)
    return broadcast


async def _release(session: AsyncSession, broadcast: Broadcast, *, now: dt.datetime) -> None:
    before = _snapshot(broadcast)
    people = await audience_users(session, audience=broadcast.audience, township_id=broadcast.township_id)
    await outbox.enqueue_many(
        session,
        (
            outbox.NewMessage(chat_id=u.telegram_user_id, user_id=u.id, text=broadcast.text, broadcast_id=broadcast.id)
            for u in people
        ),
        now=now,
    )
    broadcast.status, broadcast.released_at, broadcast.recipients = BroadcastStatus.SENDING, now, len(people)
    await session.flush()
    await audit.record(
        session,
        actor=audit.SYSTEM_ACTOR,
        action="broadcast.release",
        subject=f"broadcast:{broadcast.id}",
        before=before,
        after=_snapshot(broadcast),
    )
    log.info("broadcast %s released to %d people", broadcast.id, len(people))


async def release_due(session: AsyncSession, *, now: dt.datetime | None = None) -> list[Broadcast]:
    """Release every scheduled broadcast whose time has come (locked, so two workers never both do)."""
    now = now or utcnow()
    due = await session.scalars(
        select(Broadcast)
        .where(Broadcast.status == BroadcastStatus.SCHEDULED, Broadcast.scheduled_at <= now)
        .order_by(Broadcast.scheduled_at, Broadcast.id)
        .with_for_update(skip_locked=True)
    )
    released = list(due.all())
    for broadcast in released:
        await _release(session, broadcast, now=now)
    return released


@dataclass(frozen=True)
class FailedDelivery:
    """One person the notice did not reach, named masked."""

    name: str
    reason: FailureReason
    reason_label: str


@dataclass(frozen=True)
class DeliveryReport:
    """How a broadcast went: delivered N, failed M with reasons, and how many are still on the way."""

    broadcast_id: int
    text: str
    audience: str
    status: BroadcastStatus
    recipients: int
    delivered: int
    pending: int
    failed: list[FailedDelivery] = field(default_factory=list)

    def failed_by_reason(self) -> dict[str, list[str]]:
        """Masked names of the people not reached, under each reason's label."""
        grouped: dict[str, list[str]] = {}
        for f in self.failed:
            grouped.setdefault(f.reason_label, []).append(f.name)
        return grouped


async def delivery_report(session: AsyncSession, *, broadcast_id: int) -> DeliveryReport:
    """The broadcast's delivery so far (NotFound when there is no such broadcast)."""
    broadcast = await session.get(Broadcast, broadcast_id)
    if broadcast is None:
        raise NotFound("没有这条通知。")
    counts = dict(
        (
            await session.execute(
                select(OutboxMessage.status, func.count())
                .where(OutboxMessage.broadcast_id == broadcast_id)
                .group_by(OutboxMessage.status)
            )
        ).all()
    )
    failed_rows = await session.execute(
        select(User.display_name, OutboxMessage.failure)
        .join(User, User.id == OutboxMessage.user_id, isouter=True)
        .where(OutboxMessage.broadcast_id == broadcast_id, OutboxMessage.status == OutboxStatus.FAILED)
        .order_by(OutboxMessage.id)
    )
    failed = [
        FailedDelivery(
            name=mask_name(name or "?"),
            reason=reason or FailureReason.REJECTED,
            reason_label=FAILURE_LABELS[reason or FailureReason.REJECTED],
        )
        for name, reason in failed_rows.all()
    ]
    return DeliveryReport(
        broadcast_id=broadcast.id,
        text=broadcast.text,
        audience=audience_label(broadcast.audience, broadcast.township),
        status=broadcast.status,
        recipients=broadcast.recipients or 0,
        delivered=counts.get(OutboxStatus.SENT, 0),
        pending=counts.get(OutboxStatus.PENDING, 0) + counts.get(OutboxStatus.SENDING, 0),
        failed=failed,
    )


async def finish_delivered(
    session: AsyncSession, *, render: Callable[[DeliveryReport], str], now: dt.datetime | None = None
) -> list[DeliveryReport]:
    """Close every sending broadcast with nothing left on the way; queue its report to the sender.

    The status change is a conditional UPDATE, so when two workers look at once only one closes
    a broadcast and queues its report.

    Args:
        render: the report's text as the face shows it (the bot's words live in the bot).
    """
    now = now or utcnow()
    unfinished = exists().where(
        OutboxMessage.broadcast_id == Broadcast.id,
        OutboxMessage.status.in_([OutboxStatus.PENDING, OutboxStatus.SENDING]),
    )
    candidates = (
        await session.scalars(select(Broadcast.id).where(Broadcast.status == BroadcastStatus.SENDING, ~unfinished))
    ).all()
    reports = []
    for broadcast_id in candidates:
        closed = await session.execute(
            update(Broadcast)
            .where(Broadcast.id == broadcast_id, Broadcast.status == BroadcastStatus.SENDING)
            .values(status=BroadcastStatus.DONE, finished_at=now)
            .execution_options(synchronize_session=False)
        )
        if closed.rowcount != 1:  # type: ignore[attr-defined]  # typed Result; DML returns a CursorResult
            continue
        broadcast = await session.get(Broadcast, broadcast_id, populate_existing=True)
        assert broadcast is not None
        report = await delivery_report(session, broadcast_id=broadcast_id)
        await audit.record(
            session,
            actor=audit.SYSTEM_ACTOR,
            action="broadcast.finish",
            subject=f"broadcast:{broadcast_id}",
            after={"delivered": report.delivered, "failed": len(report.failed), "recipients": report.recipients},
        )
        if broadcast.report_chat_id is not None:
            await outbox.enqueue(session, chat_id=broadcast.report_chat_id, text=render(report))
        reports.append(report)
    return reports
