"""The database schema as typed SQLAlchemy models: places, people and their roles, invites, audit.

Later features (reports, tasks, broadcasts) add their tables in their own migrations; the
constraint naming convention below makes every constraint name predictable, which Alembic's
batch mode on SQLite needs to alter tables later.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Column,
    DateTime,
    Dialect,
    Enum,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

#: Constraint names Alembic can find again on every backend (SQLite batch mode relies on them).
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> dt.datetime:
    """The current time, timezone-aware in UTC — the only kind of time the database holds."""
    return dt.datetime.now(dt.UTC)


class UTCDateTime(TypeDecorator[dt.datetime]):
    """`DateTime(timezone=True)` that always hands back aware UTC datetimes.

    PostgreSQL keeps the zone; SQLite stores text without one and returns naive values, which
    would make `expires_at < now` raise. Naive input is refused so a local time never slips in.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Dialect) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the database; use an aware UTC datetime")
        return value.astimezone(dt.UTC)

    def process_result_value(self, value: dt.datetime | None, dialect: Dialect) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=dt.UTC)
        return value.astimezone(dt.UTC)


#: 64-bit ids for tables that only grow (audit); SQLite needs plain INTEGER to autoincrement.
BigId = BigInteger().with_variant(Integer(), "sqlite")


class Base(DeclarativeBase):
    """Declarative base: shared metadata with the naming convention, UTC timestamps by default."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {dt.datetime: UTCDateTime(), dict[str, Any]: JSON()}


class RoleKind(StrEnum):
    """What a person may do; a user holds at most one role of each kind."""

    #: 贫困户/脱贫户 — anyone may ask; registering as one is optional.
    HOUSEHOLD = "household"
    #: 驻村干部/第一书记, bound to one or more villages.
    CADRE = "cadre"
    #: 乡镇干部, bound to one township.
    TOWNSHIP = "township"
    #: 责任单位 staff (县教育局, 县交通局, …), bound to one unit the plan names.
    UNIT = "unit"
    #: 县扶贫办 staff: broadcasts, dashboard, invites.
    OFFICE = "office"


def _str_enum(enum: type[StrEnum], name: str, length: int = 24) -> Enum:
    """A StrEnum stored as VARCHAR + CHECK rather than a native PostgreSQL enum.

    Adding a value later is then an ordinary batch migration on both backends.
    """
    return Enum(
        enum,
        name=name,
        native_enum=False,
        create_constraint=True,
        length=length,
        values_callable=lambda values: [v.value for v in values],
        validate_strings=True,
    )


class Township(Base):
    """A township (乡镇) of the county, keyed by its statistical code; seeded from package data."""

    __tablename__ = "townships"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(12), unique=True)
    name: Mapped[str] = mapped_column(String(32), unique=True)


class Village(Base):
    """An administrative village (行政村); names are unique only within their township."""

    __tablename__ = "villages"
    __table_args__ = (UniqueConstraint("township_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    township_id: Mapped[int] = mapped_column(ForeignKey("townships.id", ondelete="RESTRICT"), index=True)
    name: Mapped[str] = mapped_column(String(64))

    township: Mapped[Township] = relationship(lazy="joined", innerjoin=True)

    @property
    def full_name(self) -> str:
        """`乡镇/村名`, the unambiguous way to name a village."""
        return f"{self.township.name}/{self.name}"


#: Villages a cadre role is bound to.
role_villages = Table(
    "role_villages",
    Base.metadata,
    Column("role_id", ForeignKey("user_roles.id", ondelete="CASCADE"), primary_key=True),
    Column("village_id", ForeignKey("villages.id", ondelete="RESTRICT"), primary_key=True, index=True),
)

#: Villages an invite for a cadre will bind.
invite_villages = Table(
    "invite_villages",
    Base.metadata,
    Column("invite_id", ForeignKey("invites.id", ondelete="CASCADE"), primary_key=True),
    Column("village_id", ForeignKey("villages.id", ondelete="RESTRICT"), primary_key=True, index=True),
)


class User(Base):
    """A Telegram user known to the assistant; `active=False` keeps history but stops access."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    telegram_user_id: Mapped[int] = mapped_column(BigInteger, unique=True)
    #: Fitted to its 128 characters by `services.users.fit_display_name` (Telegram's can be 129).
    display_name: Mapped[str] = mapped_column(String(128))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    active: Mapped[bool] = mapped_column(default=True)

    roles: Mapped[list[Role]] = relationship(
        back_populates="user", lazy="selectin", cascade="all, delete-orphan", order_by="Role.id"
    )

    def role(self, kind: RoleKind) -> Role | None:
        """This user's role of `kind`, if they hold one."""
        return next((r for r in self.roles if r.kind == kind), None)


