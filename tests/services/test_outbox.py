"""The outbox and broadcasts on a real database: claiming, pacing, retries, blocked people, restarts."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections import Counter

import pytest
from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from services import audit, broadcasts, outbox
from services.db import session_scope
from services.models import (
    AudienceKind,
    AuditEntry,
    BroadcastStatus,
    FailureReason,
    OutboxMessage,
    OutboxStatus,
    RoleKind,
    Township,
    User,
    Village,
    utcnow,
)
from services.users import get_or_create_user, grant_role

#: Retries at once, given up after 3; polls often.
FAST_OPTIONS = outbox.WorkerOptions(poll_interval=0.01, policy=outbox.RetryPolicy(max_attempts=3, base_seconds=0.0))


async def _people(session: AsyncSession, kind: RoleKind, count: int, *, start: int = 1000, **binding) -> list[User]:  # type: ignore[no-untyped-def]
    users = []
    for i in range(count):
        user = await get_or_create_user(
            session, telegram_user_id=start + i, display_name=f"用户{start + i}号", actor=audit.CLI_ACTOR
        )
        await grant_role(session, user=user, kind=kind, actor=audit.CLI_ACTOR, **binding)
        users.append(user)
    return users


class FakeTelegram:
    """A sender that records every send; some chats answer 403, some 429 once, some fail on the network."""

    def __init__(
        self,
        *,
        blocked: set[int] = frozenset(),
        flood_once: set[int] = frozenset(),
        flaky: dict[int, int] | None = None,
    ) -> None:  # type: ignore[assignment]
        self.blocked = blocked
        self.flood_once = set(flood_once)
        self.flaky = dict(flaky or {})
        self.delivered: Counter[int] = Counter()
        self.calls: Counter[int] = Counter()

    async def __call__(self, message: outbox.Outgoing) -> outbox.SendResult:
        self.calls[message.chat_id] += 1
        await asyncio.sleep(0)
        if message.chat_id in self.blocked:
            return outbox.Blocked("Forbidden: bot was blocked by the user")
        if message.chat_id in self.flood_once:
            self.flood_once.discard(message.chat_id)
            return outbox.RetryLater(0.05)
        if self.flaky.get(message.chat_id, 0) > 0:
            self.flaky[message.chat_id] -= 1
            return outbox.NetworkFailure("ConnectError")
        self.delivered[message.chat_id] += 1
        return outbox.Sent(message_id=self.delivered.total())


async def _drain(
    sessionmaker: async_sessionmaker[AsyncSession], sender: outbox.Sender, *, workers: int = 1
) -> Counter[int]:
    """Run workers until nothing is pending or sending; returns how many messages each worker sent."""
    sends: Counter[int] = Counter()

    def counted(number: int) -> outbox.Sender:
        async def send(message: outbox.Outgoing) -> outbox.SendResult:
            sends[number] += 1
            return await sender(message)

        return send

    running = [
        outbox.OutboxWorker(
            sessionmaker, counted(n), pacer=outbox.Pacer(per_second=100_000, chat_interval=0.0), options=FAST_OPTIONS
        )
        for n in range(workers)
    ]
    tasks = [asyncio.create_task(w.run()) for w in running]
    try:
        for _ in range(2000):
            async with sessionmaker() as session:
                left = await session.scalar(
                    select(func.count()).where(OutboxMessage.status.in_([OutboxStatus.PENDING, OutboxStatus.SENDING]))
                )
            if not left:
                break
            await asyncio.sleep(0.01)
        else:
            pytest.fail("the outbox did not drain")
    finally:
        for w in running:
            await w.stop()
        for t in tasks:
            t.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
    return sends


async def _statuses(sessionmaker: async_sessionmaker[AsyncSession]) -> Counter[OutboxStatus]:
    async with sessionmaker() as session:
        return Counter((await session.scalars(select(OutboxMessage.status))).all())


# -- the pacer ----------------------------------------------------------------------------------


class FakeClock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_pacer_spaces_messages_evenly_a_short_burst_then_one_per_second_per_chat_and_twenty_a_minute_per_group() -> (
    None
):
    clock = FakeClock()
    pacer = outbox.Pacer(per_second=30, margin=0.0, catch_up=0.0, clock=clock)
    assert pacer.delay(1) == 0
    pacer.take(1)
    assert pacer.delay(2) == pytest.approx(1 / 30)  # not a burst: the next one a thirtieth later
    for chat in range(2, 31):
        clock.now += pacer.delay(chat)
        pacer.take(chat)
    assert clock.now == pytest.approx(100 + 29 / 30)  # 30 in (just under) a second
    clock.now = 101.0
    for _ in range(10):  # a burst of ten into one chat, as Telegram tolerates
        clock.now += pacer.delay(1)
        pacer.take(1)
    assert clock.now == pytest.approx(101 + 9 / 30)
    assert pacer.delay(1) == pytest.approx(1 - 9 / 30)  # then one a second

    stalled = outbox.Pacer(per_second=30, margin=0.0, catch_up=0.1, clock=clock)
    for chat in range(100, 110):  # steady sending, evenly spaced
        clock.now += stalled.delay(chat)
        stalled.take(chat)
    clock.now += 0.5  # then nothing could leave for half a second
    sent_at_once = 0
    while stalled.delay(sent_at_once + 2) == 0:
        stalled.take(sent_at_once + 2)
        sent_at_once += 1
    assert sent_at_once == 4  # a tenth of a second made up (3 slots and the one due), then spacing again

    group = -4_000_000_001
    slow = outbox.Pacer(per_second=1000, margin=0.0, clock=clock)
    for _ in range(20):
        clock.now += slow.delay(group)
        slow.take(group)
    assert slow.delay(group) == pytest.approx(60.0)


def test_pacer_holds_a_chat_after_retry_after_and_widens_intervals_by_its_margin() -> None:
    clock = FakeClock()
    pacer = outbox.Pacer(per_second=30, chat_burst=1, margin=0.05, catch_up=0.0, clock=clock)
    pacer.hold(7, 3)
    assert pacer.delay(7) == pytest.approx(3.0)
    assert pacer.delay(8) == 0
    pacer.take(8)
    assert pacer.delay(9) == pytest.approx(1.05 / 30)
    clock.now += 1
    assert pacer.delay(8) == pytest.approx(0.05)


async def test_people_asking_at_once_are_answered_at_once_and_the_outbox_waits_its_turn() -> None:
    clock = FakeClock()
    pacer = outbox.Pacer(per_second=30, bulk_per_second=20, margin=0.0, catch_up=0.0, clock=clock)
    for chat in range(1, 21):  # twenty people asked in the same instant
        await asyncio.wait_for(pacer.wait_reply(chat), timeout=1)  # the fake clock never moves
    assert pacer.delay(21) == pytest.approx(20 / 30)  # the outbox's next notice after their slots


async def test_replies_beyond_the_sliding_window_wait_for_it() -> None:
    clock = FakeClock()
    pacer = outbox.Pacer(per_second=30, margin=0.0, catch_up=0.0, clock=clock)
    for chat in range(1, 31):
        await pacer.wait_reply(chat)
    assert pacer.delay(31, bulk=False) == pytest.approx(1.0)


async def test_the_pacer_waits_with_the_sleep_it_was_given() -> None:
    clock = FakeClock()
    waited: list[float] = []

    async def sleep(seconds: float) -> None:  # a clock of the caller's own: moved, not waited for
        waited.append(seconds)
        clock.now += seconds

    pacer = outbox.Pacer(per_second=30, chat_burst=1, margin=0.0, catch_up=0.0, clock=clock, sleep=sleep)
    await pacer.wait_reply(7)
    await asyncio.wait_for(pacer.wait_reply(7), timeout=1)  # one a second into one chat, on that clock
    assert waited == [pytest.approx(1.0)]


# -- claiming -----------------------------------------------------------------------------------


async def test_claim_takes_due_messages_once_and_release_hands_them_back(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    async with session_scope(sessionmaker) as session:
        for chat in range(1, 6):
            await outbox.enqueue(session, chat_id=chat, text="通知")
        await outbox.enqueue(session, chat_id=99, text="以后", not_before=utcnow() + dt.timedelta(hours=1))
    async with session_scope(sessionmaker) as session:
        first = await outbox.claim(session, worker="a", limit=3)
    async with session_scope(sessionmaker) as session:
        second = await outbox.claim(session, worker="b", limit=10)
    assert [m.chat_id for m in first] == [1, 2, 3]
    assert [m.chat_id for m in second] == [4, 5]  # not the one due in an hour
    async with session_scope(sessionmaker) as session:
        assert await outbox.release(session, ids=[m.id for m in first], worker="b") == 0  # not b's
        assert await outbox.release(session, ids=[m.id for m in first], worker="a") == 3
    async with session_scope(sessionmaker) as session:
        again = await outbox.claim(session, worker="c", limit=10)
    assert [m.chat_id for m in again] == [1, 2, 3]


async def test_two_workers_drain_one_outbox_together_without_overlap(
    database_url: str, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    if not database_url.startswith("postgresql"):
        pytest.skip("several workers drain together on PostgreSQL only (SKIP LOCKED); SQLite has one")
    async with session_scope(sessionmaker) as session:
        await outbox.enqueue_many(session, [outbox.NewMessage(chat_id=c, text="通知") for c in range(1, 401)])
    telegram = FakeTelegram()
    sends = await _drain(sessionmaker, telegram, workers=2)
    assert telegram.calls == Counter({c: 1 for c in range(1, 401)})  # every message once, none twice
    assert sends[0] > 0
    assert sends[1] > 0  # both took part
    assert (await _statuses(sessionmaker)) == Counter({OutboxStatus.SENT: 400})


async def test_concurrent_claims_on_postgresql_skip_locked_rows(
    database_url: str, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    if not database_url.startswith("postgresql"):
        pytest.skip("FOR UPDATE SKIP LOCKED is PostgreSQL's")
    async with session_scope(sessionmaker) as session:
        await outbox.enqueue_many(session, [outbox.NewMessage(chat_id=c, text="通知") for c in range(1, 21)])
    # Worker a claims inside an open transaction; worker b claims meanwhile and must neither wait
    # nor get a's rows.
    async with sessionmaker() as session_a, session_a.begin():
        mine = await outbox.claim(session_a, worker="a", limit=10)
        async with sessionmaker() as session_b, session_b.begin():
            theirs = await asyncio.wait_for(outbox.claim(session_b, worker="b", limit=20), timeout=5)
    assert len(mine) == 10
    assert len(theirs) == 10
    assert not {m.id for m in mine} & {m.id for m in theirs}


# -- outcomes -----------------------------------------------------------------------------------


async def test_retry_after_is_honoured_network_errors_retried_and_blocked_people_marked_inactive(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    async with session_scope(sessionmaker) as session:
        people = await _people(session, RoleKind.HOUSEHOLD, 6)
        chats = [u.telegram_user_id for u in people]
        broadcast = await broadcasts.create_broadcast(
            session, text="请于本月底前完成信息核对。", audience=AudienceKind.HOUSEHOLDS, created_by="telegram:1"
        )
    blocked, flooded, flaky, hopeless = chats[0], chats[1], chats[2], chats[3]
    telegram = FakeTelegram(blocked={blocked}, flood_once={flooded}, flaky={flaky: 2, hopeless: 99})
    await _drain(sessionmaker, telegram)

    assert telegram.delivered == Counter({c: 1 for c in chats if c not in {blocked, hopeless}})
    assert telegram.calls[hopeless] == FAST_OPTIONS.policy.max_attempts
    async with sessionmaker() as session:
        rows = {r.chat_id: r for r in (await session.scalars(select(OutboxMessage))).all()}
        assert rows[flooded].status is OutboxStatus.SENT
        assert rows[flooded].attempts == 0  # a 429 is no failure
        assert rows[flaky].status is OutboxStatus.SENT
        assert rows[flaky].attempts == 2
        assert rows[hopeless].failure is FailureReason.NETWORK
        assert rows[blocked].failure is FailureReason.BLOCKED
        user = await session.scalar(select(User).where(User.telegram_user_id == blocked))
        assert user is not None
        assert not user.active
        deactivations = (await session.scalars(select(AuditEntry).where(AuditEntry.action == "user.deactivate"))).all()
        assert [e.subject for e in deactivations] == [f"user:{user.id}"]
        assert "用户1000号" not in str(deactivations[0].after)  # masked

        report = await broadcasts.delivery_report(session, broadcast_id=broadcast.id)
    assert (report.recipients, report.delivered, report.pending) == (6, 4, 0)
    assert report.failed_by_reason() == {"已屏蔽机器人": ["用*****号"], "网络故障，多次重试仍未送达": ["用*****号"]}


async def test_one_drain_sends_everything_due_and_records_each_outcome(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    async with session_scope(sessionmaker) as session:
        await outbox.enqueue_many(session, [outbox.NewMessage(chat_id=c, text="通知") for c in (1, 1, 2)])
        await outbox.enqueue(session, chat_id=3, text="明天再发", not_before=utcnow() + dt.timedelta(days=1))
    telegram = FakeTelegram(blocked={2})
    worker = outbox.OutboxWorker(sessionmaker, telegram, pacer=outbox.Pacer(per_second=1000), options=FAST_OPTIONS)
    assert await worker.drain() == 3
    assert await _statuses(sessionmaker) == Counter(
        {OutboxStatus.SENT: 2, OutboxStatus.FAILED: 1, OutboxStatus.PENDING: 1}
    )


async def test_a_message_told_to_wait_is_left_for_a_later_drain(sessionmaker: async_sessionmaker[AsyncSession]) -> None:
    async with session_scope(sessionmaker) as session:
        await outbox.enqueue(session, chat_id=1, text="通知")
    worker = outbox.OutboxWorker(
        sessionmaker, FakeTelegram(flood_once={1}), pacer=outbox.Pacer(per_second=1000), options=FAST_OPTIONS
    )
    await worker.drain()
    assert await _statuses(sessionmaker) == Counter({OutboxStatus.PENDING: 1})


async def test_a_finished_broadcast_is_closed_once_and_its_report_queued_to_the_sender(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    async with session_scope(sessionmaker) as session:
        await _people(session, RoleKind.CADRE, 3)
        broadcast = await broadcasts.create_broadcast(
            session,
            text="月调度会议周五召开。",
            audience=AudienceKind.CADRES,
            created_by="telegram:42",
            report_chat_id=42,
        )
    async with session_scope(sessionmaker) as session:
        assert await broadcasts.finish_delivered(session, render=lambda r: "x") == []  # still on the way
    await _drain(sessionmaker, FakeTelegram())
    async with session_scope(sessionmaker) as session:
        reports = await broadcasts.finish_delivered(session, render=lambda r: f"送达 {r.delivered} 人")
        assert await broadcasts.finish_delivered(session, render=lambda r: "again") == []
    assert [(r.broadcast_id, r.delivered, r.failed) for r in reports] == [(broadcast.id, 3, [])]
    async with sessionmaker() as session:
        report_row = await session.scalar(select(OutboxMessage).where(OutboxMessage.chat_id == 42))
        assert report_row is not None
        assert report_row.text == "送达 3 人"
        assert report_row.broadcast_id is None
        done = await broadcasts.delivery_report(session, broadcast_id=broadcast.id)
    assert done.status is BroadcastStatus.DONE


async def test_a_worker_stopped_mid_broadcast_hands_back_what_it_had_not_sent(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    async with session_scope(sessionmaker) as session:
        await outbox.enqueue_many(session, [outbox.NewMessage(chat_id=c, text="通知") for c in range(1, 101)])
    telegram = FakeTelegram()
    # Slow first worker: 20 a second, so it is stopped with most messages claimed but unsent.
    first = outbox.OutboxWorker(sessionmaker, telegram, pacer=outbox.Pacer(per_second=20), options=FAST_OPTIONS)
    task = asyncio.create_task(first.run())
    while telegram.delivered.total() < 10:
        await asyncio.sleep(0.01)
    await first.stop()
    await task
    assert telegram.delivered.total() < 100
    assert (await _statuses(sessionmaker))[OutboxStatus.SENDING] == 0
    await _drain(sessionmaker, telegram)
    assert telegram.calls == Counter({c: 1 for c in range(1, 101)})


async def test_rows_a_crashed_worker_left_sending_are_sent_again_after_the_lease(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    async with session_scope(sessionmaker) as session:
        await outbox.enqueue_many(session, [outbox.NewMessage(chat_id=c, text="通知") for c in range(1, 4)])
    async with session_scope(sessionmaker) as session:
        await outbox.claim(session, worker="dead", limit=2)
        # the dead worker claimed them ten minutes ago
        await session.execute(update(OutboxMessage).values(claimed_at=utcnow() - dt.timedelta(minutes=10)))
        alive = await outbox.claim(session, worker="alive", limit=1)
    async with session_scope(sessionmaker) as session:
        # A live worker's fresh claim is not taken back; the dead one's is.
        assert await outbox.recover_stale(session, older_than=utcnow() - dt.timedelta(minutes=2)) == 2
        await outbox.release(session, ids=[m.id for m in alive], worker="alive")
    telegram = FakeTelegram()
    await _drain(sessionmaker, telegram)
    assert telegram.calls == Counter({1: 1, 2: 1, 3: 1})
    async with session_scope(sessionmaker) as session:
        # the dead worker's late answer does not overwrite the outcome
        status = await outbox.record_result(
            session, message_id=1, worker="dead", result=outbox.Sent(1), policy=outbox.RetryPolicy()
        )
    assert status is None


async def test_one_chats_messages_arrive_in_the_order_queued_while_other_chats_do_not_wait(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    async with session_scope(sessionmaker) as session:
        await outbox.enqueue_many(
            session,
            [
                outbox.NewMessage(chat_id=1, text="事项卡片"),
                outbox.NewMessage(chat_id=1, text="现场照片"),
                outbox.NewMessage(chat_id=2, text="另一个人的通知"),
            ],
        )
    arrived: list[str] = []

    async def slow_first(message: outbox.Outgoing) -> outbox.SendResult:
        if message.text == "事项卡片":
            await asyncio.sleep(0.2)  # the card takes longer on the wire than the photo would
        arrived.append(message.text)
        return outbox.Sent(message_id=len(arrived))

    await _drain(sessionmaker, slow_first)
    assert arrived == ["另一个人的通知", "事项卡片", "现场照片"]


async def test_messages_over_a_groups_minute_go_back_to_the_table_instead_of_holding_their_claim(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    group = -4_000_000_001
    async with session_scope(sessionmaker) as session:
        await outbox.enqueue_many(session, [outbox.NewMessage(chat_id=group, text=f"第{i}条") for i in range(25)])
    telegram = FakeTelegram()
    worker = outbox.OutboxWorker(sessionmaker, telegram, pacer=outbox.Pacer(per_second=1000), options=FAST_OPTIONS)
    task = asyncio.create_task(worker.run())
    try:
        for _ in range(500):
            statuses = await _statuses(sessionmaker)
            if statuses[OutboxStatus.SENT] == 20 and statuses[OutboxStatus.PENDING] == 5:
                break
            await asyncio.sleep(0.01)
    finally:
        await worker.stop()
        await task
    assert telegram.calls == Counter({group: 20})  # 20 a minute into one group
    async with sessionmaker() as session:
        waiting = (
            await session.scalars(select(OutboxMessage).where(OutboxMessage.status == OutboxStatus.PENDING))
        ).all()
    assert len(waiting) == 5
    assert all(m.attempts == 0 and m.next_attempt_at > utcnow() + dt.timedelta(seconds=50) for m in waiting)


# -- audiences and scheduling -------------------------------------------------------------------


async def test_audiences_resolve_from_roles_and_skip_inactive_people(session: AsyncSession) -> None:
    townships = (await session.scalars(select(Township).order_by(Township.id).limit(2))).all()
    here, there = townships
    village = Village(township=here, name="测试村")
    far = Village(township=there, name="远方村")
    session.add_all([village, far])
    await session.flush()
    cadres_here = await _people(session, RoleKind.CADRE, 2, start=100, villages=[village])
    cadres_there = await _people(session, RoleKind.CADRE, 1, start=200, villages=[far])
    township_staff = await _people(session, RoleKind.TOWNSHIP, 1, start=300, township=here)
    units = await _people(session, RoleKind.UNIT, 2, start=400, unit="县交通局")
    households = await _people(session, RoleKind.HOUSEHOLD, 3, start=500)
    households[0].active = False
    await session.flush()

    async def ids(audience: AudienceKind, township: Township | None = None) -> set[int]:
        users = await broadcasts.audience_users(
            session, audience=audience, township_id=township.id if township else None
        )
        assert await broadcasts.preview_count(
            session, audience=audience, township_id=township.id if township else None
        ) == len(users)
        return {u.telegram_user_id for u in users}

    assert await ids(AudienceKind.CADRES) == {100, 101, 200}
    assert await ids(AudienceKind.UNITS) == {400, 401}
    assert await ids(AudienceKind.HOUSEHOLDS) == {501, 502}
    assert await ids(AudienceKind.TOWNSHIP, here) == {100, 101, 300}
    assert await ids(AudienceKind.ALL) == {
        u.telegram_user_id for u in [*cadres_here, *cadres_there, *township_staff, *units, *households[1:]]
    }


async def test_a_scheduled_broadcast_waits_for_its_time_and_bad_input_is_refused(session: AsyncSession) -> None:
    await _people(session, RoleKind.UNIT, 2, unit="县教育局")
    now = utcnow()
    later = await broadcasts.create_broadcast(
        session,
        text=" 年考核材料请按时报送 ",
        audience=AudienceKind.UNITS,
        scheduled_at=now + dt.timedelta(hours=2),
        created_by="cli",
        now=now,
    )
    assert later.status is BroadcastStatus.SCHEDULED
    assert later.text == "年考核材料请按时报送"
    assert await broadcasts.release_due(session, now=now + dt.timedelta(hours=1)) == []
    assert [b.id for b in await broadcasts.release_due(session, now=now + dt.timedelta(hours=2))] == [later.id]
    assert later.status is BroadcastStatus.SENDING
    assert later.recipients == 2
    assert await session.scalar(select(func.count()).select_from(OutboxMessage)) == 2

    from services.errors import InvalidInput

    with pytest.raises(InvalidInput, match="不能为空"):
        await broadcasts.create_broadcast(session, text="  ", audience=AudienceKind.ALL, created_by="cli")
    with pytest.raises(InvalidInput, match="乡镇"):
        await broadcasts.create_broadcast(session, text="通知", audience=AudienceKind.TOWNSHIP, created_by="cli")
    with pytest.raises(InvalidInput, match="已经过去"):
        await broadcasts.create_broadcast(
            session, text="通知", audience=AudienceKind.ALL, scheduled_at=now - dt.timedelta(days=1), created_by="cli"
        )
