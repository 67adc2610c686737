"""The knowledge base says what the plan says: every figure, every responsible unit, and it follows
the text when the text changes."""

from __future__ import annotations

import re
from importlib import resources

import pytest

from policy_kb import KnowledgeBase, build_kb
from policy_kb.numbers import Number, find_quantities, parse_number, parse_quantity


@pytest.fixture(scope="module")
def plan_text() -> str:
    return resources.files("policy_kb").joinpath("sources/xinbin-2018-plan.txt").read_text("utf-8")


@pytest.fixture(scope="module")
def kb(plan_text: str) -> KnowledgeBase:
    return build_kb(plan_text, filename="xinbin-2018-plan.txt")


# ---------------------------------------------------------------------------------------------
# (1) Every number of the text is accounted for
# ---------------------------------------------------------------------------------------------

#: A number as a reader sees one: Arabic digits, or a Chinese numeral before a classifier.
NUMBER_RE = re.compile(
    r"\d+(?:\.\d+)?(?:\s*[万亿])?|[一二两三四五六七八九十百千万]+(?=[个项位批大级轮方星向种次人户元家条座所名])"
)

#: Numbers that are not quantities, each with the reason. Keep this short: anything not listed
#: here must be a structured field of the knowledge base.
NON_QUANTITIES: list[tuple[str, str]] = [
    (r"^[一二三四五六七八九十]+、|^[（(][一二三四五六七八九十]+[）)]|^\d+、", "heading numbering"),
    (r"\d{4}\s*年(?:\s*\d{1,2}\s*月\s*\d{1,2}\s*日)?", "dates and years (title, closing date, 2018年销号)"),
    (r"[\[［〔]\d{4}[\]］〕]\d+号", "the document number"),
    (r"“[^”]*”", "names in quotation marks: “三年…” “十大” “三个一批” “十个一” “百千万”"),
    (r"一批", "一批 means 'a number of', not a count"),
    (r"第[一二三四五六七八九十]", "ordinals: 第一个单位, 第三方"),
    (r"每一位县委常委负责督办一项", "one each: a pairing, not a quantity"),
    (r"三级书记|十星级|新一轮", "names: the three levels of secretaries, an award title, 'a new round'"),
]


def _non_quantity_spans(line: str) -> list[tuple[int, int]]:
    return [m.span() for pattern, _ in NON_QUANTITIES for m in re.finditer(pattern, line)]


def _value_at(line: str, start: int, raw: str) -> Number:
    """The value of the number at `start`, with its multiplier (3万元 -> 30000)."""
    q = parse_quantity(line[start:])
    return q.value if q is not None and q.start == 0 else parse_number(raw)


def _recorded(kb: KnowledgeBase) -> list[tuple[str, Number]]:
    """(sentence, figure) of every structured field that carries a figure."""
    out: list[tuple[str, Number]] = [(g.sentence, g.quantity) for g in kb.goals]
    for m in kb.measures:
        # "10 个贫困村都有…" writes the villages; each one's 1 is what 都有 says, not a figure.
        out += [(t.sentence, t.villages or t.quantity) for t in m.targets]
        for b in m.benefits:
            out += [(b.sentence, v) for v in (b.amount_yuan, b.percent, b.quantity) if v is not None]
    for c in kb.cadences:
        out += [(c.sentence, q.value) for q in find_quantities(c.name)]
    return out


def test_every_number_in_the_text_is_accounted_for(kb: KnowledgeBase, plan_text: str) -> None:
    recorded = _recorded(kb)
    unaccounted = []
    for line in (raw.strip() for raw in plan_text.splitlines()):
        skip = _non_quantity_spans(line)
        for m in NUMBER_RE.finditer(line):
            if any(start <= m.start() < end for start, end in skip):
                continue
            value = _value_at(line, m.start(), m.group(0))
            if not any(
                value == figure and 0 <= line.find(sentence) <= m.start() < line.find(sentence) + len(sentence)
                for sentence, figure in recorded
            ):
                unaccounted.append(f"{m.group(0)} in {line[max(0, m.start() - 12) : m.end() + 6]!r}")
    assert unaccounted == []


def test_no_figure_is_invented(kb: KnowledgeBase) -> None:
    """Every figure of the knowledge base is written in the sentence it cites."""
    for sentence, figure in _recorded(kb):
        assert figure in {q.value for q in find_quantities(sentence)}, (sentence, figure)


def test_every_sentence_cited_is_in_the_text(kb: KnowledgeBase, plan_text: str) -> None:
    joined = plan_text.replace("村级\n\n集体", "村级集体")  # the one stray line break the builder mends
    for sentence, _ in _recorded(kb):
        assert sentence in joined


# ---------------------------------------------------------------------------------------------
# (2) Each of the 19 responsibility lines: lead unit and units (read off the plan by hand)
# ---------------------------------------------------------------------------------------------