class Role(Base):
    """One role a user holds, with what it is bound to (villages, a township or a unit)."""

    __tablename__ = "user_roles"
    __table_args__ = (UniqueConstraint("user_id", "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    kind: Mapped[RoleKind] = mapped_column(_str_enum(RoleKind, "role_kind", 16))
    township_id: Mapped[int | None] = mapped_column(ForeignKey("townships.id", ondelete="RESTRICT"), index=True)
    unit: Mapped[str | None] = mapped_column(String(64), index=True)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    user: Mapped[User] = relationship(back_populates="roles")
    township: Mapped[Township | None] = relationship(lazy="selectin")
    villages: Mapped[list[Village]] = relationship(secondary=role_villages, lazy="selectin", order_by="Village.id")


class Invite(Base):
    """A single-use, expiring code that registers whoever redeems it in a role."""

    __tablename__ = "invites"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    role: Mapped[RoleKind] = mapped_column(_str_enum(RoleKind, "role_kind", 16))
    township_id: Mapped[int | None] = mapped_column(ForeignKey("townships.id", ondelete="RESTRICT"))
    unit: Mapped[str | None] = mapped_column(String(64))
    #: Who issued it, in the audit log's actor notation (e.g. `cli`, `user:3`).
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[dt.datetime]
    used_at: Mapped[dt.datetime | None]
    used_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    township: Mapped[Township | None] = relationship(lazy="selectin")
    villages: Mapped[list[Village]] = relationship(secondary=invite_villages, lazy="selectin", order_by="Village.id")
    used_by: Mapped[User | None] = relationship(lazy="selectin")


class AuditEntry(Base):
    """One row of the append-only audit log: who did what to which record, before and after.

    Nothing in `services` updates or deletes these rows. `before`/`after` hold masked personal
    data only (see `services.masking`).
    """

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    at: Mapped[dt.datetime] = mapped_column(default=utcnow, index=True)
    actor: Mapped[str] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(64), index=True)
    subject: Mapped[str] = mapped_column(String(128))
    before: Mapped[dict[str, Any] | None]
    after: Mapped[dict[str, Any] | None]


class BotStateEntry(Base):
    """One persisted piece of the bot's memory: a conversation's state or a user's draft.

    `namespace` says which (e.g. `conversation:check`, `user_data`); `key` identifies the chat
    or user within it. Kept as JSON so a restart resumes a half-finished conversation exactly.
    A conversation's row carries its deadline (`expires_at`): past it, the conversation has timed
    out even if the process that would have noticed was restarted in between.
    """

    __tablename__ = "bot_state"

    namespace: Mapped[str] = mapped_column(String(64), primary_key=True)
    key: Mapped[str] = mapped_column(String(128), primary_key=True)
    data: Mapped[Any] = mapped_column(JSON())
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    expires_at: Mapped[dt.datetime | None] = mapped_column(default=None)


class TelegramUpdate(Base):
    """A webhook update as received, kept so that a redelivered `update_id` is handled once.

    `handled_at` stays empty until the bot has processed it; rows left empty by a crash are
    handed to the bot again on the next start.
    """

    __tablename__ = "telegram_updates"

    update_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    received_at: Mapped[dt.datetime] = mapped_column(default=utcnow, index=True)
    payload: Mapped[dict[str, Any]]
    handled_at: Mapped[dt.datetime | None]
    #: Why the update could not be handled (e.g. it is not a valid Update); kept instead of the payload.
    error: Mapped[str | None] = mapped_column(String(500))


class TelegramBot(Base):
    """A real Telegram bot this database has served (written when the bot starts with a token).

    The sandbox refuses a database with any row here: its chat page lets anyone act as anyone,
    which must never reach real people's data. `bot_id` 0 stands for a bot that served the
    database before this table existed (see migration 0005_access).
    """

    __tablename__ = "telegram_bots"

    bot_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    username: Mapped[str] = mapped_column(String(64))
    first_started_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


# --- Issue 5: households, progress reports, household changes and the items routed to units ---------


class HouseholdStatus(StrEnum):
    """Where a registered household stands."""

    #: 在册贫困户 — registered and not yet out of poverty.
    REGISTERED = "registered"
    #: 已脱贫 — exited, still followed up (脱贫不脱政策).
    EXITED = "exited"
    #: 已销户 — died out, moved away or removed.
    REMOVED = "removed"


class Household(Base):
    """A registered household (建档立卡户), from the office's roster or an effective inclusion.

    The full 身份证号 is kept because it is the household's identity in the county's books; every
    face shows and logs it masked (`services.masking.mask_id_number`).
    """

    __tablename__ = "households"

    id: Mapped[int] = mapped_column(primary_key=True)
    id_number: Mapped[str] = mapped_column(String(18), unique=True)
    head_name: Mapped[str] = mapped_column(String(64))
    village_id: Mapped[int] = mapped_column(ForeignKey("villages.id", ondelete="RESTRICT"), index=True)
    members: Mapped[int]
    cause: Mapped[str | None] = mapped_column(String(32))
    status: Mapped[HouseholdStatus] = mapped_column(_str_enum(HouseholdStatus, "household_status"))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    village: Mapped[Village] = relationship(lazy="joined", innerjoin=True)


class ItemKind(StrEnum):
    """What an item routed to a unit is about."""

    REPORT = "report"
    HOUSEHOLD_CHANGE = "household_change"


class ItemState(StrEnum):
    """The task loop: 待接收 → 已接收 → 已办结, or 已退回 (with a reason)."""

    NEW = "new"
    ACCEPTED = "accepted"
    DONE = "done"
    RETURNED = "returned"


class PartyRole(StrEnum):
    """How a unit or township takes part in an item (the plan's rule: first unit named leads)."""

    LEAD = "lead"
    PARTICIPANT = "participant"
    TOWNSHIP = "township"


class Item(Base):
    """One piece of work routed by the plan's rule: owned by a lead unit, copied to the others.

    Reports about the same indicator in the same village within a short time are merged into one
    item (several `Report` rows point at it) rather than duplicated.
    """

    __tablename__ = "items"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[ItemKind] = mapped_column(_str_enum(ItemKind, "item_kind"))
    measure_id: Mapped[str] = mapped_column(String(16), index=True)
    #: What the item is about in words, e.g. `硬化村组道路 3.5 公里` or `新识别纳入 张**`.
    title: Mapped[str] = mapped_column(String(200))
    #: The thing the item is about, to find duplicates: the indicator, or `household:<id_number>`.
    topic: Mapped[str] = mapped_column(String(128), index=True)
    village_id: Mapped[int] = mapped_column(ForeignKey("villages.id", ondelete="RESTRICT"), index=True)
    #: The lead unit (牵头单位) that owns the item; only its users act on it.
    owner_unit: Mapped[str] = mapped_column(String(64), index=True)
    state: Mapped[ItemState] = mapped_column(_str_enum(ItemState, "item_state", 16), index=True)
    reporter_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"), index=True)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow, index=True)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    #: Counted in Chinese working days from creation (`services.workdays`).
    due_date: Mapped[dt.date] = mapped_column(index=True)
    return_reason: Mapped[str | None] = mapped_column(String(500))
    #: When the unit was last reminded, and when the office was told it is overdue.
    reminded_at: Mapped[dt.datetime | None]
    escalated_at: Mapped[dt.datetime | None]

    village: Mapped[Village] = relationship(lazy="joined", innerjoin=True)
    reporter: Mapped[User] = relationship(lazy="selectin")
    parties: Mapped[list[ItemParty]] = relationship(
        back_populates="item", lazy="selectin", cascade="all, delete-orphan", order_by="ItemParty.id"
    )

    @property
    def participants(self) -> list[str]:
        """Names of the units and the township taking part, the lead unit left out."""
        return [p.name for p in self.parties if p.role is not PartyRole.LEAD]


class ItemParty(Base):
    """A unit or township an item is routed to, and in what role."""

    __tablename__ = "item_parties"
    __table_args__ = (UniqueConstraint("item_id", "unit", "township_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("items.id", ondelete="CASCADE"), index=True)
    role: Mapped[PartyRole] = mapped_column(_str_enum(PartyRole, "party_role", 16))
    #: A responsible unit (lead or participant); None for a township party.
    unit: Mapped[str | None] = mapped_column(String(64), index=True)
    township_id: Mapped[int | None] = mapped_column(ForeignKey("townships.id", ondelete="RESTRICT"), index=True)

    item: Mapped[Item] = relationship(back_populates="parties")
    township: Mapped[Township | None] = relationship(lazy="selectin")

    @property
    def name(self) -> str:
        """The unit's or the township's name, for people."""
        return self.unit or (self.township.name if self.township else "")


class Report(Base):
    """A confirmed progress report on one of the plan's targets, e.g. 硬化村组道路 3.5 公里 in a village."""

    __tablename__ = "reports"

    id: Mapped[int] = mapped_column(primary_key=True)
    measure_id: Mapped[str] = mapped_column(String(16), index=True)
    indicator: Mapped[str] = mapped_column(String(64), index=True)
    #: The indicator's unit as the plan states it (公里, 座, 户…).
    unit: Mapped[str] = mapped_column(String(8))
    quantity: Mapped[float]
    village_id: Mapped[int] = mapped_column(ForeignKey("villages.id", ondelete="RESTRICT"), index=True)
    note: Mapped[str | None] = mapped_column(String(500))
    #: Telegram `file_id` of the photo, when one was sent.
    photo_file_id: Mapped[str | None] = mapped_column(String(256))
    reporter_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"), index=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("items.id", ondelete="RESTRICT"), index=True)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow, index=True)
    #: The Telegram update that confirmed it: a redelivered update finds this row instead of adding one.
    source_update_id: Mapped[int | None] = mapped_column(BigInteger, unique=True)
    #: The year of the plan in force when it was filed: progress is counted per plan year, so next
    #: year's targets start from nothing (`services.progress`).
    plan_year: Mapped[int] = mapped_column(index=True)

    village: Mapped[Village] = relationship(lazy="joined", innerjoin=True)
    item: Mapped[Item] = relationship(lazy="selectin")


class ChangeKind(StrEnum):
    """户情变动 kinds a cadre files."""

    INCLUDE = "include"  # 新识别纳入
    EXIT = "exit"  # 脱贫退出
    RETURN = "return"  # 返贫
    DEATH = "death"  # 自然减员
    MOVE_IN = "move_in"  # 迁入
    MOVE_OUT = "move_out"  # 迁出
    UPDATE = "update"  # 信息变更


class ChangeStage(StrEnum):
    """两公示一公告 for inclusion and exit; other kinds go from 已提交 straight to 生效 when handled."""

    SUBMITTED = "submitted"  # 已提交
    VILLAGE_REVIEW = "village_review"  # 村级评议
    VILLAGE_NOTICE = "village_notice"  # 村公示
    TOWNSHIP_REVIEW = "township_review"  # 乡镇审核
    COUNTY_NOTICE = "county_notice"  # 县公告
    EFFECTIVE = "effective"  # 生效
    REJECTED = "rejected"  # 未通过


class HouseholdChange(Base):
    """One household change filed by a cadre, with the household's details as filed."""

    __tablename__ = "household_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[ChangeKind] = mapped_column(_str_enum(ChangeKind, "change_kind", 16))
    stage: Mapped[ChangeStage] = mapped_column(_str_enum(ChangeStage, "change_stage"), index=True)
    #: The registered household it concerns; None for a new inclusion until it takes effect.
    household_id: Mapped[int | None] = mapped_column(ForeignKey("households.id", ondelete="RESTRICT"), index=True)
    head_name: Mapped[str] = mapped_column(String(64))
    id_number: Mapped[str] = mapped_column(String(18), index=True)
    village_id: Mapped[int] = mapped_column(ForeignKey("villages.id", ondelete="RESTRICT"), index=True)
    members: Mapped[int]
    cause: Mapped[str | None] = mapped_column(String(32))
    note: Mapped[str | None] = mapped_column(String(500))
    reporter_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"), index=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("items.id", ondelete="RESTRICT"), index=True)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow, index=True)
    source_update_id: Mapped[int | None] = mapped_column(BigInteger, unique=True)

    village: Mapped[Village] = relationship(lazy="joined", innerjoin=True)
    household: Mapped[Household | None] = relationship(lazy="selectin")
    steps: Mapped[list[ChangeStep]] = relationship(
        back_populates="change", lazy="selectin", cascade="all, delete-orphan", order_by="ChangeStep.id"
    )


class ChangeStep(Base):
    """One dated step of a household change through 两公示一公告 (who moved it, to which stage)."""

    __tablename__ = "household_change_steps"

    id: Mapped[int] = mapped_column(primary_key=True)
    change_id: Mapped[int] = mapped_column(ForeignKey("household_changes.id", ondelete="CASCADE"), index=True)
    stage: Mapped[ChangeStage] = mapped_column(_str_enum(ChangeStage, "change_step_stage"))
    at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    #: Audit notation of who moved it (`telegram:<id>`, `cli`).
    actor: Mapped[str] = mapped_column(String(64))
    note: Mapped[str | None] = mapped_column(String(500))

    change: Mapped[HouseholdChange] = relationship(back_populates="steps")


# --- Issue 6: broadcasts, the outbox every outgoing message goes through, deadlines and reminders ----


class AudienceKind(StrEnum):
    """Who a broadcast or a deadline's reminders reach (resolved from users and roles when sent)."""

    #: 全部 — every active user the bot knows.
    ALL = "all"
    #: 全部驻村干部.
    CADRES = "cadres"
    #: One township's people: its township officers and the cadres of its villages.
    TOWNSHIP = "township"
    #: 各责任单位 — staff of every responsible unit.
    UNITS = "units"
    #: 群众 — households who started the bot.
    HOUSEHOLDS = "households"


class BroadcastStatus(StrEnum):
    """A broadcast waits for its time, is delivered through the outbox, then is done and reported."""

    SCHEDULED = "scheduled"
    SENDING = "sending"
    DONE = "done"


class Broadcast(Base):
    """A notice from the poverty office to an audience, now or at a set time.

    The audience is resolved into outbox messages when the broadcast is released (at
    `scheduled_at`), so people registered in between are reached too.
    """

    __tablename__ = "broadcasts"

    id: Mapped[int] = mapped_column(primary_key=True)
    text: Mapped[str] = mapped_column(String(4096))
    audience: Mapped[AudienceKind] = mapped_column(_str_enum(AudienceKind, "audience_kind", 16))
    #: The township when `audience` is TOWNSHIP.
    township_id: Mapped[int | None] = mapped_column(ForeignKey("townships.id", ondelete="RESTRICT"))
    scheduled_at: Mapped[dt.datetime] = mapped_column(index=True)
    #: Who created it, in the audit log's actor notation (`telegram:<id>`, `cli`, `system`).
    created_by: Mapped[str] = mapped_column(String(64))
    #: Private chat the delivery report goes to; None for broadcasts nobody waits on (reminders).
    report_chat_id: Mapped[int | None] = mapped_column(BigInteger)
    status: Mapped[BroadcastStatus] = mapped_column(_str_enum(BroadcastStatus, "broadcast_status", 16), index=True)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    released_at: Mapped[dt.datetime | None]
    finished_at: Mapped[dt.datetime | None]
    #: How many people the audience held when released.
    recipients: Mapped[int | None]
    #: The Telegram update that confirmed it: a redelivered update finds this row instead of adding one.
    source_update_id: Mapped[int | None] = mapped_column(BigInteger, unique=True)

    township: Mapped[Township | None] = relationship(lazy="selectin")


class OutboxStatus(StrEnum):
    """pending → sending (claimed by a worker) → sent | failed; a 429 or network error goes back to pending."""

    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"


class FailureReason(StrEnum):
    """Why a message was given up."""

    #: 403: the person blocked the bot (they are marked inactive).
    BLOCKED = "blocked"
    #: Network errors on every attempt.
    NETWORK = "network"
    #: Telegram refused the message itself (400: chat not found, text too long…).
    REJECTED = "rejected"


class OutboxMessage(Base):
    """One message to send to one chat; every outgoing notice goes through here to be paced.

    A worker claims due rows (`pending`, `next_attempt_at` passed) by setting `sending`, sends,
    and records the outcome. See `services.outbox` for what a crash in between means.
    """

    __tablename__ = "outbox"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    chat_id: Mapped[int] = mapped_column(BigInteger, index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    text: Mapped[str] = mapped_column(String(4096))
    #: Telegram `reply_markup` as JSON (inline buttons of a routed task, say).
    reply_markup: Mapped[dict[str, Any] | None]
    broadcast_id: Mapped[int | None] = mapped_column(ForeignKey("broadcasts.id", ondelete="CASCADE"), index=True)
    status: Mapped[OutboxStatus] = mapped_column(_str_enum(OutboxStatus, "outbox_status", 16))
    #: Network attempts that failed; a 429 is not counted (the message was merely early).
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[dt.datetime]
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    #: When a worker took it, and which one (a row left `sending` by a dead worker is taken back).
    claimed_at: Mapped[dt.datetime | None]
    claimed_by: Mapped[str | None] = mapped_column(String(64))
    sent_at: Mapped[dt.datetime | None]
    telegram_message_id: Mapped[int | None] = mapped_column(BigInteger)
    failure: Mapped[FailureReason | None] = mapped_column(_str_enum(FailureReason, "failure_reason", 16))
    #: The last error as Telegram or the network put it (no personal data).
    error: Mapped[str | None] = mapped_column(String(300))
    #: The item whose card this message shows, and which card it is (`services.notices.Card`): every
    #: change of the item redraws each of its cards, so no copy shows a stale state.
    item_id: Mapped[int | None] = mapped_column(ForeignKey("items.id", ondelete="SET NULL"), index=True)
    card: Mapped[str | None] = mapped_column(String(16))
    #: A Telegram file_id: the message is that photo, with `text` as its caption.
    photo: Mapped[str | None] = mapped_column(String(256))
    #: Set on an edit: the row whose sent message this one rewrites (text and buttons) instead of
    #: sending a new message. It is claimed only once that row is sent.
    edit_of: Mapped[int | None] = mapped_column(BigId, ForeignKey("outbox.id", ondelete="CASCADE"), index=True)

    __table_args__ = (Index("ix_outbox_due", "status", "next_attempt_at"),)


class Deadline(Base):
    """A date the office registered (title, audience); reminders go out at `offsets` days before."""

    __tablename__ = "deadlines"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    due_date: Mapped[dt.date] = mapped_column(index=True)
    audience: Mapped[AudienceKind] = mapped_column(_str_enum(AudienceKind, "deadline_audience", 16))
    township_id: Mapped[int | None] = mapped_column(ForeignKey("townships.id", ondelete="RESTRICT"))
    #: Days before `due_date` a reminder goes out, e.g. [7, 1, 0].
    offsets: Mapped[list[int]] = mapped_column(JSON())
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    source_update_id: Mapped[int | None] = mapped_column(BigInteger, unique=True)

    township: Mapped[Township | None] = relationship(lazy="selectin")


class SentReminder(Base):
    """A reminder that went out; its unique `key` is what keeps a reminder from going out twice.

    Keys: `deadline:<id>:<offset>` for registered deadlines, `cadence:<name>:<date>:<offset>`
    for the plan's recurring duties.
    """

    __tablename__ = "sent_reminders"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(160), unique=True)
    deadline_id: Mapped[int | None] = mapped_column(ForeignKey("deadlines.id", ondelete="CASCADE"), index=True)
    due_date: Mapped[dt.date]
    offset_days: Mapped[int]
    #: The broadcast that carried it; None when a later reminder of the same date superseded it.
    broadcast_id: Mapped[int | None] = mapped_column(ForeignKey("broadcasts.id", ondelete="SET NULL"))
    sent_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class AskedQuestion(Base):
    """A household's question the plan did not answer, or answered with low confidence (kept 30 days).

    `text` is stored with names, 身份证号 and phone numbers masked; what was answered is kept
    beside it, so the office sees what the assistant said to whom it did not understand.
    """

    __tablename__ = "asked_questions"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    asked_at: Mapped[dt.datetime] = mapped_column(default=utcnow, index=True)
    text: Mapped[str] = mapped_column(String(600))
    matched: Mapped[bool]
    measure: Mapped[str | None] = mapped_column(String(32))
    confidence: Mapped[float] = mapped_column(Float())


class ReviewedPhrase(Base):
    """An everyday phrase the office attached to one entry of the plan; the engine reads them when built.

    `entry_key` is `policy_kb.index.Entry.key` (measure, kind and the fact's name, no figure).
    A phrase never holds a figure or a unit (`services.questions.check_phrase`).
    """

    __tablename__ = "reviewed_phrases"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Normalized (`policy_kb.textnorm.normalize`): one phrase points at one entry.
    phrase: Mapped[str] = mapped_column(String(40), unique=True)
    entry_key: Mapped[str] = mapped_column(String(300))
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class Plan(Base):
    """A plan text the office added, with the knowledge base built from it; one is in force at a time.

    None in force means the packaged plan serves. The text is kept as the source every answer
    cites; the knowledge base is kept as built, so that a plan in force never changes under its
    users when the builder does: a newer builder rebuilds it only when the office asks
    (`fupin kb rebuild N`, which lists what changes).
    """

    __tablename__ = "plans"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: The year the plan speaks for (its title's year, else the year it was issued).
    year: Mapped[int] = mapped_column(index=True)
    title: Mapped[str] = mapped_column(String(200))
    issuer: Mapped[str] = mapped_column(String(200))
    doc_number: Mapped[str] = mapped_column(String(100))
    issued: Mapped[dt.date]
    filename: Mapped[str] = mapped_column(String(200))
    sha256: Mapped[str] = mapped_column(String(64), unique=True)
    text: Mapped[str] = mapped_column(Text)
    kb_json: Mapped[str] = mapped_column(Text)
    #: How many warnings the builder gave (the office saw them when adding it).
    warnings: Mapped[int] = mapped_column(default=0)
    in_force: Mapped[bool] = mapped_column(default=False, index=True)
    added_by: Mapped[str] = mapped_column(String(64))
    added_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    #: When it was last put in force (None: never); a rollback returns to the latest one before.
    activated_at: Mapped[dt.datetime | None]


class UnitContact(Base):
    """How households reach a responsible unit: the plan names units, the office keeps their numbers.

    One row per unit, by the name the plan gives it (县人社局); a unit with no row is named in
    answers without a number.
    """

    __tablename__ = "unit_contacts"

    id: Mapped[int] = mapped_column(primary_key=True)
    unit: Mapped[str] = mapped_column(String(64), unique=True)
    phone: Mapped[str] = mapped_column(String(40), default="")
    address: Mapped[str] = mapped_column(String(100), default="")
    hours: Mapped[str] = mapped_column(String(60), default="")
    updated_by: Mapped[str] = mapped_column(String(64))
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
