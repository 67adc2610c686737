"""Answering households' questions from the knowledge base, precisely and honestly.

A question is read into the plan's concepts (colloquial words mapped, typos mended), every entry
is scored by the concepts it shares with the question, and the best entry is said back with its
figure, the plan's sentence it rests on and the unit to contact. When nothing scores enough, the
answer says plainly that the plan does not cover the question.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path

from policy_kb import texts
from policy_kb.colloquial import PhraseMatcher
from policy_kb.index import SCHOOL_STAGES, Entry, Index, build_index, format_number, format_yuan
from policy_kb.intent import (
    ASKING_PATTERN,
    ERRAND_PATTERN,
    GREETING_PATTERN,
    GREETING_PREFIX_PATTERN,
    INSTRUCTION_PATTERN,
    THANKS_PATTERN,
    WHICH_OF_COUNT_PATTERN,
    Intent,
    asking_clauses,
    asks_total,
    both_topics,
    compares,
    count_before,
    names_its_time,
    negated,
    other_year,
    read_intent,
    several,
    split_questions,
    total_count,
    without_asking_words,
)
from policy_kb.loader import cache_dir, load_kb
from policy_kb.numbers import base_unit, base_value
from policy_kb.results import Alternative, Answer, Part
from policy_kb.schema import KnowledgeBase, Measure
from policy_kb.textnorm import clauses, normalize
from policy_kb.typos import TypoMatcher

#: Weight of a concept recovered from a typo rather than read as written.
TYPO_WEIGHT = 0.8
#: How much of a measure's own score carries over to each of its entries.
MEASURE_SHARE = 0.5
#: Bonuses for an entry that fits how the question asks (a figure, the asked unit, a waiver).
QUANTITY_BONUS, UNIT_BONUS, WAIVER_BONUS = 1.5, 1.5, 0.8
#: Shortest phrase of a question counted as the plan's own words when an entry states it, and the
#: (small) weight of that: a tie-breaker, not a topic.
MIN_VERBATIM, VERBATIM_BONUS = 3, 0.3
#: The school stages one after another, for a span asked as "从幼儿园到高中".
SCHOOL_LADDER = ("学前教育", "小学", "初中", "普通高中", "大学本科")
#: What joins the two ends of a span of stages.
SPAN_PATTERN = re.compile(r"到|至|一直到")
#: A grade of danger or need (C级危房, D级): a question about one grade is not about another.
GRADE_PATTERN = re.compile(r"([a-d])级")
#: Bonus for a fact whose figure the question itself quotes ("是一百八十九户不").
ECHO_BONUS = 4.0
#: Least topical score (concept overlap alone) for a question to count as covered by the plan.
MIN_TOPIC_SCORE = 1.2
#: Least topical score of a question's own words for it to stand alone in a message of several
#: ("一年还给多少补助" names only the generic 补助: it asks about the question before it).
MIN_OWN_TOPIC = 3.0
#: Below this topical score the answer offers other topics ("did you mean").
CONFIDENT_TOPIC_SCORE = 3.0
#: A rival topic of another measure scoring this share of the best competes closely with it.
CLOSE_SHARE = 0.9
#: The confidence of an answer with a close rival: low enough for every face to ask back.
CLOSE_CONFIDENCE = 0.5
#: Longest asking clause that is only a tail ("要钱不", "给不给", "能行不"): it asks about the
#: clause just before it.
BARE_TAIL_CHARS = 4
#: A question that points back at what the clause before it named ("有没有这说法", "这个给多少").
ANAPHOR_PATTERN = re.compile(r"这(?:个|种|样|说法|政策|事|块|项|些)|那(?:个|种|样|说法|政策|事|块|项|些)|^这|^那")
#: "十大工程有哪些", "几大工程": a question about a heading's measures as a group.
GROUP_PATTERN = re.compile(r"(十大|几大|十项)[^，,。？?]{0,8}工程")
#: "负责哪些工作", "都管啥", "干啥工程": a question about what a unit the message names does.
UNIT_DUTIES_PATTERN = re.compile(
    r"(?:管|负责|干|抓|牵头|参与|分管)(?:的)?(?:都)?(?:是)?(?:啥|什么|哪些|哪几|哪块)|(?:啥|什么|哪些)(?:工作|任务|事儿?|活儿?)"
)
#: The numbering a heading starts with ("（二）", "(三)").
HEADING_NUMBER = re.compile(r"^[（(][一二三四五六七八九十]+[）)]")
#: What people leave off a measure's title when they name it.
TITLE_SUFFIX = re.compile(r"巩固提升工程$|工程$")
#: What people may leave off too, where the name stays long enough to be the title ("生态文明建设").
TITLE_TOPIC_SUFFIX = re.compile(r"扶贫$")
#: The shortest name that still names one measure ("就业" alone is everyday talk, "就业扶贫" a title).
MIN_TITLE_NAME = 4
#: Most statements one list answer says (a measure's sentences, in the plan's order).
MAX_LISTED = 6
#: A sentence on the asked topic scores at least this share of the best one's topic.
TOPIC_LIST_SHARE = 0.5
#: Most facts a list answer about a whole measure says.
MAX_NAMED = 16
#: Bonus for an entry of the measure whose title the question names ("就业扶贫有啥政策").
TITLE_BONUS = 2.0
#: Most questions of one message answered in one reply.
MAX_QUESTIONS = 3
#: How much a story clause of a long message counts beside the clause that asks.
STORY_SHARE = 0.5
#: Longest entry name on a "did you mean" button (its question must fit Telegram's 64-byte data).
MAX_BUTTON_NAME = 15
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
        self.plan_year = index.kb.source.year
        #: How answers cite the plan, by its year.
        self.plan_name = texts.PLAN_NAME.format(year=self.plan_year)
        self.typos = TypoMatcher(index.concept_phrases)
        #: Each measure's title as people name it ("就业扶贫巩固提升工程" -> 就业扶贫;
        #: "生态文明建设扶贫巩固提升工程" -> 生态文明建设扶贫, 生态文明建设).
        self._title_cores: dict[str, tuple[str, ...]] = {}
        for m in index.kb.measures:
            core = normalize(TITLE_SUFFIX.sub("", m.title))
            names = (core, TITLE_TOPIC_SUFFIX.sub("", core))
            self._title_cores[m.id] = tuple(dict.fromkeys(n for n in names if len(n) >= MIN_TITLE_NAME))
        #: Each unit the plan names, by its full name and as people shorten it (民政局 for 县民政局).
        units = dict.fromkeys(u for m in index.kb.measures for u in m.units if u != texts.TOWNSHIP)
        self._unit_names = [(normalize(u), u) for u in units]
        self._unit_names += [(normalize(u[1:]), u) for u in units if u.startswith("县") and len(u) >= 4]
        #: Each entry's "did you mean" question, so that asking it (or pressing it) gives that entry.
        self._asked: dict[str, Entry] = {}
        for entry in index.entries:
            self._asked.setdefault(normalize(entry_question(entry)[1]), entry)

    # -- reading a question -------------------------------------------------------------------

    def read_concepts(self, text: str) -> dict[str, float]:
        """The plan's concepts in normalized `text`, typos mended where nothing else explains them."""
        matcher: PhraseMatcher = self.index.matcher
        found = matcher.concepts(text)
        covered = matcher.covered(text)
        mended = self.typos.by_sound(text, covered) + self.typos.by_pinyin(text)
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
        self, concepts: Mapping[str, float], intent: Intent, quoted: frozenset[float] = frozenset(), text: str = ""
    ) -> list[Scored]:
        """Entries sharing a concept with the question, best first."""
        weights = self.index.entry_weight
        by_measure = self.measure_scores(concepts)
        goal_context = sum(
            w * self.index.measure_weight.get(c, 0.0) for c, w in concepts.items() if c in self.index.goal_concepts
        )
        titled = {m.id for m in self.index.kb.measures if self._titled(text, m)}
        grades = set(GRADE_PATTERN.findall(text))
        # The plan's own words said back: at an equal topic, the entry that states them verbatim wins
        # over one reached through a synonym ("扶贫小额信贷" is the 金融扶贫 sentence's own term).
        said = [p for _, _, p in self.index.matcher.scan(text) if len(p) >= MIN_VERBATIM]
        scored: list[Scored] = []
        for entry in self.index.entries:
            topic = sum(w * weights.get(c, 0.0) for c, w in concepts.items() if c in entry.concepts)
            if topic <= 0:
                continue
            stated = set(GRADE_PATTERN.findall(normalize(entry.statement)))
            if grades and stated and not grades & stated:
                continue  # "C级危房补多少" is not answered with the D-grade grant
            context = by_measure[entry.measure.id] if entry.measure else goal_context
            total = topic + MEASURE_SHARE * context
            if intent.quantity and entry.figures:
                total += QUANTITY_BONUS
            if intent.asked_unit and any(base_unit(u) == intent.asked_unit for _, u in entry.figures):
                total += UNIT_BONUS
            if (
                intent.waiver
                and entry.benefit
                and (entry.benefit.kind in ("waiver", "percentage_reduction") or "免" in entry.benefit.item)
            ):
                total += WAIVER_BONUS
            if any(float(q) in quoted for q, _ in entry.figures):
                total += ECHO_BONUS
            if entry.measure is not None and entry.measure.id in titled:
                total += TITLE_BONUS
            if any(p in normalize(entry.statement) for p in said):
                total += VERBATIM_BONUS
            scored.append(Scored(entry, topic, total))
        # At an equal score a household is told what it gets (a benefit) before a county target.
        scored.sort(key=lambda s: (s.total, s.entry.benefit is not None), reverse=True)
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

    def spanned_stages(self, text: str) -> list[str]:
        """The school stages from one named stage to another ("从幼儿园到高中" -> 学前教育, 小学, 初中,
        普通高中), in school order; empty when no span is named."""
        named = [
            (start, stage)
            for start, _end, phrase in self.index.matcher.scan(text)
            for stage in SCHOOL_LADDER
            if stage in self.index.matcher.phrases[phrase]
        ]
        for (start, first), (after, last) in itertools.pairwise(named):
            if first != last and SPAN_PATTERN.search(text[start:after]):
                low, high = sorted((SCHOOL_LADDER.index(first), SCHOOL_LADDER.index(last)))
                return list(SCHOOL_LADDER[low : high + 1])
        return []

    def _without_denied_stages(self, text: str) -> str:
        """ "娃还没上小学，在幼儿园": the denied 小学 is no part of what is asked."""
        chars = list(text)
        for start, end, phrase in self.index.matcher.scan(text):
            if negated(text, start) and any(s in self.index.matcher.phrases[phrase] for s in SCHOOL_STAGES):
                chars[start:end] = " " * (end - start)
        return "".join(chars)

    # -- answering ------------------------------------------------------------------------------

    def answer(self, question: str) -> Answer:
        """The plan's answer to every question of a message (up to three), or an honest "not covered".

        Greetings, instructions to the assistant and "did you mean" questions are recognised first.
        Then the message is answered whole, and split into its questions (question marks, spaces,
        "还有/另外/再问", "X和Y分别…", commas in a short message): when at least two of them get
        different answers, each is said in the order asked — one the plan surely leaves out (another
        place, year or topic) is said so in its place; otherwise the whole message's answer stands.
        """
        text = normalize(question)
        if not text:
            return self._compose([self._not_covered()])
        if GREETING_PATTERN.match(text):
            return self._compose([_Reply(Part("greeting", [texts.greeting(self.index.kb.source)]), matched=False)])
        if THANKS_PATTERN.match(text):
            return self._compose([_Reply(Part("greeting", [texts.THANKS]), matched=False)])
        if INSTRUCTION_PATTERN.search(text):
            return self._compose([self._not_covered()])
        asked = self._asked_entry(text)
        if asked is not None:
            return self._compose([self._say(Scored(asked, CONFIDENT_TOPIC_SCORE * 2, 0.0), [], _PLAIN)])
        group = self._named_group(text) or self._unit_duties(text)
        if group is not None:
            return self._compose([group])
        whole = self._answer_one(question)
        questions = [q for part in split_questions(question) for q in both_topics(part)]
        if len(questions) < 2:
            return self._compose([whole])
        replies: list[_Reply] = []
        before = ""
        setting = questions[0][: questions[0].rfind("，") + 1]
        year_elsewhere = False
        for asked_part in questions:
            if year_elsewhere and not names_its_time(asked_part):
                # "2020年的方案出来了没，这回娃上初中补多少": the later question is about that year too.
                replies.append(self._not_covered(outside=True))
                continue
            year_elsewhere = other_year(normalize(asked_part), self.plan_year)
            reply = self._answer_one(asked_part)
            if whole.several and reply.matched and reply.measure == whole.measure:
                # The children's sum answers every child of the message, wherever they were told.
                reply = whole
            if before and (not reply.matched or self._topic_strength(self.read_concepts(asked_part)) < MIN_OWN_TOPIC):
                # "危房改造补多少，找哪个部门", "高中学杂费能免不，一年还给多少补助": a later question
                # that names no topic of its own leans on the earlier one's (when that gives the
                # earlier answer again, it was one question).
                leaning = self._answer_one(before + "，" + asked_part)
                if not leaning.matched and setting:
                    leaning = self._answer_one(setting + asked_part)
                if not reply.matched or (leaning.matched and leaning.key not in {r.key for r in replies}):
                    reply = leaning
            before = asked_part
            # A question about something the plan surely leaves out is said so in its place.
            if (reply.matched or reply.outside) and reply.key not in {r.key for r in replies}:
                replies.append(reply)
        if len(replies) < 2 or not any(r.matched for r in replies):
            return self._compose([whole])
        replies = replies[:MAX_QUESTIONS]
        if asks_total(text):
            replies = _with_total(replies)
        return self._compose(replies)

    def _compose(self, replies: list[_Reply]) -> Answer:
        """The answer of a message from its questions' replies: the plain text is rendered here only."""
        # Every part cites this plan by its year ("2019年实施方案"): several plans may be in the database.
        parts = [replace(r.part, plan=self.plan_name) for r in replies]
        first = next((r for r in replies if r.matched), replies[0])
        return Answer(
            answer=texts.plain_answer(parts),
            matched=any(r.matched for r in replies),
            units=first.units,
            measure=first.measure.id if first.measure else None,
            measure_title=first.measure.title if first.measure else None,
            source=first.part.source,
            confidence=min(r.confidence for r in replies) if all(r.matched for r in replies) else first.confidence,
            alternatives=first.alternatives if len(replies) == 1 else [],
            parts=parts,
        )

    def _named_group(self, text: str) -> _Reply | None:
        """ "十大工程都有哪些": the measures under a heading the question names, by their titles."""
        match = GROUP_PATTERN.search(text)
        if match is None:
            return None
        headings: dict[str, list[str]] = {}
        for m in self.index.kb.measures:
            if len(m.path) >= 3 and match.group(1) in m.path[-2]:
                headings.setdefault(m.path[-2], [])
                core = TITLE_SUFFIX.sub("", m.title)
                if core not in headings[m.path[-2]]:
                    headings[m.path[-2]].append(core)
        if len(headings) != 1:
            return None
        ((heading, titles),) = headings.items()
        name = HEADING_NUMBER.sub("", heading)
        part = Part(
            "answer",
            [texts.GROUP.format(heading=name, titles="、".join(titles))],
            lead_unit=texts.OFFICE,
            source=heading,
            source_title=name,
        )
        return _Reply(part, matched=True, units=[texts.OFFICE], confidence=1.0, key=heading)

    def _unit_duties(self, text: str) -> _Reply | None:
        """ "县民政局负责哪些工作", "交通局今年都干啥": the measures a unit leads and takes part in, by
        the plan's own rule (the first unit named leads), when the question names no other topic."""
        asking = UNIT_DUTIES_PATTERN.search(text)
        named = [(form, unit) for form, unit in self._unit_names if form in text]
        if asking is None or not named:
            return None
        form, unit = max(named, key=lambda n: len(n[0]))
        rest = text.replace(asking[0], " ").replace(form, " ")
        if self._topic_strength(self.read_concepts(rest)) >= MIN_TOPIC_SCORE:
            return None
        measures = self.index.kb.measures
        led = list(dict.fromkeys(m.title for m in measures if m.lead_unit == unit))
        joined = list(dict.fromkeys(m.title for m in measures if unit in m.units[1:] and m.title not in led))
        lines = [texts.UNIT_LEADS.format(unit=unit, titles="、".join(led))] if led else []
        lines += [texts.UNIT_TAKES_PART.format(unit=unit, titles="、".join(joined))] if joined else []
        part = Part("answer", lines, source_title=texts.RESPONSIBILITY_TITLE)
        return _Reply(part, matched=True, units=[unit], confidence=1.0, key=f"duties:{unit}")

    def _answer_one(self, question: str) -> _Reply:
        """One question's reply: the best entry said back, its figure first when one was asked."""
        text = normalize(GREETING_PREFIX_PATTERN.sub("", normalize(question)) or question)
        if not text:
            return self._not_covered()
        parts = clauses(question) or [text]
        asking = asking_clauses(parts)
        asked = [p for p, asks in zip(parts, asking, strict=True) if asks] or parts
        marked = question.rstrip().endswith(("？", "?")) and not ASKING_PATTERN.search(asked[-1])
        intent = read_intent(text, last_clause=asked[-1], asked="".join(asked), plan_year=self.plan_year, marked=marked)
        if intent.elsewhere or self.index.outside.concepts("".join(asked)):
            return self._not_covered(outside=True)
        mentions = self.stage_mentions(text)
        concepts = self._asked_concepts(parts)
        spanned = self.spanned_stages(text)
        if spanned:
            multi = self._several_children([StageMention(stage, 1) for stage in spanned], compared=True)
            if multi is not None:
                return multi
        if sum(m.count for m in mentions) >= 2:
            multi = self._several_children(mentions, compared=compares(text))
            if multi is not None:
                return multi
        # A figure quoted in a question that asks for one is the story's ("说全县改造189户，一户补多少"):
        # only a question that checks a figure ("听说给4万，是真的吗") is drawn to it.
        quoted = frozenset() if intent.quantity else quoted_numbers(text)
        ranked = self.score_entries(concepts, intent, quoted=quoted, text=text)
        if not ranked or ranked[0].topic < MIN_TOPIC_SCORE:
            return self._not_covered()
        best = ranked[0]
        stages = {m.stage for m in mentions}
        if stages and best.entry.stage is not None and not stages & best.entry.concepts:
            # "孩子上大学，学费能补多少": 学费 is 中职's word too, but the child named is at 大学.
            best = next((s for s in ranked if stages & s.entry.concepts), best)
            if best.entry.stage is not None and not stages & best.entry.concepts and best.entry.measure:
                # The plan fixes an amount for another stage only: none for the child named, said so.
                named = "、".join(m.stage for m in mentions)
                return self._no_figure(best, said=texts.STAGE_NOT_FIXED.format(stage=named))
        if intent.yes_no and not intent.waiver and best.entry.kind == "sentence":
            # "有补助吗" read as a clause of a sentence that states the amount: say the amount too.
            same = next((s for s in ranked if s.entry.figures and s.entry.source == best.entry.source), None)
            best = same or best
        # A yes/no question wants the figure too ("上幼儿园给钱不"), unless a waiver answers it
        # ("挂号要花钱吗": 免收, not another item's 20%).
        wants_figure = intent.quantity or (intent.yes_no and (not intent.waiver or best.entry.kind == "sentence"))
        if wants_figure and not best.entry.figures:
            with_figure = next(
                (
                    s
                    for s in ranked
                    if s.entry.figures
                    and s.entry.measure == best.entry.measure
                    # A county-wide goal ("全县脱贫 1246 人") is no figure of what a family asks.
                    and (intent.quantity or s.entry.kind != "goal")
                ),
                None,
            )
            if with_figure is not None and with_figure.topic >= FIGURE_SHARE * best.topic:
                best = with_figure
            elif intent.quantity and not intent.who and best.entry.measure is not None:
                return self._no_figure(best)
        if (
            WHICH_OF_COUNT_PATTERN.search(text)
            and best.entry.figures
            and best.entry.measure is not None
            and "、" not in best.entry.statement
        ):
            # "14种大病都是哪14种": the plan counts them and names none.
            return self._no_figure(best, said=texts.NO_LIST.format(statement=best.entry.statement.rstrip("。")))
        if (
            intent.asked_unit == "元"
            and best.entry.kind == "target"
            and best.entry.measure is not None
            and not any(base_unit(u) == "元" for _, u in best.entry.figures)
        ):
            # "乡村旅游经营户一户补多少钱": the plan counts them (120户以上) and pays them nothing it fixes.
            return self._no_figure(best, said=texts.NO_MONEY.format(statement=best.entry.statement.rstrip("。")))
        return self._say(best, ranked, intent, text)

    def _asked_concepts(self, parts: list[str]) -> dict[str, float]:
        """The concepts of a message, the asking clauses counting fully and the story around them less.

        "家里房子是老房子，娃也上学了，遭了灾有救助吗": the asking clause tells the topic; the story
        only helps when the question itself names none.
        """
        # "村支书让我查三个数": who sent the asker tells nothing of the topic.
        parts = [p for p in parts if not ERRAND_PATTERN.search(p)] or parts
        asking = asking_clauses(parts)
        read = [self.read_concepts(self._without_denied_stages(without_asking_words(p))) for p in parts]
        asked = [r for r, asks in zip(read, asking, strict=True) if asks]
        last = max((i for i, asks in enumerate(asking) if asks), default=0)
        bare_tail = len(parts[last]) <= BARE_TAIL_CHARS and not self._topic_strength(read[last])
        if last and read[last - 1] and (ANAPHOR_PATTERN.search(parts[last]) or bare_tail):
            # "城里人都有啥家庭医生。俺们贫困户有没有这说法": 这说法 is what the clause before named;
            # the rest of the story (高血压, 糖尿病) only tells why it is asked.
            rest = _sum(*(r for i, r in enumerate(read) if i not in (last, last - 1)))
            return _sum(read[last], read[last - 1], {c: min(w * STORY_SHARE, STORY_SHARE) for c, w in rest.items()})
        if all(asking) or not asked or self._topic_strength(_sum(*asked)) < CONFIDENT_TOPIC_SCORE:
            text = "".join(parts)
            return self.read_concepts(self._without_denied_stages(without_asking_words(text)))
        story = [r for r, asks in zip(read, asking, strict=True) if not asks]
        return _sum(*asked, *(_scaled(r, STORY_SHARE) for r in story))

    def _titled(self, text: str, measure: Measure) -> bool:
        """Whether `text` names `measure` by its title ("就业扶贫")."""
        return any(name in text for name in self._title_cores.get(measure.id, ()))

    def _siblings(
        self, best: Scored, intent: Intent, text: str = "", ranked: list[Scored] | None = None
    ) -> list[Entry]:
        """Facts said together with the best.

        The same stage's other benefits (高中: 免学杂费 + 2000 元); for "各多少公里", every figure of
        the measure in the asked unit; for "哪些", every item the plan lists in the same sentence.
        """
        entry = best.entry
        if intent.listing and entry.measure is not None and self._titled(text, entry.measure):
            # "健康扶贫都有哪些政策": the measure's named facts, in the plan's order.
            named = [e for e in self.index.entries if e.measure == entry.measure and e.kind in ("benefit", "target")]
            if named:
                return named[:MAX_NAMED]
        if intent.listing and entry.stage is not None and not self.stage_mentions(text):
            # "孩子上学都有哪些补助", no stage named: every stage's benefits, in the plan's order.
            return [e for e in self.index.entries if e.stage is not None and e.kind == "benefit"]
        if intent.listing and entry.unit is not None and base_unit(entry.unit) == intent.asked_unit and not entry.stage:
            same_unit = [
                e
                for e in self.index.entries
                if e.measure == entry.measure and e.unit == entry.unit and e.kind == entry.kind
            ]
            return [entry] + [e for e in same_unit if e is not entry]
        if intent.listing and entry.kind == "sentence" and entry.measure is not None:
            # "水利方面要干哪些": every thing the measure says it does, in the plan's order.
            listed = [e for e in self.index.entries if e.measure == entry.measure and e.kind == "sentence"]
            # "村集体经济可以通过哪些办法增收": the measure's sentences on the asked topic, when it has several.
            on_topic = {s.entry.statement for s in ranked or [] if s.topic >= TOPIC_LIST_SHARE * best.topic}
            topical = [e for e in listed if e.statement in on_topic]
            if len(topical) >= 2:
                listed = topical
            return listed[:MAX_LISTED] if entry in listed[:MAX_LISTED] else [entry, *listed[: MAX_LISTED - 1]]
        if intent.listing and entry.kind in ("benefit", "target") and entry.measure is not None:
            listed = [
                e
                for e in self.index.entries
                if e.measure == entry.measure and e.source == entry.source and e.kind == entry.kind
            ]
            return [entry] + [e for e in listed if e is not entry]
        if entry.stage is None:
            return [entry]
        same = [e for e in self.index.entries if e.stage == entry.stage and e.kind == "benefit"]
        return [entry] + [e for e in same if e is not entry]

    def _total_for_several(self, entry: Entry, text: str) -> tuple[str, str] | None:
        """ "两户一共能补多少": the per-household (per-village) amount times the count, said as a sentence."""
        asked = several(text)
        if asked is None or not entry.figures or base_unit(entry.figures[0][1]) != "元":
            return None
        count, what = asked
        per = entry.benefit.per if entry.benefit else ("村" if "每村" in entry.statement else None)
        if per != what:
            return None
        each = base_value(*entry.figures[0])
        total = format_yuan(each * count)
        more = "以上" if "以上" in entry.statement else ""
        line = texts.SEVERAL_TOTAL.format(count=count, what=what, total=total, more=more)
        return line, total

    def _say(self, best: Scored, ranked: list[Scored], intent: Intent, text: str = "") -> _Reply:
        """The best entry and its siblings as one part, with whom to contact and where the plan says it."""
        measure = best.entry.measure
        said = self._siblings(best, intent, text, ranked)
        # Several benefits of one figureless stretch say the same sentence: say it once.
        statements = list(dict.fromkeys(_sentence(e.statement) for e in said))
        figures = [f"{format_number(q)} {u}" for e in said for q, u in e.figures]
        total = self._total_for_several(best.entry, text)
        if total:
            statements.append(total[0])
            figures.append(total[1])
        yes = ""
        # "收钱吗" is not answered "是的" when the plan waives it: the statement says 免收 itself.
        # "Yes" only where the plan grants what was asked: a benefit, or a target that answers "有…吗".
        grants = any(e.benefit for e in said) or (intent.yes == "have" and any(e.kind == "target" for e in said))
        if intent.yes_no and not intent.who and (not intent.waiver or intent.free) and grants:
            yes = {"have": texts.YES_HAVE, "can": texts.YES_CAN}.get(intent.yes, texts.YES)
        # "念高中一年2000块是吧": a figure stated to be checked is confirmed, or said not to be the plan's.
        said_figures = {float(base_value(q, u)) for e in said for q, u in e.figures}
        if said_figures and not intent.who:
            if intent.mentioned & said_figures:
                yes = yes or texts.YES
            elif intent.stated:
                yes = texts.NOT_AS_STATED
        part = Part(
            "answer",
            statements,
            figures=figures,
            lead_unit=measure.lead_unit if measure else None,
            partners=_partners(measure) if measure else [],
            source=" ".join(dict.fromkeys(e.source for e in said)),
            source_title=measure.title if measure else texts.GOALS_TITLE,
            lead_in=yes,
            who_first=intent.who,
        )
        confidence = min(1.0, best.topic / (CONFIDENT_TOPIC_SCORE * 2))
        alternatives = self._alternatives(ranked, best.entry) if best.topic < CONFIDENT_TOPIC_SCORE else []
        rival = next((s for s in ranked if s.entry.measure != measure), None)
        if rival is not None and rival.topic >= MIN_TOPIC_SCORE and rival.total >= CLOSE_SHARE * best.total:
            # Two topics compete closely: answer the better, and ask back whether the other was meant.
            alternatives = self._alternatives([rival, *ranked], best.entry)
            confidence = min(confidence, CLOSE_CONFIDENCE)
        return _Reply(
            part,
            matched=True,
            units=list(measure.units) if measure else [],
            measure=measure,
            confidence=round(confidence, 2),
            alternatives=alternatives,
            key=best.entry.statement,
        )

    def _stage_benefits(self, stage: str) -> tuple[list[Entry], list[Entry]]:
        """A school stage's yearly cash benefits and its waivers."""
        cash, waivers = [], []
        for e in self.index.entries:
            if e.stage != stage or e.kind != "benefit" or e.benefit is None:
                continue
            if e.benefit.amount_yuan is not None and e.benefit.period == "年":
                cash.append(e)
            elif e.benefit.kind == "waiver":
                waivers.append(e)
        return cash, waivers

    def _several_children(self, mentions: list[StageMention], *, compared: bool = False) -> _Reply | None:
        """Each child's yearly cash by stage, and the family's total (one-off grants aside); or, when
        the stages are `compared` ("中职也有吗还是只有普高有"), what each stage gets, with no total."""
        lines: list[str] = []
        total = 0.0
        measure: Measure | None = None
        sources: list[str] = []
        figures: list[str] = []
        for mention in mentions:
            cash, waivers = self._stage_benefits(mention.stage)
            if not cash and not waivers:
                lines.append(texts.STAGE_NO_FIGURE.format(stage=mention.stage))
                continue
            for entry in cash:
                assert entry.benefit is not None and entry.benefit.amount_yuan is not None
                amount = entry.benefit.amount_yuan * mention.count
                total += amount
                each = format_number(entry.benefit.amount_yuan)
                if compared:
                    lines.append(texts.STAGE_EACH.format(stage=mention.stage, each=each))
                    figures.append(f"{each} 元")
                else:
                    lines.append(
                        texts.STAGE_LINE.format(
                            stage=mention.stage, count=mention.count, each=each, amount=format_number(amount)
                        )
                    )
                    figures.append(f"{format_number(amount)} 元")
                measure = entry.measure
                sources.append(entry.source)
            lines.extend(
                texts.STAGE_WAIVER.format(stage=mention.stage, item=e.benefit.item)
                for e in waivers
                if e.benefit is not None
            )
        if measure is None:
            return None
        statements = ["；".join(lines) + "。"]
        if not compared:
            statements.append(texts.FAMILY_TOTAL.format(total=format_yuan(total)))
            figures.append(format_yuan(total))
        part = Part(
            "answer",
            statements,
            figures=figures,
            lead_unit=measure.lead_unit,
            partners=_partners(measure),
            source=" ".join(dict.fromkeys(sources)),
            source_title=measure.title,
        )
        return _Reply(
            part, matched=True, units=list(measure.units), measure=measure, confidence=0.9, several=not compared
        )

    def _no_figure(self, best: Scored, said: str | None = None) -> _Reply:
        """The plan names the benefit but fixes no amount: say so, and say what it does fix (or
        `said`, when what it fixes is for someone else)."""
        measure = best.entry.measure
        assert measure is not None
        part = Part(
            "no_figure",
            [said or texts.NO_FIGURE.format(statement=best.entry.statement.rstrip("。"))],
            lead_unit=measure.lead_unit,
            partners=_partners(measure),
            source=best.entry.source,
            source_title=measure.title,
        )
        return _Reply(
            part,
            matched=False,
            units=list(measure.units),
            measure=measure,
            confidence=round(min(1.0, best.topic / (CONFIDENT_TOPIC_SCORE * 2)), 2),
            key=best.entry.statement,
        )

    def _alternatives(self, ranked: list[Scored], chosen: Entry) -> list[Alternative]:
        """Other likely entries, each as a question that answers exactly it: first the facts that fit
        the question as well as the chosen one ("补贴": 小学, 初中…), then the best named fact of
        each other likely measure."""
        offered = {entry_question(chosen)[1]}
        alternatives: list[Alternative] = []

        def offer(entry: Entry) -> None:
            name, question = entry_question(entry)
            if entry.measure is not None and question not in offered and len(alternatives) < 3:
                offered.add(question)
                alternatives.append(Alternative(entry.measure.id, name, question))

        top = ranked[0].total if ranked else 0.0
        for s in ranked:
            if s.total < top or len(alternatives) == 2:
                break
            if s.entry.kind != "sentence":
                offer(s.entry)
        seen = {chosen.measure.id} if chosen.measure else set()
        for s in ranked:
            m = s.entry.measure
            if m is None or m.id in seen:
                continue
            seen.add(m.id)
            # A named fact of that measure makes a clearer button than one of its sentences.
            offer(next((r.entry for r in ranked if r.entry.measure == m and r.entry.kind != "sentence"), s.entry))
        return alternatives

    def _asked_entry(self, text: str) -> Entry | None:
        """The entry a "did you mean" question was made for, when `text` is one word for word."""
        return self._asked.get(text)

    def _not_covered(self, *, outside: bool = False) -> _Reply:
        return _Reply(
            Part("not_covered", [texts.not_covered(self.index.kb.source)]),
            matched=False,
            units=[texts.OFFICE],
            key="not_covered",
            outside=outside,
        )


