"""`/report` (进度上报): a cadre files progress on one of the plan's targets, checks a summary, confirms.

Measure → indicator (the plan's targets, with what remains county-wide) → village (skipped when
the cadre has one) → quantity (more than remains asks 确认超出) → optional photo → optional note →
summary with 确认 / 修改 / 取消. On 确认, an open item about the same indicator in the same
village filed recently is offered for merging (合并到已有事项 / 另建新事项); then
`services.reports.submit_report` stores and routes it, and the lead unit is notified.

The draft lives in `user_data["report"]` and the state in the conversation, both persisted, so a
restart resumes at the same step. Every step offers 上一步 and 取消; a refusal says what was
wrong and asks again, and the third in a row explains the step and offers to stop. The diagram
is `report.mmd`.
"""

from __future__ import annotations

import logging
from enum import StrEnum
from typing import Any

from telegram import Update
from telegram.ext import ConversationHandler, filters

from bot import texts
from bot.context import CustomContext
from bot.conversations import guided
from bot.conversations.guided import say
from bot.telegram import keyboards, notify, roles
from policy_kb.schema import KnowledgeBase, Measure, Target
from services import audit, items, notices, reports
from services.db import session_scope
from services.errors import Forbidden, FupinError, InvalidInput
from services.models import ItemKind, RoleKind
from services.quantities import example_quantity, format_quantity, parse_quantity

log = logging.getLogger("fupin.bot")

#: Conversation name in persistence; changing it forgets every conversation in progress.
NAME = "report"
#: Key of the draft in user_data.
DRAFT = "report"
#: Longest note; the schema holds 500, a note is a sentence or two.
MAX_NOTE = 200
#: Feature name in role refusals.
WHAT = texts.BUTTON_REPORT


class ReportState(StrEnum):
    """The steps, in the order they are asked; OVER, EDIT and DUPLICATE are side steps."""

    MEASURE = "measure"
    INDICATOR = "indicator"
    VILLAGE = "village"
    QUANTITY = "quantity"
    OVER = "over"
    PHOTO = "photo"
    NOTE = "note"
    CONFIRM = "confirm"
    EDIT = "edit"
    DUPLICATE = "duplicate"


#: The draft field each question step fills.
FIELDS: dict[ReportState, str] = {
    ReportState.MEASURE: "measure_id",
    ReportState.INDICATOR: "indicator",
    ReportState.VILLAGE: "village_id",
    ReportState.QUANTITY: "quantity",
    ReportState.PHOTO: "photo",
    ReportState.NOTE: "note",
}
#: The 修改 menu: label key in `texts.REPORT_FIELDS` → the step asked again.
EDITABLE: dict[str, ReportState] = {
    "measure": ReportState.MEASURE,
    "village": ReportState.VILLAGE,
    "quantity": ReportState.QUANTITY,
    "photo": ReportState.PHOTO,
    "note": ReportState.NOTE,
}
#: Fields that depend on the measure and must be answered again when it changes.
_DEPENDS_ON_MEASURE = ("indicator", "unit", "quantity")


# -- the draft and the plan ---------------------------------------------------------------------


def _draft(context: CustomContext) -> dict[str, Any]:
    return guided.draft_of(context, DRAFT, wrong=0, villages=[])


def measure_choices(kb: KnowledgeBase) -> list[tuple[Measure, str]]:
    """Measures with targets and their button labels (the lead unit tells apart two of one title)."""
    label = texts.REPORT_MEASURE_BUTTON
    return [(m, label.format(title=m.title, lead=m.lead_unit)) for m in reports.reportable_measures(kb)]


def _measure(kb: KnowledgeBase, draft: dict[str, Any]) -> Measure | None:
    return next((m for m, _ in measure_choices(kb) if m.id == draft.get("measure_id")), None)


def _target(kb: KnowledgeBase, draft: dict[str, Any]) -> Target | None:
    measure = _measure(kb, draft)
    if measure is None:
        return None
    return next((t for t in measure.targets if t.indicator == draft.get("indicator")), None)


