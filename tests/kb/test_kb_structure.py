"""The builder reads every structure the genre uses, and says what it could not place.

Each plan here is a few invented lines in the genre's habits (the counties, units and figures are
made up), so that each form is tested on its own, apart from the sample plans.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from policy_kb import texts
from policy_kb.builder import PlanParseError, build_kb, build_kb_with_report, parse_responsibility_line
from policy_kb.qa import answer
from policy_kb.report import BuildWarning
from policy_kb.schema import KnowledgeBase, Source

HEAD = (
    "松岭县扶贫开发领导小组\n\n松扶发〔2021〕7号\n\n松岭县2021年巩固脱贫成果实施方案\n\n"
    "为巩固脱贫成果，制定本方案。\n\n"
)
FOOT = "\n\n松岭县扶贫开发领导小组\n\n2021年2月8日\n"


def _plan(body: str, *, head: str = HEAD, foot: str = FOOT) -> str:
    return head + body.strip("\n") + foot


def _build(body: str, **kwargs: str) -> tuple[KnowledgeBase, list[BuildWarning]]:
    return build_kb_with_report(_plan(body, **kwargs))


def _line_of(text: str, fragment: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), 1) if fragment in line)


# ---------------------------------------------------------------------------------------------
# Headings: 第一部分, 一、, （一）, 1、 / 1. / 1．, inline headings
# ---------------------------------------------------------------------------------------------

PARTS = """
第一部分　目标任务

全年巩固脱贫人口 930 人。

第二部分　重点工作

（一）产业帮扶

1. 林下养蜂。扶持贫困户养蜂 200 箱。

（责任单位：县林草局、县财政局）

2. 庭院果园。新栽果树 3000 株。

（责任单位：县果业中心、各乡镇）

（二）就业帮扶。开发护河员岗位 60 个。

