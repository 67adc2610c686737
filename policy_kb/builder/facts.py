"""The fact readers: targets, benefits, goals and cadences, read clause by clause from a measure's
sentences."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from policy_kb.builder.genre import (
    ADMIN_VERBS,
    AMOUNT_FILLERS_RE,
    ARRANGEMENT_RE,
    AT_LEAST_WORDS_RE,
    BENEFICIARY_NOUNS,
    BENEFIT_HEADS,
    CADENCE_EVERY_RE,
    CADENCE_LIST_RE,
    CASH_HEADS,
    CONDITION_END,
    CONDITION_START,
    CONDITION_START_RE,
    CONNECTIVES,
    COUNTED_SERVICE_UNITS,
    EVERY_VILLAGE_HAS_RE,
    FOR_WHOM_FREE_RE,
    FOR_WHOM_RE,
    FREE_SERVICE_RE,
    FREQUENCIES,
    FUND_SOURCE_RE,
    GIVING_VERB_RE,
    LEAD_IN_WORDS_RE,
    MANNER_START_RE,
    MONEY_BENEFIT_WORDS_RE,
    MONEY_FLOOR_BEFORE_RE,
    MONEY_TARGET_WORDS_RE,
    PER_VILLAGE_RE,
    PER_WORDS,
    PERIOD_WORDS,
    PERIOD_WORDS_RE,
    PERSONAL_PAY_RE,
    PLACE_AND_YEAR_RE,
    PROGRAMME_RE,
    PROGRAMME_TAIL_RE,
    RATE_AFTER_RE,
    RATE_RE,
    REACHING_BEFORE_RE,
    REDUCTION_RE,
    REMAINDER_WORDS_RE,
    SAME_VILLAGES_NEXT_RE,
    SERVICE_END_RE,
    STAGE_SUFFIXES,
    STANDARD_OF_BEFORE_RE,
    SUBJECT_FILLERS_RE,
    SUBJECT_HEAD_RE,
    THRESHOLD_BEFORE_RE,
    VILLAGE_PAY_RE,
    WAIVER_RE,
)
from policy_kb.builder.text import compact, split_clauses, split_sentences, split_top_level
from policy_kb.lexicon import Lexicon
from policy_kb.numbers import AT_LEAST_BEFORE, Number, Quantity, as_written, find_quantities
from policy_kb.schema import (
    Benefit,
    BenefitKind,
    Cadence,
    Goal,
    Measure,
    Per,
    Period,
    Target,
)

# --------------------------------------------------------------------------------------------
# Facts: targets and benefits, read clause by clause
# --------------------------------------------------------------------------------------------


@dataclass
class _MeasureContext:
    """What earlier sentences of a measure tell later ones."""

    fallback_beneficiary: str
    lexicon: Lexicon
    last_indicator: str | None = None


@dataclass
class _SentenceState:
    """What earlier clauses of a sentence tell later ones: who, and on what conditions."""

    subject: str | None = None
    conditions: list[str] = field(default_factory=list)
    pending_condition: bool = False
    #: A rate said in a clause before its amounts ("每生每年补助生活费，小学 750 元、初中 1000 元").
    pending_rate: re.Match[str] | None = None
    #: Money benefits named so far with no amount ("落实X补贴和Y补贴，标准均为…" gives it them).
    named: list[Benefit] = field(default_factory=list)
    #: Sums of the clause that only set a condition (超过5000元的部分): neither benefits nor targets.
    thresholds: list[tuple[int, int]] = field(default_factory=list)
    #: The clause before, for a clause that only gives its amount ("由财政代缴，标准为每人每年300元").
    previous_clause: str = ""
    #: The clause before set its figure for each village, and a clause going on with 并… shares it.
    per_village: bool = False


@dataclass(frozen=True)
class _Found:
    benefit: Benefit
    span: tuple[int, int]


def read_facts(sentences: list[str], text: str, lexicon: Lexicon) -> tuple[list[Target], list[Benefit]]:
    """Targets and benefits of a measure, in text order, duplicates dropped."""
    ctx = _MeasureContext(_fallback_beneficiary(text), lexicon)
    targets: list[Target] = []
    benefits: list[Benefit] = []
    for sentence in sentences:
        state = _SentenceState()
        for clause in split_clauses(sentence):
            found, clause_targets = _read_clause(clause, sentence, state, ctx)
            benefits += [f.benefit for f in found if f.benefit not in benefits]
            targets += clause_targets
            state.named += [f.benefit for f in found if f.benefit.kind == "cash" and f.benefit.amount_yuan is None]
            state.previous_clause = compact(clause)
        # A benefit named first and given its amount later is one benefit, with the amount.
        priced = {b.item for b in benefits if b.amount_yuan is not None and b.sentence == sentence}
        benefits = [b for b in benefits if not (b.sentence == sentence and b.amount_yuan is None and b.item in priced)]
    return targets, benefits


def closes_a_de_clause(text: str, end: int) -> bool:
    """Whether the figure ending at `end` closes a 的-clause that says who qualifies (…5万元的,
    …6个月以上的)."""
    return text[end : end + 3].lstrip("以上下内").startswith("的")


def _fallback_beneficiary(text: str) -> str:
    """Who benefits when a clause does not say: the first beneficiary noun of the measure."""
    pattern = "|".join(BENEFICIARY_NOUNS)
    m = re.search(pattern, compact(text))
    return m.group(0) if m else "贫困户"


#: A benefit reader: (clause, sentence, sentence state, measure context) -> benefits found.
_Reader = Callable[[str, str, _SentenceState, _MeasureContext], list[_Found]]


def _read_clause(
    clause: str, sentence: str, state: _SentenceState, ctx: _MeasureContext
) -> tuple[list[_Found], list[Target]]:
    """Benefits and targets of one clause; updates the sentence state (who, conditions)."""
    clause = compact(clause)
    state.thresholds = []
    if _note_condition(clause, state):
        return [], []
    if not REDUCTION_RE.search(clause):
        _note_subject(clause, state)
    found: list[_Found] = []
    # In this order each reader claims a span of the clause; a later reader skips spans taken, so
    # "实施 34 种重大疾病兜底保障政策" is one counted service, not also a programme.
    readers: tuple[_Reader, ...] = (
        _reductions,
        _rates,
        _waivers,
        _free_services,
        _counted_services,
        _arrangements,
        _programmes,
    )
    for reader in readers:
        found += [f for f in reader(clause, sentence, state, ctx) if not _overlaps(f.span, found)]
    taken = [f.span for f in found] + [m.span() for m in CADENCE_EVERY_RE.finditer(clause)] + state.thresholds
    state.per_village = bool(PER_VILLAGE_RE.search(clause)) or (
        state.per_village and bool(SAME_VILLAGES_NEXT_RE.match(clause))
    )
    targets = _targets(clause, sentence, taken, ctx, per_village=state.per_village)
    return found, targets


def _note_condition(clause: str, state: _SentenceState) -> bool:
    """Record a clause that only states who qualifies (凡…; …的); True when it holds nothing else."""
    if clause.startswith(CONDITION_START):
        state.subject = clause[len(CONDITION_START) :]
        state.conditions.append(state.subject)
        state.pending_condition = not clause.endswith(CONDITION_END)
        return True
    if state.pending_condition or (clause.endswith(CONDITION_END) and not find_quantities(clause)):
        state.conditions.append(clause.removesuffix(CONDITION_END))
        state.pending_condition = state.pending_condition and not clause.endswith(CONDITION_END)
        return True
    return False


def _note_subject(clause: str, state: _SentenceState) -> None:
    """对X… / 为X免费…: X is who the rest of the sentence is about (or, ending in 的, a condition)."""
    m = FOR_WHOM_RE.search(clause) or FOR_WHOM_FREE_RE.search(clause)
    if m is None:
        return
    who = m["who"]
    if who.endswith(CONDITION_END):
        state.conditions.append(who.removesuffix(CONDITION_END))
        return
    state.subject = who
    where = clause[: m.start()]
    if where and m.re is FOR_WHOM_RE:
        state.conditions.append(where)


def _overlaps(span: tuple[int, int], found: list[_Found]) -> bool:
    """Whether a span overlaps one already claimed by an earlier reader."""
    return any(span[0] < f.span[1] and f.span[0] < span[1] for f in found)


def _beneficiary(state: _SentenceState, ctx: _MeasureContext) -> str:
    """Who the sentence is about so far, else the measure's default beneficiary."""
    return state.subject or ctx.fallback_beneficiary