RESPONSIBILITY = [
    ("m7beb95b8", "贫困户动态管理", ["县扶贫办"]),
    ("maaaae157", "产业", ["县农发局", "县工信局", "县旅游局", "县林业局", "县扶贫办", "县财政局"]),
    ("mea3b9e1b", "就业", ["县人社局", "县财政局", "县农发局", "县科技局"]),
    ("m06300403", "安居", ["县城建局", "县扶贫办", "县民宗局", "县残联", "县民政局", "县财政局"]),
    ("mf2da9ece", "教育", ["县教育局", "县财政局", "县扶贫办"]),
    ("m25e43f6d", "健康", ["县卫计委", "县扶贫办", "县民政局", "县财政局"]),
    ("md85888ae", "社会保障", ["县民政局", "县人社局", "县财政局", "县残联", "县妇联", "县扶贫办"]),
    ("md85888ae-2", "百企帮百村", ["县委统战部", "县工商联", "县民政局", "县卫计委", "县扶贫办"]),
    (
        "md2f1c516",
        "志智双扶",
        ["县委宣传部", "县文明办", "县民政局", "县民宗局", "县妇联", "县科技局", "县农发局"],
    ),
    ("mc0623e77", "道路桥梁", ["县交通局", "县财政局"]),
    ("mc0623e77-2", "供水水利", ["县水务局", "县财政局"]),
    ("mc0623e77-3", "文化设施", ["县文广局", "县财政局"]),
    ("m7525fc62", "生态文明", ["县环保局", "县发改局", "县城建局", "县林业局", "县农发局", "县财政局"]),
    ("mf6e59b87", "强基固本", ["县委组织部", "县财政局", "县农发局"]),
    ("m46c3b71a", "组织领导", ["县委办", "县政府办", "县委组织部", "县扶贫办"]),
    ("mc485a9a9", "驻村帮扶", ["县委组织部", "县扶贫办"]),
    ("m28acdde2", "资金保障", ["县扶贫办", "县财政局", "县人民银行", "县农发局", "县纪委", "县审计局"]),
    (
        "m33aa1d0c",
        "激励制度",
        [
            "县扶贫办",
            "县委组织部",
            "县委宣传部",
            "县纪委",
            "县委网信办",
            "县人社局",
            "县绩效办",
            "县审计局",
            "县财政局",
        ],
    ),
    ("m1f7a14df", "问责制度", ["县纪委", "县扶贫办", "县绩效办"]),
]


@pytest.mark.parametrize(
    ("measure_id", "units"),
    [pytest.param(mid, units, id=f"{mid} {topic} 牵头{units[0]}") for mid, topic, units in RESPONSIBILITY],
)
def test_responsibility_line(kb: KnowledgeBase, measure_id: str, units: list[str]) -> None:
    m = kb.measure(measure_id)
    assert m.lead_unit == units[0]
    assert m.units == units
    assert m.township_takes_part  # every line of this plan names 相关乡镇 or 各乡镇


def test_there_are_nineteen_responsibility_lines(kb: KnowledgeBase, plan_text: str) -> None:
    assert len(re.findall(r"责任单位", plan_text)) == 19 == len(kb.measures)
    assert [m.id for m in kb.measures] == [row[0] for row in RESPONSIBILITY]


def test_the_lead_rule_sentence_is_not_a_unit(kb: KnowledgeBase) -> None:
    assert not any("牵头" in u or "下同" in u for u in kb.all_units())


# ---------------------------------------------------------------------------------------------
# (3) A changed plan rebuilds into a changed knowledge base
# ---------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def perturbed(plan_text: str) -> KnowledgeBase:
    text = plan_text
    for old, new in [
        ("初中 1250 元", "初中 1300 元"),
        ("（责任单位：县交通局、县财政局、相关乡镇）", "（责任单位：县财政局、县交通局、相关乡镇）"),
        ("每户补助四万元", "每户补助五万元"),
        ("危桥改造 5 座", "危桥改造 7 座"),
    ]:
        assert text.count(old) == 1, old
        text = text.replace(old, new)
    return build_kb(text, filename="perturbed.txt")


def test_a_changed_amount_is_followed(kb: KnowledgeBase, perturbed: KnowledgeBase) -> None:
    def junior(k: KnowledgeBase) -> list[Number | None]:
        return [b.amount_yuan for b in k.measure("mf2da9ece").benefits if b.item == "初中生活补贴"]

    assert junior(kb) == [1250]
    assert junior(perturbed) == [1300]


def test_a_changed_chinese_amount_is_followed(perturbed: KnowledgeBase) -> None:
    (house,) = [b for b in perturbed.measure("m06300403").benefits if b.per == "户"]
    assert house.amount_yuan == 50000


def test_a_changed_target_is_followed(perturbed: KnowledgeBase) -> None:
    assert [t.quantity for t in perturbed.measure("mc0623e77").targets if t.indicator == "危桥改造"] == [7]


def test_swapped_units_change_the_lead(kb: KnowledgeBase, perturbed: KnowledgeBase) -> None:
    assert kb.measure("mc0623e77").lead_unit == "县交通局"
    assert perturbed.measure("mc0623e77").lead_unit == "县财政局"
    assert perturbed.measure("mc0623e77").units == ["县财政局", "县交通局"]


def test_nothing_else_changes(kb: KnowledgeBase, perturbed: KnowledgeBase) -> None:
    assert perturbed.source.sha256 != kb.source.sha256
    changed = {m.id for m, p in zip(kb.measures, perturbed.measures, strict=True) if m != p}
    assert changed == {"m06300403", "mf2da9ece", "mc0623e77"}
    assert perturbed.goals == kb.goals
    assert perturbed.cadences == kb.cadences


@pytest.mark.parametrize(("pattern", "reason"), [pytest.param(p, r, id=r) for p, r in NON_QUANTITIES])
def test_each_non_quantity_rule_is_needed(plan_text: str, pattern: str, reason: str) -> None:
    """The list stays short: a rule that excuses no number of the plan is dead weight."""
    lines = [raw.strip() for raw in plan_text.splitlines()]
    assert any(
        span[0] <= n.start() < span[1]
        for line in lines
        for span in (m.span() for m in re.finditer(pattern, line))
        for n in NUMBER_RE.finditer(line)
    )


def test_the_number_scan_sees_the_figures(plan_text: str) -> None:
    """Guard the guard: the scan finds the Chinese 四万 and the 万 of 3万元, not only digits."""
    found = [m.group(0) for m in NUMBER_RE.finditer(plan_text)]
    assert {"四万", "3万", "21.5", "1246"} <= set(found)