（责任单位：县人社局、县水利局）
"""


@pytest.fixture(scope="module")
def parts_kb() -> KnowledgeBase:
    return build_kb(_plan(PARTS))


def test_parts_sections_and_dotted_items_give_one_measure_per_statement(parts_kb: KnowledgeBase) -> None:
    assert [m.title for m in parts_kb.measures] == ["林下养蜂", "庭院果园", "就业帮扶"]


def test_a_measure_path_starts_at_its_part(parts_kb: KnowledgeBase) -> None:
    assert parts_kb.measures[0].path == ["第二部分重点工作", "（一）产业帮扶", "1.林下养蜂"]


def test_an_inline_heading_keeps_its_body_as_the_measure_text(parts_kb: KnowledgeBase) -> None:
    assert parts_kb.measures[0].text == "扶持贫困户养蜂 200 箱。"


def test_an_inline_heading_at_section_level_is_a_measure(parts_kb: KnowledgeBase) -> None:
    assert parts_kb.measures[2].text == "开发护河员岗位 60 个。"


def test_a_colon_after_the_part_number_is_no_part_of_the_title() -> None:
    kb, _ = _build(PARTS.replace("第二部分　重点工作", "第二部分：重点工作"))
    assert kb.measures[0].path[0] == "第二部分重点工作"


def test_the_goal_part_gives_goals(parts_kb: KnowledgeBase) -> None:
    assert [(g.quantity, g.unit) for g in parts_kb.goals] == [(930, "人")]


def test_a_goal_section_inside_a_general_part_gives_goals() -> None:
    kb, _ = _build(
        "一、总体要求\n\n（一）指导思想。坚持精准方略。\n\n（二）主要目标。全年脱贫 120 户。\n\n"
        + PARTS.split("第二部分")[1].replace("（一）", "二、", 1)
    )
    assert [(g.quantity, g.unit) for g in kb.goals] == [(120, "户")]


def test_full_width_dot_numbering_is_a_heading() -> None:
    kb, _ = _build("一、工作措施\n\n1．光伏电站。建设村级电站 4 座。\n\n（责任单位：县发改局）")
    assert kb.measures[0].title == "光伏电站"


def test_a_chinese_numeral_with_a_dot_is_a_heading() -> None:
    kb, _ = _build("一．工作措施\n\n1、光伏电站。建设村级电站 4 座。\n\n（责任单位：县发改局）")
    assert kb.measures[0].path == ["一．工作措施", "1、光伏电站"]


def test_a_decimal_at_the_start_of_a_line_is_not_a_heading() -> None:
    kb, _ = _build("一、工作措施\n\n（一）道路\n\n2.5公里通村路年内完工。\n\n（责任单位：县交通局）")
    assert kb.measures[0].text == "2.5公里通村路年内完工。"


# ---------------------------------------------------------------------------------------------
# Cover notice
# ---------------------------------------------------------------------------------------------

NOTICE = (
    "松岭县人民政府办公室文件\n\n松政办发〔2021〕9号\n\n"
    "关于印发《松岭县2021年巩固脱贫成果实施方案》的通知\n\n各乡镇人民政府，县政府各部门：\n\n"
    "《松岭县2021年巩固脱贫成果实施方案》已经2021年2月1日县政府常务会议通过，现印发给你们。\n\n"
    "松岭县人民政府办公室\n\n2021年2月10日\n\n（此件公开发布）\n\n"
    "松岭县2021年巩固脱贫成果实施方案\n\n为巩固脱贫成果，制定本方案。\n\n"
)


@pytest.fixture(scope="module")
def notice_kb() -> KnowledgeBase:
    body = "一、工作措施\n\n1、产业帮扶。扶持贫困户养蜂 200 箱。\n\n（责任单位：县林草局）"
    return build_kb(_plan(body, head=NOTICE, foot="\n\n松岭县人民政府办公室　　2021年2月10日印发\n"))


def test_a_cover_notice_gives_the_plans_title_from_inside_the_brackets(notice_kb: KnowledgeBase) -> None:
    assert notice_kb.source.title == "松岭县2021年巩固脱贫成果实施方案"


def test_a_cover_notice_gives_the_issuer_without_wenjian(notice_kb: KnowledgeBase) -> None:
    assert notice_kb.source.issuer == "松岭县人民政府办公室"


def test_a_cover_notice_gives_its_document_number(notice_kb: KnowledgeBase) -> None:
    assert notice_kb.source.doc_number == "松政办发〔2021〕9号"


def test_a_cover_notice_gives_its_own_date_not_the_meetings(notice_kb: KnowledgeBase) -> None:
    assert notice_kb.source.date == dt.date(2021, 2, 10)


def test_a_notice_title_over_two_lines_is_read_whole() -> None:
    head = NOTICE.replace("2021年巩固脱贫成果实施方案》的通知", "2021年巩固\n脱贫成果实施方案》的通知", 1)
    kb = build_kb(_plan("一、工作措施\n\n1、产业帮扶。养蜂 200 箱。\n\n（责任单位：县林草局）", head=head))
    assert kb.source.title == "松岭县2021年巩固脱贫成果实施方案"


def test_a_notice_naming_the_plan_without_brackets_is_a_notice() -> None:
    head = (
        "清水县人民政府关于印发清水县2019年脱贫攻坚实施方案的通知\n\n清政发〔2019〕6号\n\n"
        "各乡镇人民政府：\n\n现将《清水县2019年脱贫攻坚实施方案》印发给你们，请认真贯彻执行。\n\n"
        "清水县人民政府\n\n2019年2月26日\n\n清水县2019年脱贫攻坚实施方案\n\n为打赢脱贫攻坚战，制定本方案。\n\n"
    )
    kb = build_kb(_plan("一、工作措施\n\n1、产业帮扶。养蜂 200 箱。\n\n（责任单位：县林草局）", head=head))
    assert kb.source.title == "清水县2019年脱贫攻坚实施方案"


def test_a_plan_title_over_two_lines_is_read_whole() -> None:
    kb, _ = _build(PARTS, head=HEAD.replace("2021年巩固", "2021年巩固\n"))
    assert kb.source.title == "松岭县2021年巩固脱贫成果实施方案"


def test_a_signature_with_its_date_on_one_line_gives_the_date() -> None:
    kb, _ = _build(PARTS, foot="\n\n松岭县扶贫开发领导小组　　2021年2月9日\n")
    assert kb.source.date == dt.date(2021, 2, 9)


def test_a_cover_notice_is_no_measure(notice_kb: KnowledgeBase) -> None:
    assert [m.title for m in notice_kb.measures] == ["产业帮扶"]


# ---------------------------------------------------------------------------------------------
# Responsibility statements
# ---------------------------------------------------------------------------------------------


STATEMENTS = [
    ("牵头单位：县林草局；配合单位：县财政局、各乡镇。", ["县林草局", "县财政局"], True),
    ("县人社局牵头，县财政局、县总工会配合。", ["县人社局", "县财政局", "县总工会"], False),
    ("县教育局、县财政局牵头，县团委配合。", ["县教育局", "县财政局", "县团委"], False),
    ("由县医保局牵头负责。", ["县医保局"], False),
    ("(责任单位:县水利局、相关乡镇人民政府)", ["县水利局"], True),
    ("（责任单位:国网松岭县供电公司、县发改局)", ["国网松岭县供电公司", "县发改局"], False),
    ("责任单位：县民政局、县残联", ["县民政局", "县残联"], False),
    ("（责任单位：县财政局、县扶贫办（牵头）、各乡镇）", ["县扶贫办", "县财政局"], True),
    ("责任部门：县水利局、县财政局。", ["县水利局", "县财政局"], False),
    ("牵头单位：县民政局　配合单位：县残联", ["县民政局", "县残联"], False),
    ("（牵头单位：县民政局；配合单位：县残联）", ["县民政局", "县残联"], False),
    ("县扶贫办负责，县财政局配合。", ["县扶贫办", "县财政局"], False),
    ("县教育局、县财政局共同牵头，县团委配合。", ["县教育局", "县财政局", "县团委"], False),
    ("县农业局牵头；县财政局配合。", ["县农业局", "县财政局"], False),
]


@pytest.mark.parametrize(("line", "units", "township"), [pytest.param(*row, id=row[0]) for row in STATEMENTS])
def test_every_form_of_responsibility_statement(line: str, units: list[str], township: bool) -> None:
    assert parse_responsibility_line(line) == (units, township)


@pytest.mark.parametrize("sentence", ["坚持党委领导、政府牵头。", "坚持政府牵头。", "每个贫困村由驻村工作队负责。"])
def test_a_sentence_that_merely_says_qiantou_is_not_a_statement(sentence: str) -> None:
    with pytest.raises(PlanParseError):
        parse_responsibility_line(sentence)


@pytest.fixture(scope="module")
def trailing_kb() -> KnowledgeBase:
    body = (
        "一、工作措施\n\n"
        "1、健康帮扶。贫困人口参保率达到 100%。(责任单位:县卫健局、县医保局、各乡镇)\n\n"
        "2、金融帮扶。新增小额信贷 500 户。县金融办牵头，县农商银行、相关乡镇人民政府配合。\n\n"
        "3、消费帮扶。组织展销会 3 场。牵头单位：县商务局；配合单位：县供销社。"
    )
    return build_kb(_plan(body))


def test_a_bracketed_statement_ending_a_paragraph_governs_it(trailing_kb: KnowledgeBase) -> None:
    assert trailing_kb.measures[0].units == ["县卫健局", "县医保局"]


def test_a_statement_ending_a_paragraph_is_not_its_text(trailing_kb: KnowledgeBase) -> None:
    assert trailing_kb.measures[0].text == "贫困人口参保率达到 100%。"


def test_x_qiantou_y_peihe_ending_a_paragraph_names_the_lead(trailing_kb: KnowledgeBase) -> None:
    assert trailing_kb.measures[1].lead_unit == "县金融办"


def test_x_qiantou_y_peihe_is_not_the_measure_text(trailing_kb: KnowledgeBase) -> None:
    assert trailing_kb.measures[1].text == "新增小额信贷 500 户。"


def test_a_township_government_takes_part_but_is_no_unit(trailing_kb: KnowledgeBase) -> None:
    assert (trailing_kb.measures[1].units, trailing_kb.measures[1].township_takes_part) == (
        ["县金融办", "县农商银行"],
        True,
    )


def test_lead_and_partner_units_ending_a_paragraph(trailing_kb: KnowledgeBase) -> None:
    assert trailing_kb.measures[2].units == ["县商务局", "县供销社"]


SEVERAL = """
一、工作措施

