"""The office learns what people ask: questions the plan answered badly, and the phrases it reviews.

Every question the engine leaves unanswered, or answers with low confidence, is kept 30 days with
names, 身份证号 and phone numbers masked, beside what was answered. The office reads them grouped
by similarity and may attach a group's wording to one entry of the plan as a reviewed everyday
phrase. Phrases live in the database (not in the packaged `colloquial.json`): the office adds them
without a release, every process reads the same ones when it builds its engine, and each one is
audited. A phrase never carries a figure or a unit, so the plan's text stays the only source of
what the assistant says; the phrase only says which of the plan's facts a wording is about.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import partial

from rapidfuzz import fuzz
from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from policy_kb.intent import asked_years
from policy_kb.numbers import UNITS, find_quantities
from policy_kb.qa import Engine, build_engine, load_engine
from policy_kb.results import Answer
from policy_kb.textnorm import normalize
from services import audit
from services.db import session_scope
from services.directory import Contact, contacts_by_unit
from services.errors import Conflict, InvalidInput, NotFound
from services.masking import mask_personal_text
from services.models import AskedQuestion, ReviewedPhrase, utcnow
from services.plans import in_force_plan, other_years_plans
from services.reloads import last_request

#: How long an asked question is kept.
KEEP_DAYS = 30
#: Below this confidence an answer counts as unsure (the engine then offers "did you mean").
LOW_CONFIDENCE = 0.5
#: Two questions are in one group when their normalized texts are this similar (rapidfuzz 0–100).
GROUP_SIMILARITY = 60
#: Longest question kept (the bot answers at most 500 characters).
MAX_KEPT = 600
#: Shortest and longest reviewed phrase, in characters once normalized.
PHRASE_MIN, PHRASE_MAX = 2, 20
#: Arabic digits, or a run of two Chinese numerals (四万, 两千): a phrase with one names a figure. A
#: single 一 or 百 is left alone, since 一起 and 老百姓 are words.
_FIGURE_CHARS = re.compile(r"[0-9０-９]+|[〇零一二两三四五六七八九十百千万亿]{2,}")
#: Money and measures people write besides the plan's own units (块钱, 毛…).
EVERYDAY_UNITS: tuple[str, ...] = ("块", "毛", "万元", "%", "％", "百分")

PHRASE_EMPTY = "短语不能为空，请输入群众的说法，例如“房子漏雨”。"
PHRASE_LENGTH = "短语须为 {low}–{high} 个字（现为 {length} 个字），请只保留群众的关键说法。"
PHRASE_FIGURE = "短语不能包含数字或金额（“{part}”）：数额只能来自实施方案原文，请删去后再试。"
PHRASE_UNIT = "短语不能包含计量单位（“{part}”）：单位只能来自实施方案原文，请删去后再试。"
PHRASE_TAKEN = "短语“{phrase}”已对应条目 {key}，请先确认是否重复。"
PHRASE_UNKNOWN = "没有审定的说法“{phrase}”；可用 fupin questions phrases 查看。"
ENTRY_UNKNOWN = "没有条目 {key}；可用 fupin questions entries 查看条目编号。"


@dataclass(frozen=True)
class QuestionGroup:
    """Similar questions: their wording (the most asked one first), how often, and what they got."""

    wording: str
    texts: list[str]
    count: int
    last_asked: dt.datetime
    #: What was answered most often: the measure (None: not covered) and whether it was matched.
    measure: str | None
    matched: bool
    confidence: float


@dataclass(frozen=True)
class EntryChoice:
    """An entry the office may attach a phrase to: its key and what it says."""

    key: str
    measure: str | None
    statement: str


def is_unsure(answer: Answer) -> bool:
    """An answer worth the office's eyes: not covered, or covered with low confidence."""
    return not answer.matched or answer.confidence < LOW_CONFIDENCE


async def keep_if_unsure(
    *,
    session: AsyncSession,
    question: str,
    answer: Answer,
    names: Iterable[str] = (),
    now: dt.datetime | None = None,
) -> bool:
    """Keep `question` (masked, `names` too) with what was answered, when the answer was unsure; True when kept."""
    if not is_unsure(answer):
        return False
    session.add(
        AskedQuestion(
            asked_at=now or utcnow(),
            text=mask_personal_text(question.strip(), names=names)[:MAX_KEPT],
            matched=answer.matched,
            measure=answer.measure,
            confidence=answer.confidence,
        )
    )
    await session.flush()
    return True