@dataclass(frozen=True)
class _Reply:
    """One question's part, with what the whole answer reports about it (units, confidence…)."""

    part: Part
    matched: bool
    units: list[str] = field(default_factory=list)
    measure: Measure | None = None
    confidence: float = 0.0
    alternatives: list[Alternative] = field(default_factory=list)
    #: What the part says, so that two questions answered by the same entry are said once.
    key: str = ""
    #: The several-children sum, which already answers every child of the message.
    several: bool = False
    #: Not covered because the question is about another place, year or topic (not merely unclear).
    outside: bool = False


#: An intent that asks nothing in particular (a "did you mean" button pressed).
_PLAIN = Intent(who=False, quantity=False, asked_unit=None, waiver=False, elsewhere=False)


def _with_total(replies: list[_Reply]) -> list[_Reply]:
    """ "新建的桥加上危桥一共多少座": when every reply states one figure in the same unit, the last
    says their total too."""
    figures = [r.part.figures for r in replies]
    if not all(len(f) == 1 for f in figures):
        return replies
    amounts = [f[0].split(" ", 1) for f in figures]
    units = {unit for _, unit in amounts}
    if len(units) != 1:
        return replies
    (unit,) = units
    total = format_number(sum(float(number) for number, _ in amounts))
    last = replies[-1]
    line = texts.TOTAL_OF_ALL.format(total=total, unit=unit)
    part = replace(last.part, statements=[*last.part.statements, line], figures=[*last.part.figures, f"{total} {unit}"])
    return [*replies[:-1], replace(last, part=part)]


