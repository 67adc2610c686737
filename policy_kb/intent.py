"""What a question asks for, read from its wording rather than its topic.

The topic picks the measure; the intent picks how to answer: a figure in the asked unit, the
responsible unit's name, or a yes/no about a waiver. Each rule is a documented constant.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

#: Words that ask who is responsible or whom to contact.
WHO_PATTERN = re.compile(
    r"谁|(?:找|去|到|上|归|向|跟|由)?(?:哪个|哪些|哪家|什么|啥|哪)(?:部门|单位|局|口|地方|机关)(?:管|办|负责)?|"
    r"找哪|去哪|到哪|上哪|哪里办|哪儿办|哪里申请|哪办|归哪|负责|牵头|主管|管这|联系|咨询|反映"
)

#: Words that ask for a figure ("好几回" only tells, so 几 after 好 does not count).
QUANTITY_PATTERN = re.compile(
    r"多少|(?<![好这那])几|多钱|多大|标准|金额|数额|额度|补多|给多|发多|多高|啥数|咋算|总共|一共|合计"
)

#: Words asking for every figure of a kind at once ("各多少公里", "都有哪些任务").
LISTING_PATTERN = re.compile(r"各|分别|都有哪些|有哪些")

#: Words asking for money, when no other unit is named ("一个月给多少钱").
MONEY_PATTERN = re.compile(r"多少钱|多钱|几块|多少块|几万|多少万|工资|每月|一个月|月发")

#: Total count of people stated anywhere: "双胞胎", "俩人", "两个孩子".
TOTAL_COUNT_PATTERN = re.compile(r"双胞胎|(俩|仨|两|三|四|2|3|4)(?:个)?(?:人|孩子|娃|学生|小孩|孙子|孙女|外孙)")

#: "多少户", "几座", "几万": the unit a question asks in, mapped to the unit the plan writes.
ASKED_UNIT_PATTERN = re.compile(r"(?:多少|几)(个|座|户|人|家|公里|里|条|种|次|所|名|元|块|钱|万|项|成|%|村)")
ASKED_UNIT_ALIASES = {"块": "元", "钱": "元", "万": "元", "里": "公里", "成": "%", "村": "个"}

#: Words that ask whether something is free or must be paid.
WAIVER_PATTERN = re.compile(r"免|掏|要钱|收钱|收费|交钱|花钱|掏钱|要交|付钱|给钱|自己出|白给")

#: "两个娃", "俩孩子", "3个学生": how many people a stage mention covers.
COUNT_BEFORE_PATTERN = re.compile(
    r"(?:(?<!老)(一|两|二|三|四|五|1|2|3|4|5)(?:个|名|位)|(?<!老)(两|俩|仨|三)(?=娃|孩子|学生|小孩|闺女|儿子|丫头|小子|孙子|孙女|外孙)|(俩|仨))"
    r"(?:娃|孩子|学生|小孩|闺女|儿子|丫头|小子|孙子|孙女|外孙|外孙女)?(?:都|全|全都)?(?:在|上|读|念|是)?$"
)
COUNT_WORDS = {"一": 1, "两": 2, "俩": 2, "二": 2, "三": 3, "仨": 3, "四": 4, "五": 5}


#: Places outside the county: the plan only speaks for 新宾, so a question about them is not covered.
ELSEWHERE_PATTERN = re.compile(
    r"韩国|日本|美国|香港|台湾|清原|抚顺市区|抚顺县|沈阳|本溪|桓仁|宽甸|铁岭|丹东|大连|鞍山|通化|吉林|北京|上海|天津|广州|深圳|"
    r"外县|别的县|外省|别的省|外地|国外|出国"
)

#: "还没上小学", "不上初中": a stage named only to be denied.
NEGATION_BEFORE_PATTERN = re.compile(r"(没|不|没有|还没|未|不是)(上|读|念|在)?$")


@dataclass(frozen=True)
class Intent:
    """How to answer: `who` names the unit first, `quantity` wants a figure (in `asked_unit`)."""

    who: bool
    quantity: bool
    asked_unit: str | None
    waiver: bool
    elsewhere: bool
    listing: bool = False


def read_intent(question: str, *, last_clause: str | None = None) -> Intent:
    """The intent of a normalized question.

    A figure is asked for only when the last clause asks it: "跑好几个窗口，能不能一个地方办完"
    tells of windows, and asks about one place.
    """
    asking = question if last_clause is None else last_clause
    unit_match = ASKED_UNIT_PATTERN.search(asking)
    asked_unit = None
    if unit_match:
        asked_unit = ASKED_UNIT_ALIASES.get(unit_match.group(1), unit_match.group(1))
    elif MONEY_PATTERN.search(asking):
        asked_unit = "元"
    return Intent(
        who=bool(WHO_PATTERN.search(question)),
        quantity=bool(QUANTITY_PATTERN.search(asking)),
        asked_unit=asked_unit,
        waiver=bool(WAIVER_PATTERN.search(question)),
        elsewhere=bool(ELSEWHERE_PATTERN.search(question)),
        listing=bool(LISTING_PATTERN.search(asking)),
    )


def total_count(question: str) -> int:
    """How many people the question says it is about in all ("双胞胎" -> 2), else 0."""
    match = TOTAL_COUNT_PATTERN.search(question)
    if not match:
        return 0
    word = match.group(1)
    if word is None:
        return 2
    return int(word) if word.isdigit() else COUNT_WORDS[word]


def without_asking_words(question: str) -> str:
    """The question with its "谁负责 / 哪个部门" wording blanked out, leaving its topic.

    "修危房这事归哪个部门管" must be read as 危房, not as the plan's sentence about 各部门单位.
    """
    return WHO_PATTERN.sub(" ", question)


def negated(text: str, start: int) -> bool:
    """Whether the words just before position `start` deny what follows ("还没上小学")."""
    return bool(NEGATION_BEFORE_PATTERN.search(text[max(0, start - 3) : start]))


def count_before(text: str, start: int) -> int:
    """How many people the words just before position `start` count ("两个娃都上" -> 2), else 1."""
    match = COUNT_BEFORE_PATTERN.search(text[max(0, start - 8) : start])
    if not match:
        return 1
    word = next(g for g in match.groups() if g)
    return int(word) if word.isdigit() else COUNT_WORDS[word]