def _benefit(
    item: str,
    beneficiary: str,
    sentence: str,
    *,
    kind: BenefitKind,
    state: _SentenceState,
    money: Quantity | None = None,
    per: Per | None = None,
    period: Period | None = None,
    percent: float | None = None,
    quantity: Quantity | None = None,
    where: str | None = None,
) -> Benefit:
    """One Benefit, with the sentence's conditions (and `where` it applies) and any count in its
    name (40 项, 1 次)."""
    return Benefit(
        item=item,
        beneficiary=beneficiary,
        amount_yuan=money.value if money else None,
        amount_max_yuan=money.max_value if money else None,
        per=per,
        period=period,
        kind=kind,
        percent=percent,
        quantity=quantity.value if quantity else None,
        unit=quantity.unit if quantity else None,
        conditions=[*state.conditions, *([where] if where else [])],
        sentence=sentence,
    )


def _split_items(text: str, *, keep: Callable[[str], bool] = lambda _: True) -> list[str]:
    """Items of a list "A、B和C": split at 、, and at 和 when both sides are names in their own
    right (so "CT和MRI检查" stays whole) and pass `keep`."""
    items: list[str] = []
    for part in split_top_level(text, "、", keep=False):
        left, sep, right = part.rpartition("和")
        if sep and _han_count(left) >= 2 and _han_count(right) >= 2 and keep(left) and keep(right):
            items += [left, right]
        else:
            items.append(part)
    return [i for i in items if i]


