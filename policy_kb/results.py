"""What question answering and routing return: plain values that every face renders its own way."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass(frozen=True)
class Alternative:
    """Another likely topic, offered as "did you mean"."""

    measure: str
    title: str
    #: A short question on that topic that the engine answers well, for a button.
    question: str


@dataclass(frozen=True)
class Answer:
    """The answer to one question.

    `answer` is the concise Chinese reply (figure, what it is for, whom to contact); `source` the
    plan's sentence it rests on; `matched` is False when the plan does not cover the question.
    """

    answer: str
    matched: bool
    units: list[str]
    measure: str | None
    measure_title: str | None
    source: str
    confidence: float
    alternatives: list[Alternative] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Route:
    """Where a free-text item goes by the plan's rule: the measure's lead unit, the rest take part."""

    measure: str | None
    measure_title: str | None
    lead_unit: str | None
    units: list[str]
    township_takes_part: bool
    confidence: float

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)
