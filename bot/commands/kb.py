"""`fupin kb build|export|diff|reload`: the plan's knowledge base from any plan text, as JSON."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, NoReturn

import typer

from bot.commands import texts

if TYPE_CHECKING:
    from policy_kb.schema import KnowledgeBase

#: Exit status for a bad input file (missing, not a plan), as click uses for usage errors.
EXIT_BAD_INPUT = 2


def register(app: typer.Typer) -> None:
    """Attach the `kb` command group."""
    kb_app = typer.Typer(no_args_is_help=True, help="知识库：由方案文本构建、导出。")

    @kb_app.command("build")
    def build(
        source: Annotated[Path, typer.Argument(help="方案文本文件（UTF-8）")],
        output: Annotated[
            Path | None, typer.Option("-o", "--output", help="输出的知识库 JSON 文件；省略则打印")
        ] = None,
    ) -> None:
        """由方案文本构建知识库（目标、措施、责任单位、补助标准、工作节奏）。"""
        from policy_kb.builder import PlanParseError, build_kb_from_file

        try:
            kb = build_kb_from_file(source)
        except PlanParseError as exc:
            _fail(str(exc))
        text = _pretty(kb.model_dump(mode="json"))
        if output is None:
            typer.echo(text)
            return
        try:
            output.write_text(text + "\n", encoding="utf-8")
        except OSError as exc:
            _fail(f"无法写入 {output}：{exc.strerror}")
        typer.echo(
            f"已构建知识库：{len(kb.measures)} 项措施、{len(kb.goals)} 个总体目标、"
            f"{sum(len(m.targets) for m in kb.measures)} 个任务指标、"
            f"{sum(len(m.benefits) for m in kb.measures)} 项扶持政策 -> {output}"
        )

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


def _pretty(data: object) -> str:
    """JSON for people: Chinese as is, indented."""
    return json.dumps(data, ensure_ascii=False, indent=2)


def _fail(message: str) -> NoReturn:
    """Print a Chinese error to stderr and stop with exit status 2."""
    print(f"错误：{message}", file=sys.stderr)
    raise typer.Exit(EXIT_BAD_INPUT)
