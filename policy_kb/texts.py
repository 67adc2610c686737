"""The sentences question answering and routing say, in simplified Chinese, in one place."""

from __future__ import annotations

#: The county poverty office: the contact when the plan names no other.
OFFICE = "县扶贫办"
#: How the plan names the village's township among the responsible units.
TOWNSHIP = "相关乡镇"

NOT_COVERED = (
    "抱歉，新宾县脱贫攻坚工作实施方案没有涉及这个问题，我无法给出可靠答复。扶贫政策方面的其他疑问，请咨询县扶贫办。"
)
NO_FIGURE = "方案没有规定具体金额或数量。方案的相关规定是：{statement}。"
SOURCE = "（出处：实施方案“{title}”）"
GOAL_CONTACT = "（出处：实施方案“主要目标”；详情可咨询县扶贫办）"
ALTERNATIVE_QUESTION = "{title}有哪些政策"
STAGE_LINE = "{stage}{count}人，每人每年{each}元，共{amount}元"
STAGE_WAIVER = "{stage}免除{item}"
STAGE_NO_FIGURE = "{stage}按国家和省资助政策执行，方案没有规定具体金额"
FAMILY_TOTAL = "合计每年生活补贴/补助 {total}。"


def responsible(lead: str, partners: list[str]) -> str:
    """ "由县教育局牵头负责（县财政局、相关乡镇参与）。" — whom to contact, by the plan's rule."""
    if partners:
        return f"由{lead}牵头负责（{'、'.join(partners)}参与），可向{lead}咨询。"
    return f"由{lead}负责，可向{lead}咨询。"