def _han_count(text: str) -> int:
    """Number of Chinese characters (CT and MRI have none)."""
    return len(re.findall(r"[\u4e00-\u9fff]", text))


def _per_stage(beneficiary: str, ctx: _MeasureContext) -> list[tuple[str | None, str]]:
    """Split "普通高中和中等职业学校在校生" into one beneficiary per stage the lexicon knows.

    Returns (stage, beneficiary) pairs; a single pair (stage or None, beneficiary) when there is
    nothing to split.
    """
    stages = ctx.lexicon.stages_in(beneficiary)
    if len(stages) < 2:
        return [(stages[0] if stages else None, beneficiary)]
    start = beneficiary.find(stages[0])
    end = beneficiary.find(stages[-1]) + len(stages[-1])
    return [(s, beneficiary[:start] + s + beneficiary[end:]) for s in stages]


def _named_before(state: _SentenceState) -> str:
    """The money the clause before names with no amount, for the amount that follows: "落实“雨露计划”
    补助，每生每学期1500元" -> 雨露计划补助."""
    before = state.previous_clause
    if not before or find_quantities(before) or not MONEY_BENEFIT_WORDS_RE.search(before[-3:]):
        return ""
    if MANNER_START_RE.match(before):  # "按照实际改造内容据实补助": how it is paid, not what
        return ""
    return GIVING_VERB_RE.sub("", before).replace("“", "").replace("”", "")


def _condition_core(state: _SentenceState) -> str:
    """What the sentence's condition says is done, for naming the money it earns: "对建档立卡贫困户
    新栽植果树的，每亩…补助300元" -> 新栽植果树 (whoever does it is the beneficiary, not the item)."""
    if not state.conditions:
        return ""
    core = CONDITION_START_RE.sub("", state.conditions[-1])
    for noun in BENEFICIARY_NOUNS:
        core = core.removeprefix(noun)
    return core.removeprefix("的").strip(CONNECTIVES + "，,")


