"""The knowledge base as scored entries: one entry per fact, per sentence without facts, per measure.

Built once per knowledge base and immutable. An entry knows which of the plan's concepts it is
about; a question scores entries by the concepts they share, weighted by how rare each concept is
(a concept found in every measure says little, 危桥 says a lot).
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import re
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from importlib import resources
from pathlib import Path
from typing import Literal

from policy_kb.colloquial import Concept, PhraseMatcher, load_concepts, load_outside
from policy_kb.schema import Benefit, KnowledgeBase, Measure, Number, Target
from policy_kb.textnorm import normalize
from policy_kb.tokenizer import STOPWORDS, build_tokenizer, content_words

EntryKind = Literal["benefit", "target", "goal", "cadence", "sentence"]

#: The education stages, in order, as the concept labels of `data/colloquial.json` name them.
SCHOOL_STAGES = ("学前教育", "小学", "初中", "普通高中", "中等职业学校", "高职新生", "大学本科")


#: A benefit that is lent, not given ("扶贫小额信贷", "创业担保贷款").
LOAN_RE = re.compile(r"贷")


@dataclass(frozen=True)
class Entry:
    """One thing the plan says, with the concepts it is about and how to say it back."""

    kind: EntryKind
    measure: Measure | None
    concepts: frozenset[str]
    #: The fact in a few words, e.g. "初中生活补贴：每生每年 1250 元".
    statement: str
    source: str
    #: The figure and its unit, for questions asking "多少户 / 几座 / 多少钱".
    quantity: Number | None = None
    unit: str | None = None
    #: Every figure the entry states, with its unit (血常规等40项…减收20%: 40 项 and 20 %).
    figures: tuple[tuple[Number, str], ...] = ()
    benefit: Benefit | None = None
    #: The school stage a benefit is for, when it is one.
    stage: str | None = None
    #: Stable name of the entry across rebuilds of the same plan, for reviewed phrases to point at
    #: (see `entry_key`).
    key: str = ""


@dataclass(frozen=True)
class Index:
    """Entries, their concept weights, and the matcher that reads concepts out of text."""

    kb: KnowledgeBase
    matcher: PhraseMatcher
    entries: tuple[Entry, ...]
    measure_concepts: Mapping[str, frozenset[str]]
    entry_weight: Mapping[str, float]
    measure_weight: Mapping[str, float]
    #: What the plan's goals section speaks of: the context goals are scored in, as a measure's.
    goal_concepts: frozenset[str] = field(default_factory=frozenset)
    #: The reviewed concepts' own phrases (normalized): what a typo is mended towards.
    concept_phrases: frozenset[str] = field(default_factory=frozenset)
    #: Phrases of topics the plan does not cover.
    outside: PhraseMatcher = field(default_factory=lambda: PhraseMatcher({}))


def format_number(value: Number) -> str:
    """1250 -> "1250", 21.5 -> "21.5"."""
    return str(int(value)) if float(value).is_integer() else str(value)


def format_yuan(amount: Number) -> str:
    """40000 -> "40000 元（4万元）": both forms, since people say 四万 and forms say 40000."""
    text = f"{format_number(amount)} 元"
    if amount >= 10000 and float(amount / 10000).is_integer():
        text += f"（{format_number(amount / 10000)}万元）"
    return text


def benefit_statement(benefit: Benefit) -> str:
    """A benefit in one line, with its figure exactly as the plan fixes it."""
    where = f"（{'，'.join(benefit.conditions)}）" if benefit.conditions else ""
    if benefit.kind == "waiver":
        return f"{benefit.beneficiary}免收（免除）{benefit.item}{where}"
    if benefit.kind == "percentage_reduction" and benefit.percent is not None:
        return f"{benefit.item}减收 {format_number(benefit.percent)}%{where}"
    if benefit.amount_yuan is not None:
        per = f"每{benefit.per}" if benefit.per else ""
        amount = format_yuan(benefit.amount_yuan)
        if benefit.amount_max_yuan is not None:
            amount = f"{format_number(benefit.amount_yuan)}—{format_number(benefit.amount_max_yuan)} 元"
        if LOAN_RE.search(benefit.item):
            # A loan's figure is what may be borrowed, never a grant paid out.
            return f"{benefit.item}：{per} {amount}"
        if benefit.period in (None, "次"):
            return f"{benefit.item}：{per} {amount}，一次性补助"
        return f"{benefit.item}：{per}每{benefit.period} {amount}"
    if benefit.quantity is not None:
        return f"{benefit.item}：{format_number(benefit.quantity)} {benefit.unit or ''}".rstrip()
    clause = clause_about(benefit.sentence, benefit.item)
    # The whole figureless stretch the clause stands in, so that the statement keeps its subject.
    return _trim(next((run for run in figureless_runs(benefit.sentence) if clause in run), clause))


def target_statement(target: Target) -> str:
    """A target in one line: "危桥改造：5 座", "家庭农场（新发展）：20 家以上", and one set village by
    village as such: "村卫生室：每村 1 所以上", "综合性文化服务中心：10 个村，每村 1 个以上"."""
    more = "以上" if target.at_least else ""
    name = target.display_name or target.indicator
    figure = f"{format_number(target.quantity)} {target.unit}{more}"
    if not target.per_village:
        return f"{name}：{figure}"
    villages = f"{target.villages} 个村，" if target.villages else ""
    return f"{name}：{villages}每村 {figure}"


def _trim(sentence: str) -> str:
    return sentence.strip().rstrip("。；;，,") + "。"


def raw_clauses(sentence: str) -> list[str]:
    """The sentence's clauses as written (punctuation inside a clause kept)."""
    return [c.strip() for c in re.split(r"[，,；;。]", sentence) if c.strip()]


