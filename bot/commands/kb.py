"""`fupin kb …`: the plan's knowledge base from any plan text, and the plans the office stores."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, NoReturn

import typer

from bot.commands import texts
from bot.commands.runner import run_in_session

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

    from policy_kb.report import BuildWarning
    from policy_kb.schema import KnowledgeBase
    from services.plans import AddedPlan

#: Exit status for a bad input file (missing, not a plan), as click uses for usage errors.
EXIT_BAD_INPUT = 2
#: Exit status of `kb build --strict` when the builder could not place part of the text.
EXIT_WARNINGS = 1


def register(app: typer.Typer) -> None:
    """Attach the `kb` command group."""
    kb_app = typer.Typer(no_args_is_help=True, help="知识库：由方案文本构建、导出。")

    @kb_app.command("build", help=texts.KB_BUILD_HELP)
    def build(
        source: Annotated[Path, typer.Argument(help=texts.KB_BUILD_SOURCE_HELP)],
        output: Annotated[Path | None, typer.Option("-o", "--output", help=texts.KB_BUILD_OUTPUT_HELP)] = None,
        strict: Annotated[bool, typer.Option("--strict", help=texts.KB_BUILD_STRICT_HELP)] = False,
    ) -> None:
        from policy_kb.builder import PlanParseError, build_kb_with_report, read_plan_file

        try:
            kb, warnings = build_kb_with_report(read_plan_file(source), filename=source.name)
        except PlanParseError as exc:
            _fail(str(exc))
        # The JSON alone goes to stdout when it is printed, so that it can be piped.
        refused = strict and bool(warnings)
        typer.echo(_summary(kb, warnings, None if refused else output), err=output is None or refused)
        if refused:
            print(texts.ERROR.format(message=texts.KB_STRICT_FAILED.format(warnings=len(warnings))), file=sys.stderr)
            raise typer.Exit(EXIT_WARNINGS)
        text = _pretty(kb.model_dump(mode="json"))
        if output is None:
            typer.echo(text)
            return
        try:
            output.write_text(text + "\n", encoding="utf-8")
        except OSError as exc:
            _fail(texts.KB_WRITE_FAILED.format(path=output, reason=exc.strerror))

    @kb_app.command("add", help=texts.KB_ADD_HELP)
    def add(source: Annotated[Path, typer.Argument(help=texts.KB_BUILD_SOURCE_HELP)]) -> None:
        from policy_kb.builder import PlanParseError, read_plan_file
        from services.audit import CLI_ACTOR
        from services.plans import add_plan

        try:
            text = read_plan_file(source)
        except PlanParseError as exc:
            _fail(str(exc))

        async def work(session: AsyncSession) -> AddedPlan:
            return await add_plan(session=session, text=text, filename=source.name, actor=CLI_ACTOR)

        added = run_in_session(work)
        _echo_built(added)
        typer.echo(texts.KB_ADDED.format(id=added.plan.id, year=added.plan.year, changes=len(added.changes)))

    @kb_app.command("rebuild", help=texts.KB_REBUILD_HELP)
    def rebuild(plan_id: Annotated[int, typer.Argument(help=texts.KB_PLAN_ID_HELP)]) -> None:
        from services.audit import CLI_ACTOR
        from services.plans import rebuild_plan

        async def work(session: AsyncSession) -> AddedPlan:
            return await rebuild_plan(session=session, plan_id=plan_id, actor=CLI_ACTOR)

        rebuilt = run_in_session(work)
        _echo_built(rebuilt)
        typer.echo(texts.KB_REBUILT.format(id=rebuilt.plan.id, changes=len(rebuilt.changes)))

    @kb_app.command("plans", help=texts.KB_PLANS_HELP)
    def plans() -> None:
        from services.plans import list_plans

        async def work(session: AsyncSession) -> list[str]:
            return [
                texts.KB_PLAN_LINE.format(
                    id=p.id,
                    year=p.year,
                    doc_number=p.doc_number,
                    title=p.title,
                    warnings=p.warnings,
                    state=texts.KB_PLAN_IN_FORCE if p.in_force else "",
                )
                for p in await list_plans(session=session)
            ]

        lines = run_in_session(work)
        typer.echo("\n".join(lines) if lines else texts.KB_PLANS_NONE)

    @kb_app.command("activate", help=texts.KB_ACTIVATE_HELP)
    def activate(plan_id: Annotated[int, typer.Argument(help=texts.KB_PLAN_ID_HELP)]) -> None:
        from services.audit import CLI_ACTOR
        from services.plans import activate as put_in_force

        async def work(session: AsyncSession) -> str:
            plan = await put_in_force(session=session, plan_id=plan_id, actor=CLI_ACTOR)
            return texts.KB_ACTIVATED.format(id=plan.id, year=plan.year, title=plan.title)

        typer.echo(run_in_session(work))

    @kb_app.command("rollback", help=texts.KB_ROLLBACK_HELP)
    def rollback() -> None:
        from services.audit import CLI_ACTOR
        from services.plans import roll_back

        async def work(session: AsyncSession) -> str:
            plan = await roll_back(session=session, actor=CLI_ACTOR)
            if plan is None:
                return texts.KB_ROLLED_BACK_PACKAGED
            return texts.KB_ROLLED_BACK.format(id=plan.id, year=plan.year, title=plan.title)

        typer.echo(run_in_session(work))

    @kb_app.command("export")
    def export(
        kb_path: Annotated[Path | None, typer.Option("--kb", help="知识库 JSON 或方案文本；省略则用内置方案")] = None,
    ) -> None:
        """以 JSON 打印知识库。"""
        typer.echo(_pretty(_read_kb(kb_path).model_dump(mode="json")))

    @kb_app.command("diff", help=texts.KB_DIFF_HELP)
    def diff(
        old: Annotated[Path, typer.Argument(help=texts.KB_DIFF_OLD_HELP)],
        new: Annotated[Path, typer.Argument(help=texts.KB_DIFF_NEW_HELP)],
    ) -> None:
        from policy_kb.diff import diff_kbs

        changes = diff_kbs(_read_kb(old), _read_kb(new))
        for change in changes:
            typer.echo(texts.KB_DIFF_LINES[change.kind].format(**vars(change)))
        typer.echo(texts.KB_DIFF_SUMMARY.format(count=len(changes)) if changes else texts.KB_DIFF_NONE)

    from bot.commands.questions import register_reload

    register_reload(kb_app)
    app.add_typer(kb_app, name="kb")


def _read_kb(path: Path | None) -> KnowledgeBase:
    """The knowledge base at `path` (a plan text or a KB JSON; None: the packaged plan), or a clear error."""
    from policy_kb.loader import load_kb

    try:
        return load_kb(path)
    except FileNotFoundError:
        _fail(f"找不到知识库文件：{path}")
    except ValueError as exc:
        _fail(f"无法读取知识库 {path}：{exc}")


def _echo_built(built: AddedPlan) -> None:
    """A stored plan's counts and warnings, then each difference from the plan it is compared with."""
    typer.echo(_summary(built.kb, built.warnings, None))
    for change in built.changes:
        typer.echo(texts.KB_DIFF_LINES[change.kind].format(**vars(change)))


def _summary(kb: KnowledgeBase, warnings: list[BuildWarning], output: Path | None) -> str:
    """The build's counts, then each warning with its line, for the office to check the text."""
    lines = [
        texts.KB_BUILT.format(
            measures=len(kb.measures),
            goals=len(kb.goals),
            targets=sum(len(m.targets) for m in kb.measures),
            benefits=sum(len(m.benefits) for m in kb.measures),
            township_targets=len(kb.township_targets),
            warnings=len(warnings),
            output=texts.KB_BUILT_OUTPUT.format(path=output) if output is not None else "",
        )
    ]
    if warnings:
        lines.append(texts.KB_WARNINGS_HEAD)
        lines += [
            texts.KB_WARNING_LINE.format(line=w.line, kind=texts.KB_WARNING_KINDS[w.kind], text=w.text)
            for w in warnings
        ]
    return "\n".join(lines)


def _pretty(data: object) -> str:
    """JSON for people: Chinese as is, indented."""
    return json.dumps(data, ensure_ascii=False, indent=2)


def _fail(message: str) -> NoReturn:
    """Print a Chinese error to stderr and stop with exit status 2."""
    print(texts.ERROR.format(message=message), file=sys.stderr)
    raise typer.Exit(EXIT_BAD_INPUT)
