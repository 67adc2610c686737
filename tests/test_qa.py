"""Question answering and routing, judged as households and cadres would judge them."""

from __future__ import annotations

import json
import re
import unicodedata
from pathlib import Path

import pytest

from policy_kb import answer, route

DATA = Path(__file__).parent / "data"


def _norm(text: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text or ""))


def _load(name: str) -> list[dict]:
    with open(DATA / name, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


# (id, question, figures that must be in the answer, figures that must not, expected lead unit)
GOLDEN = [
    ("junior-colloquial", "娃上初中一年补多少钱", ["1250"], ["1000", "1200", "2000"], "县教育局"),
    ("primary-precise", "小学生一年生活补贴多少", ["1000"], ["1250", "1200"], "县教育局"),
    ("first-grade-of-junior", "娃上初一了有啥补贴", ["1250"], ["1000"], "县教育局"),
    ("senior-waiver-and-cash", "上高中学费免吗，还给钱不", ["免", "2000"], ["1250"], "县教育局"),
    ("traditional", "貧困戶孩子上小學一年補助多少錢", ["1000"], ["1250"], "县教育局"),
    ("dangerous-bridge", "危桥今年改造几座", ["5"], ["106", "21.5", "44"], "县交通局"),
    ("village-roads", "村组道路要硬化多少公里", ["106"], ["21.5", "44"], "县交通局"),
    ("housing-grant-wan", "房子漏雨成危房了，一户补几万", ["4万"], ["189"], "县城建局"),
    ("housing-task", "今年危房改造任务多少户", ["189"], ["40000"], "县城建局"),
    ("typo-homophone", "看病挂好费要钱不", ["免", "挂号费"], [], "县卫计委"),
    ("mri-colloquial", "做个核磁能便宜多少", ["20%"], [], "县卫计委"),
    ("pay-after", "住院是不是先看病后交钱", ["先诊疗后付费"], [], "县卫计委"),
    ("who-water", "吃水难的事找哪个部门", ["县水务局"], [], "县水务局"),
    ("who-culture", "有线电视归谁管", ["县文广局"], [], "县文广局"),
    ("goal-people", "今年全县脱贫多少人", ["1246"], [], None),
    ("echo-chinese-numeral", "危房改造是一百八十九户不", ["189"], [], "县城建局"),
    ("two-children-sum", "老大学前班、老二读中职，一年总共多少", ["1200", "2000", "3200"], [], "县教育局"),
    ("twins-sum", "俩孩子都上小学，一年一共给多少", ["1000", "2000"], ["1250"], "县教育局"),
    ("listing-roads", "今年修路各有多少公里", ["21.5", "106", "44"], [], "县交通局"),
]


@pytest.mark.parametrize(("question", "must", "must_not", "lead"), [g[1:] for g in GOLDEN], ids=[g[0] for g in GOLDEN])
def test_golden_answers(question: str, must: list[str], must_not: list[str], lead: str | None) -> None:
    result = answer(question)
    text = _norm(result.answer)
    assert result.matched, result.answer
    for figure in must:
        assert _norm(figure) in text, result.answer
    for figure in must_not:
        assert _norm(figure) not in text, result.answer
    if lead:
        assert result.units[0] == lead


@pytest.mark.parametrize(
    "question",
    [
        "今天几号",
        "明天天气怎么样",
        "给我讲个笑话",
        "红烧肉怎么做",
        "办护照要多久",
        "北京到沈阳的高铁票多少钱",
        "😀😀",
        "",
        "   ",
    ],
)
def test_out_of_scope_is_said_honestly(question: str) -> None:
    result = answer(question)
    assert result.matched is False
    assert "县扶贫办" in result.answer
    assert not re.search(r"\d", result.answer), "an out-of-scope reply never gives a figure"


def test_amount_the_plan_does_not_fix_is_not_invented() -> None:
    result = answer("重度残疾人护理补贴一个月给多少钱")
    assert result.matched is False
    assert "没有规定" in result.answer
    assert result.units[0] == "县民政局"


def test_answer_carries_source_and_alternatives_shape() -> None:
    result = answer("娃上初中一年补多少钱")
    assert "1250" in result.source
    assert result.measure == "2.2.4"
    assert 0 < result.confidence <= 1
    data = result.to_dict()
    assert set(data) >= {"answer", "matched", "units", "measure", "source", "confidence", "alternatives"}


def test_route_follows_the_plans_rule() -> None:
    result = route("二组的桥被大水冲坏了")
    assert result.lead_unit == "县交通局"
    assert result.units[0] == "县交通局"
    assert result.township_takes_part is True


def test_route_with_no_topic_goes_to_the_office_for_triage() -> None:
    result = route("你好")
    assert result.lead_unit is None
    assert result.confidence == 0.0


def _score_qa(cases: list[dict]) -> dict[str, float]:
    ok_fact = ok_precise = ok_unit = ok_oos = n_fact = n_unit = n_oos = 0
    for case in cases:
        result = answer(case["q"])
        if case.get("oos"):
            n_oos += 1
            ok_oos += result.matched is False
            continue
        n_fact += 1
        text = _norm(result.answer)
        good = result.matched and all(any(_norm(alt) in text for alt in group) for group in case["must"])
        ok_fact += good
        ok_precise += good and not any(_norm(x) in text for x in case.get("not", []))
        if case.get("unit"):
            n_unit += 1
            ok_unit += bool(result.units) and result.units[0] == case["unit"]
    return {"fact": ok_fact / n_fact, "precise": ok_precise / n_fact, "unit": ok_unit / n_unit, "oos": ok_oos / n_oos}


def test_own_question_set_scores_at_the_bar() -> None:
    """254 questions written as households talk (tests/data/qa-own.jsonl); the bar sits just under
    today's figures so that a change that makes answers worse fails here."""
    scores = _score_qa(_load("qa-own.jsonl"))
    assert scores["fact"] >= 0.92, scores
    assert scores["precise"] >= 0.90, scores
    assert scores["unit"] >= 0.95, scores
    assert scores["oos"] >= 0.90, scores


def test_own_routing_set_scores_at_the_bar() -> None:
    cases = _load("route-own.jsonl")
    good = sum(route(c["text"]).lead_unit in c["lead"] for c in cases)
    assert good / len(cases) >= 0.90, f"{good}/{len(cases)}"


def test_colloquial_table_only_maps_to_the_plans_own_words() -> None:
    """The reviewed table may say how people talk, never a figure, and only towards words the plan uses."""
    from importlib import resources

    from policy_kb import load_kb
    from policy_kb.colloquial import load_concepts
    from policy_kb.textnorm import normalize

    plan = normalize("".join(m.title + m.text for m in load_kb().measures))
    missing = [t for c in load_concepts() for t in c.terms if normalize(t) not in plan]
    assert missing == []
    raw = json.loads(resources.files("policy_kb").joinpath("data/colloquial.json").read_text("utf-8"))
    phrases = [p for c in raw["concepts"] for key in ("terms", "say", "weak") for p in c.get(key, [])]
    assert [p for p in phrases + raw["outside"] if re.search(r"\d", p)] == [], "figures belong to the plan only"
