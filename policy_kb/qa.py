"""Answering households' questions from the knowledge base, precisely and honestly.

A question is read into the plan's concepts (colloquial words mapped, typos mended), every entry
is scored by the concepts it shares with the question, and the best entry is said back with its
figure, the plan's sentence it rests on and the unit to contact. When nothing scores enough, the
answer says plainly that the plan does not cover the question.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from policy_kb import texts
from policy_kb.colloquial import PhraseMatcher
from policy_kb.index import SCHOOL_STAGES, Entry, Index, build_index, format_number, format_yuan
from policy_kb.intent import (
    Intent,
    count_before,
    negated,
    read_intent,
    total_count,
    without_asking_words,
)
from policy_kb.loader import cache_dir, load_kb
from policy_kb.results import Alternative, Answer
from policy_kb.schema import Measure
from policy_kb.textnorm import clauses, normalize
from policy_kb.typos import TypoMatcher

#: Weight of a concept recovered from a typo rather than read as written.
TYPO_WEIGHT = 0.8
#: How much of a measure's own score carries over to each of its entries.
MEASURE_SHARE = 0.5
#: Bonuses for an entry that fits how the question asks (a figure, the asked unit, a waiver).
QUANTITY_BONUS, UNIT_BONUS, WAIVER_BONUS = 1.5, 1.5, 0.8
#: Bonus for a fact whose figure the question itself quotes ("是一百八十九户不").
ECHO_BONUS = 4.0
#: Least topical score (concept overlap alone) for a question to count as covered by the plan.
MIN_TOPIC_SCORE = 1.2
#: Below this topical score the answer offers other topics ("did you mean").
CONFIDENT_TOPIC_SCORE = 3.0
#: A fact with a figure is preferred to a figureless best when it holds this share of its topic.
FIGURE_SHARE = 0.5


@dataclass(frozen=True)
class Scored:
    entry: Entry
    topic: float
    total: float


@dataclass(frozen=True)
class StageMention:
    stage: str
    count: int


class Engine:
    """Question answering over one knowledge base; built once, then read-only."""

    def __init__(self, index: Index) -> None:
        self.index = index
        self.typos = TypoMatcher(index.concept_phrases)
        self._measures = {m.id: m for m in index.kb.measures}

    # -- reading a question -------------------------------------------------------------------

    def read_concepts(self, text: str) -> dict[str, float]:
        """The plan's concepts in normalized `text`, typos mended where nothing else explains them."""
        matcher: PhraseMatcher = self.index.matcher
        spans = matcher.scan(text)
        found = matcher.concepts(text)
        covered = {i for start, end, _ in spans for i in range(start, end)}
        mended = self.typos.by_sound(text, covered)
        if self._topic_strength(found) < MIN_TOPIC_SCORE:
            uncovered = "".join(ch if i not in covered else " " for i, ch in enumerate(text))
            spelt = (self.typos.by_spelling(run) for run in re.findall(r"[\u3400-\u9fff]+", uncovered))
            mended.extend(p for p in spelt if p is not None)
        for phrase in mended:
            for label, weight in matcher.phrases[phrase].items():
                found.setdefault(label, weight * TYPO_WEIGHT)
        return found

    def _topic_strength(self, concepts: Mapping[str, float]) -> float:
        weights = self.index.entry_weight
        return sum(w * weights.get(c, 0.0) for c, w in concepts.items())

    def measure_scores(self, concepts: Mapping[str, float]) -> dict[str, float]:
        """Each measure's score: the weight of the question's concepts it mentions."""
        weights = self.index.measure_weight
        return {
            mid: sum(w * weights.get(c, 0.0) for c, w in concepts.items() if c in held)
            for mid, held in self.index.measure_concepts.items()
        }

    def score_entries(
        self, concepts: Mapping[str, float], intent: Intent, quoted: frozenset[float] = frozenset()
    ) -> list[Scored]:
        """Entries sharing a concept with the question, best first."""
        weights = self.index.entry_weight
        by_measure = self.measure_scores(concepts)
        goal_context = sum(
            w * self.index.measure_weight.get(c, 0.0) for c, w in concepts.items() if c in self.index.goal_concepts
        )
        scored: list[Scored] = []
        for entry in self.index.entries:
            topic = sum(w * weights.get(c, 0.0) for c, w in concepts.items() if c in entry.concepts)
            if topic <= 0:
                continue
            context = by_measure[entry.measure.id] if entry.measure else goal_context
            total = topic + MEASURE_SHARE * context
            if intent.quantity and entry.figures:
                total += QUANTITY_BONUS
            if intent.asked_unit and any(u == intent.asked_unit for _, u in entry.figures):
                total += UNIT_BONUS
            if (
                intent.waiver
                and entry.benefit
                and (entry.benefit.kind in ("waiver", "percentage_reduction") or "免" in entry.benefit.item)
            ):
                total += WAIVER_BONUS
            if any(float(q) in quoted for q, _ in entry.figures):
                total += ECHO_BONUS
            scored.append(Scored(entry, topic, total))
        scored.sort(key=lambda s: s.total, reverse=True)
        return scored

    def stage_mentions(self, text: str) -> list[StageMention]:
        """School stages named in the question, each with how many children it counts."""
        counts: dict[str, int] = {}
        for start, _end, phrase in self.index.matcher.scan(text):
            if negated(text, start):
                continue
            for stage in SCHOOL_STAGES:
                if stage in self.index.matcher.phrases[phrase]:
                    # "俩孙子都在幼儿园，一个大班一个小班": one stage named thrice is still two children.
                    counts[stage] = max(counts.get(stage, 0), count_before(text, start))
        if len(counts) == 1:
            (stage,) = counts
            counts[stage] = max(counts[stage], total_count(text))
        return [StageMention(stage, count) for stage, count in counts.items()]

    def _without_denied_stages(self, text: str) -> str:
        """ "娃还没上小学，在幼儿园": the denied 小学 is no part of what is asked."""
        chars = list(text)
        for start, end, phrase in self.index.matcher.scan(text):
            if negated(text, start) and any(s in self.index.matcher.phrases[phrase] for s in SCHOOL_STAGES):
                chars[start:end] = " " * (end - start)
        return "".join(chars)

    # -- answering ------------------------------------------------------------------------------

    def answer(self, question: str) -> Answer:
        """The plan's answer to `question`, or an honest "not covered"."""
        text = normalize(question)
        if not text:
            return self._not_covered()
        parts = clauses(question)
        intent = read_intent(text, last_clause=parts[-1] if parts else text)
        if intent.elsewhere or self.index.outside.concepts(text):
            return self._not_covered()
        mentions = self.stage_mentions(text)
        concepts = self.read_concepts(self._without_denied_stages(without_asking_words(text)))
        if sum(m.count for m in mentions) >= 2:
            multi = self._several_children(mentions)
            if multi is not None:
                return multi
        ranked = self.score_entries(concepts, intent, quoted=quoted_numbers(text))
        if not ranked or ranked[0].topic < MIN_TOPIC_SCORE:
            return self._not_covered()
        best = ranked[0]
        if intent.quantity and not best.entry.figures:
            with_figure = next((s for s in ranked if s.entry.figures and s.entry.measure == best.entry.measure), None)
            if with_figure is not None and with_figure.topic >= FIGURE_SHARE * best.topic:
                best = with_figure
            elif not intent.who and best.entry.measure is not None:
                return self._no_figure(best)
        return self._render(best, ranked, intent)

    def _siblings(self, best: Scored, intent: Intent) -> list[Entry]:
        """Facts said together with the best.

        The same stage's other benefits (高中: 免学杂费 + 2000 元); or, for "各多少公里", every
        figure of the measure in the asked unit.
        """
        if intent.listing and best.entry.unit is not None:
            same_unit = [
                e
                for e in self.index.entries
                if e.measure == best.entry.measure and e.unit == best.entry.unit and e.kind == best.entry.kind
            ]
            return [best.entry] + [e for e in same_unit if e is not best.entry]
        if best.entry.stage is None:
            return [best.entry]
        same = [e for e in self.index.entries if e.stage == best.entry.stage and e.kind == "benefit"]
        return [best.entry] + [e for e in same if e is not best.entry]

    def _render(self, best: Scored, ranked: list[Scored], intent: Intent) -> Answer:
        measure = best.entry.measure
        statements = "；".join(e.statement.rstrip("。") for e in self._siblings(best, intent)) + "。"
        parts = [statements]
        if measure is not None:
            contact = texts.responsible(measure.lead_unit, _partners(measure))
            parts = [contact, statements] if intent.who else [statements, contact]
            parts.append(texts.SOURCE.format(title=measure.title))
        else:
            parts.append(texts.GOAL_CONTACT)
        confidence = min(1.0, best.topic / (CONFIDENT_TOPIC_SCORE * 2))
        return Answer(
            answer="".join(parts),
            matched=True,
            units=list(measure.units) if measure else [],
            measure=measure.id if measure else None,
            measure_title=measure.title if measure else None,
            source=best.entry.source,
            confidence=round(confidence, 2),
            alternatives=self._alternatives(ranked, measure) if best.topic < CONFIDENT_TOPIC_SCORE else [],
        )

    def _several_children(self, mentions: list[StageMention]) -> Answer | None:
        """Each child's yearly cash by stage, and the family's total (one-off grants aside)."""
        lines: list[str] = []
        total = 0.0
        measure: Measure | None = None
        sources: list[str] = []
        for mention in mentions:
            cash = [
                e
                for e in self.index.entries
                if e.stage == mention.stage
                and e.kind == "benefit"
                and e.benefit is not None
                and e.benefit.amount_yuan is not None
                and e.benefit.period == "年"
            ]
            waivers = [
                e
                for e in self.index.entries
                if e.stage == mention.stage
                and e.kind == "benefit"
                and e.benefit is not None
                and e.benefit.kind == "waiver"
            ]
            if not cash and not waivers:
                lines.append(texts.STAGE_NO_FIGURE.format(stage=mention.stage))
                continue
            for entry in cash:
                assert entry.benefit is not None and entry.benefit.amount_yuan is not None
                amount = entry.benefit.amount_yuan * mention.count
                total += amount
                lines.append(
                    texts.STAGE_LINE.format(
                        stage=mention.stage,
                        count=mention.count,
                        each=format_number(entry.benefit.amount_yuan),
                        amount=format_number(amount),
                    )
                )
                measure = entry.measure
                sources.append(entry.source)
            lines.extend(
                texts.STAGE_WAIVER.format(stage=mention.stage, item=e.benefit.item)
                for e in waivers
                if e.benefit is not None
            )
        if measure is None:
            return None
        body = "；".join(lines) + "。" + texts.FAMILY_TOTAL.format(total=format_yuan(total))
        contact = texts.responsible(measure.lead_unit, _partners(measure))
        return Answer(
            answer=body + contact + texts.SOURCE.format(title=measure.title),
            matched=True,
            units=list(measure.units),
            measure=measure.id,
            measure_title=measure.title,
            source=" ".join(dict.fromkeys(sources)),
            confidence=0.9,
        )

    def _no_figure(self, best: Scored) -> Answer:
        """The plan names the benefit but fixes no amount: say so, and say what it does fix."""
        measure = best.entry.measure
        assert measure is not None
        return Answer(
            answer=texts.NO_FIGURE.format(statement=best.entry.statement.rstrip("。"))
            + texts.responsible(measure.lead_unit, _partners(measure)),
            matched=False,
            units=list(measure.units),
            measure=measure.id,
            measure_title=measure.title,
            source=best.entry.source,
            confidence=round(min(1.0, best.topic / (CONFIDENT_TOPIC_SCORE * 2)), 2),
        )

    def _alternatives(self, ranked: list[Scored], chosen: Measure | None) -> list[Alternative]:
        seen = {chosen.id} if chosen else set()
        alternatives: list[Alternative] = []
        for s in ranked:
            m = s.entry.measure
            if m is None or m.id in seen:
                continue
            seen.add(m.id)
            alternatives.append(Alternative(m.id, m.title, texts.ALTERNATIVE_QUESTION.format(title=m.title)))
            if len(alternatives) == 3:
                break
        return alternatives

    def _not_covered(self) -> Answer:
        return Answer(
            answer=texts.NOT_COVERED,
            matched=False,
            units=[texts.OFFICE],
            measure=None,
            measure_title=None,
            source="",
            confidence=0.0,
        )


