"""Figures as a plan of the genre means them: per whom, how often, ranges, conditions and aims.

Each plan snippet here is invented for the test; the builder must read it as a careful reader would.
"""

from __future__ import annotations

import pytest

from policy_kb.builder import build_kb
from policy_kb.numbers import find_quantities
from policy_kb.schema import Benefit, KnowledgeBase, Target

PLAN = """示例县脱贫攻坚领导小组

示脱贫发〔2019〕2号

示例县2019年脱贫攻坚实施方案

一、主要目标
全县减少贫困人口 500 人。

二、工作措施
1、就业帮扶
对参加技能培训的贫困劳动力，培训期间按每人每天 60 元给予生活补助。开发公益性岗位，岗位补贴标准为每人每月 300 元。
（责任单位：县人社局、县财政局、各乡镇）
2、教育帮扶
对在园贫困家庭幼儿，按每生每学期 400 元的标准发放保教费补助。
（责任单位：县教育局、县财政局）
3、安居帮扶
C级危房按 0.6 万元/户给予补助，D级危房每户补助标准提高到 2.2 万元。完成易地扶贫搬迁安置 50 户 130 人。
（责任单位：县住建局、县财政局）
4、产业帮扶
对种植中药材的贫困户按每亩 150 元给予一次性补助；对发展养殖的贫困户按照规模给予每户 1000～2500 元的产业补助。提供 3 万元以下的扶贫小额信贷。全县新增中药材 1.2 万亩。
（责任单位：县农业局、县扶贫办）
5、健康帮扶
贫困人口基本医疗保险参保率达到 100%。个人自付费用超过 3000 元的部分，由医疗救助兜底。落实困难残疾人生活补贴和重度残疾人护理补贴，标准均为每人每月 70 元。每个贫困村实现村集体经济收入 2 万元以上。
（责任单位：县卫健局、县民政局）
6、技能培训
全年开展技能培训 800 人次。对正常经营 6 个月以上的创业实体给予补贴。每村选聘扶贫信息员 1 名，每月发放工作补贴 450 元。
（责任单位：县人社局）
7、教育资助
对贫困家庭寄宿生每生每年补助生活费，小学 800 元、初中 900 元。全面完成剩余 40 户贫困户危房改造。走读生交通补助标准为小学每生每学期 120 元、初中每生每学期 160 元。
（责任单位：县教育局）
8、金融和特色产业
全年新增发放扶贫小额信贷不少于 2500 万元。县财政注入风险补偿金 600 万元。对发展种养业的贫困户按人均 2400 元给予一次性奖补。新增肉牛存栏 5000 头以上。对贫困户新栽植果树的，每亩一次性补助 350 元。就读中职的，落实“雨露计划”补助，每生每学期 1100 元。新建香菇大棚 90 栋。
（责任单位：县金融办）

示例县脱贫攻坚领导小组
2019年3月1日
"""  # noqa: E501  (a plan's paragraphs are one line each)


@pytest.fixture(scope="module")
def kb() -> KnowledgeBase:
    return build_kb(PLAN)


def _benefit(kb: KnowledgeBase, amount: float) -> Benefit:
    return next(b for m in kb.measures for b in m.benefits if b.amount_yuan == amount)


def _target(kb: KnowledgeBase, quantity: float, unit: str) -> Target:
    return next(t for m in kb.measures for t in m.targets if t.quantity == quantity and t.unit == unit)


@pytest.mark.parametrize(
    ("amount", "per", "period"),
    [
        (60, "人", "天"),
        (300, "人", "月"),
        (400, "生", "学期"),
        (6000, "户", "次"),
        (22000, "户", "次"),
        (150, "亩", "次"),
        (30000, "户", "次"),
    ],
    ids=["per-day", "per-month", "per-term", "per-household-after", "raised-to", "per-mu-once", "loan-ceiling"],
)
def test_money_is_read_per_whom_and_how_often(kb: KnowledgeBase, amount: float, per: str, period: str) -> None:
    benefit = _benefit(kb, amount)
    assert (benefit.per, benefit.period) == (per, period)


def test_a_posts_allowance_is_paid_per_person(kb: KnowledgeBase) -> None:
    assert _benefit(kb, 450).per == "人"


def test_a_rate_said_before_its_amounts_keeps_who_it_is_for(kb: KnowledgeBase) -> None:
    assert _benefit(kb, 800).item.startswith("贫困家庭寄宿生")


