"""Response and request bodies of the admin API (pydantic), built from the services' records."""

from __future__ import annotations

import datetime as dt

from pydantic import AwareDatetime, BaseModel, Field

from services.dashboard import BroadcastLine, Overview
from services.invites import InviteStatus, invite_link, invite_status
from services.items import STATE_LABELS
from services.models import (
    AudienceKind,
    BroadcastStatus,
    ChangeStage,
    FailureReason,
    Invite,
    Item,
    ItemKind,
    ItemState,
    Role,
    RoleKind,
    Township,
    User,
    Village,
)
from services.office import UnitItems, is_overdue
from services.progress import IndicatorProgress, share
from services.users import ROLE_LABELS


class RoleOut(BaseModel):
    """One role a user holds and what it is bound to."""

    kind: RoleKind
    label: str
    villages: list[str]
    township: str | None
    unit: str | None

    @classmethod
    def of(cls, role: Role) -> RoleOut:
        return cls(
            kind=role.kind,
            label=ROLE_LABELS[role.kind],
            villages=[v.full_name for v in role.villages],
            township=role.township.name if role.township else None,
            unit=role.unit,
        )


class UserOut(BaseModel):
    """A registered Telegram user."""

    id: int
    telegram_user_id: int
    display_name: str
    active: bool
    created_at: dt.datetime
    roles: list[RoleOut]

    @classmethod
    def of(cls, user: User) -> UserOut:
        return cls(
            id=user.id,
            telegram_user_id=user.telegram_user_id,
            display_name=user.display_name,
            active=user.active,
            created_at=user.created_at,
            roles=[RoleOut.of(r) for r in user.roles],
        )


class InviteIn(BaseModel):
    """An invite to issue: the role and what it binds (villages for 驻村干部, a township, a unit)."""

    role: RoleKind
    villages: list[str] = Field(default_factory=list, description="驻村干部：村名，或“乡镇/村名”")
    township: str | None = Field(default=None, description="乡镇干部：乡镇名")
    unit: str | None = Field(default=None, description="责任单位：方案中的单位名，如 县教育局")
    ttl_days: int | None = Field(default=None, ge=1, le=90, description="有效天数，默认 FUPIN_INVITE_TTL_DAYS")


class InviteOut(BaseModel):
    """An issued invite with its deep link."""

    id: int
    code: str
    link: str
    role: RoleKind
    role_label: str
    villages: list[str]
    township: str | None
    unit: str | None
    created_by: str
    created_at: dt.datetime
    expires_at: dt.datetime
    used_at: dt.datetime | None
    used_by_id: int | None
    status: InviteStatus

    @classmethod
    def of(cls, invite: Invite, *, bot_username: str, now: dt.datetime) -> InviteOut:
        return cls(
            id=invite.id,
            code=invite.code,
            link=invite_link(invite.code, bot_username=bot_username),
            role=invite.role,
            role_label=ROLE_LABELS[invite.role],
            villages=[v.full_name for v in invite.villages],
            township=invite.township.name if invite.township else None,
            unit=invite.unit,
            created_by=invite.created_by,
            created_at=invite.created_at,
            expires_at=invite.expires_at,
            used_at=invite.used_at,
            used_by_id=invite.used_by_id,
            status=invite_status(invite, now=now),
        )


class TownshipOut(BaseModel):
    """A township and how many villages are recorded in it."""

    id: int
    code: str
    name: str
    villages: int

    @classmethod
    def of(cls, township: Township, *, villages: int) -> TownshipOut:
        return cls(id=township.id, code=township.code, name=township.name, villages=villages)


class VillageOut(BaseModel):
    """A village, with its unambiguous `乡镇/村名`."""

    id: int
    name: str
    township: str
    full_name: str

    @classmethod
    def of(cls, village: Village) -> VillageOut:
        return cls(id=village.id, name=village.name, township=village.township.name, full_name=village.full_name)


class VillageIn(BaseModel):
    """One line of a village list."""

    township: str = Field(min_length=1)
    village: str = Field(min_length=1)


class VillagesIn(BaseModel):
    """A village list to import, all or nothing (lines are numbered from 1 in error messages)."""

    villages: list[VillageIn] = Field(min_length=1)


class ImportOut(BaseModel):
    """What an import did."""

    created: int
    existing: int


class ItemOut(BaseModel):
    """An item routed to a unit, with its state in words and whether it is late."""

    id: int
    kind: ItemKind
    measure_id: str
    title: str
    village: str
    owner_unit: str
    state: ItemState
    state_label: str
    created_at: dt.datetime
    due_date: dt.date
    overdue: bool
    return_reason: str | None
    participants: list[str]

    @classmethod
    def of(cls, item: Item, *, today: dt.date) -> ItemOut:
        return cls(
            id=item.id,
            kind=item.kind,
            measure_id=item.measure_id,
            title=item.title,
            village=item.village.full_name,
            owner_unit=item.owner_unit,
            state=item.state,
            state_label=STATE_LABELS[item.state],
            created_at=item.created_at,
            due_date=item.due_date,
            overdue=is_overdue(item, today=today),
            return_reason=item.return_reason,
            participants=item.participants,
        )