def figureless_runs(sentence: str) -> list[str]:
    """The sentence's stretches without a figure: consecutive figureless clauses of one part
    (parts end at ；/。), joined back with their commas."""
    runs: list[list[str]] = []
    for piece in re.split(r"[；;。]", sentence):
        run: list[str] = []
        runs.append(run)
        for clause in (c.strip() for c in re.split(r"[，,]", piece)):
            if clause and not any(ch.isdigit() for ch in clause):
                run.append(clause)
            elif run:
                run = []
                runs.append(run)
    return ["，".join(run) for run in runs if run]


def clause_about(sentence: str, phrase: str) -> str:
    """The clause of `sentence` that speaks of `phrase`: the one sharing most characters with it."""
    target = set(normalize(phrase))
    return max(raw_clauses(sentence) or [sentence], key=lambda c: len(target & set(normalize(c))))


def _idf(doc_concepts: Iterable[frozenset[str]]) -> dict[str, float]:
    docs = list(doc_concepts)
    df: Counter[str] = Counter(c for d in docs for c in d)
    n = len(docs)
    return {c: math.log((n + 1) / (k + 0.5)) for c, k in df.items()}


def plan_vocabulary(kb: KnowledgeBase, concepts: list[Concept], cache_dir: Path | None) -> frozenset[str]:
    """Words of the plan as jieba cuts them, cached on disk beside the knowledge base.

    Loading jieba's dictionary takes most of a second; the vocabulary depends only on the plan's
    text and the reviewed concepts, so it is cut once and read back on every later start.
    """
    key = hashlib.sha256(
        (kb.source.sha256 + "".join(sorted(t for c in concepts for t in c.terms))).encode()
        + resources.files("policy_kb").joinpath("tokenizer.py").read_bytes()
    ).hexdigest()[:24]
    cached = cache_dir / f"vocabulary-{key}.json" if cache_dir else None
    if cached is not None and cached.is_file():
        try:
            return frozenset(json.loads(cached.read_text("utf-8")))
        except (OSError, ValueError):
            pass
    vocabulary = _cut_vocabulary(kb, concepts, cache_dir)
    if cached is not None:
        try:
            tmp = cached.with_suffix(f".{os.getpid()}.tmp")
            tmp.write_text(json.dumps(sorted(vocabulary), ensure_ascii=False), "utf-8")
            tmp.replace(cached)
        except OSError:
            pass  # an unwritable cache only costs speed
    return vocabulary