def test_a_rate_said_before_its_amounts_gives_them_its_period(kb: KnowledgeBase) -> None:
    assert (_benefit(kb, 900).per, _benefit(kb, 900).period) == ("生", "年")


def test_the_rest_of_a_task_is_named_for_the_task(kb: KnowledgeBase) -> None:
    assert _target(kb, 40, "户").indicator.endswith("危房改造")


def test_a_range_keeps_both_ends(kb: KnowledgeBase) -> None:
    assert _benefit(kb, 1000).amount_max_yuan == 2500


def test_a_raised_standard_is_named_for_what_it_pays(kb: KnowledgeBase) -> None:
    assert "提高到" not in _benefit(kb, 22000).item


def test_a_loan_ceiling_is_named_as_the_loan(kb: KnowledgeBase) -> None:
    assert "信贷" in _benefit(kb, 30000).item


@pytest.mark.parametrize("item", ["困难残疾人生活补贴", "重度残疾人护理补贴"])
def test_one_standard_for_two_benefits_goes_to_each(kb: KnowledgeBase, item: str) -> None:
    assert any(b.item == item and b.amount_yuan == 70 for m in kb.measures for b in m.benefits)


def test_a_threshold_is_neither_benefit_nor_target(kb: KnowledgeBase) -> None:
    figures = [f for m in kb.measures for f in (*m.benefits, *m.targets)]
    assert not any(getattr(f, "amount_yuan", None) == 3000 or getattr(f, "quantity", None) == 3000 for f in figures)


def test_a_villages_income_aim_is_a_target_not_a_benefit(kb: KnowledgeBase) -> None:
    assert _target(kb, 2, "万元").indicator.endswith("收入")


def test_a_rate_target_names_what_it_measures(kb: KnowledgeBase) -> None:
    assert _target(kb, 100, "%").indicator.endswith("参保率")


def test_person_times_are_kept(kb: KnowledgeBase) -> None:
    assert _target(kb, 800, "人次").indicator.endswith("技能培训")


def test_ten_thousand_mu_is_kept_as_written(kb: KnowledgeBase) -> None:
    assert _target(kb, 1.2, "万亩").indicator.endswith("中药材")


def test_a_duration_in_months_is_no_count() -> None:
    assert find_quantities("正常经营 6 个月以上") == []


def test_one_off_is_no_count() -> None:
    assert [q.unit for q in find_quantities("给予每人 500 元一次性补贴")] == ["元"]


def test_a_chinese_year_range_is_no_figure() -> None:
    assert find_quantities("2018—2020年") == []


def test_a_floor_of_money_with_no_one_paid_is_a_target_as_written() -> None:
    kb = build_kb(PLAN)
    assert _target(kb, 2500, "万元").indicator.endswith("小额信贷")


def test_a_floor_of_money_with_no_one_paid_is_no_benefit(kb: KnowledgeBase) -> None:
    assert not [b for m in kb.measures for b in m.benefits if b.amount_yuan == 25_000_000]


def test_money_earned_by_a_condition_is_named_after_it(kb: KnowledgeBase) -> None:
    assert _benefit(kb, 350).item.startswith("新栽植果树")


def test_money_named_in_the_clause_before_its_amount_takes_that_name(kb: KnowledgeBase) -> None:
    assert _benefit(kb, 1100).item == "雨露计划补助"


def test_a_count_of_buildings_is_a_target(kb: KnowledgeBase) -> None:
    assert _target(kb, 90, "栋").indicator.endswith("大棚")


def test_a_fund_the_county_sets_aside_is_a_target(kb: KnowledgeBase) -> None:
    assert _target(kb, 600, "万元").indicator.endswith("风险补偿金")


def test_money_per_head_is_per_person(kb: KnowledgeBase) -> None:
    assert _benefit(kb, 2400).per == "人"


@pytest.mark.parametrize(("amount", "item"), [(120, "小学交通补助"), (160, "初中交通补助")])
def test_stages_after_a_named_standard_keep_its_name(kb: KnowledgeBase, amount: float, item: str) -> None:
    assert _benefit(kb, amount).item == item


def test_a_figure_right_after_another_counts_the_same_thing(kb: KnowledgeBase) -> None:
    assert _target(kb, 130, "人").indicator == "易地扶贫搬迁安置"