1、基础设施

硬化通组路 20 公里。

（责任单位：县交通局、相关乡镇）

改造农村电网 5 个村。

（责任单位：国网松岭县供电公司）
"""


def test_several_statements_in_one_measure_each_govern_the_text_since_the_previous() -> None:
    kb, _ = _build(SEVERAL)
    assert [(m.title, m.text, m.lead_unit) for m in kb.measures] == [
        ("基础设施", "硬化通组路 20 公里。", "县交通局"),
        ("基础设施", "改造农村电网 5 个村。", "国网松岭县供电公司"),
    ]


def test_a_statement_in_the_heading_line_governs_the_section() -> None:
    kb, _ = _build(
        "一、工作措施\n\n（一）产业帮扶（责任单位：县农业局、各乡镇）\n\n扶持养蜂 200 箱。\n\n"
        "（二）就业帮扶。开发岗位 60 个。（责任单位：县人社局）"
    )
    assert (kb.measures[0].title, kb.measures[0].text, kb.measures[0].lead_unit) == (
        "产业帮扶",
        "扶持养蜂 200 箱。",
        "县农业局",
    )


def test_a_statement_right_after_its_heading_governs_the_text_below() -> None:
    kb, warnings = _build(FIRST_ITEM + "2、就业帮扶\n\n（责任单位：县人社局）\n\n开发岗位 60 个。")
    assert (kb.measures[1].text, warnings) == ("开发岗位 60 个。", [])


def test_a_text_without_any_statement_is_a_clear_error() -> None:
    with pytest.raises(PlanParseError, match="责任单位"):
        build_kb(_plan("一、工作措施\n\n1、产业帮扶。扶持养蜂 200 箱。"))


# ---------------------------------------------------------------------------------------------
# Warnings: what could not be placed, with its line
# ---------------------------------------------------------------------------------------------

UNPLACED = """
一、保障措施

