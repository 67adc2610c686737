"""The entitlement calculator: what a household's profile gets under the plan, item by item.

Every figure comes from the knowledge base (`policy_kb.load_kb()`): this module only decides
which of the plan's benefits a profile matches, through small tables of the plan's own words
below. Nothing here types in an amount, so a rebuilt knowledge base changes the answers with it.
The responsible unit decides each case; the calculator is an estimate, and says so.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from policy_kb.schema import Benefit, KnowledgeBase, Measure


class SchoolStage(StrEnum):
    """A member's stage of schooling, as the API and the /check conversation name it."""

    PRESCHOOL = "preschool"
    PRIMARY = "primary"
    JUNIOR = "junior"
    SENIOR = "senior"
    VOCATIONAL = "vocational"
    COLLEGE = "college"
    NONE = "none"


class Disability(StrEnum):
    """Whether a member is disabled, and severely so (重度)."""

    NONE = "none"
    DISABLED = "disabled"
    SEVERE = "severe"


class HousingGrade(StrEnum):
    """The safety grade of the household's house; D is a dangerous house (D级危房)."""

    A = "A"
    B = "B"
    C = "C"
    D = "D"


class Member(BaseModel):
    """One person of the household."""

    model_config = ConfigDict(extra="forbid")

    school_stage: SchoolStage = SchoolStage.NONE
    disability: Disability = Disability.NONE
    serious_illness: bool = False


class Profile(BaseModel):
    """A household as the calculator sees it (the JSON body of `POST /api/entitlements`)."""

    model_config = ConfigDict(extra="forbid")

    members: list[Member] = Field(default_factory=list, max_length=30)
    housing_grade: HousingGrade | None = None
    able_to_work: bool = True
    registered_poor: bool = True


#: School stage -> a word the plan uses for that stage's beneficiaries or item (学前教育阶段,
#: 义务教育阶段小学, 普通高中在校生, 中等职业学校在校生, 大学本科生资助).
STAGE_WORDS: dict[SchoolStage, str] = {
    SchoolStage.PRESCHOOL: "学前",
    SchoolStage.PRIMARY: "小学",
    SchoolStage.JUNIOR: "初中",
    SchoolStage.SENIOR: "普通高中",
    SchoolStage.VOCATIONAL: "中等职业",
    SchoolStage.COLLEGE: "大学本科",
}

#: Housing grade -> the plan's word for the grant it qualifies for (only D: 每户补助四万元).
HOUSING_WORDS: dict[HousingGrade, str] = {HousingGrade.D: "D级危房"}

#: Who the plan's medical waivers and reductions are for (对建档立卡贫困患者免收…减收20%).
HEALTH_WAIVER_BENEFICIARY = "建档立卡贫困患者"

#: Items for a household with a seriously ill member (大病救治, 34种重大疾病兜底, 因病低保救助).
ILLNESS_ITEMS = ("大病筛查和救治", "重大疾病兜底保障", "低保救助")

#: Items for a disabled member, and the extra one for a severely disabled member.
DISABILITY_ITEMS = ("困难残疾人生活补贴", "贫困残疾人康复救助")
SEVERE_DISABILITY_ITEMS = ("重度残疾人护理补贴",)

#: The item for a household without ability to work (没有劳动能力…的困难家庭 纳入低保).
NO_WORK_ITEM = "低保"

#: Shown with every result: the plan fixes the policy, the unit decides the case.
CAVEAT = "以上为按《实施方案》条文的测算，仅供参考；是否符合条件、具体金额以责任单位审核认定为准。"


@dataclass(frozen=True)
class EntitlementItem:
    """One thing the household may receive; `amount_yuan` is None for waivers and unpriced aid."""

    item: str
    amount_yuan: int | float | None
    per: str | None
    period: str | None
    #: The measure's lead unit: whom to contact.
    unit: str
    measure: str
    kind: str
    percent: int | float | None
    #: Which member (1-based) it is for; None when it is for the household.
    member: int | None
    #: The plan's sentence it rests on.
    source: str

    @property
    def recurring_cash(self) -> bool:
        """Counts towards the yearly cash total: money, with an amount, every year."""
        return self.kind == "cash" and self.amount_yuan is not None and self.period == "年"


@dataclass(frozen=True)
class Entitlements:
    """The calculator's answer."""

    items: list[EntitlementItem]
    annual_cash_yuan: int | float
    units: list[str]
    caveat: str = CAVEAT
    #: True when nothing matched because the household is not registered as poor.
    not_registered: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {
            "items": [asdict(i) for i in self.items],
            "annual_cash_yuan": self.annual_cash_yuan,
            "units": self.units,
            "caveat": self.caveat,
        }


def _find(kb: KnowledgeBase, predicate: Any) -> list[tuple[Measure, Benefit]]:
    return [(m, b) for m in kb.measures for b in m.benefits if predicate(b)]


def _items(found: Iterable[tuple[Measure, Benefit]], member: int | None) -> list[EntitlementItem]:
    return [
        EntitlementItem(
            item=b.item,
            amount_yuan=b.amount_yuan,
            per=b.per,
            period=b.period,
            unit=m.lead_unit,
            measure=m.id,
            kind=b.kind,
            percent=b.percent,
            member=member,
            source=b.sentence,
        )
        for m, b in found
    ]


def _stage(kb: KnowledgeBase, stage: SchoolStage) -> list[tuple[Measure, Benefit]]:
    word = STAGE_WORDS[stage]
    return _find(kb, lambda b: word in b.beneficiary or word in b.item)


def _named(kb: KnowledgeBase, names: Iterable[str]) -> list[tuple[Measure, Benefit]]:
    wanted = set(names)
    return _find(kb, lambda b: b.item in wanted)


def compute_entitlements(*, kb: KnowledgeBase, profile: Profile) -> Entitlements:
    """Itemise what `profile` may receive under the plan and total the recurring yearly cash.

    The plan's household benefits are for registered poor households (建档立卡贫困户); an
    unregistered household gets an empty list with `not_registered=True`.

    Returns:
        Items in the plan's order of topics (education per child, housing, health, social
        security); `annual_cash_yuan` sums only cash with an amount paid every year — one-off
        grants such as the housing grant are listed but not added.
    """
    if not profile.registered_poor:
        return Entitlements(items=[], annual_cash_yuan=0, units=[], not_registered=True)
    items: list[EntitlementItem] = []
    for number, member in enumerate(profile.members, start=1):
        if member.school_stage is not SchoolStage.NONE:
            items += _items(_stage(kb, member.school_stage), number)
    if profile.housing_grade in HOUSING_WORDS:
        word = HOUSING_WORDS[profile.housing_grade]
        items += _items(_find(kb, lambda b: word in b.item), None)
    items += _items(_find(kb, lambda b: b.beneficiary == HEALTH_WAIVER_BENEFICIARY), None)
    if any(m.serious_illness for m in profile.members):
        items += _items(_named(kb, ILLNESS_ITEMS), None)
    for number, member in enumerate(profile.members, start=1):
        if member.disability is not Disability.NONE:
            names: tuple[str, ...] = DISABILITY_ITEMS
            if member.disability is Disability.SEVERE:
                names = (*DISABILITY_ITEMS, *SEVERE_DISABILITY_ITEMS)
            items += _items(_named(kb, names), number)
    if not profile.able_to_work:
        items += _items(_named(kb, [NO_WORK_ITEM]), None)
    total = sum(i.amount_yuan for i in items if i.recurring_cash and i.amount_yuan is not None)
    units = list(dict.fromkeys(i.unit for i in items))
    return Entitlements(items=items, annual_cash_yuan=total, units=units)
