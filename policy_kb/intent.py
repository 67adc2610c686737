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

#: Words that ask for a figure.
QUANTITY_PATTERN = re.compile(r"多少|几|多钱|多大|标准|金额|数额|额度|补多|给多|发多|多高|啥数|咋算|总共|一共|合计")

#: "多少户", "几座", "几万": the unit a question asks in, mapped to the unit the plan writes.
ASKED_UNIT_PATTERN = re.compile(r"(?:多少|几)(个|座|户|人|家|公里|里|条|种|次|所|名|元|块|钱|万|项|成|%|村)")
ASKED_UNIT_ALIASES = {"块": "元", "钱": "元", "万": "元", "里": "公里", "成": "%", "村": "个"}

#: Words that ask whether something is free or must be paid.
WAIVER_PATTERN = re.compile(r"免|要钱|收钱|收费|交钱|花钱|掏钱|要交|付钱|给钱|自己出|白给")

#: "两个娃", "俩孩子", "3个学生": how many people a stage mention covers.
COUNT_BEFORE_PATTERN = re.compile(
    r"(?:(?<!老)(一|两|二|三|四|五|1|2|3|4|5)(?:个|名|位)|(?<!老)(两|俩|仨|三)(?=娃|孩子|学生|小孩|闺女|儿子|丫头|小子)|(俩|仨))"
    r"(?:娃|孩子|学生|小孩|闺女|儿子|丫头|小子)?(?:都|全|全都)?(?:在|上|读|念|是)?$"
)
COUNT_WORDS = {"一": 1, "两": 2, "俩": 2, "二": 2, "三": 3, "仨": 3, "四": 4, "五": 5}


#: Places outside the county: the plan only speaks for 新宾, so a question about them is not covered.
ELSEWHERE_PATTERN = re.compile(
    r"清原|抚顺市区|抚顺县|沈阳|本溪|桓仁|宽甸|铁岭|丹东|大连|鞍山|通化|吉林|北京|上海|天津|广州|深圳|"
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


def read_intent(question: str) -> Intent:
    """The intent of a normalized question."""
    unit_match = ASKED_UNIT_PATTERN.search(question)
    asked_unit = None
    if unit_match:
        asked_unit = ASKED_UNIT_ALIASES.get(unit_match.group(1), unit_match.group(1))
    return Intent(
        who=bool(WHO_PATTERN.search(question)),
        quantity=bool(QUANTITY_PATTERN.search(question)),
        asked_unit=asked_unit,
        waiver=bool(WAIVER_PATTERN.search(question)),
        elsewhere=bool(ELSEWHERE_PATTERN.search(question)),
    )


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
