"""The plans the office adds, and which one is in force.

Plans are annual: next spring the county issues its 2019 plan. The office adds it (built and kept
with its warnings, nothing changes yet), reads what differs from the plan in force, then puts it in
force; a rollback returns to the plan in force before. Every step is audited. With no plan added,
the packaged 2018 plan serves, as it always has.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from functools import partial

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from policy_kb.builder import PlanParseError, build_kb_with_report, text_sha256
from policy_kb.diff import Change, carry_identity, diff_kbs
from policy_kb.loader import load_kb
from policy_kb.report import BuildWarning
from policy_kb.schema import KnowledgeBase
from services import audit
from services.errors import Conflict, InvalidInput, NotFound
from services.models import Plan, utcnow
from services.reloads import request_reload

PLAN_UNREADABLE = "无法读取这份方案：{reason}"
PLAN_TAKEN = "这份方案已经添加过（第 {id} 号，{year} 年）。"
PLAN_UNKNOWN = "没有第 {id} 号方案。"
PLAN_ALREADY_IN_FORCE = "第 {id} 号方案已在执行，无需再次启用。"
NOTHING_TO_ROLL_BACK = "没有可以退回的上一份方案。"


@dataclass(frozen=True)
class AddedPlan:
    """A plan just added: its record, and what differs from the plan in force."""

    plan: Plan
    kb: KnowledgeBase
    warnings: list[BuildWarning]
    changes: list[Change]


async def add_plan(*, session: AsyncSession, text: str, filename: str, actor: str) -> AddedPlan:
    """Build and keep a plan text, not yet in force; audited. A measure it renames keeps the id it
    has in the plan in force (`carry_identity`).

    Raises:
        InvalidInput: the text is not a plan of the genre (the builder's reason is given).
        Conflict: the same text was added before.
    """
    kb, warnings = await _build(text, filename)
    sha = text_sha256(text)
    taken = await session.scalar(select(Plan).where(Plan.sha256 == sha))
    if taken is not None:
        raise Conflict(PLAN_TAKEN.format(id=taken.id, year=taken.year))
    in_force = await kb_in_force(session=session)
    kb = carry_identity(in_force, kb)
    plan = Plan(
        year=kb.source.year,
        title=kb.source.title[:200],
        issuer=kb.source.issuer[:200],
        doc_number=kb.source.doc_number[:100],
        issued=kb.source.date,
        filename=filename[:200],
        sha256=sha,
        text=text,
        kb_json=kb.model_dump_json(),
        warnings=len(warnings),
        in_force=False,
        added_by=actor,
        activated_at=None,
    )
    session.add(plan)
    await session.flush()
    await audit.record(session, actor=actor, action="plan.add", subject=f"plan:{plan.id}", after=_summary(plan))
    return AddedPlan(plan, kb, warnings, diff_kbs(in_force, kb))


async def rebuild_plan(*, session: AsyncSession, plan_id: int, actor: str) -> AddedPlan:
    """Build a stored plan's text again with this version's builder (after an upgrade that reads
    the genre better), keeping its measures' ids; audited, and every bot reloads when it is in
    force. The changes are from the plan as it was stored.

    Raises:
        NotFound: no such plan.
    """
    plan = await session.get(Plan, plan_id)
    if plan is None:
        raise NotFound(PLAN_UNKNOWN.format(id=plan_id))
    before = KnowledgeBase.model_validate_json(plan.kb_json)
    kb, warnings = await _build(plan.text, plan.filename)
    kb = carry_identity(before, kb)
    plan.kb_json, plan.warnings = kb.model_dump_json(), len(warnings)
    await session.flush()
    changes = diff_kbs(before, kb)
    await audit.record(
        session, actor=actor, action="plan.rebuild", subject=f"plan:{plan.id}", after={"changes": len(changes)}
    )
    if plan.in_force:
        await request_reload(session=session, actor=actor)
    return AddedPlan(plan, kb, warnings, changes)


async def list_plans(*, session: AsyncSession) -> list[Plan]:
    """Every plan added, newest year first."""
    return list(await session.scalars(select(Plan).order_by(Plan.year.desc(), Plan.id.desc())))


async def activate(*, session: AsyncSession, plan_id: int, actor: str) -> Plan:
    """Put plan `plan_id` in force (the one in force before steps back); audited, and every bot reloads.

    Raises:
        NotFound: no such plan.
        Conflict: it is in force already.
    """
    plan = await session.get(Plan, plan_id)
    if plan is None:
        raise NotFound(PLAN_UNKNOWN.format(id=plan_id))
    if plan.in_force:
        raise Conflict(PLAN_ALREADY_IN_FORCE.format(id=plan_id))
    before = await _in_force_row(session)
    if before is not None:
        before.in_force = False
    plan.in_force = True
    plan.activated_at = utcnow()
    await _switched(session, actor=actor, action="plan.activate", subject=plan, before=before, after=plan)
    return plan


async def roll_back(*, session: AsyncSession, actor: str) -> Plan | None:
    """Return to the plan in force before the current one (None: back to the packaged plan);
    audited, and every bot reloads.

    Raises:
        Conflict: no plan is in force, so there is nothing to roll back.
    """
    current = await _in_force_row(session)
    if current is None:
        raise Conflict(NOTHING_TO_ROLL_BACK)
    previous = await session.scalar(
        select(Plan)
        .where(Plan.id != current.id, Plan.activated_at.is_not(None), Plan.activated_at <= current.activated_at)
        .order_by(Plan.activated_at.desc())
        .limit(1)
    )
    current.in_force = False
    if previous is not None:
        previous.in_force = True
        previous.activated_at = utcnow()
    await _switched(session, actor=actor, action="plan.rollback", subject=current, before=current, after=previous)
    return previous


async def kb_in_force(*, session: AsyncSession) -> KnowledgeBase:
    """The knowledge base of the plan in force: the office's, else the packaged plan."""
    return await in_force_plan(session=session) or load_kb()


async def in_force_plan(*, session: AsyncSession) -> KnowledgeBase | None:
    """The knowledge base of the plan the office put in force; None while the packaged plan serves."""
    row = await _in_force_row(session)
    return KnowledgeBase.model_validate_json(row.kb_json) if row is not None else None


async def other_years_plans(*, session: AsyncSession) -> dict[int, KnowledgeBase]:
    """The plan of every other year the office added (the latest added of a year; the packaged plan
    for its year when an added plan is in force), for questions that name their year."""
    rows = list(await session.scalars(select(Plan).where(Plan.in_force.is_(False)).order_by(Plan.id)))
    plans = {row.year: KnowledgeBase.model_validate_json(row.kb_json) for row in rows}
    if await _in_force_row(session) is not None:
        packaged = load_kb()
        plans.setdefault(packaged.source.year, packaged)
    return plans


async def _build(text: str, filename: str) -> tuple[KnowledgeBase, list[BuildWarning]]:
    try:
        # Off the event loop: a plan takes a tenth of a second to build, and households keep asking.
        return await asyncio.to_thread(partial(build_kb_with_report, text, filename=filename))
    except PlanParseError as exc:
        raise InvalidInput(PLAN_UNREADABLE.format(reason=exc)) from exc


async def _in_force_row(session: AsyncSession) -> Plan | None:
    return await session.scalar(select(Plan).where(Plan.in_force.is_(True)))


async def _switched(
    session: AsyncSession, *, actor: str, action: str, subject: Plan, before: Plan | None, after: Plan | None
) -> None:
    """Audit a change of the plan in force, and ask every running bot to answer from the new one."""
    await session.flush()
    await audit.record(
        session,
        actor=actor,
        action=action,
        subject=f"plan:{subject.id}",
        before=_summary(before) if before else None,
        after=_summary(after) if after else None,
    )
    await request_reload(session=session, actor=actor)


def _summary(plan: Plan) -> dict[str, str | int]:
    """What the audit log keeps of a plan (not its text)."""
    return {"year": plan.year, "doc_number": plan.doc_number, "title": plan.title, "issued": plan.issued.isoformat()}
