"""`/api/plans`: the office adds next year's plan, reads its warnings and differences, and puts it in force.

Adding keeps the plan without changing anything (the response is the preview: counts, warnings
with their lines, and every difference from the plan in force); activating and rolling back are
audited and rebuild this process's engine at once (other bots within 30 s). A text that is no plan
is a 422 with the builder's Chinese reason; the same text twice is a 409.
"""

from __future__ import annotations

import datetime as dt

from fastapi import APIRouter, Request
from pydantic import BaseModel, ConfigDict, Field

from bot.http.deps import OfficeDep, SessionDep, reload_now
from services.plans import activate, add_plan, list_plans, roll_back

router = APIRouter(tags=["plans"])

#: The largest plan text accepted (the 2018 plan is 14,000 characters).
MAX_PLAN_CHARS = 200_000


class PlanIn(BaseModel):
    """A plan's text, as the county issued it (UTF-8), and the file it came from."""

    text: str = Field(min_length=1, max_length=MAX_PLAN_CHARS)
    filename: str = Field(default="plan.txt", max_length=200)


class PlanOut(BaseModel):
    """A plan added: its year, number, date and whether it is in force."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    year: int
    title: str
    doc_number: str
    issued: dt.date
    warnings: int
    in_force: bool


class WarningOut(BaseModel):
    line: int
    kind: str
    text: str


class ChangeOut(BaseModel):
    kind: str
    measure: str
    what: str
    old: str
    new: str


class PreviewOut(BaseModel):
    """What the office reads before putting a plan in force."""

    plan: PlanOut
    measures: int
    targets: int
    benefits: int
    warnings: list[WarningOut]
    changes: list[ChangeOut]


@router.get("/plans", response_model=list[PlanOut])
async def plans(session: SessionDep, office: OfficeDep) -> list[PlanOut]:
    """The plans added, newest year first; `in_force` marks the one households are answered from."""
    return [PlanOut.model_validate(p) for p in await list_plans(session=session)]


@router.post("/plans", response_model=PreviewOut, status_code=201)
async def add(body: PlanIn, session: SessionDep, office: OfficeDep) -> PreviewOut:
    """Keep a plan (not in force) and preview it: counts, warnings and differences (audited)."""
    added = await add_plan(session=session, text=body.text, filename=body.filename, actor=office.actor)
    return PreviewOut(
        plan=PlanOut.model_validate(added.plan),
        measures=len(added.kb.measures),
        targets=sum(len(m.targets) for m in added.kb.measures),
        benefits=sum(len(m.benefits) for m in added.kb.measures),
        warnings=[WarningOut(**vars(w)) for w in added.warnings],
        changes=[ChangeOut(**vars(c)) for c in added.changes],
    )


@router.post("/plans/{plan_id}/activate", response_model=PlanOut)
async def put_in_force(plan_id: int, request: Request, session: SessionDep, office: OfficeDep) -> PlanOut:
    """Put a plan in force (audited); this process answers from it at once, other bots within 30 s."""
    out = PlanOut.model_validate(await activate(session=session, plan_id=plan_id, actor=office.actor))
    await reload_now(request, session)
    return out


@router.post("/plans/rollback", response_model=PlanOut | None)
async def rollback(request: Request, session: SessionDep, office: OfficeDep) -> PlanOut | None:
    """Return to the plan in force before (null: the packaged plan); audited, reloaded as activation."""
    plan = await roll_back(session=session, actor=office.actor)
    out = PlanOut.model_validate(plan) if plan is not None else None
    await reload_now(request, session)
    return out