async def purge_old(*, session: AsyncSession, now: dt.datetime | None = None) -> int:
    """Delete questions older than `KEEP_DAYS`; returns how many went."""
    cutoff = (now or utcnow()) - dt.timedelta(days=KEEP_DAYS)
    result = await session.execute(delete(AskedQuestion).where(AskedQuestion.asked_at < cutoff))
    return int(result.rowcount or 0)  # type: ignore[attr-defined]  # typed Result; DML returns a CursorResult


async def question_groups(*, session: AsyncSession, now: dt.datetime | None = None) -> list[QuestionGroup]:
    """The last `KEEP_DAYS` days' questions grouped by similarity, the most asked group first.

    Greedy: each question joins the first group whose first wording it resembles
    (`fuzz.ratio` on normalized text, so 全角/繁体/punctuation do not split groups), else starts one.
    """
    cutoff = (now or utcnow()) - dt.timedelta(days=KEEP_DAYS)
    rows = (
        await session.scalars(
            select(AskedQuestion).where(AskedQuestion.asked_at >= cutoff).order_by(AskedQuestion.asked_at)
        )
    ).all()
    buckets: list[tuple[str, list[AskedQuestion]]] = []
    for row in rows:
        key = normalize(row.text)
        for head, members in buckets:
            if fuzz.ratio(key, head) >= GROUP_SIMILARITY:
                members.append(row)
                break
        else:
            buckets.append((key, [row]))
    groups = [_group(members) for _, members in buckets]
    groups.sort(key=lambda g: (-g.count, -g.last_asked.timestamp()))
    return groups


def _group(members: list[AskedQuestion]) -> QuestionGroup:
    texts = Counter(m.text for m in members)
    answered = Counter((m.measure, m.matched) for m in members)
    (measure, matched), _ = answered.most_common(1)[0]
    return QuestionGroup(
        wording=texts.most_common(1)[0][0],
        texts=[t for t, _ in texts.most_common()],
        count=len(members),
        last_asked=max(m.asked_at for m in members),
        measure=measure,
        matched=matched,
        confidence=round(sum(m.confidence for m in members) / len(members), 2),
    )


def check_phrase(phrase: str) -> str:
    """The phrase normalized, or `InvalidInput` when it is empty, too long, or holds a figure or a unit.

    Units are refused as the plan writes them after a figure (元, 公里, 户…) only where they stand
    as a unit — right after a figure — or as money people write (块, 毛); 户 in 贫困户 is a word.
    """
    text = normalize(phrase)
    if not text:
        raise InvalidInput(PHRASE_EMPTY)
    if not PHRASE_MIN <= len(text) <= PHRASE_MAX:
        raise InvalidInput(PHRASE_LENGTH.format(low=PHRASE_MIN, high=PHRASE_MAX, length=len(text)))
    figures = [q.text for q in find_quantities(text)] + _FIGURE_CHARS.findall(text)
    if figures:
        raise InvalidInput(PHRASE_FIGURE.format(part=figures[0]))
    unit = next((u for u in (*EVERYDAY_UNITS, *_MONEY_AND_MEASURES) if u in text), None)
    if unit is not None:
        raise InvalidInput(PHRASE_UNIT.format(part=unit))
    return text


#: The plan's units that never occur inside an everyday word of this genre (公里, 平方米, 元…); the
#: one-character counters (户, 人, 个…) are words too and are refused only after a figure, above.
_MONEY_AND_MEASURES: tuple[str, ...] = tuple(u for u in UNITS if len(u) > 1 or u in ("元", "亩", "吨"))


def entry_choices(engine: Engine) -> list[EntryChoice]:
    """Every entry of the engine's plan, in plan order, for the office to pick from."""
    return [EntryChoice(e.key, e.measure.id if e.measure else None, e.statement) for e in engine.index.entries]


async def attach_phrase(
    *, session: AsyncSession, phrase: str, entry_key: str, engine: Engine, actor: str
) -> ReviewedPhrase:
    """Attach a reviewed everyday phrase to one entry of the plan, audited.

    The engine answers with it once rebuilt (`Answerer.reload`, `fupin kb reload`, or a restart).

    Raises:
        InvalidInput: the phrase is empty, too long, or holds a figure or a unit.
        NotFound: the plan has no entry `entry_key`.
        Conflict: the phrase already points at an entry.
    """
    text = check_phrase(phrase)
    if entry_key not in {e.key for e in engine.index.entries}:
        raise NotFound(ENTRY_UNKNOWN.format(key=entry_key))
    taken = await session.scalar(select(ReviewedPhrase).where(ReviewedPhrase.phrase == text))
    if taken is not None:
        raise Conflict(PHRASE_TAKEN.format(phrase=text, key=taken.entry_key))
    row = ReviewedPhrase(phrase=text, entry_key=entry_key, created_by=actor)
    session.add(row)
    await session.flush()
    await audit.record(
        session,
        actor=actor,
        action="phrase.attach",
        subject=f"phrase:{row.id}",
        after={"phrase": text, "entry": entry_key},
    )
    return row


