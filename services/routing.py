"""The plan's routing rule: who owns an item and who is copied.

Each measure of the plan ends with `（责任单位：A、B、C…）`. Measure 1 says the first unit leads
(牵头单位) and the others take part (参与单位), and "下同" extends that to every later line; where the
line names 相关乡镇 / 各乡镇, the township of the village the item is about takes part as well.
Household changes are the poverty office's own business, shared with the village's township.
"""

from __future__ import annotations

from dataclasses import dataclass

from policy_kb.schema import KnowledgeBase, Measure
from services.errors import NotFound
from services.models import PartyRole, Township

#: The county poverty-alleviation office: owns household changes and hears of overdue items.
OFFICE_UNIT = "县扶贫办"


@dataclass(frozen=True)
class PartySpec:
    """One party an item is routed to: a unit (lead or participant) or a township."""

    role: PartyRole
    unit: str | None = None
    township: Township | None = None

    @property
    def name(self) -> str:
        """The unit's or township's name, for messages."""
        if self.unit is not None:
            return self.unit
        assert self.township is not None
        return self.township.name


def plan_measure(kb: KnowledgeBase, measure_id: str) -> Measure:
    """The plan's measure with this id.

    Raises:
        NotFound: the plan has no measure with this id.
    """
    try:
        return kb.measure(measure_id)
    except KeyError:
        raise NotFound(f"实施方案中没有编号为 {measure_id} 的措施。") from None


def parties_for(kb: KnowledgeBase, *, measure_id: str, township: Township) -> list[PartySpec]:
    """Lead unit first, then the participating units, then the village's township if the line names it.

    Raises:
        NotFound: the plan has no measure with this id.
    """
    measure = plan_measure(kb, measure_id)
    units = list(dict.fromkeys(measure.units or [measure.lead_unit]))
    parties = [PartySpec(PartyRole.LEAD, unit=units[0])]
    parties += [PartySpec(PartyRole.PARTICIPANT, unit=unit) for unit in units[1:]]
    if measure.township_takes_part:
        parties.append(PartySpec(PartyRole.TOWNSHIP, township=township))
    return parties


def household_change_parties(township: Township) -> list[PartySpec]:
    """A household change: the poverty office leads, the village's township takes part (乡镇审核)."""
    return [PartySpec(PartyRole.LEAD, unit=OFFICE_UNIT), PartySpec(PartyRole.TOWNSHIP, township=township)]


def lead_unit(parties: list[PartySpec]) -> str:
    """The unit that owns an item routed to `parties`.

    Raises:
        ValueError: not exactly one lead unit — a programming error, never a user's.
    """
    leads = [p.unit for p in parties if p.role == PartyRole.LEAD and p.unit]
    if len(leads) != 1:
        raise ValueError(f"an item needs exactly one lead unit, got {leads}")
    return leads[0]