class TownshipProgressOut(BaseModel):
    """What one township has done towards a county target."""

    township: str
    done: float
    #: Share of the county-wide target, in percent.
    percent: float


class ProgressOut(BaseModel):
    """One target of the plan and how much of it is done."""

    measure_id: str
    measure_title: str
    indicator: str
    label: str
    unit: str
    target: float
    done: float
    percent: float
    at_least: bool
    by_township: list[TownshipProgressOut]
    #: Set village by village: each village's figure and unit (`target`, `done` count villages).
    each: float | None = None
    each_unit: str = ""

    @classmethod
    def of(cls, p: IndicatorProgress) -> ProgressOut:
        return cls(
            measure_id=p.measure,
            measure_title=p.measure_title,
            indicator=p.indicator,
            label=p.label or p.indicator,
            unit=p.unit,
            target=p.target,
            done=p.done,
            percent=p.percent,
            at_least=p.at_least,
            by_township=[
                TownshipProgressOut(township=name, done=done, percent=share(done, p.target))
                for name, done in p.by_township.items()
            ],
            each=p.each,
            each_unit=p.each_unit,
        )


class UnitItemsOut(BaseModel):
    """Items of one lead unit by state, and how many open ones are overdue."""

    unit: str
    new: int
    accepted: int
    done: int
    returned: int
    open: int
    overdue: int

    @classmethod
    def of(cls, u: UnitItems) -> UnitItemsOut:
        counts = {state.value: u.by_state.get(state, 0) for state in ItemState}
        return cls(unit=u.unit, open=u.open, overdue=u.overdue, **counts)


class StageCountOut(BaseModel):
    """Household changes waiting in one stage of 两公示一公告."""

    stage: ChangeStage
    label: str
    count: int


class FailedDeliveryOut(BaseModel):
    """Someone a broadcast did not reach (name masked) and why."""

    name: str
    reason: FailureReason
    reason_label: str


class BroadcastOut(BaseModel):
    """A broadcast and its delivery: sent, failed (with reasons), still pending."""

    id: int
    text: str
    audience_label: str
    status: BroadcastStatus
    scheduled_at: dt.datetime
    created_by: str
    recipients: int
    sent: int
    failed: int
    pending: int
    failures: list[FailedDeliveryOut]

    @classmethod
    def of(cls, line: BroadcastLine) -> BroadcastOut:
        r = line.report
        return cls(
            id=r.broadcast_id,
            text=r.text,
            audience_label=r.audience,
            status=r.status,
            scheduled_at=line.scheduled_at,
            created_by=line.created_by,
            recipients=r.recipients,
            sent=r.delivered,
            failed=len(r.failed),
            pending=r.pending,
            failures=[FailedDeliveryOut(name=f.name, reason=f.reason, reason_label=f.reason_label) for f in r.failed],
        )


class BroadcastIn(BaseModel):
    """A notice to send now or at a set time."""

    text: str = Field(min_length=1, max_length=4096)
    audience: AudienceKind
    township: str | None = Field(default=None, description="对象为 township（一个乡镇）时：乡镇名")
    scheduled_at: AwareDatetime | None = Field(default=None, description="发送时间（带时区）；省略则立即发送")


class QuietVillageOut(BaseModel):
    """A village with a cadre and no report in the last 30 days; `last_report` null: never."""

    township: str
    village: str
    last_report: AwareDatetime | None


class DashboardOut(BaseModel):
    """Everything the dashboard shows."""

    generated_at: dt.datetime
    today: dt.date
    progress: list[ProgressOut]
    #: Reports on targets of an earlier plan that the plan in force no longer sets (target 0).
    superseded: list[ProgressOut]
    units: list[UnitItemsOut]
    changes: list[StageCountOut]
    broadcasts: list[BroadcastOut]
    #: The most overdue open items (at most 20), with the unit they lie with.
    overdue: list[ItemOut]
    quiet_villages: list[QuietVillageOut]

    @classmethod
    def of(cls, o: Overview) -> DashboardOut:
        return cls(
            generated_at=o.generated_at,
            today=o.today,
            progress=[ProgressOut.of(p) for p in o.progress],
            superseded=[ProgressOut.of(p) for p in o.superseded],
            units=[UnitItemsOut.of(u) for u in o.units],
            changes=[StageCountOut(stage=c.stage, label=c.label, count=c.count) for c in o.changes],
            broadcasts=[BroadcastOut.of(b) for b in o.broadcasts],
            overdue=[ItemOut.of(i, today=o.today) for i in o.overdue],
            quiet_villages=[
                QuietVillageOut(township=q.township, village=q.village, last_report=q.last_report) for q in o.quiet
            ],
        )
