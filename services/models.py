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
    ForeignKey,
    Integer,
    MetaData,
    String,
    Table,
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


def _role_kind_type() -> Enum:
    # Stored as VARCHAR + CHECK rather than a native PostgreSQL enum: adding a kind later is then
    # an ordinary batch migration on both backends.
    return Enum(
        RoleKind,
        name="role_kind",
        native_enum=False,
        create_constraint=True,
        length=16,
        values_callable=lambda kinds: [k.value for k in kinds],
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
    kind: Mapped[RoleKind] = mapped_column(_role_kind_type())
    township_id: Mapped[int | None] = mapped_column(
        ForeignKey("townships.id", ondelete="RESTRICT"), index=True
    )
    unit: Mapped[str | None] = mapped_column(String(64), index=True)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    user: Mapped[User] = relationship(back_populates="roles")
    township: Mapped[Township | None] = relationship(lazy="selectin")
    villages: Mapped[list[Village]] = relationship(
        secondary=role_villages, lazy="selectin", order_by="Village.id"
    )


class Invite(Base):
    """A single-use, expiring code that registers whoever redeems it in a role."""

    __tablename__ = "invites"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    role: Mapped[RoleKind] = mapped_column(_role_kind_type())
    township_id: Mapped[int | None] = mapped_column(ForeignKey("townships.id", ondelete="RESTRICT"))
    unit: Mapped[str | None] = mapped_column(String(64))
    #: Who issued it, in the audit log's actor notation (e.g. `cli`, `user:3`).
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[dt.datetime]
    used_at: Mapped[dt.datetime | None]
    used_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    township: Mapped[Township | None] = relationship(lazy="selectin")
    villages: Mapped[list[Village]] = relationship(
        secondary=invite_villages, lazy="selectin", order_by="Village.id"
    )
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
    """

    __tablename__ = "bot_state"

    namespace: Mapped[str] = mapped_column(String(64), primary_key=True)
    key: Mapped[str] = mapped_column(String(128), primary_key=True)
    data: Mapped[Any] = mapped_column(JSON())
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)


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