def _left_the_plan(kb: KnowledgeBase, draft: dict[str, Any]) -> bool:
    """Whether the draft's measure or target is one the plan in force no longer sets.

    A draft outlives a restart, and a restart may load next year's plan, which can drop or rename
    the measure chosen (its id follows its title): such a draft asks the measure again.
    """
    if "measure_id" not in draft:
        return False
    return _measure(kb, draft) is None or ("indicator" in draft and _target(kb, draft) is None)


def _indicator_label(target: Target) -> str:
    return texts.REPORT_INDICATOR_BUTTON.format(name=reports.indicator_label(target), unit=target.unit)


def steps_for(draft: dict[str, Any]) -> list[ReportState]:
    """The question steps this draft goes through, in order."""
    steps = [ReportState.MEASURE, ReportState.INDICATOR]
    if len(draft["villages"]) > 1:
        steps.append(ReportState.VILLAGE)
    return steps + [ReportState.QUANTITY, ReportState.PHOTO, ReportState.NOTE]


def _missing(draft: dict[str, Any]) -> ReportState | None:
    """The first step not answered yet, if any."""
    return next((s for s in steps_for(draft) if FIELDS[s] not in draft), None)


def next_step(draft: dict[str, Any], current: ReportState) -> ReportState:
    """The step after `current`; while editing, the first unanswered step, else the summary."""
    if draft.get("editing"):
        return _missing(draft) or ReportState.CONFIRM
    steps = steps_for(draft)
    following = steps[steps.index(current) + 1 :] if current in steps else []
    return following[0] if following else ReportState.CONFIRM


def _village_label(draft: dict[str, Any]) -> str:
    return next((label for vid, label in draft["villages"] if vid == draft.get("village_id")), "")


def summary_text(kb: KnowledgeBase, draft: dict[str, Any]) -> str:
    """The draft as the cadre confirms it."""
    measure, target = _measure(kb, draft), _target(kb, draft)
    return texts.REPORT_SUMMARY.format(
        measure=measure.title if measure else "",
        indicator=reports.indicator_label(target) if target else "",
        village=_village_label(draft),
        quantity=format_quantity(draft.get("quantity", 0)),
        unit=draft.get("unit", ""),
        photo=texts.REPORT_PHOTO_YES if draft.get("photo") else texts.REPORT_NONE,
        note=draft.get("note") or texts.REPORT_NONE,
    )


async def _remaining(
    context: CustomContext, measure_id: str, indicators: list[str], village_id: int | None = None
) -> dict[str, float | None]:
    """What remains of each target (one session): county-wide, or the village's for a target set
    village by village."""
    async with session_scope(context.sessionmaker) as session:
        return {
            indicator: await reports.remaining(
                session, context.kb, measure_id=measure_id, indicator=indicator, village_id=village_id
            )
            for indicator in indicators
        }


# -- asking -------------------------------------------------------------------------------------


