"""The office learns what people ask: unsure questions kept masked, grouped, and fixed with a reviewed phrase."""

from __future__ import annotations

import asyncio
import datetime as dt
import json

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.cli import main
from policy_kb.qa import build_engine, load_engine
from services import audit, questions, reloads
from services.db import session_scope
from services.errors import Conflict, InvalidInput, NotFound
from services.models import AskedQuestion, utcnow

#: A roof "letting the light through" is a house about to fall: the plan calls it D级危房.
ROOF = "屋顶透亮了能给修不"
ROOF_PHRASE = "屋顶透亮"
HOUSING_GRANT = "m06300403/benefit/D级危房改造补助"
HOUSING_FIGURE = "40000 元"


async def fupin(*argv: str) -> int:
    """Run the CLI as a console script would; in a thread, because it runs its own event loop."""
    return await asyncio.to_thread(main, list(argv))


# --- the engine ------------------------------------------------------------------------------------


def test_an_unmatched_question_is_not_covered_without_the_phrase() -> None:
    assert load_engine().answer(ROOF).matched is False


def test_a_reviewed_phrase_makes_the_engine_answer_with_the_entrys_figure() -> None:
    engine = build_engine(None, {ROOF_PHRASE: HOUSING_GRANT})
    assert HOUSING_FIGURE in engine.answer(ROOF).answer


def test_a_reviewed_phrase_answers_confidently() -> None:
    engine = build_engine(None, {ROOF_PHRASE: HOUSING_GRANT})
    assert engine.answer(ROOF).alternatives == []


def test_a_phrase_for_an_entry_the_plan_lacks_changes_nothing() -> None:
    engine = build_engine(None, {ROOF_PHRASE: "9.9/benefit/没有的补助"})
    assert engine.answer(ROOF).matched is False


def test_every_entry_has_its_own_key() -> None:
    keys = [e.key for e in load_engine().index.entries]
    assert len(set(keys)) == len(keys)


def test_an_entry_key_names_the_fact_not_its_figure() -> None:
    assert HOUSING_GRANT in {e.key for e in load_engine().index.entries}


# --- keeping questions -----------------------------------------------------------------------------


async def _kept(sessionmaker: async_sessionmaker[AsyncSession]) -> list[AskedQuestion]:
    async with session_scope(sessionmaker) as session:
        return list((await session.scalars(select(AskedQuestion).order_by(AskedQuestion.id))).all())


async def _keep(
    sessionmaker: async_sessionmaker[AsyncSession], question: str, *, now: dt.datetime | None = None
) -> bool:
    async with session_scope(sessionmaker) as session:
        return await questions.keep_if_unsure(
            session=session, question=question, answer=load_engine().answer(question), now=now
        )


async def test_an_unanswered_question_is_kept(sessionmaker: async_sessionmaker[AsyncSession]) -> None:
    await _keep(sessionmaker, ROOF)
    assert [q.text for q in await _kept(sessionmaker)] == [ROOF]


async def test_a_confident_answer_is_not_kept(sessionmaker: async_sessionmaker[AsyncSession]) -> None:
    assert await _keep(sessionmaker, "初中生一年补助多少") is False


async def test_a_kept_question_hides_name_id_number_and_phone(sessionmaker: async_sessionmaker[AsyncSession]) -> None:
    await _keep(sessionmaker, "我叫张三明，身份证210422198001011234，电话13812345678，" + ROOF)
    text = (await _kept(sessionmaker))[0].text
    assert text == "我叫张*明，身份证2104**********1234，电话138****5678，" + ROOF


async def test_a_kept_question_keeps_what_was_answered(sessionmaker: async_sessionmaker[AsyncSession]) -> None:
    await _keep(sessionmaker, ROOF)
    row = (await _kept(sessionmaker))[0]
    assert (row.matched, row.measure, row.confidence) == (False, None, 0.0)


async def test_questions_older_than_30_days_are_purged(sessionmaker: async_sessionmaker[AsyncSession]) -> None:
    await _keep(sessionmaker, ROOF, now=utcnow() - dt.timedelta(days=31))
    await _keep(sessionmaker, "马架子漏风给修不")
    async with session_scope(sessionmaker) as session:
        assert await questions.purge_old(session=session) == 1
    assert [q.text for q in await _kept(sessionmaker)] == ["马架子漏风给修不"]


async def test_similar_questions_form_one_group(sessionmaker: async_sessionmaker[AsyncSession]) -> None:
    for question in (ROOF, "屋顶透亮了能给修吗？", "屋頂透亮了能給修不", "马架子漏风给修不"):
        await _keep(sessionmaker, question)
    async with session_scope(sessionmaker) as session:
        groups = await questions.question_groups(session=session)
    assert [(g.wording, g.count) for g in groups] == [(ROOF, 3), ("马架子漏风给修不", 1)]


# --- reviewed phrases ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("phrase", "message"),
    [
        ("屋顶透亮给4万", "不能包含数字或金额（“4”）"),
        ("四万块修房子", "不能包含数字或金额（“四万”）"),
        ("修三公里路", "不能包含数字或金额（“三公里”）"),
        ("每亩地给钱", "不能包含计量单位（“亩”）"),
        ("修房子几块钱", "不能包含计量单位（“块”）"),
    ],
    ids=["digit", "chinese-amount", "distance", "unit", "everyday-money"],
)
def test_a_phrase_with_a_figure_or_a_unit_is_refused(phrase: str, message: str) -> None:
    with pytest.raises(InvalidInput, match=message):
        questions.check_phrase(phrase)


