"""`/api/questions` and `/api/kb/reload`: what households asked that the plan answered badly, and the fix.

The office reads the groups, attaches a group's wording to an entry as a reviewed phrase, and
reloads the engine; refusals (a figure, a unit, an unknown entry) come back as 422/404/409 with
the Chinese message.
"""

from __future__ import annotations

import datetime as dt

from fastapi import APIRouter, Request
from pydantic import BaseModel, Field

from bot.http.deps import AnswererDep, OfficeDep, SessionDep, reload_now
from services.questions import attach_phrase, detach_phrase, entry_choices, question_groups, reviewed_phrases
from services.reloads import request_reload

router = APIRouter(tags=["questions"])


class QuestionGroupOut(BaseModel):
    """Similar questions, their count and what they got."""

    wording: str
    texts: list[str]
    count: int
    last_asked: dt.datetime
    measure: str | None
    #: The measure's title in the plan in force (None when no plan in force has that measure).
    measure_title: str | None = None
    matched: bool
    confidence: float


class EntryOut(BaseModel):
    """An entry of the plan a phrase can be attached to."""

    key: str
    measure: str | None
    statement: str


class PhraseIn(BaseModel):
    """A reviewed everyday phrase for one entry (no figure, no unit)."""

    phrase: str = Field(max_length=100)
    entry: str = Field(max_length=300)


class PhraseOut(BaseModel):
    phrase: str
    entry: str


class ReloadOut(BaseModel):
    """How many reviewed phrases the engine now knows."""

    phrases: int


@router.get("/questions", response_model=list[QuestionGroupOut])
async def groups(session: SessionDep, answerer: AnswererDep, office: OfficeDep) -> list[QuestionGroupOut]:
    """The last 30 days' unanswered and unsure questions (masked), grouped by similarity, most asked
    first; each with its measure's title, which the office reads (the id is for `fupin` commands)."""
    titles = {m.id: m.title for m in answerer.engine.index.kb.measures}
    return [
        QuestionGroupOut(**vars(g), measure_title=titles.get(g.measure or ""))
        for g in await question_groups(session=session)
    ]


@router.get("/questions/entries", response_model=list[EntryOut])
async def entries(answerer: AnswererDep, office: OfficeDep) -> list[EntryOut]:
    """Every entry of the plan in force, with the key a phrase is attached by."""
    return [EntryOut(**vars(e)) for e in entry_choices(answerer.engine)]


@router.post("/questions/phrases", response_model=PhraseOut, status_code=201)
async def attach(body: PhraseIn, answerer: AnswererDep, session: SessionDep, office: OfficeDep) -> PhraseOut:
    """Attach a phrase to an entry (audited); the engine uses it after `POST /api/kb/reload`."""
    row = await attach_phrase(
        session=session, phrase=body.phrase, entry_key=body.entry, engine=answerer.engine, actor=office.actor
    )
    return PhraseOut(phrase=row.phrase, entry=row.entry_key)


@router.get("/questions/phrases", response_model=list[PhraseOut])
async def phrases(session: SessionDep, office: OfficeDep) -> list[PhraseOut]:
    """The reviewed phrases and their entries, oldest first."""
    return [PhraseOut(phrase=p, entry=e) for p, e in (await reviewed_phrases(session=session)).items()]


@router.delete("/questions/phrases/{phrase}", status_code=204)
async def detach(phrase: str, session: SessionDep, office: OfficeDep) -> None:
    """Take a phrase back (audited; 404 when there is none); the engine forgets it after a reload."""
    await detach_phrase(session=session, phrase=phrase, actor=office.actor)


@router.post("/kb/reload", response_model=ReloadOut)
async def reload(request: Request, session: SessionDep, office: OfficeDep) -> ReloadOut:
    """Rebuild this process's engine with the stored phrases now, and ask every other bot to (audited)."""
    await request_reload(session=session, actor=office.actor)
    return ReloadOut(phrases=await reload_now(request, session))