async def _question(context: CustomContext, state: ReportState, draft: dict[str, Any]) -> tuple[str, list[str], int]:
    """The prompt, the options and the buttons per row of a step."""
    if state is ReportState.MEASURE:
        return texts.REPORT_MEASURE, [label for _, label in measure_choices(context.kb)], 1
    if state is ReportState.INDICATOR:
        measure = _measure(context.kb, draft)
        assert measure is not None
        left = await _remaining(context, measure.id, [t.indicator for t in measure.targets])
        lines = [
            (texts.REPORT_INDICATOR_LINE_VILLAGE if t.per_village else texts.REPORT_INDICATOR_LINE).format(
                name=reports.indicator_label(t),
                target=format_quantity(t.quantity),
                remaining=format_quantity(left[t.indicator] or 0),
                unit=t.unit,
            )
            for t in measure.targets
        ]
        prompt = texts.REPORT_INDICATOR + "\n" + "\n".join(lines)
        return prompt, [_indicator_label(t) for t in measure.targets], 2
    if state is ReportState.VILLAGE:
        return texts.REPORT_VILLAGE, [label for _, label in draft["villages"]], 2
    if state is ReportState.QUANTITY:
        target = _target(context.kb, draft)
        assert target is not None
        example = example_quantity(target.unit)
        prompt = texts.REPORT_QUANTITY.format(name=reports.indicator_label(target), unit=target.unit, example=example)
        left = await _remaining(context, draft["measure_id"], [target.indicator], draft.get("village_id"))
        remaining = left[target.indicator]
        if remaining is not None:
            per_village = target.per_village
            template = texts.REPORT_QUANTITY_REMAINING_VILLAGE if per_village else texts.REPORT_QUANTITY_REMAINING
            prompt += template.format(remaining=format_quantity(remaining), unit=target.unit)
        return prompt, [], 2
    if state is ReportState.OVER:
        target = _target(context.kb, draft)
        template = texts.REPORT_OVER_VILLAGE if target is not None and target.per_village else texts.REPORT_OVER
        prompt = template.format(
            quantity=format_quantity(draft["pending_quantity"]),
            remaining=format_quantity(draft["pending_remaining"]),
            unit=draft["unit"],
        )
        return prompt, [texts.BUTTON_OVER_YES, texts.BUTTON_OVER_NO], 2
    if state is ReportState.PHOTO:
        return texts.REPORT_PHOTO, [texts.BUTTON_SKIP], 2
    if state is ReportState.NOTE:
        return texts.REPORT_NOTE, [texts.BUTTON_SKIP], 2
    if state is ReportState.CONFIRM:
        return summary_text(context.kb, draft), [texts.BUTTON_CONFIRM, texts.BUTTON_EDIT], 2
    if state is ReportState.DUPLICATE:
        prompt = texts.REPORT_DUPLICATE.format(**draft["duplicate"])
        return prompt, [texts.BUTTON_MERGE, texts.BUTTON_NEW_ITEM], 2
    labels = [texts.REPORT_FIELDS[key] for key, step in EDITABLE.items() if step in steps_for(draft)]
    return texts.REPORT_EDIT, labels, 3


async def _ask(update: Update, context: CustomContext, state: ReportState, *, prefix: str = "") -> ReportState:
    draft = _draft(context)
    if _left_the_plan(context.kb, draft):
        for field in ("measure_id", *_DEPENDS_ON_MEASURE):
            draft.pop(field, None)
        state, prefix = ReportState.MEASURE, texts.REPORT_MEASURE_GONE + "\n" + prefix
    if state is ReportState.CONFIRM:
        # A step left unanswered (e.g. 上一步 after changing the measure) is asked before the summary.
        state = _missing(draft) or state
    draft["wrong"] = 0
    prompt, options, per_row = await _question(context, state, draft)
    markup = keyboards.choices(options, per_row=per_row, back=bool(draft["trail"]))
    await say(update, context, prefix + prompt, markup)
    return state


async def _advance(update: Update, context: CustomContext, current: ReportState) -> ReportState:
    draft = _draft(context)
    draft["trail"].append(current.value)
    return await _ask(update, context, next_step(draft, current))


async def _wrong(update: Update, context: CustomContext, state: ReportState, reason: str | None = None) -> ReportState:
    """Count a refused answer and say why; the third in a row explains the step and offers to stop."""
    draft = _draft(context)
    if _left_the_plan(context.kb, draft):
        return await _ask(update, context, state)
    third = guided.strike(draft)
    prompt, options, per_row = await _question(context, state, draft)
    markup = keyboards.choices(options, per_row=per_row, back=bool(draft["trail"]))
    if reason is None:
        reason = texts.REPORT_NOT_A_PHOTO if state is ReportState.PHOTO else texts.REPORT_WRONG
    # A quantity refusal already says what to type instead; other steps repeat their question.
    text = reason if state is ReportState.QUANTITY else reason + "\n" + prompt
    if third:
        text = texts.REPORT_TOO_MANY_WRONG + "\n\n" + text
    await say(update, context, text, markup)
    return state