（一）加强领导。县级领导每月进村不少于 2 次。

（二）强化督查。实行季督查。

（责任单位：县委督查室）
"""


def test_a_paragraph_under_no_statement_is_reported_with_its_line() -> None:
    text = _plan(UNPLACED)
    _, warnings = build_kb_with_report(text)
    assert [(w.line, w.kind) for w in warnings] == [(_line_of(text, "加强领导"), "no_responsibility")]


def test_a_paragraph_under_no_statement_is_in_no_measure() -> None:
    kb, _ = _build(UNPLACED)
    assert [m.title for m in kb.measures] == ["强化督查"]


FIRST_ITEM = "一、工作措施\n\n1、产业帮扶。养蜂 200 箱。\n\n（责任单位：县林草局）\n\n"


def test_a_heading_out_of_sequence_is_reported() -> None:
    text = _plan(FIRST_ITEM + "3、就业帮扶。开发岗位 60 个。\n\n（责任单位：县人社局）")
    _, warnings = build_kb_with_report(text)
    assert [(w.line, w.kind) for w in warnings] == [(_line_of(text, "就业帮扶"), "heading")]


def test_an_unreadable_statement_is_reported() -> None:
    text = _plan(FIRST_ITEM + "2、就业帮扶。责任单位：另行通知后确定的部门，开发岗位 60 个。")
    _, warnings = build_kb_with_report(text)
    assert ("responsibility", _line_of(text, "就业帮扶")) in [(w.kind, w.line) for w in warnings]


def test_a_well_formed_plan_has_no_warning() -> None:
    _, warnings = _build(PARTS)
    assert warnings == []


# ---------------------------------------------------------------------------------------------
# The annex table of targets by township
# ---------------------------------------------------------------------------------------------

ANNEX = """