async def detach_phrase(*, session: AsyncSession, phrase: str, actor: str) -> str:
    """Take a reviewed phrase back (audited); the engine forgets it after a reload. Returns its entry key.

    Raises:
        NotFound: no such phrase.
    """
    text = normalize(phrase)
    row = await session.scalar(select(ReviewedPhrase).where(ReviewedPhrase.phrase == text))
    if row is None:
        raise NotFound(PHRASE_UNKNOWN.format(phrase=text))
    await session.delete(row)
    await audit.record(
        session,
        actor=actor,
        action="phrase.detach",
        subject=f"phrase:{row.id}",
        before={"phrase": row.phrase, "entry": row.entry_key},
    )
    return row.entry_key


async def reviewed_phrases(*, session: AsyncSession) -> dict[str, str]:
    """Every reviewed phrase -> its entry key, as `policy_kb.index.build_index` takes them."""
    rows = await session.scalars(select(ReviewedPhrase).order_by(ReviewedPhrase.id))
    return {r.phrase: r.entry_key for r in rows}


@dataclass
class Answerer:
    """The engine a process answers with, rebuilt with the office's phrases (and its directory of
    units) on a reload.

    Answering stays synchronous (handlers call `answer` in the event loop); a reload builds a new
    engine off the loop and swaps it in with one assignment, so a question is answered by the old
    engine or the new one, never half of each.
    """

    engine: Engine
    #: How many reviewed phrases the engine knows.
    phrases: int = 0
    #: The reload request this engine already honours (None: none was ever made).
    requested: str | None = None
    #: Engines of the other years' plans, for a question that names its year ("2018年危房补多少").
    by_year: dict[int, Engine] = field(default_factory=dict)
    #: The office's directory of units, by unit: every answer naming a unit gives its number.
    contacts: dict[str, Contact] = field(default_factory=dict)

    @classmethod
    async def load(cls, sessionmaker: async_sessionmaker[AsyncSession]) -> Answerer:
        """The engine of the plan in force with the phrases stored now (at start-up, or on a reload)."""
        async with session_scope(sessionmaker) as session:
            phrases = await reviewed_phrases(session=session)
            requested = await last_request(session=session)
            kb = await in_force_plan(session=session)
            others = await other_years_plans(session=session)
            contacts = await contacts_by_unit(session=session)
        # The packaged plan without phrases: the process's cached engine serves (routing shares it).
        if kb is None and not phrases:
            engine = await asyncio.to_thread(load_engine)
        else:
            engine = await asyncio.to_thread(partial(build_engine, None, phrases, kb=kb))
        by_year = {
            year: await asyncio.to_thread(partial(build_engine, None, phrases, kb=other))
            for year, other in others.items()
            if year != engine.plan_year
        }
        return cls(engine, len(phrases), requested, by_year, contacts)

    def answer(self, question: str) -> Answer:
        """The answer of the plan in force, or of the plan of the year the question names."""
        engine = next((self.by_year[y] for y in asked_years(question) if y in self.by_year), self.engine)
        return engine.answer(question)

    async def reload(self, sessionmaker: async_sessionmaker[AsyncSession]) -> int:
        """Rebuild the engine with the stored phrases now; returns how many phrases it knows."""
        fresh = await Answerer.load(sessionmaker)
        self.phrases, self.requested, self.by_year = fresh.phrases, fresh.requested, fresh.by_year
        self.contacts = fresh.contacts
        self.engine = fresh.engine
        return self.phrases

    async def reload_if_requested(self, sessionmaker: async_sessionmaker[AsyncSession]) -> bool:
        """Rebuild when someone asked for a reload (`request_reload`) since this engine was built."""
        async with session_scope(sessionmaker) as session:
            requested = await last_request(session=session)
        if requested is None or requested == self.requested:
            return False
        await self.reload(sessionmaker)
        return True
