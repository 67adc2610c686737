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
from dataclasses import replace
from enum import StrEnum
from typing import TypedDict

from telegram import Update
from telegram.ext import ConversationHandler, filters

from bot import texts
from bot.context import CustomContext
from bot.conversations import form, guided
from bot.conversations.guided import answer_of, say
from bot.telegram import notify, roles
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


# -- the draft and the plan ---------------------------------------------------------------------


class Duplicate(TypedDict):
    """The open item a report may be merged into, as the 合并 question shows it."""

    id: int
    number: int
    title: str
    state: str
    village: str


class ReportDraft(form.FormDraft, form.VillageDraft, total=False):
    """The answers so far, in `user_data["report"]` (these keys are persisted: keep their names)."""

    #: `policy_kb` measure id; next year's plan may drop it (`_left_the_plan`).
    measure_id: str
    indicator: str
    #: The indicator's unit, from the plan.
    unit: str
    quantity: float
    #: A quantity beyond what remains, waiting for 确认无误, and what remained.
    pending_quantity: float
    pending_remaining: float
    #: The photo's Telegram file_id; None: 跳过.
    photo: str | None
    note: str | None
    duplicate: Duplicate


def _forget_measure(draft: ReportDraft) -> None:
    """Drop the answers that hang on the measure: they are asked again under another one."""
    draft.pop("indicator", None)
    draft.pop("unit", None)
    draft.pop("quantity", None)


def measure_choices(kb: KnowledgeBase) -> list[tuple[Measure, str]]:
    """Measures with targets and their button labels (the lead unit tells apart two of one title)."""
    label = texts.REPORT_MEASURE_BUTTON
    return [(m, label.format(title=m.title, lead=m.lead_unit)) for m in reports.reportable_measures(kb)]


def _measure(kb: KnowledgeBase, draft: ReportDraft) -> Measure | None:
    return next((m for m, _ in measure_choices(kb) if m.id == draft.get("measure_id")), None)


def _target(kb: KnowledgeBase, draft: ReportDraft) -> Target | None:
    measure = _measure(kb, draft)
    if measure is None:
        return None
    return next((t for t in measure.targets if t.indicator == draft.get("indicator")), None)


def _left_the_plan(kb: KnowledgeBase, draft: ReportDraft) -> bool:
    """Whether the draft's measure or target is one the plan in force no longer sets.

    A draft outlives a restart, and a restart may load next year's plan, which can drop or rename
    the measure chosen (its id follows its title): such a draft asks the measure again.
    """
    if "measure_id" not in draft:
        return False
    return _measure(kb, draft) is None or ("indicator" in draft and _target(kb, draft) is None)


def _indicator_label(target: Target) -> str:
    return texts.REPORT_INDICATOR_BUTTON.format(name=reports.indicator_label(target), unit=target.unit)


def steps_for(draft: ReportDraft) -> list[ReportState]:
    """The question steps this draft goes through, in order."""
    steps = [ReportState.MEASURE, ReportState.INDICATOR]
    if len(form.villages(draft)) > 1:
        steps.append(ReportState.VILLAGE)
    return steps + [ReportState.QUANTITY, ReportState.PHOTO, ReportState.NOTE]


def next_step(draft: ReportDraft, current: ReportState) -> ReportState:
    """The step after `current`; while editing, the first unanswered step, else the summary."""
    return form.following(draft, steps_for(draft), current, fields=FIELDS, summary=ReportState.CONFIRM)