def _stage_core(subject: str) -> str:
    """学前教育阶段 -> 学前教育: the stage as a qualifier of an item name."""
    for suffix in STAGE_SUFFIXES:
        subject = subject.removesuffix(suffix)
    return subject


def _reductions(clause: str, sentence: str, state: _SentenceState, ctx: _MeasureContext) -> list[_Found]:
    """对 X、Y 减收 N%: one percentage reduction per item."""
    m = REDUCTION_RE.search(clause)
    if m is None:
        return []
    pct = find_quantities(m["pct"])
    if not pct:
        return []
    return [
        _Found(
            _benefit(
                item,
                _beneficiary(state, ctx),
                sentence,
                kind="percentage_reduction",
                state=state,
                percent=pct[0].value,
                quantity=next(iter(find_quantities(item)), None),
            ),
            m.span(),
        )
        for item in _split_items(m["items"])
    ]


def _rates(clause: str, sentence: str, state: _SentenceState, ctx: _MeasureContext) -> list[_Found]:
    """Money a recipient gets, per whom and how often, however the plan words it.

    每人每年给予 1200 元生活补贴; 每生每年小学 1000 元、初中 1250 元; 每户补助四万元; 每人每月200元;
    1.5万元/户; 每户补助标准提高到 1.5 万元; 提供5万元以下…的扶贫小额信贷; 2000—3000元 (a range).
    A sum that sets a condition (超过5000元的部分) or an aim (收入3万元以上) is left to the targets.
    """
    amounts = [q for q in find_quantities(clause) if q.unit == "元"]
    rates = list(RATE_RE.finditer(clause))
    if not amounts:
        if rates and MONEY_BENEFIT_WORDS_RE.search(clause) and not find_quantities(clause):
            # "义务教育阶段寄宿生每生每年补助生活费，小学 750 元": the rate and who it is for, for the amounts after.
            state.pending_rate = rates[-1]
            state.subject = SUBJECT_FILLERS_RE.sub("", clause[: rates[-1].start()]) or state.subject
        return []
    standard = STANDARD_OF_BEFORE_RE.match(clause)
    if (
        standard
        and len(amounts) in (1, len(state.named))
        and re.match(r"每|\d|[一二三四五六七八九十两]", clause[standard.end() :])
    ):
        return _standard_of_before(clause, sentence, amounts, state, ctx)
    found: list[_Found] = []
    previous_end = 0
    subject_head = ""
    for i, amount in enumerate(amounts):
        next_start = amounts[i + 1].start if i + 1 < len(amounts) else len(clause)
        before, after = clause[previous_end : amount.start], clause[amount.end : next_start]
        rate = next((r for r in reversed(rates) if r.end() <= amount.start), None)
        carried = rate is None and state.pending_rate is not None
        if carried:
            rate = state.pending_rate
        rate_after = RATE_AFTER_RE.match(after)
        if THRESHOLD_BEFORE_RE.search(before) or (
            REACHING_BEFORE_RE.search(before) and closes_a_de_clause(clause, amount.end)
        ):
            state.thresholds.append((amount.start, amount.end))
            previous_end = amount.end
            continue
        if _is_money_target(clause, amount, rate, rate_after):
            previous_end = amount.end
            continue
        per, period = _rate_of(rate.string if carried and rate else clause, rate, rate_after, ctx, sentence)
        if carried and rate is not None:
            head_of_rate = AMOUNT_FILLERS_RE.sub("", rate.string[rate.end() :])
            before = clause[previous_end : amount.start]
        elif rate is not None and rate.start() >= previous_end:
            subject = SUBJECT_FILLERS_RE.sub("", clause[previous_end : rate.start()])
            if subject and not (previous_end and subject.startswith(CONNECTIVES)):
                state.subject = subject
            before = clause[rate.end() : amount.start]
        label = AMOUNT_FILLERS_RE.sub("", before.strip(CONNECTIVES + "、 "))
        head = _amount_head(clause, amount, after, before)
        if carried and head == "补助" and head_of_rate:
            head = head_of_rate
        elif head == "补助" and (named := SUBJECT_HEAD_RE.search(state.subject or "")):
            # "寄宿生生活补助标准为小学每生每学期500元、初中…": the subject said what the money is.
            subject_head = head = named[1]
        elif head == "补助" and subject_head:
            head = subject_head
        if MONEY_BENEFIT_WORDS_RE.fullmatch(label.removeprefix("一次性")):
            # "每户一次性奖励 2000 元": the word before the amount says what it is.
            head = head if head != "补助" else label
            label = ""
        if label in BENEFIT_HEADS or label == head:
            label = ""
        previous_end = amount.end
        who = _beneficiary(state, ctx) + label
        for stage, beneficiary in _per_stage(who, ctx):
            subject_core = _stage_core(state.subject or "")
            qualifier = (
                label
                or stage
                or subject_core
                or _named_before(state)
                or _condition_core(state)
                or ctx.last_indicator
                or ""
            )
            if carried and label and subject_core:
                qualifier = subject_core + label
            # "按照产业规模一次性给予每户…补助": what comes before the verb of giving names no item.
            qualifier = re.split(r"给予|发放", qualifier)[-1]
            # "岗位补贴标准为…": a name that says what the money is takes no default 补助 after it.
            named_already = head == "补助" and re.search(f"(?:{MONEY_BENEFIT_WORDS_RE.pattern})$", qualifier)
            item = qualifier if head and (qualifier.endswith(head) or named_already) else qualifier + head
            benefit = _benefit(
                item or head, beneficiary, sentence, kind="cash", state=state, money=amount, per=per, period=period
            )
            # The words up to the next amount are this one's (…1250 元的标准给予生活补贴).
            found.append(_Found(benefit, (rate.start() if rate and not carried else amount.start, next_start)))
    return found


