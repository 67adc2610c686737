"""Plan text -> KnowledgeBase: a parser for county poverty-alleviation plans of this genre.

Nothing about the 2018 Xinbin plan is typed in here. The builder reads the front matter (issuer,
document number, title), the closing date, the heading structure (一、 / （一） / 1、), and the
responsibility lines `（责任单位：A、B、C…）` that close every measure; within each measure it reads
targets, benefits and cadences with patterns common to the genre. Next year's plan, or another
county's, loads by rebuilding. The reviewed lexicon only adds names the text cannot give.
"""

from __future__ import annotations

from pathlib import Path

from policy_kb.builder.annex import read_township_targets
from policy_kb.builder.facts import read_cadences, read_goals
from policy_kb.builder.structure import (
    logical_lines,
    numbered_lines,
    parse_responsibility_line,
    read_measures,
    read_regions,
    read_source,
    walk_blocks,
)
from policy_kb.builder.text import PlanParseError, split_sentences, text_sha256
from policy_kb.lexicon import Lexicon, load_lexicon
from policy_kb.report import BuildReport, BuildWarning
from policy_kb.schema import KnowledgeBase

__all__ = [
    "build_kb",
    "build_kb_from_file",
    "build_kb_with_report",
    "logical_lines",
    "parse_responsibility_line",
    "PlanParseError",
    "read_plan_file",
    "split_sentences",
    "text_sha256",
]

# --------------------------------------------------------------------------------------------
# Public entry points
# --------------------------------------------------------------------------------------------


def build_kb(text: str, *, filename: str = "plan.txt", lexicon: Lexicon | None = None) -> KnowledgeBase:
    """Build the knowledge base from a plan's full text (see `build_kb_with_report`, whose
    warnings this drops: for callers that load a plan already reviewed)."""
    kb, _ = build_kb_with_report(text, filename=filename, lexicon=lexicon)
    return kb


def build_kb_with_report(
    text: str, *, filename: str = "plan.txt", lexicon: Lexicon | None = None
) -> tuple[KnowledgeBase, list[BuildWarning]]:
    """Build the knowledge base from a plan's full text, with what could not be placed.

    Args:
        text: the plan, as published (UTF-8 text), with or without its cover notice and annexes.
        filename: recorded in `source.filename`.
        lexicon: reviewed names; the packaged lexicon by default.

    Returns:
        The knowledge base, and the warnings in text order (a paragraph under no responsibility
        statement, a heading or statement that could not be read, an annex line that is no row).

    Raises:
        PlanParseError: when the text lacks a title, an issuer, a closing date or any
            responsibility statement.
    """
    lexicon = lexicon if lexicon is not None else load_lexicon()
    report = BuildReport()
    doc = read_regions(numbered_lines(text))
    blocks, goal_paragraphs = walk_blocks(doc.body, report)
    if not blocks:
        raise PlanParseError("文本中没有找到任何责任单位行（如“（责任单位：县扶贫办、相关乡镇）”），无法构建知识库。")
    source = read_source(doc, text, filename)
    measures = read_measures(blocks, lexicon)
    kb = KnowledgeBase(
        source=source,
        goals=read_goals(goal_paragraphs),
        measures=measures,
        cadences=[c for m in measures for c in read_cadences(m)],
        township_targets=read_township_targets(doc.annex, report),
    )
    return kb, report.sorted()


def read_plan_file(path: str | Path) -> str:
    """The text of a plan file (UTF-8).

    Raises:
        PlanParseError: when the file is missing, unreadable or not UTF-8.
    """
    path = Path(path)
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise PlanParseError(f"找不到方案文本文件：{path}") from exc
    except UnicodeDecodeError as exc:
        raise PlanParseError(f"方案文本不是 UTF-8 编码：{path}") from exc
    except OSError as exc:
        raise PlanParseError(f"无法读取方案文本：{path}（{exc.strerror}）") from exc


def build_kb_from_file(path: str | Path, *, lexicon: Lexicon | None = None) -> KnowledgeBase:
    """Build the knowledge base from a plan text file (UTF-8).

    Raises:
        PlanParseError: when the file is missing, not UTF-8, or not a plan (see `build_kb`).
    """
    return build_kb(read_plan_file(path), filename=Path(path).name, lexicon=lexicon)
