"""Plain results of `policy_kb` and `services` turned into the messages a household reads."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from bot import texts
from policy_kb.results import Answer, Part
from policy_kb.texts import OFFICE
from services.directory import Contact
from services.entitlements import EntitlementItem, Entitlements

#: Below this confidence the answer is shown with "did you mean" buttons for the likely topics.
LOW_CONFIDENCE = 0.6


def excerpt(text: str, limit: int) -> str:
    """`text`, or its first `limit` characters and "…" (a quote in a list, not the whole)."""
    return text if len(text) <= limit else text[:limit] + "…"


def capped_lines(lines: Sequence[str], *, limit: int, more: str) -> list[str]:
    """The first of `lines` that fit in `limit` characters joined by newlines, then `more` for the rest.

    A list that can grow (items with long reasons, people not reached) says how many it left out
    (`more` formatted with `count`) instead of relying on the last-resort cut at Telegram's limit.
    """
    reserve = len(more.format(count=len(lines))) + 1
    shown: list[str] = []
    used = 0
    for line in lines:
        if used + len(line) + 1 > limit - reserve:
            break
        shown.append(line)
        used += len(line) + 1
    if len(shown) < len(lines):
        shown.append(more.format(count=len(lines) - len(shown)))
    return shown


def _amount(value: int | float) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


def contact_line(contact: Contact) -> str:
    """A unit's phone, address and office hours, as far as the office entered them."""
    details = [
        template.format(**{field: value})
        for template, field, value in (
            (texts.CONTACT_PHONE, "phone", contact.phone),
            (texts.CONTACT_ADDRESS, "address", contact.address),
            (texts.CONTACT_HOURS, "hours", contact.hours),
        )
        if value
    ]
    return texts.CONTACT_LINE.format(unit=contact.unit, details=texts.CONTACT_SEPARATOR.join(details))


def _part_text(part: Part, contacts: Mapping[str, Contact]) -> str:
    """One question's answer: what the plan says, then its source and whom to contact, once each,
    with the contact's number when the office's directory has it."""
    if part.kind == "greeting":
        return "".join(part.statements)
    if part.kind == "not_covered":
        office = contacts.get(OFFICE)
        return "".join(part.statements) + (contact_line(office) if office else "")
    text = part.lead_in + "".join(part.statements)
    if part.source:
        text += texts.ANSWER_SOURCE.format(plan=part.plan, title=part.source_title or "", source=part.source)
    if part.lead_unit:
        partners = texts.ANSWER_PARTNERS.format(units="、".join(part.partners)) if part.partners else ""
        text += texts.ANSWER_UNITS.format(lead=part.lead_unit, partners=partners)
        if part.lead_unit in contacts:
            text += contact_line(contacts[part.lead_unit])
    return text


def answer_text(answer: Answer, contacts: Mapping[str, Contact]) -> str:
    """Every question's answer in the order asked (numbered when several), and "did you mean"."""
    if len(answer.parts) == 1:
        text = _part_text(answer.parts[0], contacts)
    else:
        text = "\n\n".join(
            texts.ANSWER_NUMBERED.format(number=i, text=_part_text(p, contacts)) for i, p in enumerate(answer.parts, 1)
        )
    if wants_alternatives(answer):
        text += texts.LOW_CONFIDENCE
    return text


def wants_alternatives(answer: Answer) -> bool:
    """Whether to offer the likely topics as question buttons: when the answer is unsure (a close
    rival topic lowers its confidence) or the plan does not cover the question."""
    return bool(answer.alternatives) and (not answer.matched or answer.confidence < LOW_CONFIDENCE)


def _item_line(item: EntitlementItem) -> str:
    who = texts.CHECK_ITEM_MEMBER.format(number=item.member) if item.member else ""
    if item.kind == "waiver":
        return texts.CHECK_ITEM_WAIVER.format(who=who, item=item.item)
    if item.kind == "percentage_reduction" and item.percent is not None:
        return texts.CHECK_ITEM_REDUCTION.format(who=who, item=item.item, percent=_amount(item.percent))
    if item.amount_yuan is not None and item.period not in (None, "次"):
        return texts.CHECK_ITEM_AMOUNT.format(
            who=who, item=item.item, amount=_amount(item.amount_yuan), per=item.per or "人", period=item.period
        )
    if item.amount_yuan is not None:
        return texts.CHECK_ITEM_ONCE.format(
            who=who, item=item.item, amount=_amount(item.amount_yuan), per=item.per or "户"
        )
    return texts.CHECK_ITEM_OTHER.format(who=who, item=item.item)


def entitlements_text(result: Entitlements, contacts: Mapping[str, Contact]) -> str:
    """Itemised entitlements, the yearly cash total, whom to contact (with the numbers the office's
    directory has) and the caveat."""
    if result.not_registered:
        return texts.CHECK_NOT_REGISTERED + texts.CHECK_CAVEAT.format(caveat=result.caveat)
    if not result.items:
        return texts.CHECK_RESULT_NOTHING + texts.CHECK_CAVEAT.format(caveat=result.caveat)
    lines = [texts.CHECK_RESULT_HEADER + "\n".join(_item_line(i) for i in result.items)]
    lines.append(texts.CHECK_TOTAL.format(total=_amount(result.annual_cash_yuan)))
    lines.append(texts.CHECK_UNITS.format(units="、".join(result.units)))
    lines.extend(contact_line(contacts[unit]).lstrip("\n") for unit in result.units if unit in contacts)
    lines.append(texts.CHECK_CAVEAT.format(caveat=result.caveat))
    return "\n".join(lines)
