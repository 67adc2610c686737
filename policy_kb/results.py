"""What question answering and routing return: plain values that every face renders its own way."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Literal

#: What one part of a reply is: the plan's answer, a benefit the plan names without an amount,
#: an honest "not covered", or a reply to a greeting.
PartKind = Literal["answer", "no_figure", "not_covered", "greeting"]


@dataclass(frozen=True)
class Alternative:
    """Another likely topic, offered as "did you mean"."""

    measure: str
    #: What the button shows: the entry's own name ("高中生补助").
    title: str
    #: A short question that the engine answers with exactly that entry, for a button.
    question: str


@dataclass(frozen=True)
class Part:
    """One question of a message answered, in pieces each face renders once.

    `statements` are whole sentences (the plan's, or rendered from the knowledge base's fields);
    `figures` the amounts they state; `lead_unit` and `partners` whom to contact by the plan's rule;
    `source` the plan's sentence(s) they rest on, from the part of the plan titled `source_title`.
    """

    kind: PartKind
    statements: list[str]
    figures: list[str] = field(default_factory=list)
    lead_unit: str | None = None
    partners: list[str] = field(default_factory=list)
    source: str = ""
    source_title: str | None = None
    #: "有。" before a yes/no question's answer; the unit is named first when who was asked.
    lead_in: str = ""
    who_first: bool = False
    #: The asked words this part answers, when the message held several questions.
    question: str = ""
    #: The plan cited, by its year ("2019年实施方案").
    plan: str = ""


@dataclass(frozen=True)
class Answer:
    """The reply to one message: its parts, and the whole as plain text.

    `answer` is the plain rendering of `parts` (`policy_kb.texts.plain_answer`), the form
    `fupin ask --json` prints and the scorer reads; faces with their own layout render `parts`.
    `matched` is False when the plan answers none of the message's questions; `units` and
    `source` belong to the first answered question.
    """

    answer: str
    matched: bool
    units: list[str]
    measure: str | None
    measure_title: str | None
    source: str
    confidence: float
    alternatives: list[Alternative] = field(default_factory=list)
    parts: list[Part] = field(default_factory=list)

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