def _standard_of_before(
    clause: str, sentence: str, amounts: list[Quantity], state: _SentenceState, ctx: _MeasureContext
) -> list[_Found]:
    """ "落实X补贴和Y补贴，标准均为每人每月80元": the amount of each benefit the clause before named;
    "…分别为每人每月70元和每人每月90元": one amount each, in order (or, when it named none, the
    amount of what it says: "个人缴费部分由财政代缴，标准为每人每年300元")."""
    named = [(b.item, b.beneficiary) for b in state.named] or [
        (SUBJECT_FILLERS_RE.sub("", state.previous_clause) or "补助", _beneficiary(state, ctx))
    ]
    found = []
    for i, (item, beneficiary) in enumerate(named):
        amount = amounts[i] if len(amounts) == len(named) else amounts[0]
        rate = next((r for r in reversed(list(RATE_RE.finditer(clause))) if r.end() <= amount.start), None)
        per, period = _rate_of(clause, rate, RATE_AFTER_RE.match(clause[amount.end :]), ctx, sentence)
        benefit = _benefit(item, beneficiary, sentence, kind="cash", state=state, money=amount, per=per, period=period)
        found.append(_Found(benefit, (0, len(clause))))
    return found


def _is_money_target(
    clause: str, amount: Quantity, rate: re.Match[str] | None, rate_after: re.Match[str] | None
) -> bool:
    """A sum that is an aim or a size (每村实现村集体经济收入3万元以上), not money paid to someone;
    a floor with no one it is paid to is a scale too (全年新增发放扶贫小额信贷不少于3000万元)."""
    if MONEY_TARGET_WORDS_RE.search(clause[rate.end() if rate else 0 : amount.start]):
        return not MONEY_BENEFIT_WORDS_RE.search(clause)
    if rate is not None or rate_after is not None:
        return False
    before = clause[: amount.start]
    if amount.at_least or MONEY_FLOOR_BEFORE_RE.search(before) or FUND_SOURCE_RE.search(before):
        return True  # a floor or a fund the county sets aside: no one it is paid to
    return not MONEY_BENEFIT_WORDS_RE.search(clause)