def _text(update: Update) -> str:
    return guided.text_of(update).strip()


def pick(text: str, labels: list[str]) -> int | None:
    """Index of the label pressed, or of the only label containing what was typed."""
    if text in labels:
        return labels.index(text)
    hits = [i for i, label in enumerate(labels) if text and text in label]
    return hits[0] if len(hits) == 1 else None


# -- steps --------------------------------------------------------------------------------------


@roles.requires(RoleKind.CADRE, what=WHAT)
async def begin(update: Update, context: CustomContext) -> ReportState | int:
    """Start a fresh draft with the cadre's villages; asks the measure."""
    user = await roles.current_user(update, context)
    role = user.role(RoleKind.CADRE) if user else None
    villages = [[v.id, v.full_name] for v in role.villages] if role else []
    if not villages:
        await say(update, context, texts.REPORT_NO_VILLAGE, roles.menu_for(user))
        return ConversationHandler.END
    if not measure_choices(context.kb):
        await say(update, context, texts.REPORT_NO_MEASURES, roles.menu_for(user))
        return ConversationHandler.END
    draft: dict[str, Any] = {"villages": villages}
    if len(villages) == 1:
        draft["village_id"] = villages[0][0]
    if context.user_data is not None:
        context.user_data[DRAFT] = draft
    await say(update, context, texts.REPORT_INTRO)
    return await _ask(update, context, ReportState.MEASURE)


async def measure(update: Update, context: CustomContext) -> ReportState:
    """Stores the measure (forgetting an indicator chosen under another one); asks the indicator."""
    measures = measure_choices(context.kb)
    index = pick(_text(update), [label for _, label in measures])
    if index is None:
        return await _wrong(update, context, ReportState.MEASURE)
    draft = _draft(context)
    chosen = measures[index][0].id
    if draft.get("measure_id") != chosen:
        for field in _DEPENDS_ON_MEASURE:
            draft.pop(field, None)
    draft["measure_id"] = chosen
    return await _advance(update, context, ReportState.MEASURE)


async def indicator(update: Update, context: CustomContext) -> ReportState:
    """Stores the indicator and its unit; asks the village (or the quantity)."""
    draft = _draft(context)
    found = _measure(context.kb, draft)
    targets = found.targets if found else []
    index = pick(_text(update), [_indicator_label(t) for t in targets])
    if index is None:
        return await _wrong(update, context, ReportState.INDICATOR)
    target = targets[index]
    if draft.get("indicator") != target.indicator:
        draft.pop("quantity", None)
    draft["indicator"], draft["unit"] = target.indicator, target.unit
    return await _advance(update, context, ReportState.INDICATOR)


async def village(update: Update, context: CustomContext) -> ReportState:
    """Stores the village; asks the quantity."""
    draft = _draft(context)
    index = pick(_text(update), [label for _, label in draft["villages"]])
    if index is None:
        return await _wrong(update, context, ReportState.VILLAGE)
    draft["village_id"] = draft["villages"][index][0]
    return await _advance(update, context, ReportState.VILLAGE)


async def quantity(update: Update, context: CustomContext) -> ReportState:
    """Stores the quantity, or asks to confirm one beyond what remains; then asks for a photo."""
    draft = _draft(context)
    target = _target(context.kb, draft)
    try:
        value = parse_quantity(
            _text(update), unit=draft["unit"], target=float(target.quantity) if target is not None else None
        )
    except InvalidInput as error:
        return await _wrong(update, context, ReportState.QUANTITY, error.message)
    left = (await _remaining(context, draft["measure_id"], [draft["indicator"]], draft.get("village_id")))[
        draft["indicator"]
    ]
    if left is not None and value > left:
        draft["pending_quantity"], draft["pending_remaining"] = value, left
        draft["trail"].append(ReportState.QUANTITY.value)
        return await _ask(update, context, ReportState.OVER)
    draft["quantity"] = value
    return await _advance(update, context, ReportState.QUANTITY)