附件

松岭县2021年分乡镇任务表

乡镇 | 巩固人数(人) | 新栽果树(株)
松岭镇 | 410 | 1800
石桥乡 320 700
合计 | 730 | 2500
"""


@pytest.fixture(scope="module")
def annex_report() -> tuple[KnowledgeBase, list[BuildWarning]]:
    return build_kb_with_report(_plan(PARTS, foot=FOOT + ANNEX))


def test_annex_rows_become_township_targets(annex_report: tuple[KnowledgeBase, list[BuildWarning]]) -> None:
    kb, _ = annex_report
    assert [(t.township, t.indicator, t.quantity, t.unit) for t in kb.township_targets] == [
        ("松岭镇", "巩固人数", 410, "人"),
        ("松岭镇", "新栽果树", 1800, "株"),
        ("石桥乡", "巩固人数", 320, "人"),
        ("石桥乡", "新栽果树", 700, "株"),
    ]


def test_annex_rows_are_not_goals(annex_report: tuple[KnowledgeBase, list[BuildWarning]]) -> None:
    kb, _ = annex_report
    assert [g.quantity for g in kb.goals] == [930]


def test_annex_rows_are_not_measures(annex_report: tuple[KnowledgeBase, list[BuildWarning]]) -> None:
    kb, _ = annex_report
    assert len(kb.measures) == 3


def test_an_annex_total_that_does_not_add_up_is_reported() -> None:
    text = _plan(PARTS, foot=FOOT + ANNEX.replace("合计 | 730", "合计 | 731"))
    _, warnings = build_kb_with_report(text)
    assert [(w.line, w.kind) for w in warnings] == [(_line_of(text, "合计"), "annex")]


def test_an_annex_line_that_is_no_row_is_reported() -> None:
    text = _plan(PARTS, foot=FOOT + ANNEX.replace("石桥乡 320 700", "石桥乡 待定"))
    _, warnings = build_kb_with_report(text)
    assert (_line_of(text, "待定"), "annex") in [(w.line, w.kind) for w in warnings]


def test_an_annex_without_a_header_is_reported() -> None:
    text = _plan(PARTS, foot=FOOT + ANNEX.replace("(人) | 新栽果树(株)", " | 新栽果树"))
    _, warnings = build_kb_with_report(text)
    assert [(w.line, w.kind) for w in warnings] == [(_line_of(text, "附件"), "annex")]


def test_an_annex_whose_row_label_has_brackets_is_read() -> None:
    """ "乡镇（街道）" names the rows; it is no counted column with a unit."""
    kb, _ = build_kb_with_report(_plan(PARTS, foot=FOOT + ANNEX.replace("乡镇 | 巩固", "乡镇（街道）\t巩固")))
    assert len(kb.township_targets) == 4


# ---------------------------------------------------------------------------------------------
# What the assistant says names the plan loaded
# ---------------------------------------------------------------------------------------------


def test_the_refusal_names_the_loaded_plans_county(tmp_path: Path) -> None:
    plan = tmp_path / "songling-2021.txt"
    plan.write_text(_plan(PARTS), encoding="utf-8")
    assert "松岭县巩固脱贫成果实施方案没有涉及" in answer("今天几号", kb=plan).answer


def test_the_refusal_never_names_another_county(tmp_path: Path) -> None:
    plan = tmp_path / "songling-2021.txt"
    plan.write_text(_plan(PARTS), encoding="utf-8")
    assert "新宾" not in answer("今天几号", kb=plan).answer


def test_the_greeting_names_the_loaded_plans_county() -> None:
    source = Source(
        title="松岭县2021年巩固脱贫成果实施方案",
        issuer="松岭县扶贫开发领导小组",
        doc_number="",
        date=dt.date(2021, 2, 8),
        sha256="",
        filename="plan.txt",
    )
    assert "我是松岭扶贫助手" in texts.greeting(source)


def test_a_figure_whose_unit_is_unknown_is_reported_with_its_line() -> None:
    from policy_kb.builder import build_kb_with_report

    text = FIGURE_PLAN.replace("组建服务队。", "组建 5 组服务队。")
    _, warnings = build_kb_with_report(text)
    line = next(i for i, text in enumerate(FIGURE_PLAN.splitlines(), 1) if text.startswith("组建"))
    assert [(w.line, w.kind) for w in warnings] == [(line, "unplaced_figure")]


def test_a_plan_whose_figures_are_all_read_has_no_figure_warning() -> None:
    from policy_kb.builder import build_kb_with_report

    assert build_kb_with_report(FIGURE_PLAN)[1] == []


FIGURE_PLAN = """示例县脱贫攻坚领导小组