def _sum(*concepts: Mapping[str, float]) -> dict[str, float]:
    found: dict[str, float] = {}
    for weights in concepts:
        for label, weight in weights.items():
            found[label] = found.get(label, 0.0) + weight
    return found


def _scaled(concepts: Mapping[str, float], share: float) -> dict[str, float]:
    return {label: share * weight for label, weight in concepts.items()}


def _sentence(statement: str) -> str:
    """A statement ending as a sentence does, once."""
    return statement.rstrip("。；;，,") + "。"


def entry_question(entry: Entry) -> tuple[str, str]:
    """An entry's short name and a question whose exact wording the engine answers with it."""
    if entry.benefit is not None:
        name = entry.benefit.item
    elif entry.kind in ("target", "goal"):
        name = entry.statement.split("：")[0]
    else:
        name = entry.measure.title if entry.measure else texts.GOALS_TITLE
    if entry.benefit is not None and entry.benefit.kind == "waiver":
        template = texts.ENTRY_QUESTION_WAIVER
    elif entry.figures:
        template = texts.ENTRY_QUESTION_FIGURE
    else:
        template = texts.ENTRY_QUESTION_RULE
    # A long name keeps its end, where a Chinese name says what it is (…危房改造), not its start.
    name = name if len(name) <= MAX_BUTTON_NAME else "…" + name[1 - MAX_BUTTON_NAME :]
    question = template.format(name=name)
    return name, question


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


def build_engine(
    kb_path: str | None = None, reviewed: Mapping[str, str] | None = None, *, kb: KnowledgeBase | None = None
) -> Engine:
    """A new engine for the plan (`kb`, else the one at `kb_path`, else the packaged one), with the
    office's reviewed phrases (phrase -> entry key; see `build_index`)."""
    kb = kb or load_kb(Path(kb_path) if kb_path else None)
    cache = cache_dir()
    directory: Path | None = cache
    try:
        cache.mkdir(parents=True, exist_ok=True)
    except OSError:
        directory = None  # an unwritable cache only costs speed
    return Engine(build_index(kb, directory, reviewed))


def answer(question: str, *, kb: str | Path | None = None) -> Answer:
    """Answer a household's question from the plan (see `Engine.answer`)."""
    return load_engine(str(kb) if kb else None).answer(question)