async def over(update: Update, context: CustomContext) -> ReportState:
    """确认无误 keeps the quantity beyond the target and goes on; 重新填写 asks the quantity again."""
    draft = _draft(context)
    text = _text(update)
    if text == texts.BUTTON_OVER_NO:
        draft["trail"].pop()
        return await _ask(update, context, ReportState.QUANTITY)
    if text != texts.BUTTON_OVER_YES:
        return await _wrong(update, context, ReportState.OVER)
    draft["quantity"] = draft.pop("pending_quantity")
    draft.pop("pending_remaining", None)
    return await _ask(update, context, next_step(draft, ReportState.QUANTITY))


async def photo(update: Update, context: CustomContext) -> ReportState:
    """Stores the photo's file_id (or none on 跳过); asks for a note."""
    message = update.effective_message
    draft = _draft(context)
    if message is not None and message.photo:
        draft["photo"] = message.photo[-1].file_id
    elif _text(update) == texts.BUTTON_SKIP:
        draft["photo"] = None
    else:
        return await _wrong(update, context, ReportState.PHOTO)
    return await _advance(update, context, ReportState.PHOTO)


async def note(update: Update, context: CustomContext) -> ReportState:
    """Stores the note (or none on 跳过); shows the summary."""
    draft = _draft(context)
    text = _text(update)
    if not text:
        return await _wrong(update, context, ReportState.NOTE)
    if len(text) > MAX_NOTE:
        reason = texts.REPORT_NOTE_TOO_LONG.format(limit=MAX_NOTE, length=len(text))
        return await _wrong(update, context, ReportState.NOTE, reason)
    draft["note"] = None if text == texts.BUTTON_SKIP else text
    return await _advance(update, context, ReportState.NOTE)


async def confirm(update: Update, context: CustomContext) -> ReportState | int:
    """确认: offers to merge into a recent item on the same thing, else submits; 修改: the edit menu."""
    draft = _draft(context)
    text = _text(update)
    if text == texts.BUTTON_EDIT:
        draft["trail"].append(ReportState.CONFIRM.value)
        return await _ask(update, context, ReportState.EDIT)
    if text != texts.BUTTON_CONFIRM:
        return await _wrong(update, context, ReportState.CONFIRM)
    async with session_scope(context.sessionmaker) as session:
        replayed = await reports.filed_by_update(session, update_id=update.update_id) is not None
        existing = (
            None
            if replayed
            else await items.find_duplicate(
                session,
                kind=ItemKind.REPORT,
                topic=reports.report_topic(draft["indicator"]),
                village_id=draft["village_id"],
            )
        )
        if existing is not None:
            draft["duplicate"] = {
                "id": existing.id,
                "number": existing.id,
                "title": existing.title,
                "state": items.STATE_LABELS[existing.state],
                "village": existing.village.full_name,
            }
    if existing is None:  # also this very 确认 handled before a stop: `_submit` says it is filed
        return await _submit(update, context, merge_into=None)
    draft["trail"].append(ReportState.CONFIRM.value)
    return await _ask(update, context, ReportState.DUPLICATE)


async def duplicate(update: Update, context: CustomContext) -> ReportState | int:
    """合并到已有事项 or 另建新事项, then submits."""
    draft = _draft(context)
    text = _text(update)
    if text == texts.BUTTON_MERGE:
        return await _submit(update, context, merge_into=draft["duplicate"]["id"])
    if text == texts.BUTTON_NEW_ITEM:
        return await _submit(update, context, merge_into=None)
    return await _wrong(update, context, ReportState.DUPLICATE)


async def edit(update: Update, context: CustomContext) -> ReportState:
    """Asks again the field picked; the answer leads back to the summary."""
    draft = _draft(context)
    key = next((k for k, label in texts.REPORT_FIELDS.items() if label == _text(update)), None)
    if key is None or EDITABLE[key] not in steps_for(draft):
        return await _wrong(update, context, ReportState.EDIT)
    draft["editing"] = True
    draft["trail"].append(ReportState.EDIT.value)
    return await _ask(update, context, EDITABLE[key])


