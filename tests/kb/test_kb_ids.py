"""A measure's id stays the same when next year's plan adds, removes or renumbers measures around it.

Reports, tasks and reviewed phrases are stored against measure ids, so an id that moved with the
plan's numbering would point them at another measure after a rebuild.
"""

from __future__ import annotations

from policy_kb import KnowledgeBase, build_kb, load_kb

FRONT = """
某某县扶贫开发领导小组
某扶发〔2019〕5号
某某县 2019 年脱贫攻坚实施方案

一、总体目标
全县脱贫 300 人。

二、重点工作
"""

EDUCATION = """（{n}）教育扶贫
学前教育阶段每人每年给予 1500 元生活补贴。
（责任单位：县教育局、县财政局、各乡镇）
"""

HOUSING = """（{n}）住房保障
完成贫困户危房改造 50 户。
（责任单位：县住建局、县扶贫办）
整治农村人居环境，每季度开展1次环境卫生检查。
（责任单位：县环保局、相关乡镇）
"""

ROADS = """（{n}）道路建设
硬化村组道路 10 公里。
（责任单位：县交通局、县财政局、相关乡镇）
"""

CLOSING = """
某某县扶贫开发领导小组
二〇一九年三月十五日
"""


def _plan(*sections: str) -> KnowledgeBase:
    numerals = "一二三四五六七八九"
    body = "".join(section.format(n=numerals[i]) for i, section in enumerate(sections))
    return build_kb(FRONT + body + CLOSING)


def _id(kb: KnowledgeBase, lead_unit: str) -> str:
    (measure,) = [m for m in kb.measures if m.lead_unit == lead_unit]
    return measure.id


def test_a_measure_added_before_keeps_the_later_ids() -> None:
    before, after = _plan(HOUSING, ROADS), _plan(EDUCATION, HOUSING, ROADS)
    assert _id(after, "县交通局") == _id(before, "县交通局")


def test_a_measure_removed_before_keeps_the_later_ids() -> None:
    before, after = _plan(EDUCATION, HOUSING, ROADS), _plan(HOUSING, ROADS)
    assert _id(after, "县住建局") == _id(before, "县住建局")


def test_reordered_measures_keep_their_ids() -> None:
    before, after = _plan(EDUCATION, ROADS), _plan(ROADS, EDUCATION)
    assert _id(after, "县教育局") == _id(before, "县教育局")


def test_a_second_responsibility_line_under_one_title_gets_the_suffix_2() -> None:
    kb = _plan(HOUSING)
    assert _id(kb, "县环保局") == _id(kb, "县住建局") + "-2"


def test_a_title_written_with_other_spaces_and_brackets_keeps_its_id() -> None:
    spaced = ROADS.replace("道路建设", " 道路 建设 ").replace("（{n}）", "({n})")
    assert _id(_plan(spaced), "县交通局") == _id(_plan(ROADS), "县交通局")


def test_a_renamed_title_gets_a_new_id() -> None:
    renamed = ROADS.replace("道路建设", "交通建设")
    assert _id(_plan(renamed), "县交通局") != _id(_plan(ROADS), "县交通局")


def test_the_same_title_under_two_parts_gets_two_ids() -> None:
    twice = ROADS + "三、保障措施\n" + ROADS.replace("县交通局", "县城建局")
    kb = _plan(twice)
    assert _id(kb, "县城建局") == _id(kb, "县交通局") + "-2"


def test_the_packaged_plan_ids_are_unique() -> None:
    ids = [m.id for m in load_kb().measures]
    assert len(set(ids)) == len(ids)


def test_the_packaged_plan_ids_fit_the_database_column() -> None:
    assert max(len(m.id) for m in load_kb().measures) <= 16