def _rate_of(
    clause: str,
    rate: re.Match[str] | None,
    rate_after: re.Match[str] | None,
    ctx: _MeasureContext,
    sentence: str = "",
) -> tuple[Per, Period]:
    """Per whom and how often: from the rate, else the clause's words, else the measure's
    beneficiary (a household or a person) once."""
    per_word = period_word = None
    if rate_after is not None:
        per_word, period_word = rate_after["per"], rate_after["period"]
    elif rate is not None:
        per_word = rate["per_a"] or rate["per_b"] or rate["per_c"]
        period_word = rate["period_a"] or rate["period_b"] or ("次" if rate["once_b"] else None)
    if period_word is None:
        said = PERIOD_WORDS_RE.search(clause)
        if said is not None:
            period_word = "次" if said["once"] else said["every"] or "年"
    if per_word is None:
        # A wage for a post (信息员, 公益岗位) or a grant to a worker is a person's; a reward to a
        # village (its collective economy) the village's; other money, the measure's beneficiary's.
        context = compact(sentence) or clause
        if PERSONAL_PAY_RE.search(clause):
            per_word = "人"
        elif VILLAGE_PAY_RE.search(context) and not re.search(r"户|人", clause):
            per_word = "村"
        else:
            per_word = "人" if PERSONAL_PAY_RE.search(context) or "户" not in ctx.fallback_beneficiary else "户"
    per: Per = PER_WORDS[per_word]
    period: Period = PERIOD_WORDS.get(period_word or "", "次")
    return per, period


def _amount_head(clause: str, amount: Quantity, after: str, before: str) -> str:
    """What the money is (生活补贴, 补助, 扶贫小额信贷): the words after the amount, else the last
    words of the clause, else a benefit word before it."""
    for text in (re.split(r"[、，]", after)[0], clause[amount.end :]):
        text = RATE_AFTER_RE.sub("", text)
        text = re.sub(r"^(?:以下|以内|以上)", "", text)
        text = text.rsplit("的", 1)[-1]
        text = AMOUNT_FILLERS_RE.sub("", re.split(r"给予|发放", text)[-1])
        if text and MONEY_BENEFIT_WORDS_RE.search(text):
            return text
    return next((h for h in BENEFIT_HEADS if h in before), "补助")


def _waivers(clause: str, sentence: str, state: _SentenceState, ctx: _MeasureContext) -> list[_Found]:
    """免收/免除 X、Y: one waiver per item, for whoever the clause names before the verb."""
    m = WAIVER_RE.search(clause)
    if m is None:
        return []
    before = clause[: m.start()]
    if before and not FOR_WHOM_RE.search(before):
        state.subject = before
    return [
        _Found(_benefit(item, beneficiary, sentence, kind="waiver", state=state), m.span())
        for item in _split_items(m["items"])
        for _, beneficiary in _per_stage(_beneficiary(state, ctx), ctx)
    ]


def _free_services(clause: str, sentence: str, state: _SentenceState, ctx: _MeasureContext) -> list[_Found]:
    """免费(进行) X 1 次、Y: free services; a count in the name (1 次) is kept as quantity."""
    m = FREE_SERVICE_RE.search(clause)
    if m is None:
        return []
    found = []
    for i, item in enumerate(_split_items(m["items"])):
        count = next(iter(find_quantities(item)), None)
        name = ("免费" if i == 0 else "") + (item[: item.find(count.text)] if count else item)
        period: Period | None = "次" if count and count.unit == "次" else None
        benefit = _benefit(
            name,
            _beneficiary(state, ctx),
            sentence,
            kind="service",
            state=state,
            period=period,
            quantity=count,
        )
        found.append(_Found(benefit, m.span()))
    return found