示脱贫发〔2019〕3号

示例县2019年脱贫攻坚实施方案

一、主要目标
全县减少贫困人口 300 人。

二、工作措施
1、服务队建设
组建服务队。全年培训 200 人次，第1批名单于3月公布。
（责任单位：县人社局）

示例县脱贫攻坚领导小组
2019年3月1日
"""


# ---------------------------------------------------------------------------------------------
# More ways of the genre (a fourth round of blind plans): "该项工作由X负责，Y配合", X牵头 inside
# （责任单位：…）, sub-items under one statement
# ---------------------------------------------------------------------------------------------

WORK_BY = """
一、工作措施

1、产业帮扶。扶持养蜂 200 箱。此项工作由县林草局负责，县财政局、各乡镇配合。

2、就业帮扶。开发岗位 60 个。

以上工作由县人社局负责，县财政局配合。
"""


def test_work_given_to_a_unit_in_the_paragraph_is_its_measure() -> None:
    kb, _ = _build(WORK_BY)
    assert [m.lead_unit for m in kb.measures] == ["县林草局", "县人社局"]


def test_units_that_take_part_in_the_work_are_read() -> None:
    kb, _ = _build(WORK_BY)
    assert kb.measures[0].units == ["县林草局", "县财政局"]


def test_townships_that_take_part_in_the_work_are_read() -> None:
    kb, _ = _build(WORK_BY)
    assert kb.measures[0].township_takes_part is True


LEAD_INSIDE = "一、工作措施\n\n1、电商扶贫。新建站点 45 个。\n\n（责任单位：县商务局牵头，县邮政分公司、各乡镇配合）"


def test_a_lead_marked_inside_the_statement_leads() -> None:
    kb, _ = _build(LEAD_INSIDE)
    assert kb.measures[0].units == ["县商务局", "县邮政分公司"]


def test_townships_marked_as_partners_inside_the_statement_take_part() -> None:
    kb, _ = _build(LEAD_INSIDE)
    assert kb.measures[0].township_takes_part is True


SUB_ITEMS = """
一、工作措施

1、产业帮扶。扶持养蜂 200 箱。

（责任单位：县林草局）

2、教育资助。资助标准如下：

（1）学前教育。每生每年补助保育费 1200 元。

（2）义务教育。寄宿生每生每年补助生活费 1000 元。