async def _submit(update: Update, context: CustomContext, *, merge_into: int | None) -> ReportState | int:
    """File the draft; a refusal shows the reason with the summary, to 修改 or 取消."""
    draft = _draft(context)
    tg_user = update.effective_user
    assert tg_user is not None  # a private chat's message has a sender
    try:
        async with session_scope(context.sessionmaker) as session:
            reporter = await roles.acting_user(session, update)
            submitted = await reports.submit_report(
                session,
                context.kb,
                reporter=reporter,
                measure_id=draft["measure_id"],
                indicator=draft["indicator"],
                village_id=draft["village_id"],
                quantity=draft["quantity"],
                note=draft.get("note"),
                photo_file_id=draft.get("photo"),
                update_id=update.update_id,
                merge_into=merge_into,
                actor=audit.telegram_actor(tg_user.id),
            )
            await notices.report_filed(session, submitted=submitted, texts=notify.NoticeTexts(context.kb))
            item = submitted.item
            fields = {
                "number": item.id,
                "title": item.title,
                "village": item.village.full_name,
                "unit": item.owner_unit,
                "due": item.due_date.isoformat(),
            }
    except Forbidden as error:
        return await _end(update, context, error.message)
    except FupinError as error:
        if _left_the_plan(context.kb, draft):
            return await _ask(update, context, ReportState.MEASURE)
        draft["wrong"] = 0
        draft["trail"] = [s for s in draft["trail"] if s != ReportState.CONFIRM.value]
        markup = keyboards.choices([texts.BUTTON_CONFIRM, texts.BUTTON_EDIT], back=True)
        await say(update, context, texts.REPORT_REFUSED.format(reason=error.message), markup)
        return ReportState.CONFIRM
    if not submitted.created:
        return await _end(update, context, texts.REPORT_ALREADY.format(number=item.id))
    log.info("report filed on item %s (%s)", item.id, "merged" if merge_into else "new")
    context.delivery.wake()
    receipt = texts.REPORT_MERGED if merge_into is not None else texts.REPORT_SUBMITTED
    return await _end(update, context, receipt.format(**fields))


# -- every step ---------------------------------------------------------------------------------


async def _end(update: Update, context: CustomContext, text: str) -> int:
    return await guided.end(update, context, DRAFT, text)


def _leave_edit(draft: dict[str, Any], previous: ReportState) -> None:
    """Going back to the summary or the 修改 menu ends editing: answers lead on again."""
    if previous in (ReportState.CONFIRM, ReportState.EDIT):
        draft.pop("editing", None)


back = guided.back_handler(draft=_draft, ask=_ask, first=ReportState.MEASURE, forget=_leave_edit)
cancel = guided.cancel_handler(DRAFT, texts.REPORT_CANCELLED, send=say)
#: Says so without the menu, as /report always has (the other conversations send it).
timed_out = guided.timeout_handler(DRAFT, texts.REPORT_TIMEOUT, menu=False)
busy = guided.busy_handler(texts.REPORT_IN_PROGRESS, send=say)


def build_report_conversation() -> ConversationHandler[CustomContext]:
    """The /report conversation for cadres, persistent, ending by itself after `guided.TIMEOUT_SECONDS`."""
    steps = {
        ReportState.MEASURE: measure,
        ReportState.INDICATOR: indicator,
        ReportState.VILLAGE: village,
        ReportState.QUANTITY: quantity,
        ReportState.OVER: over,
        ReportState.PHOTO: photo,
        ReportState.NOTE: note,
        ReportState.CONFIRM: confirm,
        ReportState.EDIT: edit,
        ReportState.DUPLICATE: duplicate,
    }
    return guided.guided_conversation(
        name=NAME,
        command="report",
        button=texts.BUTTON_REPORT,
        begin=begin,
        steps=steps,
        answers={ReportState.PHOTO: filters.PHOTO | guided.TEXT_ANSWER},
        wrong=_wrong,
        back=back,
        cancel=cancel,
        busy=busy,
        timed_out=timed_out,
    )
