"""The sentences question answering and routing say, in simplified Chinese, in one place."""

from __future__ import annotations

import re
from collections.abc import Sequence

from policy_kb.results import Part
from policy_kb.schema import Source

#: The county poverty office: the contact when the plan names no other.
OFFICE = "县扶贫办"
#: How the plan names the village's township among the responsible units.
TOWNSHIP = "相关乡镇"
#: Where the goals' figures come from (they belong to no measure).
GOALS_TITLE = "主要目标"

#: Said for what the loaded plan does not cover; {plan} is that plan's title without its year
#: (a refusal says no figure, and a year would read as one).
NOT_COVERED = "抱歉，{plan}没有涉及这个问题，我无法给出可靠答复。扶贫政策方面的其他疑问，请咨询县扶贫办。"
#: {county} is the loaded plan's county, short (新宾), as people call the assistant.
GREETING = (
    "您好！我是{county}扶贫助手，可以按县里的脱贫攻坚实施方案回答补贴标准、医疗减免、危房改造、"
    "低保救助等政策问题，并告诉您该找哪个部门。请直接说您想问什么，例如“娃上初中一年补多少钱”。"
)
#: The county's short name at the start of a plan's title or issuer: 新宾县 2018 年… -> 新宾,
#: 新宾满族自治县脱贫攻坚领导小组 -> 新宾.
COUNTY_RE = re.compile(r"^(?P<county>[\u4e00-\u9fff]{2,8}?)(?:满族自治县|自治县|县|市|区|旗)")
THANKS = "不客气！还有扶贫政策方面的问题，随时问我。"
NO_FIGURE = "方案没有规定具体金额或数量。方案的相关规定是：{statement}。"
#: The plan fixes amounts for other school stages, not the one asked about.
NO_LIST = "方案没有列出具体是哪些。方案的相关规定是：{statement}。"
NO_MONEY = "方案没有规定补助金额。方案的相关规定是：{statement}。"
STAGE_NOT_FIXED = "方案没有规定{stage}的具体补助金额。"
SOURCE = "（出处：{plan}“{title}”）"
GOALS_SOURCE = "（出处：{plan}“{title}”；详情可咨询{office}）"
#: How an answer names the plan it cites.
PLAN_NAME = "{year}年实施方案"
#: Lead-ins of a yes/no question's answer, by how it was asked.
YES_HAVE = "有。"
YES_CAN = "可以。"
YES = "是的。"
#: A yes/no that states a figure the plan does not set ("一年3000块是吧").
NOT_AS_STATED = "不是这个数。"
#: A "did you mean" question for an entry with a figure, and for one without.
ENTRY_QUESTION_FIGURE = "{name}是多少"
ENTRY_QUESTION_WAIVER = "{name}免不免"
ENTRY_QUESTION_RULE = "{name}有什么规定"
#: How each of several questions in one message is numbered.
NUMBERED = "{number}. {text}"
STAGE_LINE = "{stage}{count}人，每人每年{each}元，共{amount}元"
STAGE_EACH = "{stage}每人每年{each}元"
STAGE_WAIVER = "{stage}免除{item}"
STAGE_NO_FIGURE = "{stage}按国家和省资助政策执行，方案没有规定具体金额"
GROUP = "方案的“{heading}”包括：{titles}。"
#: What one unit does by the plan's responsibility lines (the first unit named leads).
UNIT_LEADS = "按方案，{unit}牵头负责：{titles}。"
UNIT_TAKES_PART = "{unit}参与：{titles}。"
RESPONSIBILITY_TITLE = "责任单位"
TOTAL_OF_ALL = "以上合计 {total} {unit}。"
SEVERAL_TOTAL = "{count}{what}合计 {total}{more}。"
FAMILY_TOTAL = "合计每年生活补贴/补助 {total}。"


def not_covered(source: Source) -> str:
    """The refusal, naming the plan loaded (whichever county's), never a fixed one."""
    return NOT_COVERED.format(plan=re.sub(r"\s+|[\d〇零一二三四五六七八九]{4}\s*年度?", "", source.title))


def greeting(source: Source) -> str:
    """The greeting, naming the county of the plan loaded."""
    m = COUNTY_RE.match(source.title) or COUNTY_RE.match(source.issuer)
    return GREETING.format(county=m["county"] if m else "")


def responsible(lead: str, partners: Sequence[str]) -> str:
    """ "由县教育局牵头负责（县财政局、相关乡镇参与），可向县教育局咨询。" — whom to contact, by the plan's rule."""
    if partners:
        return f"由{lead}牵头负责（{'、'.join(partners)}参与），可向{lead}咨询。"
    return f"由{lead}负责，可向{lead}咨询。"


def plain_part(part: Part) -> str:
    """One part as plain text: lead-in, statements, whom to contact and the plan's section, once each."""
    body = part.lead_in + "".join(part.statements)
    contact = responsible(part.lead_unit, part.partners) if part.lead_unit else ""
    plan = part.plan or "实施方案"
    source = SOURCE.format(plan=plan, title=part.source_title) if part.source_title else ""
    if part.kind == "answer" and part.source_title == GOALS_TITLE:
        contact = ""
        source = GOALS_SOURCE.format(plan=plan, title=GOALS_TITLE, office=OFFICE)
    return (contact + body if part.who_first else body + contact) + source


def plain_answer(parts: Sequence[Part]) -> str:
    """The whole reply as plain text: one part as it is, several numbered in the order asked."""
    if len(parts) == 1:
        return plain_part(parts[0])
    return "\n".join(NUMBERED.format(number=i, text=plain_part(p)) for i, p in enumerate(parts, 1))