（责任单位：县教育局）
"""


def test_sub_items_under_one_statement_are_one_measure_titled_by_their_parent() -> None:
    kb, _ = _build(SUB_ITEMS)
    assert [m.title for m in kb.measures] == ["产业帮扶", "教育资助"]


def test_every_sub_items_money_is_the_measures() -> None:
    kb, _ = _build(SUB_ITEMS)
    assert sorted(b.amount_yuan or 0 for b in kb.measures[1].benefits) == [1000, 1200]


def test_sub_items_leave_nothing_unplaced() -> None:
    _, warnings = _build(SUB_ITEMS)
    assert [w for w in warnings if w.kind == "no_responsibility"] == []


SQUARE = "一、工作措施\n\n1、安居帮扶。改造危房 80 户。\n\n[责任单位：县住建局、县财政局、各乡镇]"


def test_a_statement_in_square_brackets_is_read() -> None:
    kb, _ = _build(SQUARE)
    assert kb.measures[0].units == ["县住建局", "县财政局"]


INLINE_PARENT = """
一、工作措施

（一）实施产业扶贫。坚持把发展产业作为稳定脱贫的根本之策。

1.发展种植业。新发展中药材 4500 亩。

2.推进光伏扶贫。新建村级光伏电站 8 座。

责任单位：县农业农村局（牵头）、县财政局

（二）实施就业扶贫。全年转移就业 1500 人。

责任单位：县人社局（牵头）、县财政局
"""


def test_items_under_a_measure_whose_heading_opens_its_text_are_that_measure() -> None:
    kb, _ = _build(INLINE_PARENT)
    assert [m.title for m in kb.measures] == ["实施产业扶贫", "实施就业扶贫"]


def test_a_section_intro_before_its_measures_is_no_measure() -> None:
    """ "二、重点任务" and a paragraph of its own, then measures each with a statement: the intro
    is reported, not made the first measure's title."""
    body = "一、重点任务\n\n聚焦守底线、抓发展。\n\n（一）产业帮扶\n\n扶持养蜂 200 箱。\n\n（责任单位：县林草局）"
    kb, _ = _build(body)
    assert [m.title for m in kb.measures] == ["产业帮扶"]


def test_townships_that_carry_it_out_inside_the_statement_take_part() -> None:
    kb, _ = _build(
        "一、工作措施\n\n1、就业帮扶。开发岗位 60 个。\n\n（责任单位：县人社局牵头，县财政局配合，各乡镇落实）"
    )
    assert kb.measures[0].units == ["县人社局", "县财政局"]
    assert kb.measures[0].township_takes_part is True


CLOSING_ETC = """
一、重点工作
（一）乡村旅游
扶持乡村旅游经营户 30 户。
责任单位：县文旅局、县商务局、县财政局等。
（二）危房改造
完成危房改造 40 户。
责任单位：县住建局、县民政局、各乡（镇）等。
"""


def test_a_list_of_units_closing_with_etc_names_the_last_unit_whole() -> None:
    kb, _ = _build(CLOSING_ETC)
    assert kb.measures[0].units == ["县文旅局", "县商务局", "县财政局"]


def test_a_township_closing_a_list_with_etc_takes_part() -> None:
    kb, _ = _build(CLOSING_ETC)
    assert kb.measures[1].township_takes_part is True


INSIDE_PARAGRAPH = """
一、重点工作
（一）产业扶贫：一是种植中药材 3000 亩（牵头单位：县农业局，配合单位：县财政局、各乡镇）。二是建成光伏电站 15 个（牵头单位：县发改局，配合单位：县供电公司）。
"""  # noqa: E501


def test_each_statement_inside_a_paragraph_closes_its_own_measure() -> None:
    kb, _ = _build(INSIDE_PARAGRAPH)
    assert [m.lead_unit for m in kb.measures] == ["县农业局", "县发改局"]


def test_a_statement_inside_a_paragraph_governs_the_text_before_it() -> None:
    kb, _ = _build(INSIDE_PARAGRAPH)
    assert [t.quantity for t in kb.measures[1].targets] == [15]