def _cut_vocabulary(kb: KnowledgeBase, concepts: list[Concept], cache_dir: Path | None) -> frozenset[str]:
    """Words of the plan as jieba cuts them, with the KB's own names kept whole."""
    user_words = {u for m in kb.measures for u in m.units}
    user_words |= {b.item for m in kb.measures for b in m.benefits}
    user_words |= {t.indicator for m in kb.measures for t in m.targets}
    user_words |= {t for c in concepts for t in c.terms}
    tokenizer = build_tokenizer(sorted(user_words), cache_dir)
    words: set[str] = set(content_words(tokenizer, "主要目标" + "".join(g.sentence for g in kb.goals), hmm=False))
    for measure in kb.measures:
        # Without HMM: only dictionary words and the KB's own names, no guessed fragments.
        words.update(content_words(tokenizer, measure.text, hmm=False))
    normalized = {normalize(w) for w in words}
    return frozenset(w for w in normalized if w and w not in STOPWORDS and not any(ch.isdigit() for ch in w))


def _stage_of(concepts: frozenset[str]) -> str | None:
    return next((s for s in SCHOOL_STAGES if s in concepts), None)


def _measure_entries(measure: Measure, matcher: PhraseMatcher) -> list[Entry]:
    def about(*texts: str) -> frozenset[str]:
        return matcher.all_concepts(normalize("".join(texts)))

    entries: list[Entry] = []
    fact_sentences: set[str] = set()
    for b in measure.benefits:
        concepts = about(b.item, b.beneficiary, *b.conditions)
        figures = tuple(
            (q, u)
            for q, u in ((b.amount_yuan, "元"), (b.percent, "%"), (b.quantity, b.unit))
            if q is not None and u is not None
        )
        quantity, unit = figures[0] if figures else (None, None)
        entries.append(
            Entry(
                "benefit",
                measure,
                concepts,
                benefit_statement(b),
                b.sentence,
                quantity,
                unit,
                figures=figures,
                benefit=b,
                stage=_stage_of(concepts),
            )
        )
        fact_sentences.add(b.sentence)
    for t in measure.targets:
        concepts = about(t.indicator, t.display_name or "")
        entries.append(
            Entry(
                "target",
                measure,
                concepts,
                target_statement(t),
                t.sentence,
                t.quantity,
                t.unit,
                figures=((t.quantity, t.unit), *(((t.villages, "个"),) if t.villages else ())),
            )
        )
        fact_sentences.add(t.sentence)
    for sentence in measure.sentences:
        if sentence in fact_sentences:
            # Keep what states no figure of its own ("继续开展…签约服务"), as whole runs of clauses
            # so that no statement loses its subject ("对…困难家庭，符合低保条件的，应全部纳入低保").
            for run in figureless_runs(sentence):
                if len(normalize(run)) >= 4:
                    entries.append(Entry("sentence", measure, about(run), _trim(run), sentence))
            continue
        entries.append(Entry("sentence", measure, about(sentence), _trim(sentence), sentence))
    return entries


