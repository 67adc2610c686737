"""The words of the task loop's notices: item cards and their buttons, what reporters and reviewers read.

Who is told, and when, is `services.notices`: handlers call it inside the transaction of their
change with `NoticeTexts(context.kb)` from here, so every notice is queued in the outbox with its
cause and goes out paced with broadcasts (429 waited out, network errors retried, a person who
blocked the bot marked inactive).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot import texts
from policy_kb.schema import KnowledgeBase
from services import households, items, reports
from services.errors import FupinError
from services.masking import mask_name
from services.models import ChangeStage, HouseholdChange, Item, ItemKind, ItemState, Report
from services.notices import Card, Notice
from services.quantities import format_quantity

#: Notes a card shows (the latest; a merged item gathers one per report), so it stays one message.
MAX_NOTES = 3
#: Callback data of the task buttons: `item:<action>:<id>`.
ITEM_PREFIX = "item:"
ACCEPT, CLOSE, RETURN = "accept", "close", "return"


def item_data(action: str, item_id: int) -> str:
    """Callback data of an item button."""
    return f"{ITEM_PREFIX}{action}:{item_id}"


def parse_item_data(data: str) -> tuple[str, int] | None:
    """(action, item id) from a button's callback data, or None if it is not an item button."""
    parts = data.split(":")
    if len(parts) != 3 or f"{parts[0]}:" != ITEM_PREFIX or not parts[2].isdigit():
        return None
    return parts[1], int(parts[2])


def item_buttons(item: Item) -> InlineKeyboardMarkup | None:
    """The actions the item's state still allows: 接收 (only when new), 办结, 退回; None once closed.

    A household change has none: it moves through 两公示一公告 in /pending, and its item follows.
    """
    if item.kind is ItemKind.HOUSEHOLD_CHANGE:
        return None
    row = []
    if item.state is ItemState.NEW:
        row.append(InlineKeyboardButton(texts.BUTTON_ACCEPT, callback_data=item_data(ACCEPT, item.id)))
    if item.state in items.OPEN_STATES:
        row.append(InlineKeyboardButton(texts.BUTTON_CLOSE, callback_data=item_data(CLOSE, item.id)))
        row.append(InlineKeyboardButton(texts.BUTTON_RETURN, callback_data=item_data(RETURN, item.id)))
    return InlineKeyboardMarkup([row]) if row else None


def item_card(item: Item, notes: Sequence[str] = ()) -> str:
    """The item as staff see it: number, kind, title, village, reporter, the cadre's notes, parties,
    due date, state. The reporter is named in full: the unit must know whom to call back."""
    return texts.ITEM_CARD.format(
        number=item.id,
        kind=items.KIND_LABELS[item.kind],
        title=item.title,
        village=item.village.full_name,
        reporter=item.reporter.display_name,
        notes="".join(texts.ITEM_NOTE.format(note=note) for note in notes[-MAX_NOTES:]),
        owner=item.owner_unit,
        others=texts.ITEM_OTHERS.format(names="、".join(item.participants)) if item.participants else "",
        due=item.due_date.isoformat(),
        state=items.STATE_LABELS[item.state],
    )


#: How every card's own part begins ("📋 事项 #12"); what precedes it is the notice's first line.
CARD_MARK = texts.ITEM_CARD.split("{", 1)[0]


def redrawn(text: str, item: Item, notes: Sequence[str]) -> str:
    """A card message's text with the card drawn afresh, keeping the notice line before it."""
    start = text.find(CARD_MARK)
    return (text[:start] if start >= 0 else "") + item_card(item, notes)


def _markup(markup: InlineKeyboardMarkup | None) -> dict[str, Any] | None:
    return markup.to_dict() if markup is not None else None


def change_label(change: HouseholdChange) -> dict[str, str]:
    """The fields every message about a household change uses, personal data masked."""
    return {
        "number": f"#{change.id}",
        "head": mask_name(change.head_name),
        "kind": households.CHANGE_KIND_LABELS[change.kind],
        "village": change.village.full_name,
    }


def turn_notice(change: HouseholdChange) -> str:
    """What the people whose turn the change's new stage is read: where it waits, and /pending."""
    return texts.PENDING_YOUR_TURN.format(**change_label(change), stage=households.STAGE_LABELS[change.stage])


def step_notice(change: HouseholdChange) -> str:
    """What the reporting cadre reads when their change moves: rejected, effective, or the new stage."""
    if change.stage is ChangeStage.REJECTED:
        reason = change.steps[-1].note if change.steps else ""
        return texts.CHANGE_REJECTED_NOTICE.format(**change_label(change), reason=reason or "")
    return texts.CHANGE_STEP_NOTICE.format(**change_label(change), stage=households.STAGE_LABELS[change.stage])


class NoticeTexts:
    """`services.notices.NoticeTexts` in the words of `bot.texts`; the plan names merged indicators."""

    def __init__(self, kb: KnowledgeBase) -> None:
        self._kb = kb

    def card(self, item: Item, card: Card, notes: Sequence[str]) -> Notice:
        """The lead's card and the reminder carry the buttons the state allows; copies none."""
        shown = item_card(item, notes)
        due = item.due_date.isoformat()
        match card:
            case Card.LEAD:
                return Notice(texts.ITEM_NEW_LEAD.format(unit=item.owner_unit, card=shown), _markup(item_buttons(item)))
            case Card.COPY:
                return Notice(texts.ITEM_NEW_COPY.format(unit=item.owner_unit, card=shown))
            case Card.REMIND:
                return Notice(texts.REMIND_UNIT.format(due=due, card=shown), _markup(item_buttons(item)))
            case Card.ESCALATE:
                text = texts.ESCALATE_OFFICE.format(unit=item.owner_unit, due=due, number=item.id, card=shown)
                return Notice(text)
        raise AssertionError(card)

    def merged(self, item: Item, report: Report) -> Notice:
        """ "事项 #3（村组道路硬化 3 公里，…）合并了一份新的上报：村组道路硬化 2 公里"."""
        try:
            name = reports.indicator_label(
                reports.find_target(self._kb, measure_id=report.measure_id, indicator=report.indicator)
            )
        except FupinError:  # the plan in force no longer sets it: the plan's words as stored
            name = report.indicator
        added = texts.REPORT_ADDED.format(name=name, quantity=format_quantity(report.quantity), unit=report.unit)
        text = texts.ITEM_MERGED_LEAD.format(
            number=item.id, title=item.title, village=item.village.full_name, added=added
        )
        return Notice(text)

    def photo(self, item: Item, report: Report) -> str:
        """The caption of the cadre's photo."""
        return texts.ITEM_PHOTO.format(number=item.id, title=item.title, reporter=item.reporter.display_name)

    def item_changed(self, transition: items.Transition) -> Notice:
        """ "县交通局 已办结", with the reason when returned."""
        item = transition.item
        line = texts.ITEM_REPORTER.format(
            number=item.id, title=item.title, unit=transition.actor_unit, state=items.STATE_LABELS[transition.after]
        )
        if transition.after is ItemState.RETURNED and item.return_reason:
            line = texts.ITEM_REPORTER_REASON.format(line=line, reason=item.return_reason)
        return Notice(line)

    def change_step(self, change: HouseholdChange) -> Notice:
        """The reporting cadre's notice of a step."""
        return Notice(step_notice(change))

    def change_turn(self, change: HouseholdChange) -> Notice:
        """The next stage's people: their turn."""
        return Notice(turn_notice(change))
