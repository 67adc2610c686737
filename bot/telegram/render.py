"""Plain results of `policy_kb` and `services` turned into the messages a household reads."""

from __future__ import annotations

from collections.abc import Sequence

from bot import texts
from policy_kb.results import Answer
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


def answer_text(answer: Answer) -> str:
    """The answer with its source sentence and whom to contact, or an honest "not covered"."""
    if not answer.matched:
        text = answer.answer or texts.NOT_COVERED
    else:
        text = texts.ANSWER.format(answer=answer.answer)
        if answer.source:
            title = answer.measure_title or ""
            text += texts.ANSWER_SOURCE.format(title=title, source=answer.source)
        # The engine's answer usually names the lead unit already; say whom to contact only if not.
        if answer.units and answer.units[0] not in answer.answer:
            text += texts.ANSWER_UNITS.format(units="、".join(answer.units))
    if answer.alternatives and (not answer.matched or answer.confidence < LOW_CONFIDENCE):
        text += texts.LOW_CONFIDENCE
    return text


def wants_alternatives(answer: Answer) -> bool:
    """Whether to offer the likely topics as buttons."""
    return bool(answer.alternatives) and (not answer.matched or answer.confidence < LOW_CONFIDENCE)


def _item_line(item: EntitlementItem) -> str:
    who = texts.CHECK_ITEM_MEMBER.format(number=item.member) if item.member else ""
    if item.kind == "waiver":
        return texts.CHECK_ITEM_WAIVER.format(who=who, item=item.item)
    if item.kind == "percentage_reduction" and item.percent is not None:
        return texts.CHECK_ITEM_REDUCTION.format(who=who, item=item.item, percent=_amount(item.percent))
    if item.amount_yuan is not None and item.period == "年":
        return texts.CHECK_ITEM_AMOUNT.format(
            who=who, item=item.item, amount=_amount(item.amount_yuan), per=item.per or "人", period="年"
        )
    if item.amount_yuan is not None:
        return texts.CHECK_ITEM_ONCE.format(
            who=who, item=item.item, amount=_amount(item.amount_yuan), per=item.per or "户"
        )
    return texts.CHECK_ITEM_OTHER.format(who=who, item=item.item)


def entitlements_text(result: Entitlements) -> str:
    """Itemised entitlements, the yearly cash total, whom to contact and the caveat."""
    if result.not_registered:
        return texts.CHECK_NOT_REGISTERED + texts.CHECK_CAVEAT.format(caveat=result.caveat)
    if not result.items:
        return texts.CHECK_RESULT_NOTHING + texts.CHECK_CAVEAT.format(caveat=result.caveat)
    lines = [texts.CHECK_RESULT_HEADER + "\n".join(_item_line(i) for i in result.items)]
    lines.append(texts.CHECK_TOTAL.format(total=_amount(result.annual_cash_yuan)))
    lines.append(texts.CHECK_UNITS.format(units="、".join(result.units)))
    lines.append(texts.CHECK_CAVEAT.format(caveat=result.caveat))
    return "\n".join(lines)
