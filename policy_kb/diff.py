"""What changes between two plans: the office reads this before it puts a new plan in force.

Measures are paired by their title (a measure with several responsibility lines by its title and
its place among them), then by the closest title or, under the same lead unit, the closest text, so
a renamed measure shows as changed rather than as one removed and one added. Within a pair, targets
are compared by indicator and benefits by item, each with the figure as the plan states it.

The same pairing carries a renamed measure's identity into the new plan (`carry_identity`): a
measure's id is a hash of its title, so without it a renamed measure would leave its stored
reports, items and reminders pointing at nothing.
"""

from __future__ import annotations

import difflib
from collections import Counter
from dataclasses import dataclass
from typing import Literal

from rapidfuzz import fuzz

from policy_kb.index import benefit_statement, target_statement
from policy_kb.schema import KnowledgeBase, Measure
from policy_kb.textnorm import normalize

#: How alike two titles (or, under one lead unit, two texts) must be (0–1) for a measure to count
#: as renamed rather than replaced.
RENAMED_SIMILARITY = 0.6

ChangeKind = Literal[
    "measure_added",
    "measure_removed",
    "measure_renamed",
    "units_changed",
    "figure_added",
    "figure_removed",
    "figure_changed",
]


@dataclass(frozen=True)
class Change:
    """One difference; `old`/`new` are as the plans state them ("" where there is none)."""

    kind: ChangeKind
    measure: str
    what: str = ""
    old: str = ""
    new: str = ""


def diff_kbs(old: KnowledgeBase, new: KnowledgeBase) -> list[Change]:
    """Every difference from `old` to `new`, in the new plan's order (removed measures last)."""
    pairs, removed = _pair_measures(old.measures, new.measures)
    changes: list[Change] = []
    for new_measure, old_measure in pairs:
        if old_measure is None:
            changes.append(Change("measure_added", new_measure.title, new="、".join(new_measure.units)))
            continue
        if old_measure.title != new_measure.title:
            changes.append(Change("measure_renamed", new_measure.title, old=old_measure.title, new=new_measure.title))
        if old_measure.units != new_measure.units:
            changes.append(
                Change(
                    "units_changed",
                    new_measure.title,
                    old="、".join(old_measure.units),
                    new="、".join(new_measure.units),
                )
            )
        changes += _figure_changes(new_measure.title, _figures(old_measure), _figures(new_measure))
    changes += [Change("measure_removed", m.title, old="、".join(m.units)) for m in removed]
    return changes


def carry_identity(old: KnowledgeBase, new: KnowledgeBase) -> KnowledgeBase:
    """`new` with each renamed measure under the id of the measure it continues in `old` (and its
    recurring duties with it), so what was stored against the old id keeps its measure."""
    pairs, _ = _pair_measures(old.measures, new.measures)
    taken = {m.id for m in new.measures}
    renamed: dict[str, str] = {}
    for measure, before in pairs:
        if before is not None and before.id != measure.id and before.id not in taken:
            renamed[measure.id] = before.id
            taken.add(before.id)
    if not renamed:
        return new
    measures = [m.model_copy(update={"id": renamed.get(m.id, m.id)}) for m in new.measures]
    cadences = [c.model_copy(update={"measure": renamed.get(c.measure, c.measure)}) for c in new.cadences]
    return new.model_copy(update={"measures": measures, "cadences": cadences})


def _pair_measures(
    old: list[Measure], new: list[Measure]
) -> tuple[list[tuple[Measure, Measure | None]], list[Measure]]:
    """Each new measure with its old counterpart (or None), and the old measures left over."""
    by_key = {key: m for key, m in zip(_keys(old), old, strict=True)}
    pairs: list[tuple[Measure, Measure | None]] = []
    unpaired: list[Measure] = []
    for key, measure in zip(_keys(new), new, strict=True):
        match = by_key.pop(key, None)
        pairs.append((measure, match))
        if match is None:
            unpaired.append(measure)
    left = list(by_key.values())
    for measure in unpaired:
        scored = [(_likeness(measure, m), i) for i, m in enumerate(left)]
        best = max(scored, default=(0.0, -1))
        if best[0] >= RENAMED_SIMILARITY:
            index = next(i for i, (m, _) in enumerate(pairs) if m is measure)
            pairs[index] = (measure, left.pop(best[1]))
    return pairs, left


def _keys(measures: list[Measure]) -> list[tuple[str, int]]:
    """A measure's title with its place among measures of the same title."""
    seen: Counter[str] = Counter()
    keys = []
    for m in measures:
        title = normalize(m.title)
        seen[title] += 1
        keys.append((title, seen[title]))
    return keys


def _likeness(new: Measure, old: Measure) -> float:
    """How alike two measures are (0–1): their titles, or their texts when one unit leads both (a
    plan that renames "安居扶贫" to "农村危房改造" keeps most of what the measure says)."""
    title = difflib.SequenceMatcher(None, normalize(new.title), normalize(old.title)).ratio()
    if new.lead_unit != old.lead_unit:
        return title
    return max(title, fuzz.ratio(normalize(new.text), normalize(old.text)) / 100)


def _figures(measure: Measure) -> dict[str, str]:
    """A measure's figures by name: target indicators and benefit items, each with its statement."""
    figures: dict[str, str] = {}
    for t in measure.targets:
        figures.setdefault(t.display_name or t.indicator, target_statement(t))
    for b in measure.benefits:
        if b.amount_yuan is not None or b.percent is not None or b.quantity is not None:
            figures.setdefault(b.item, benefit_statement(b))
    return figures


def _figure_changes(title: str, old: dict[str, str], new: dict[str, str]) -> list[Change]:
    changes = []
    for name, statement in new.items():
        if name not in old:
            changes.append(Change("figure_added", title, name, new=statement))
        elif old[name] != statement:
            changes.append(Change("figure_changed", title, name, old=old[name], new=statement))
    changes += [
        Change("figure_removed", title, name, old=statement) for name, statement in old.items() if name not in new
    ]
    return changes
