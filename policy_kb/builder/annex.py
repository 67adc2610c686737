"""The annex: a table of targets by township, after the plan's signature."""

from __future__ import annotations

import re
from dataclasses import dataclass

from policy_kb.builder.genre import ANNEX_CELL_SEPARATOR_RE, ANNEX_COLUMN_RE, ANNEX_ROW_LABEL_RE, ANNEX_TOTAL_WORDS
from policy_kb.builder.structure import Line
from policy_kb.numbers import parse_number
from policy_kb.report import BuildReport
from policy_kb.schema import (
    TownshipTarget,
)

# --------------------------------------------------------------------------------------------
# The annex: a table of targets by township
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Column:
    indicator: str
    unit: str


def read_township_targets(annex: list[Line], report: BuildReport) -> list[TownshipTarget]:
    """The rows of an 附件 table of targets by township (乡镇 | 脱贫人数(人) | 退出贫困村(个)).

    A header names the counted columns with their units; each row gives a township and one figure
    per column, aligned from the right (a 序号 column may come first, a 合计 row may lack it).
    The 合计 row is checked against the sum of the table's rows, not recorded. Lines before the
    first header (the annex's title) are skipped; any later line that is no row is reported, as is
    an annex with no header at all (its columns' units unknown, nothing of it is read).
    """
    found: list[TownshipTarget] = []
    columns: list[_Column] = []
    table_start = 0
    for line in annex:
        cells = [c for c in ANNEX_CELL_SEPARATOR_RE.split(line.text) if c]
        header = [m for c in cells if (m := ANNEX_COLUMN_RE.match(c)) and not ANNEX_ROW_LABEL_RE.match(c)]
        if header and len(header) < len(cells) and all(ANNEX_COLUMN_RE.match(c) for c in cells[-len(header) :]):
            columns = [_Column(m["indicator"], m["unit"]) for m in header]
            table_start = len(found)
            continue
        if not columns:
            continue
        row = _annex_row(cells, columns)
        if row is None:
            report.warn(line.number, "annex", line.text)
            continue
        name, figures = row
        if name not in ANNEX_TOTAL_WORDS:
            found += [
                TownshipTarget(township=name, indicator=c.indicator, quantity=v, unit=c.unit)
                for c, v in zip(columns, figures, strict=True)
            ]
            continue
        for column, total in zip(columns, figures, strict=True):
            counted = sum(t.quantity for t in found[table_start:] if t.indicator == column.indicator)
            if counted != total:
                report.warn(line.number, "annex", f"{line.text}（各行相加为 {counted}）")
    if annex and not columns:
        report.warn(annex[0].number, "annex", "、".join(line.text for line in annex[:3]))
    return found


def _annex_row(cells: list[str], columns: list[_Column]) -> tuple[str, list[int | float]] | None:
    """(township, figures) of a row: the last cells are the figures, the cell before them the name."""
    if len(cells) < len(columns) + 1:
        return None
    figures, name = cells[-len(columns) :], cells[-len(columns) - 1]
    if not all(_is_figure(c) for c in figures) or _is_figure(name):
        return None
    return name, [parse_number(c) for c in figures]


def _is_figure(cell: str) -> bool:
    """A cell holding a plain figure (164, 1.5)."""
    return re.fullmatch(r"\d+(?:\.\d+)?", cell) is not None
