"""The plan's routing rule: the first unit of a measure's responsibility line leads, the rest are copied."""

from __future__ import annotations

import pytest

from policy_kb import load_kb
from services.errors import NotFound
from services.models import PartyRole, Township
from services.routing import OFFICE_UNIT, PartySpec, household_change_parties, lead_unit, parties_for

TOWNSHIP = Township(code="210422102", name="永陵镇")


def test_roads_go_to_the_transport_bureau_with_finance_and_the_township_copied() -> None:
    parties = parties_for(load_kb(), measure_id="mc0623e77", township=TOWNSHIP)
    assert [(p.role, p.name) for p in parties] == [
        (PartyRole.LEAD, "县交通局"),
        (PartyRole.PARTICIPANT, "县财政局"),
        (PartyRole.TOWNSHIP, "永陵镇"),
    ]
    assert lead_unit(parties) == "县交通局"


def test_every_unit_on_the_line_takes_part_in_order() -> None:
    kb = load_kb()
    measure = kb.measure("maaaae157")
    parties = parties_for(kb, measure_id="maaaae157", township=TOWNSHIP)
    assert [p.unit for p in parties if p.unit] == measure.units
    assert parties[0].role == PartyRole.LEAD
    assert parties[0].unit == "县农发局"


def test_no_township_when_the_line_does_not_name_one() -> None:
    kb = load_kb()
    measure = kb.measure("mc0623e77").model_copy(update={"township_takes_part": False})
    kb = kb.model_copy(update={"measures": [measure]})
    parties = parties_for(kb, measure_id="mc0623e77", township=TOWNSHIP)
    assert PartyRole.TOWNSHIP not in {p.role for p in parties}


def test_unknown_measure() -> None:
    with pytest.raises(NotFound, match="9.9"):
        parties_for(load_kb(), measure_id="9.9", township=TOWNSHIP)


def test_household_changes_go_to_the_office_and_the_township() -> None:
    parties = household_change_parties(TOWNSHIP)
    assert parties == [
        PartySpec(PartyRole.LEAD, unit=OFFICE_UNIT),
        PartySpec(PartyRole.TOWNSHIP, township=TOWNSHIP),
    ]
    assert lead_unit(parties) == "县扶贫办"


def test_an_item_needs_one_lead() -> None:
    with pytest.raises(ValueError):
        lead_unit([PartySpec(PartyRole.PARTICIPANT, unit="县财政局")])
