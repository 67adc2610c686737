"""`fupin ask` and `fupin route`: question answering and routing from the command line."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from bot.commands import texts
from bot.commands.runner import CliError, run_in_session, run_with_database

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

    from policy_kb.results import Answer


def _read_batch(path: Path) -> list[str]:
    try:
        return path.read_text(encoding="utf-8-sig").splitlines()
    except OSError as exc:
        raise CliError(texts.BATCH_NOT_FOUND.format(path=path)) from exc


def _emit(results: Iterable[dict[str, Any]]) -> None:
    for result in results:
        typer.echo(json.dumps(result, ensure_ascii=False))


def _inputs(text: str | None, batch: Path | None) -> list[str]:
    if batch is not None:
        return _read_batch(batch)
    if not text:
        raise CliError(texts.NEED_INPUT)
    return [text]


def _run(items: list[str], fn: Callable[[str], Any], as_json: bool, render: Callable[[Any], str]) -> None:
    results = [fn(item) for item in items]
    if as_json:
        _emit(r.to_dict() for r in results)
    else:
        typer.echo("\n\n".join(render(r) for r in results))


def _render_answer(answer: Any) -> str:
    """The engine's plain answer (it cites its source once) and the "did you mean" questions."""
    lines = [answer.answer]
    if answer.alternatives:
        lines.append(texts.ANSWER_ALTERNATIVES.format(questions="；".join(a.question for a in answer.alternatives)))
    return "\n".join(lines)


def _render_route(route: Any) -> str:
    if route.lead_unit is None:
        return texts.ROUTE_NONE
    others = list(route.units[1:]) + (["相关乡镇"] if route.township_takes_part else [])
    return texts.ROUTE_LINE.format(
        lead=route.lead_unit, others="、".join(others) or texts.NONE, measure=route.measure_title
    )


def _answerer(kb: Path | None, as_bot: bool) -> Callable[[str], Answer]:
    """What answers: the plan's engine (the packaged plan, or `kb`); with `as_bot`, what the running
    bot answers with — the plan the office put in force, the other years' plans and the reviewed
    phrases, from the database (with `kb` too, that plan with the phrases)."""
    from policy_kb.qa import build_engine, load_engine

    if not as_bot:
        return load_engine(str(kb) if kb else None).answer
    from services.questions import Answerer, reviewed_phrases

    if kb is not None:

        async def phrases(session: AsyncSession) -> dict[str, str]:
            return await reviewed_phrases(session=session)

        return build_engine(str(kb), run_in_session(phrases)).answer

    async def load(sessionmaker: async_sessionmaker[AsyncSession]) -> Answerer:
        return await Answerer.load(sessionmaker)

    return run_with_database(load).answer


def register(app: typer.Typer) -> None:
    """Attach `fupin ask` and `fupin route`."""

    @app.command(help=texts.ASK_HELP)
    def ask(
        question: Annotated[str | None, typer.Argument(help=texts.ASK_QUESTION_HELP)] = None,
        as_json: Annotated[bool, typer.Option("--json", help=texts.JSON_HELP)] = False,
        batch: Annotated[Path | None, typer.Option("--batch", help=texts.BATCH_HELP)] = None,
        kb: Annotated[Path | None, typer.Option("--kb", help=texts.KB_HELP)] = None,
        phrases: Annotated[bool, typer.Option("--phrases", help=texts.ASK_PHRASES_HELP)] = False,
    ) -> None:
        answer = _answerer(kb, phrases)
        _run(_inputs(question, batch), answer, as_json or batch is not None, _render_answer)

    @app.command(help=texts.ROUTE_HELP)
    def route(
        text: Annotated[str | None, typer.Argument(help=texts.ROUTE_TEXT_HELP)] = None,
        as_json: Annotated[bool, typer.Option("--json", help=texts.JSON_HELP)] = False,
        batch: Annotated[Path | None, typer.Option("--batch", help=texts.BATCH_HELP)] = None,
        kb: Annotated[Path | None, typer.Option("--kb", help=texts.KB_HELP)] = None,
    ) -> None:
        from policy_kb.qa import load_engine
        from policy_kb.routing import route_with

        engine = load_engine(str(kb) if kb else None)
        _run(_inputs(text, batch), lambda t: route_with(engine, t), as_json or batch is not None, _render_route)