def _counted_services(clause: str, sentence: str, state: _SentenceState, ctx: _MeasureContext) -> list[_Found]:
    """开展…14 种大病筛查和救治工作: a service covering N kinds of something."""
    found = []
    for q in find_quantities(clause):
        if q.unit not in COUNTED_SERVICE_UNITS or inside_quotes(clause, q.start):
            continue
        name = SERVICE_END_RE.sub("", re.split(r"[、，]", clause[q.end :])[0])
        who = re.split(r"开展|实施|落实", clause[: q.start])[-1]
        benefit = _benefit(name, who or _beneficiary(state, ctx), sentence, kind="service", state=state, quantity=q)
        found.append(_Found(benefit, (q.start, q.end + len(name))))
    return found


def _arrangements(clause: str, sentence: str, state: _SentenceState, ctx: _MeasureContext) -> list[_Found]:
    """X在Y实行Z: an arrangement Z for X, on condition of Y (贫困患者在县级医院住院实行先诊疗后付费)."""
    m = ARRANGEMENT_RE.match(clause)
    if m is None:
        return []
    benefit = _benefit(m["what"], m["who"], sentence, kind="service", state=state, where="在" + m["where"])
    return [_Found(benefit, m.span())]


def _programmes(clause: str, sentence: str, state: _SentenceState, ctx: _MeasureContext) -> list[_Found]:
    """落实好 X 和 Y / 组织开展 X、Y / 纳入 X 范围, where X, Y name benefits (补贴, 救助, 低保…)."""
    found = []
    for m in PROGRAMME_RE.finditer(clause):
        listed = PROGRAMME_TAIL_RE.sub("", m["items"])
        listed = listed.split("关于")[-1]
        if "等" in listed and not listed.endswith(BENEFIT_HEADS):
            continue  # "A、B等扶持奖补": a category that is not itself a benefit
        for item in _split_items(listed, keep=lambda s: s.endswith(BENEFIT_HEADS)):
            if not item.endswith(BENEFIT_HEADS) or find_quantities(item):
                continue
            kind: BenefitKind = "cash" if any(h in item for h in CASH_HEADS) else "service"
            benefit = _benefit(item, _beneficiary(state, ctx), sentence, kind=kind, state=state)
            found.append(_Found(benefit, m.span()))
    return found


def inside_quotes(text: str, pos: int) -> bool:
    """Whether pos lies inside “…”: quoted phrases are names (“三个一批”), not quantities."""
    return text.count("“", 0, pos) > text.count("”", 0, pos)


def _targets(
    clause: str, sentence: str, taken: list[tuple[int, int]], ctx: _MeasureContext, *, per_village: bool = False
) -> list[Target]:
    """Every remaining figure of the clause is a target: its indicator is the phrase it counts
    (each village's figure when the clause sets it `per_village`)."""
    targets: list[Target] = []
    previous_end = 0
    quantities = [q for q in find_quantities(clause) if _is_count(clause, q, taken)]
    for i, q in enumerate(quantities):
        # "实现 812 户 2236 人稳定脱贫": figures side by side share the words after the last of them.
        shared_after = next(
            (after for j in range(i, len(quantities)) if (after := _words_after(clause, quantities, j))), ""
        )
        at_least = q.at_least or any(w in clause[: q.start] for w in AT_LEAST_BEFORE)
        every_village = EVERY_VILLAGE_HAS_RE.match(shared_after) if q.unit == "个" else None
        if every_village:
            # "10 个贫困村都有综合性文化服务中心": one in each of the 10 villages.
            indicator = every_village["what"]
            quantity: Number = 1
            unit, villages, at_least = "个", int(q.value), True
        else:
            indicator = _indicator(clause[previous_end : q.start], shared_after)
            if not indicator and targets and not clause[previous_end : q.start].strip(CONNECTIVES):
                # "完成易地扶贫搬迁安置286户812人": a figure right after another counts the same thing.
                indicator = targets[-1].indicator
            (quantity, unit), villages = as_written(q), None
        previous_end = q.end
        targets.append(
            Target(
                indicator=indicator,
                quantity=quantity,
                unit=unit,
                at_least=at_least,
                display_name=ctx.lexicon.display_name(indicator),
                sentence=sentence,
                per_village=per_village or every_village is not None,
                villages=villages,
            )
        )
        ctx.last_indicator = indicator
    return targets


