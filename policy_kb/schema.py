"""Typed schema of the knowledge base built from a plan's text.

Every figure carries the sentence it was read from, so that whatever the assistant says can be
traced back to the plan.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

Number = int | float

#: How a benefit is given.
BenefitKind = Literal["cash", "waiver", "percentage_reduction", "service"]
#: What a benefit's amount is counted per: 人 (person), 户 (household), 生 (student), 亩 (mu of
#: land), 村 (village).
Per = Literal["人", "户", "生", "亩", "村"]
#: How often: every 年 (year), 学期 (term), 月 (month), 天 (day), or 次 (once / per occasion).
Period = Literal["年", "学期", "月", "天", "次"]
#: How often a cadence recurs.
Frequency = Literal["monthly", "quarterly", "yearly"]


class Frozen(BaseModel):
    """Knowledge-base records are immutable once built."""

    model_config = ConfigDict(frozen=True)


class Source(Frozen):
    title: str
    issuer: str
    doc_number: str
    date: dt.date
    sha256: str
    filename: str

    @property
    def year(self) -> int:
        """The year the plan speaks for: the one in its title ("2018年…实施方案"), else the year it was issued."""
        match = re.search(r"((?:19|20)\d\d)\s*年", self.title)
        return int(match.group(1)) if match else self.date.year


class Target(Frozen):
    """A quantity the plan sets out to reach, e.g. 硬化村组道路 106 公里."""

    indicator: str
    quantity: Number
    unit: str
    #: True where the plan says 以上 ("at least").
    at_least: bool = False
    #: A reader-friendly name from the reviewed lexicon, when the text's phrase is awkward.
    display_name: str | None = None
    sentence: str
    #: Set for each village ("每个贫困村至少设有 1 所村卫生室"): `quantity` is each village's, and
    #: the target is met village by village.
    per_village: bool = False
    #: How many villages a per-village target applies to, when the plan says ("拟销号的 10 个贫困村
    #: 都有…"); None: every village on record.
    villages: int | None = None


class Benefit(Frozen):
    """Something a household or person receives, e.g. 初中生活补贴 1250 元/生/年."""

    item: str
    beneficiary: str
    amount_yuan: Number | None = None
    #: The high end of a range (每人每年2000—3000元: amount_yuan 2000, amount_max_yuan 3000).
    amount_max_yuan: Number | None = None
    per: Per | None = None
    period: Period | None = None
    kind: BenefitKind = "cash"
    #: For percentage reductions, e.g. 20 for 减收 20%.
    percent: Number | None = None
    #: A count the benefit's text states that is not money, e.g. 34 (种, 重大疾病兜底保障),
    #: 1 (次, 免费健康体检), 40 (项, 临床检验项目). None when the text states none.
    quantity: Number | None = None
    #: The unit of `quantity` (种, 次, 项).
    unit: str | None = None
    conditions: list[str] = Field(default_factory=list)
    sentence: str


class Goal(Frozen):
    """An overall goal of the plan, e.g. 全县脱贫 1246 人."""

    indicator: str
    quantity: Number
    unit: str
    sentence: str


class Cadence(Frozen):
    """A recurring duty the plan fixes, e.g. 每季度启动1次贫困户识别程序."""

    name: str
    frequency: Frequency
    sentence: str
    measure: str


class Measure(Frozen):
    """One block of the plan governed by one responsibility line.

    A heading with several responsibility lines (measures 6 and 8 of the ten projects) yields one
    Measure per line, each holding the text since the previous line.
    """

    id: str
    #: The headings above this block, outermost first,
    #: e.g. ["二、工作措施", "（二）实施…", "8、农村基础设施巩固提升工程"].
    path: list[str]
    title: str
    text: str
    sentences: list[str]
    lead_unit: str
    #: Every responsible unit, lead first, as the plan lists them.
    units: list[str]
    #: True when the line names 相关乡镇 / 各乡镇: the village's township takes part.
    township_takes_part: bool
    responsibility_line: str
    targets: list[Target] = Field(default_factory=list)
    benefits: list[Benefit] = Field(default_factory=list)


class TownshipTarget(Frozen):
    """One township's share of a goal, from the plan's 附件 table, e.g. 河西镇 脱贫人数 310 人."""

    township: str
    indicator: str
    quantity: Number
    unit: str


class KnowledgeBase(Frozen):
    source: Source
    goals: list[Goal]
    measures: list[Measure]
    cadences: list[Cadence]
    #: The 附件 table of targets by township, when the plan has one (rows only, not its 合计).
    township_targets: list[TownshipTarget] = Field(default_factory=list)

    def all_units(self) -> list[str]:
        """Every responsible unit the plan names, in order of first mention (townships excluded)."""
        seen: dict[str, None] = {}
        for m in self.measures:
            for unit in m.units:
                seen.setdefault(unit, None)
        return list(seen)

    def measure(self, measure_id: str) -> Measure:
        """The measure with this id; KeyError when there is none."""
        for m in self.measures:
            if m.id == measure_id:
                return m
        raise KeyError(measure_id)
