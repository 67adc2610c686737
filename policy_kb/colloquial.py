"""Everyday words -> the plan's own terms ("娃上初一" -> 学生, 初中).

The mapping is reviewed data (`data/colloquial.json`); this module only loads it and finds its
phrases in a text. Matching is leftmost-longest, so "高中学生" reads as 高中 + 学生, never as 中学.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from importlib import resources
from typing import Any

from policy_kb.textnorm import normalize

#: Weight of a phrase listed under a concept's `weak` associations.
WEAK_WEIGHT = 0.5
#: Weight of a plain word of the plan that no reviewed concept explains (任务, 困难…): it may
#: tell the topic, but less surely than a reviewed concept.
VOCABULARY_WEIGHT = 0.5
#: Extra weight each further mention of a concept adds.
REPEAT_WEIGHT = 0.5


@dataclass(frozen=True)
class Concept:
    """One idea of the plan: its label (the first of its terms) and the plan's words for it."""

    label: str
    terms: tuple[str, ...]
    say: tuple[str, ...]
    weak: tuple[str, ...]
    #: Below 1 for context words (孩子, 房子) that come up in complaints about other things.
    weight: float = 1.0


def _raw() -> dict[str, Any]:
    raw: dict[str, Any] = json.loads(resources.files("policy_kb").joinpath("data/colloquial.json").read_text("utf-8"))
    return raw


def load_outside(plan_text: str) -> PhraseMatcher:
    """Phrases of topics the plan does not cover (天气, 话费, 工资…): a question about them is not answered.

    A phrase the loaded plan itself uses is no outside topic for it: a county whose plan pays 每亩
    200 元 answers "种一亩地补多少".
    """
    phrases = (normalize(p) for p in _raw()["outside"])
    return PhraseMatcher({p: {"outside": 1.0} for p in phrases if p not in plan_text})


def load_concepts() -> list[Concept]:
    """The reviewed concepts shipped with the package."""
    raw = _raw()
    return [
        Concept(
            label=c["terms"][0],
            terms=tuple(c["terms"]),
            say=tuple(c.get("say", ())),
            weak=tuple(c.get("weak", ())),
            weight=float(c.get("weight", 1.0)),
        )
        for c in raw["concepts"]
    ]


class PhraseMatcher:
    """Finds known phrases in normalized text and says which concepts they stand for."""

    def __init__(self, phrases: Mapping[str, Mapping[str, float]]) -> None:
        """`phrases` maps a normalized phrase to {concept label: weight}."""
        self._phrases = {p: dict(c) for p, c in phrases.items() if p}
        self._longest = max((len(p) for p in self._phrases), default=0)

    @classmethod
    def build(cls, concepts: Iterable[Concept], vocabulary: Iterable[str] = ()) -> PhraseMatcher:
        """A matcher for the concepts' terms and sayings, plus plain plan words standing for themselves."""
        phrases: dict[str, dict[str, float]] = {}

        def add(phrase: str, label: str, weight: float) -> None:
            slot = phrases.setdefault(normalize(phrase), {})
            slot[label] = max(slot.get(label, 0.0), weight)

        for word in vocabulary:
            add(word, normalize(word), VOCABULARY_WEIGHT)
        for c in concepts:
            for phrase in (*c.terms, *c.say):
                add(phrase, c.label, c.weight)
            for phrase in c.weak:
                add(phrase, c.label, WEAK_WEIGHT * c.weight)
        return cls(phrases)

    def with_phrases(self, extra: Mapping[str, Mapping[str, float]]) -> PhraseMatcher:
        """A new matcher that also knows `extra` (normalized phrase -> {label: weight}); this one is unchanged."""
        merged = {p: dict(c) for p, c in self._phrases.items()}
        for phrase, labels in extra.items():
            merged.setdefault(phrase, {}).update(labels)
        return PhraseMatcher(merged)

    @property
    def phrases(self) -> Mapping[str, Mapping[str, float]]:
        return self._phrases

    def scan(self, text: str) -> list[tuple[int, int, str]]:
        """Leftmost-longest matches in already-normalized `text`, as (start, end, phrase)."""
        found: list[tuple[int, int, str]] = []
        i, n = 0, len(text)
        while i < n:
            for size in range(min(self._longest, n - i), 0, -1):
                piece = text[i : i + size]
                if piece in self._phrases:
                    found.append((i, i + size, piece))
                    i += size
                    break
            else:
                i += 1
        return found

    def covered(self, text: str) -> set[int]:
        """Every position of normalized `text` some known phrase spans, overlapping matches included.

        "房子漏雨了" is read as 房子漏 + 雨了, but 雨 is still explained by 漏雨: no typo to mend there.
        """
        positions: set[int] = set()
        for i in range(len(text)):
            for size in range(min(self._longest, len(text) - i), 0, -1):
                if text[i : i + size] in self._phrases:
                    positions.update(range(i, i + size))
                    break
        return positions

    def concepts(self, text: str) -> dict[str, float]:
        """Concept labels found in normalized `text` (leftmost-longest), weighted.

        A concept said again in other words ("井水干了，吃水困难") counts a little more each time.
        """
        found: dict[str, float] = {}
        for _, _, phrase in self.scan(text):
            for label, weight in self._phrases[phrase].items():
                found[label] = found[label] + REPEAT_WEIGHT * weight if label in found else weight
        return found

    def all_concepts(self, text: str) -> frozenset[str]:
        """Every concept any phrase inside normalized `text` stands for, overlaps included.

        Used on the plan's side: "电子商务企业" is about 电子商务企业, 电子商务 and 企业 at once.
        """
        found: set[str] = set()
        n = len(text)
        for i in range(n):
            for size in range(1, min(self._longest, n - i) + 1):
                labels = self._phrases.get(text[i : i + size])
                if labels:
                    found.update(labels)
        return frozenset(found)