def build_index(kb: KnowledgeBase, cache_dir: Path | None = None, reviewed: Mapping[str, str] | None = None) -> Index:
    """Entries for every fact and sentence of `kb`, and the weights of the concepts they hold.

    Args:
        reviewed: the office's reviewed everyday phrases, phrase -> entry key (`Entry.key`). Each
            becomes a concept of its own that only that entry (and its measure) holds, so a
            question saying it is about that entry. Phrases of keys this plan lacks are ignored.
    """
    concepts = load_concepts()
    vocabulary = plan_vocabulary(kb, concepts, cache_dir)
    matcher = PhraseMatcher.build(concepts, vocabulary)
    entries: list[Entry] = []
    for goal in kb.goals:
        entries.append(
            Entry(
                "goal",
                None,
                matcher.all_concepts(normalize(goal.indicator + "目标")),
                f"{goal.indicator}：{format_number(goal.quantity)} {goal.unit}",
                goal.sentence,
                goal.quantity,
                goal.unit,
                figures=((goal.quantity, goal.unit),),
            )
        )
    measures = {m.id: m for m in kb.measures}
    for cadence in kb.cadences:
        entries.append(
            Entry(
                "cadence",
                measures.get(cadence.measure),
                matcher.all_concepts(normalize(cadence.name)),
                _trim(cadence.sentence),
                cadence.sentence,
                key=f"{cadence.measure or GOAL_KEY}/cadence/{cadence.name}",
            )
        )
    for measure in kb.measures:
        entries.extend(_measure_entries(measure, matcher))
    measure_concepts = {m.id: matcher.all_concepts(normalize(m.title + m.text)) for m in kb.measures}
    entries = _keyed(entries)
    if reviewed:
        matcher, entries, measure_concepts = _with_reviewed(matcher, entries, measure_concepts, reviewed)
    return Index(
        kb=kb,
        matcher=matcher,
        entries=tuple(entries),
        measure_concepts=measure_concepts,
        entry_weight=_idf(e.concepts for e in entries),
        goal_concepts=matcher.all_concepts(normalize("主要目标" + "".join(g.sentence for g in kb.goals))),
        measure_weight=_idf(measure_concepts.values()),
        concept_phrases=frozenset(normalize(p) for c in concepts for p in (*c.terms, *c.say)),
        outside=load_outside(normalize("".join(m.title + m.text for m in kb.measures))),
    )


#: The measure part of the key of what belongs to no measure (the plan's goals).
GOAL_KEY = "goal"
#: Label of the concept a reviewed phrase stands for; no reviewed concept of the plan looks like it.
REVIEWED_LABEL = "reviewed:{key}"


def entry_key(entry: Entry) -> str:
    """ "mf2da9ece/benefit/学杂费/普通高中": measure, kind and the entry's name, never its figure.

    The name is what the plan calls the fact (a benefit's item and school stage, a target's or a
    goal's indicator) or, for a sentence, its text. A figure is left out on purpose: next year's plan
    may change 1250 元 to 1300 元, and a phrase the office attached to 初中生活补贴 still belongs there.
    """
    measure = entry.measure.id if entry.measure else GOAL_KEY
    if entry.benefit is not None:
        name = entry.benefit.item + (f"/{entry.stage}" if entry.stage else "")
    elif entry.kind in ("target", "goal") and entry.quantity is not None:
        name = entry.statement.split("：")[0]
    else:
        name = entry.statement
    return f"{measure}/{entry.kind}/{name}"


def _keyed(entries: list[Entry]) -> list[Entry]:
    """Every entry with its key; a name the plan repeats in one measure gets "#2", "#3" in plan order."""
    seen: Counter[str] = Counter()
    keyed: list[Entry] = []
    for entry in entries:
        key = entry.key or entry_key(entry)
        seen[key] += 1
        keyed.append(replace(entry, key=key if seen[key] == 1 else f"{key}#{seen[key]}"))
    return keyed


def _with_reviewed(
    matcher: PhraseMatcher,
    entries: list[Entry],
    measure_concepts: Mapping[str, frozenset[str]],
    reviewed: Mapping[str, str],
) -> tuple[PhraseMatcher, list[Entry], dict[str, frozenset[str]]]:
    """The matcher, entries and measures with each reviewed phrase as a concept of its entry's own."""
    by_key = {e.key: e for e in entries}
    labels: dict[str, str] = {}
    extra: dict[str, dict[str, float]] = {}
    for phrase, key in reviewed.items():
        if key in by_key and normalize(phrase):
            labels[key] = REVIEWED_LABEL.format(key=key)
            extra[normalize(phrase)] = {labels[key]: 1.0}
    concepts = dict(measure_concepts)
    for key, label in labels.items():
        measure = by_key[key].measure
        if measure is not None:
            concepts[measure.id] = concepts[measure.id] | {label}
    entries = [replace(e, concepts=e.concepts | {labels[e.key]}) if e.key in labels else e for e in entries]
    return matcher.with_phrases(extra), entries, concepts