def quoted_numbers(text: str) -> frozenset[float]:
    """Numbers a question quotes, in Arabic or Chinese numerals ("一百八十九户" -> 189)."""
    numbers = {float(n) for n in re.findall(r"\d+(?:\.\d+)?", text)}
    chinese = re.findall(r"[零一二两三四五六七八九十百千万]{2,}", text)
    if chinese:
        import cn2an  # imported only here: it costs a tenth of a second to import

        for word in chinese:
            try:
                numbers.add(float(cn2an.cn2an(word, "smart")))
            except (ValueError, KeyError):
                continue
    return frozenset(numbers)


def _partners(measure: Measure) -> list[str]:
    partners = list(measure.units[1:])
    if measure.township_takes_part:
        partners.append(texts.TOWNSHIP)
    return partners


@lru_cache(maxsize=4)
def load_engine(kb_path: str | None = None) -> Engine:
    """The engine for the packaged plan (or the knowledge base at `kb_path`), built once."""
    return build_engine(kb_path)


def build_engine(kb_path: str | None = None, reviewed: Mapping[str, str] | None = None) -> Engine:
    """A new engine for the plan, with the office's reviewed phrases (phrase -> entry key; see `build_index`)."""
    kb = load_kb(Path(kb_path) if kb_path else None)
    directory: Path | None = cache_dir()
    try:
        directory.mkdir(parents=True, exist_ok=True)  # type: ignore[union-attr]
    except OSError:
        directory = None  # an unwritable cache only costs speed
    return Engine(build_index(kb, directory, reviewed))


def answer(question: str, *, kb: str | Path | None = None) -> Answer:
    """Answer a household's question from the plan (see `Engine.answer`)."""
    return load_engine(str(kb) if kb else None).answer(question)
