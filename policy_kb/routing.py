"""Routing a free-text item to the unit the plan makes responsible.

The plan's own rule: the first unit of a measure's responsibility line leads, the others take part,
and 相关乡镇 means the township of the village the item is about. The item's measure is the one whose
text shares the most weighted concepts with it.
"""

from __future__ import annotations

from policy_kb.intent import read_intent
from policy_kb.qa import Engine, load_engine
from policy_kb.results import Route
from policy_kb.textnorm import normalize

#: Least topical score for a measure to be named; below it the item goes to the poverty office to triage.
MIN_ROUTE_SCORE = 1.0


def route_with(engine: Engine, text: str) -> Route:
    """Route `text` with an already-built engine."""
    normalized = normalize(text)
    concepts = engine.read_concepts(normalized)
    # The item's measure is that of the plan's sentence or fact closest to it: a short complaint
    # names one thing (a bridge, a well), which a whole measure's vocabulary would blur.
    ranked = [s for s in engine.score_entries(concepts, read_intent(normalized)) if s.entry.measure is not None]
    if not ranked or ranked[0].topic < MIN_ROUTE_SCORE:
        return Route(None, None, None, [], True, 0.0)
    measure = ranked[0].entry.measure
    assert measure is not None
    runner_up = next((s.total for s in ranked if s.entry.measure != measure), 0.0)
    margin = ranked[0].total - runner_up
    return Route(
        measure=measure.id,
        measure_title=measure.title,
        lead_unit=measure.lead_unit,
        units=list(measure.units),
        township_takes_part=measure.township_takes_part,
        confidence=round(min(1.0, 0.4 + margin / 4), 2),
    )


def route(text: str, *, kb: str | None = None) -> Route:
    """Route a free-text item by the plan's rule (see `route_with`)."""
    return route_with(load_engine(kb), text)