def summary_text(kb: KnowledgeBase, draft: ReportDraft) -> str:
    """The draft as the cadre confirms it."""
    measure, target = _measure(kb, draft), _target(kb, draft)
    return texts.REPORT_SUMMARY.format(
        measure=measure.title if measure else "",
        indicator=reports.indicator_label(target) if target else "",
        village=form.village_label(draft),
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


async def _question(
    context: CustomContext, state: ReportState, draft: ReportDraft
) -> form.Question | form.Instead[ReportState]:
    """A step's question; a measure the plan dropped is asked again, a step left unanswered
    (上一步 after changing the measure) before the summary."""
    if _left_the_plan(context.kb, draft):
        draft.pop("measure_id", None)
        _forget_measure(draft)
        return form.Instead(ReportState.MEASURE, texts.REPORT_MEASURE_GONE + "\n")
    if state is ReportState.CONFIRM and (missing := form.unanswered(draft, steps_for(draft), FIELDS)) is not None:
        return form.Instead(missing)
    if state is ReportState.MEASURE:
        return form.Question(texts.REPORT_MEASURE, [label for _, label in measure_choices(context.kb)], per_row=1)
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
        return form.Question(prompt, [_indicator_label(t) for t in measure.targets])
    if state is ReportState.VILLAGE:
        return form.Question(texts.REPORT_VILLAGE, [label for _, label in form.villages(draft)])
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
        return form.Question(prompt)
    if state is ReportState.OVER:
        target = _target(context.kb, draft)
        template = texts.REPORT_OVER_VILLAGE if target is not None and target.per_village else texts.REPORT_OVER
        prompt = template.format(
            quantity=format_quantity(draft["pending_quantity"]),
            remaining=format_quantity(draft["pending_remaining"]),
            unit=draft["unit"],
        )
        return form.Question(prompt, [texts.BUTTON_OVER_YES, texts.BUTTON_OVER_NO])
    if state is ReportState.PHOTO:
        return form.Question(texts.REPORT_PHOTO, [texts.BUTTON_SKIP])
    if state is ReportState.NOTE:
        return form.Question(texts.REPORT_NOTE, [texts.BUTTON_SKIP])
    if state is ReportState.CONFIRM:
        return form.Question(summary_text(context.kb, draft), [texts.BUTTON_CONFIRM, texts.BUTTON_EDIT])
    if state is ReportState.DUPLICATE:
        prompt = texts.REPORT_DUPLICATE.format(**draft["duplicate"])
        return form.Question(prompt, [texts.BUTTON_MERGE, texts.BUTTON_NEW_ITEM])
    labels = [texts.REPORT_FIELDS[key] for key, step in EDITABLE.items() if step in steps_for(draft)]
    return form.Question(texts.REPORT_EDIT, labels, per_row=3)


def _refused(
    update: Update, state: ReportState, reason: str | None, question: form.Question, third: bool
) -> form.Question:
    """A refusal says why; the third in a row also explains the step and how to stop."""
    if reason is None:
        reason = texts.REPORT_NOT_A_PHOTO if state is ReportState.PHOTO else texts.REPORT_WRONG
    # A quantity refusal already says what to type instead; other steps repeat their question.
    text = reason if state is ReportState.QUANTITY else reason + "\n" + question.prompt
    if third:
        text = texts.REPORT_TOO_MANY_WRONG + "\n\n" + text
    return replace(question, prompt=text)


def _leave_edit(draft: ReportDraft, previous: ReportState) -> None:
    """Going back to the summary or the 修改 menu ends editing: answers lead on again."""
    if previous in (ReportState.CONFIRM, ReportState.EDIT):
        draft.pop("editing", None)


FORM: form.Form[ReportState, ReportDraft] = form.Form(
    DRAFT,
    first=ReportState.MEASURE,
    send=say,
    question=_question,
    next_step=next_step,
    refusal=_refused,
    on_back=_leave_edit,
)


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
    villages = form.villages_of(await roles.current_user(update, context))
    if not villages:
        return await FORM.finish(update, context, texts.REPORT_NO_VILLAGE)
    if not measure_choices(context.kb):
        return await FORM.finish(update, context, texts.REPORT_NO_MEASURES)
    draft = FORM.start(context, {"villages": villages})
    form.choose_the_only_village(draft)
    await say(update, context, texts.REPORT_INTRO)
    return await FORM.ask(update, context, ReportState.MEASURE)


async def measure(update: Update, context: CustomContext) -> ReportState:
    """Stores the measure (forgetting an indicator chosen under another one); asks the indicator."""
    measures = measure_choices(context.kb)
    index = pick(answer_of(update), [label for _, label in measures])
    if index is None:
        return await FORM.wrong(update, context, ReportState.MEASURE)
    draft = FORM.draft(context)
    chosen = measures[index][0].id
    if draft.get("measure_id") != chosen:
        _forget_measure(draft)
    draft["measure_id"] = chosen
    return await FORM.advance(update, context, ReportState.MEASURE)


async def indicator(update: Update, context: CustomContext) -> ReportState:
    """Stores the indicator and its unit; asks the village (or the quantity)."""
    draft = FORM.draft(context)
    found = _measure(context.kb, draft)
    targets = found.targets if found else []
    index = pick(answer_of(update), [_indicator_label(t) for t in targets])
    if index is None:
        return await FORM.wrong(update, context, ReportState.INDICATOR)
    target = targets[index]
    if draft.get("indicator") != target.indicator:
        draft.pop("quantity", None)
    draft["indicator"], draft["unit"] = target.indicator, target.unit
    return await FORM.advance(update, context, ReportState.INDICATOR)


async def village(update: Update, context: CustomContext) -> ReportState:
    """Stores the village; asks the quantity."""
    draft = FORM.draft(context)
    choices = form.villages(draft)
    index = pick(answer_of(update), [label for _, label in choices])
    if index is None:
        return await FORM.wrong(update, context, ReportState.VILLAGE)
    draft["village_id"] = choices[index][0]
    return await FORM.advance(update, context, ReportState.VILLAGE)


async def quantity(update: Update, context: CustomContext) -> ReportState:
    """Stores the quantity, or asks to confirm one beyond what remains; then asks for a photo."""
    draft = FORM.draft(context)
    target = _target(context.kb, draft)
    try:
        value = parse_quantity(
            answer_of(update), unit=draft["unit"], target=float(target.quantity) if target is not None else None
        )
    except InvalidInput as error:
        return await FORM.wrong(update, context, ReportState.QUANTITY, error.message)
    left = (await _remaining(context, draft["measure_id"], [draft["indicator"]], draft.get("village_id")))[
        draft["indicator"]
    ]
    if left is not None and value > left:
        draft["pending_quantity"], draft["pending_remaining"] = value, left
        return await FORM.advance(update, context, ReportState.QUANTITY, ReportState.OVER)
    draft["quantity"] = value
    return await FORM.advance(update, context, ReportState.QUANTITY)


async def over(update: Update, context: CustomContext) -> ReportState:
    """确认无误 keeps the quantity beyond the target and goes on; 重新填写 asks the quantity again."""
    draft = FORM.draft(context)
    text = answer_of(update)
    if text == texts.BUTTON_OVER_NO:
        draft["trail"].pop()
        return await FORM.ask(update, context, ReportState.QUANTITY)
    if text != texts.BUTTON_OVER_YES:
        return await FORM.wrong(update, context, ReportState.OVER)
    draft["quantity"] = draft.pop("pending_quantity")
    draft.pop("pending_remaining", None)
    return await FORM.ask(update, context, next_step(draft, ReportState.QUANTITY))


async def photo(update: Update, context: CustomContext) -> ReportState:
    """Stores the photo's file_id (or none on 跳过); asks for a note."""
    message = update.effective_message
    draft = FORM.draft(context)
    if message is not None and message.photo:
        draft["photo"] = message.photo[-1].file_id
    elif answer_of(update) == texts.BUTTON_SKIP:
        draft["photo"] = None
    else:
        return await FORM.wrong(update, context, ReportState.PHOTO)
    return await FORM.advance(update, context, ReportState.PHOTO)


async def note(update: Update, context: CustomContext) -> ReportState:
    """Stores the note (or none on 跳过); shows the summary."""
    text = answer_of(update)
    if not text:
        return await FORM.wrong(update, context, ReportState.NOTE)
    if len(text) > MAX_NOTE:
        reason = texts.REPORT_NOTE_TOO_LONG.format(limit=MAX_NOTE, length=len(text))
        return await FORM.wrong(update, context, ReportState.NOTE, reason)
    FORM.draft(context)["note"] = None if text == texts.BUTTON_SKIP else text
    return await FORM.advance(update, context, ReportState.NOTE)


async def confirm(update: Update, context: CustomContext) -> ReportState | int:
    """确认: offers to merge into a recent item on the same thing, else submits; 修改: the edit menu."""
    draft = FORM.draft(context)
    text = answer_of(update)
    if text == texts.BUTTON_EDIT:
        return await FORM.advance(update, context, ReportState.CONFIRM, ReportState.EDIT)
    if text != texts.BUTTON_CONFIRM:
        return await FORM.wrong(update, context, ReportState.CONFIRM)
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
    return await FORM.advance(update, context, ReportState.CONFIRM, ReportState.DUPLICATE)


async def duplicate(update: Update, context: CustomContext) -> ReportState | int:
    """合并到已有事项 or 另建新事项, then submits."""
    text = answer_of(update)
    if text == texts.BUTTON_MERGE:
        return await _submit(update, context, merge_into=FORM.draft(context)["duplicate"]["id"])
    if text == texts.BUTTON_NEW_ITEM:
        return await _submit(update, context, merge_into=None)
    return await FORM.wrong(update, context, ReportState.DUPLICATE)


async def edit(update: Update, context: CustomContext) -> ReportState:
    """Asks again the field picked; the answer leads back to the summary."""
    draft = FORM.draft(context)
    key = next((k for k, label in texts.REPORT_FIELDS.items() if label == answer_of(update)), None)
    if key is None or EDITABLE[key] not in steps_for(draft):
        return await FORM.wrong(update, context, ReportState.EDIT)
    draft["editing"] = True
    return await FORM.advance(update, context, ReportState.EDIT, EDITABLE[key])


async def _submit(update: Update, context: CustomContext, *, merge_into: int | None) -> ReportState | int:
    """File the draft; a refusal shows the reason with the summary, to 修改 or 取消."""
    draft = FORM.draft(context)
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
        return await FORM.finish(update, context, error.message)
    except FupinError as error:
        if _left_the_plan(context.kb, draft):
            return await FORM.ask(update, context, ReportState.MEASURE)
        draft["trail"] = [s for s in draft["trail"] if s != ReportState.CONFIRM.value]
        refused = form.Question(
            texts.REPORT_REFUSED.format(reason=error.message), [texts.BUTTON_CONFIRM, texts.BUTTON_EDIT]
        )
        return await FORM.show(update, context, ReportState.CONFIRM, refused)
    if not submitted.created:
        return await FORM.finish(update, context, texts.REPORT_ALREADY.format(number=item.id))
    log.info("report filed on item %s (%s)", item.id, "merged" if merge_into else "new")
    context.delivery.wake()
    receipt = texts.REPORT_MERGED if merge_into is not None else texts.REPORT_SUBMITTED
    return await FORM.finish(update, context, receipt.format(**fields))


# -- every step ---------------------------------------------------------------------------------


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
        wrong=FORM.wrong,
        back=FORM.back,
        cancel=cancel,
        busy=busy,
        timed_out=timed_out,
    )