def _words_after(clause: str, quantities: list[Quantity], i: int) -> str:
    """The words between figure `i` and the next figure (or the clause's end)."""
    end = quantities[i + 1].start if i + 1 < len(quantities) else len(clause)
    return clause[quantities[i].end : end].strip()


def _is_count(clause: str, q: Quantity, taken: list[tuple[int, int]]) -> bool:
    """A figure that counts progress: not claimed by a benefit or cadence, not a quoted name,
    and not a Chinese 一 before a classifier (一项 = "one each", an article rather than a count)."""
    if any(start <= q.start < end for start, end in taken) or inside_quotes(clause, q.start):
        return False
    return not (q.numeral == "chinese" and q.value == 1)


def _indicator(before: str, after: str) -> str:
    """The thing a figure counts: the words before it, past any 'get it done' verb and any
    attributive (…的); or, when nothing is left (打造3条乡村旅游精品示范线路), the words after it."""
    phrase = before.lstrip(CONNECTIVES)
    verb = max(((phrase.rfind(v), v) for v in ADMIN_VERBS if v in phrase), default=(-1, ""))
    cut = verb[0] + len(verb[1]) if verb[0] >= 0 else 0
    subject = _strip_beneficiary(phrase[: max(verb[0], 0)].rsplit(CONDITION_END, 1)[-1])
    phrase = phrase[cut:].rsplit(CONDITION_END, 1)[-1]
    phrase = AT_LEAST_WORDS_RE.sub("", _strip_beneficiary(REMAINDER_WORDS_RE.sub("", phrase)))
    phrase = LEAD_IN_WORDS_RE.sub("", phrase)
    if phrase:
        return phrase
    after = re.sub(r"^(?:以上)?的?", "", after).strip(CONNECTIVES)
    if after:
        return after
    # "参保率达到 100%": the thing measured stands before the verb.
    return AT_LEAST_WORDS_RE.sub("", PLACE_AND_YEAR_RE.sub("", subject))


def _strip_beneficiary(phrase: str) -> str:
    """贫困户D级危房改造 -> D级危房改造: whose it is belongs to the sentence, not to the indicator."""
    for noun in BENEFICIARY_NOUNS:
        if phrase.startswith(noun) and len(phrase) > len(noun):
            return phrase[len(noun) :]
    return phrase


# --------------------------------------------------------------------------------------------
# Goals and cadences
# --------------------------------------------------------------------------------------------


def read_goals(paragraphs: Iterable[str]) -> list[Goal]:
    """Figures of the goal part (全县脱贫 1246 人), read like targets."""
    ctx = _MeasureContext("", Lexicon())
    goals = []
    for paragraph in paragraphs:
        for sentence in split_sentences(paragraph):
            for clause in split_clauses(sentence):
                for t in _targets(compact(clause), sentence, [], ctx):
                    goals.append(Goal(indicator=t.indicator, quantity=t.quantity, unit=t.unit, sentence=sentence))
    return goals


def read_cadences(measure: Measure) -> list[Cadence]:
    """Recurring duties: 每季度启动1次… and lists such as 月调度、季督查、年考核."""
    found = []
    for sentence in measure.sentences:
        text = compact(sentence)
        for m in CADENCE_EVERY_RE.finditer(text):
            found.append(
                Cadence(name=m.group(0), frequency=FREQUENCIES[m["freq"]], sentence=sentence, measure=measure.id)
            )
        for m in CADENCE_LIST_RE.finditer(text):
            for name in m["list"].split("、"):
                freq = FREQUENCIES["季" if name.startswith("季") else name[0]]
                found.append(Cadence(name=name, frequency=freq, sentence=sentence, measure=measure.id))
    return found
