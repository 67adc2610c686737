"""`fupin questions list|entries|attach|phrases|detach`: unsure answers for the office, and phrases to fix them."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Annotated

import typer

from bot.commands import texts
from bot.commands.runner import run_in_session

if TYPE_CHECKING:  # `fupin ask` registers this group too; SQLAlchemy loads only when a command runs
    from sqlalchemy.ext.asyncio import AsyncSession


def register(app: typer.Typer) -> None:
    """Attach the `questions` command group."""
    questions_app = typer.Typer(no_args_is_help=True, help=texts.QUESTIONS_HELP)

    @questions_app.command("list", help=texts.QUESTIONS_LIST_HELP)
    def list_(as_json: Annotated[bool, typer.Option("--json", help=texts.QUESTIONS_JSON_HELP)] = False) -> None:
        from services.questions import QuestionGroup, question_groups
        from services.workdays import CHINA_TZ

        async def work(session: AsyncSession) -> list[QuestionGroup]:
            return await question_groups(session=session)

        groups = run_in_session(work)
        if as_json:
            rows = [vars(g) | {"last_asked": g.last_asked.isoformat()} for g in groups]
            typer.echo(json.dumps(rows, ensure_ascii=False, indent=2))
            return
        if not groups:
            typer.echo(texts.QUESTIONS_EMPTY)
            return
        for number, group in enumerate(groups, 1):
            answered = (
                texts.QUESTIONS_ANSWERED.format(measure=group.measure, confidence=group.confidence)
                if group.matched
                else texts.QUESTIONS_NOT_COVERED
            )
            last = group.last_asked.astimezone(CHINA_TZ).strftime("%m-%d %H:%M")
            typer.echo(
                texts.QUESTIONS_GROUP.format(
                    number=number, wording=group.wording, count=group.count, last=last, answered=answered
                )
            )
            for text in group.texts[1:]:
                typer.echo(texts.QUESTIONS_MEMBER.format(text=text))

    @questions_app.command("entries", help=texts.QUESTIONS_ENTRIES_HELP)
    def entries(
        search: Annotated[str | None, typer.Argument(help=texts.QUESTIONS_ENTRIES_SEARCH_HELP)] = None,
    ) -> None:
        from policy_kb.qa import load_engine
        from services.questions import entry_choices

        for entry in entry_choices(load_engine()):
            if search is None or search in entry.key or search in entry.statement:
                typer.echo(texts.QUESTIONS_ENTRY_LINE.format(key=entry.key, statement=entry.statement))

    @questions_app.command("attach", help=texts.QUESTIONS_ATTACH_HELP)
    def attach(
        phrase: Annotated[str, typer.Argument(help=texts.QUESTIONS_PHRASE_HELP)],
        entry: Annotated[str, typer.Argument(help=texts.QUESTIONS_ENTRY_HELP)],
    ) -> None:
        from policy_kb.qa import load_engine
        from services.audit import CLI_ACTOR
        from services.questions import attach_phrase

        engine = load_engine()

        async def work(session: AsyncSession) -> tuple[str, str]:
            row = await attach_phrase(session=session, phrase=phrase, entry_key=entry, engine=engine, actor=CLI_ACTOR)
            return row.phrase, row.entry_key

        attached, key = run_in_session(work)
        typer.echo(texts.QUESTIONS_ATTACHED.format(phrase=attached, entry=key))

    @questions_app.command("phrases", help=texts.QUESTIONS_PHRASES_HELP)
    def phrases() -> None:
        from services.questions import reviewed_phrases

        async def work(session: AsyncSession) -> dict[str, str]:
            return await reviewed_phrases(session=session)

        rows = run_in_session(work)
        if not rows:
            typer.echo(texts.QUESTIONS_NO_PHRASES)
        for phrase, entry in rows.items():
            typer.echo(texts.QUESTIONS_PHRASE_LINE.format(phrase=phrase, entry=entry))

    @questions_app.command("detach", help=texts.QUESTIONS_DETACH_HELP)
    def detach(phrase: Annotated[str, typer.Argument(help=texts.QUESTIONS_PHRASE_HELP)]) -> None:
        from services.audit import CLI_ACTOR
        from services.questions import detach_phrase

        async def work(session: AsyncSession) -> str:
            return await detach_phrase(session=session, phrase=phrase, actor=CLI_ACTOR)

        typer.echo(texts.QUESTIONS_DETACHED.format(phrase=phrase.strip(), entry=run_in_session(work)))

    app.add_typer(questions_app, name="questions")


def register_reload(kb_app: typer.Typer) -> None:
    """Attach `fupin kb reload` to the `kb` group."""

    @kb_app.command("reload", help=texts.KB_RELOAD_HELP)
    def reload() -> None:
        from bot.telegram.questions import QUESTIONS_JOB_SECONDS
        from services.audit import CLI_ACTOR
        from services.questions import reviewed_phrases
        from services.reloads import request_reload

        async def work(session: AsyncSession) -> int:
            await request_reload(session=session, actor=CLI_ACTOR)
            return len(await reviewed_phrases(session=session))

        typer.echo(texts.KB_RELOAD_DONE.format(phrases=run_in_session(work), seconds=QUESTIONS_JOB_SECONDS))