def test_a_word_that_holds_a_counter_character_is_a_phrase() -> None:
    assert questions.check_phrase("贫困户看病") == "贫困户看病"


async def test_a_phrase_for_an_unknown_entry_is_refused(session: AsyncSession) -> None:
    with pytest.raises(NotFound):
        await questions.attach_phrase(
            session=session, phrase=ROOF_PHRASE, entry_key="9.9/benefit/x", engine=load_engine(), actor="cli"
        )


async def test_a_phrase_is_attached_once(sessionmaker: async_sessionmaker[AsyncSession]) -> None:
    async with session_scope(sessionmaker) as session:
        await questions.attach_phrase(
            session=session, phrase=ROOF_PHRASE, entry_key=HOUSING_GRANT, engine=load_engine(), actor="cli"
        )
    async with session_scope(sessionmaker) as session:
        with pytest.raises(Conflict):
            await questions.attach_phrase(
                session=session, phrase="屋顶 透亮", entry_key=HOUSING_GRANT, engine=load_engine(), actor="cli"
            )


async def test_attaching_a_phrase_is_audited(sessionmaker: async_sessionmaker[AsyncSession]) -> None:
    async with session_scope(sessionmaker) as session:
        await questions.attach_phrase(
            session=session, phrase=ROOF_PHRASE, entry_key=HOUSING_GRANT, engine=load_engine(), actor="user:7"
        )
    async with session_scope(sessionmaker) as session:
        (entry,) = await audit.list_audit(session)
    assert (entry.actor, entry.action, entry.after) == (
        "user:7",
        "phrase.attach",
        {"phrase": ROOF_PHRASE, "entry": HOUSING_GRANT},
    )


async def test_a_requested_reload_gives_the_running_engine_the_phrase(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    answerer = await questions.Answerer.load(sessionmaker)
    async with session_scope(sessionmaker) as session:
        await questions.attach_phrase(
            session=session, phrase=ROOF_PHRASE, entry_key=HOUSING_GRANT, engine=answerer.engine, actor="cli"
        )
    assert await answerer.reload_if_requested(sessionmaker) is False  # attached, not yet reloaded
    async with session_scope(sessionmaker) as session:
        await reloads.request_reload(session=session, actor="cli")
    assert await answerer.reload_if_requested(sessionmaker) is True
    assert HOUSING_FIGURE in answerer.answer(ROOF).answer


# --- the command line ------------------------------------------------------------------------------


async def test_cli_lists_groups_attaches_and_answers_with_the_phrase(
    cli_database: str, sessionmaker: async_sessionmaker[AsyncSession], capsys: pytest.CaptureFixture[str]
) -> None:
    await _keep(sessionmaker, ROOF)
    await _keep(sessionmaker, "屋顶透亮了能给修吗")
    assert await fupin("questions", "list", "--json") == 0
    (group,) = json.loads(capsys.readouterr().out)
    assert (group["wording"], group["count"], group["matched"]) == (ROOF, 2, False)
    assert await fupin("questions", "attach", ROOF_PHRASE, HOUSING_GRANT) == 0
    assert await fupin("kb", "reload") == 0
    capsys.readouterr()
    assert await fupin("ask", "--phrases", "--json", ROOF) == 0
    assert HOUSING_FIGURE in json.loads(capsys.readouterr().out)["answer"]


async def test_cli_refuses_a_phrase_with_an_amount_in_chinese(
    cli_database: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert await fupin("questions", "attach", "给四万元", HOUSING_GRANT) == 2
    assert "短语不能包含数字或金额" in capsys.readouterr().err


async def test_cli_lists_the_entries_to_attach_to(cli_database: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert await fupin("questions", "entries", "危房改造补助") == 0
    assert HOUSING_GRANT in capsys.readouterr().out


async def test_a_detached_phrase_is_forgotten_after_a_reload(sessionmaker: async_sessionmaker[AsyncSession]) -> None:
    answerer = await questions.Answerer.load(sessionmaker)
    async with session_scope(sessionmaker) as session:
        await questions.attach_phrase(
            session=session, phrase=ROOF_PHRASE, entry_key=HOUSING_GRANT, engine=answerer.engine, actor="cli"
        )
    await answerer.reload(sessionmaker)
    async with session_scope(sessionmaker) as session:
        assert await questions.detach_phrase(session=session, phrase=ROOF_PHRASE, actor="cli") == HOUSING_GRANT
    await answerer.reload(sessionmaker)
    assert answerer.answer(ROOF).matched is False


async def test_detaching_an_unknown_phrase_is_refused(session: AsyncSession) -> None:
    with pytest.raises(NotFound, match="没有审定的说法"):
        await questions.detach_phrase(session=session, phrase="没有这个", actor="cli")


async def test_cli_lists_and_detaches_phrases(cli_database: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert await fupin("questions", "attach", ROOF_PHRASE, HOUSING_GRANT) == 0
    assert await fupin("questions", "detach", ROOF_PHRASE) == 0
    capsys.readouterr()
    assert await fupin("questions", "phrases") == 0
    assert capsys.readouterr().out.strip() == "尚无审定的群众说法。"
