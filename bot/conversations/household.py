"""`/household` (户情变动): a cadre files a household change step by step, checks a summary, confirms.

Kind → village (skipped when the cadre has one) → 身份证号 → head → members → cause (for 新识别纳入
and 返贫) → optional note → summary with 确认 / 修改 / 取消 → `services.households.submit_change`.
The 身份证号 message is deleted as soon as it is read and the number is shown masked from then on;
the draft keeps only the masked form, the number itself waits in memory (`guided.secrets_of`)
until 确认 files it. After a restart it is gone, so 确认 asks the cadre to type it once more
(checked again like the first time) rather than write a 身份证号 to disk in the clear;
for a change about a household already on the roster the number is looked up at once, the cadre
is told what was found (masked), and its head and size can be kept with one button.

The draft lives in `user_data["household"]` and the state in the conversation, both persisted, so
a restart resumes at the same step. Every step offers 上一步 and 取消; a refusal says what was
wrong and asks again, and the third in a row explains the step and offers to stop. The diagram
is `household.mmd`.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from enum import StrEnum
from typing import Any, Literal, TypedDict

from telegram import Update
from telegram.error import TelegramError
from telegram.ext import ConversationHandler

from bot import texts
from bot.context import CustomContext
from bot.conversations import form, guided
from bot.conversations.guided import answer_of, say
from bot.telegram import notify, roles
from services import audit, households, notices
from services.db import session_scope
from services.errors import Forbidden, FupinError, InvalidInput
from services.idcards import normalize_id_number
from services.masking import ID_NUMBER_RE, mask_id_number, mask_name, mask_text
from services.models import ChangeKind, HouseholdChange, RoleKind

log = logging.getLogger("fupin.bot")

#: Conversation name in persistence; changing it forgets every conversation in progress.
NAME = "household"
#: Key of the draft in user_data.
DRAFT = "household"
#: Feature name in role refusals.
WHAT = texts.BUTTON_HOUSEHOLD_CHANGE


class HouseholdState(StrEnum):
    """The steps, in the order they are asked; EDIT is the 修改 menu of the summary."""

    KIND = "kind"
    VILLAGE = "village"
    ID_NUMBER = "id_number"
    HEAD = "head"
    MEMBERS = "members"
    CAUSE = "cause"
    NOTE = "note"
    CONFIRM = "confirm"
    EDIT = "edit"


#: The draft field each question step fills (the keys of `texts.HOUSEHOLD_FIELDS`).
FIELDS: dict[HouseholdState, str] = {
    HouseholdState.KIND: "kind",
    HouseholdState.VILLAGE: "village_id",
    HouseholdState.ID_NUMBER: "id_masked",
    HouseholdState.HEAD: "head_name",
    HouseholdState.MEMBERS: "members",
    HouseholdState.CAUSE: "cause",
    HouseholdState.NOTE: "note",
}


class RosterMatch(TypedDict):
    """The roster's household for the ID number given, as the draft keeps it in `found`."""

    head_name: str
    members: int
    village: str
    status: str


class HouseholdDraft(form.FormDraft, form.VillageDraft, total=False):
    """The answers so far, in `user_data["household"]` (these keys are persisted: keep their names).

    Never the 身份证号 itself: it waits in `guided.secrets_of`, memory only.
    """

    #: A `ChangeKind` value.
    kind: str
    #: The 身份证号 as shown from then on.
    id_masked: str
    found: RosterMatch
    head_name: str
    members: int
    cause: str
    note: str | None


# -- the draft --------------------------------------------------------------------------------


def _forget(draft: HouseholdDraft, *fields: Literal["id_masked", "found", "head_name", "members", "cause"]) -> None:
    """Drop answers that no longer hold: they are asked again."""
    for field in fields:
        draft.pop(field, None)


def _kind(draft: HouseholdDraft) -> ChangeKind | None:
    return ChangeKind(draft["kind"]) if "kind" in draft else None


def _needs_cause(draft: HouseholdDraft) -> bool:
    kind = _kind(draft)
    return kind is not None and kind in households.CAUSE_KINDS


def steps_for(draft: HouseholdDraft) -> list[HouseholdState]:
    """The question steps this draft goes through, in order."""
    steps = [HouseholdState.KIND]
    if len(form.villages(draft)) > 1:
        steps.append(HouseholdState.VILLAGE)
    steps += [HouseholdState.ID_NUMBER, HouseholdState.HEAD, HouseholdState.MEMBERS]
    if _needs_cause(draft):
        steps.append(HouseholdState.CAUSE)
    steps.append(HouseholdState.NOTE)
    return steps


def next_step(draft: HouseholdDraft, current: HouseholdState) -> HouseholdState:
    """The step after `current`; while editing, the first unanswered step, else the summary."""
    return form.following(draft, steps_for(draft), current, fields=FIELDS, summary=HouseholdState.CONFIRM)


def _kind_label(draft: HouseholdDraft) -> str:
    kind = _kind(draft)
    return households.CHANGE_KIND_LABELS[kind] if kind else ""


def summary_text(draft: HouseholdDraft) -> str:
    """The draft as the cadre confirms it: 身份证号 and name masked, numbers in the note masked."""
    cause = draft.get("cause") if _needs_cause(draft) else None
    note = draft.get("note")
    return texts.HOUSEHOLD_SUMMARY.format(
        kind=_kind_label(draft),
        village=form.village_label(draft),
        id_number=draft.get("id_masked", ""),
        head=mask_name(draft.get("head_name", "")),
        members=draft.get("members", ""),
        cause=texts.HOUSEHOLD_SUMMARY_CAUSE.format(cause=cause) if cause else "",
        note=texts.HOUSEHOLD_SUMMARY_NOTE.format(note=mask_text(note)) if note else "",
    )


# -- asking -----------------------------------------------------------------------------------


async def _question(context: CustomContext, state: HouseholdState, draft: HouseholdDraft) -> form.Question:
    """A step's question."""
    keep = [texts.BUTTON_KEEP] if draft.get("found") else []
    if state is HouseholdState.KIND:
        return form.Question(texts.HOUSEHOLD_KIND, list(households.CHANGE_KIND_LABELS.values()), per_row=3)
    if state is HouseholdState.VILLAGE:
        return form.Question(texts.HOUSEHOLD_VILLAGE, [label for _, label in form.villages(draft)])
    if state is HouseholdState.ID_NUMBER:
        return form.Question(texts.HOUSEHOLD_ID_NUMBER)
    if state is HouseholdState.HEAD:
        return form.Question(texts.HOUSEHOLD_HEAD, keep)
    if state is HouseholdState.MEMBERS:
        return form.Question(texts.HOUSEHOLD_MEMBERS.format(max=households.MAX_MEMBERS), keep)
    if state is HouseholdState.CAUSE:
        return form.Question(texts.HOUSEHOLD_CAUSE, list(households.CAUSES), per_row=3)
    if state is HouseholdState.NOTE:
        return form.Question(texts.HOUSEHOLD_NOTE.format(max=households.MAX_NOTE), [texts.BUTTON_SKIP])
    if state is HouseholdState.CONFIRM:
        return form.Question(summary_text(draft), [texts.BUTTON_CONFIRM, texts.BUTTON_EDIT])
    fields = [FIELDS[s] for s in steps_for(draft)]
    return form.Question(texts.HOUSEHOLD_EDIT, [texts.HOUSEHOLD_FIELDS[f] for f in fields], per_row=3)


def _refused(
    update: Update, state: HouseholdState, reason: str | None, question: form.Question, third: bool
) -> form.Question:
    """Say what was wrong and ask again; the third refusal in a row also explains how to stop."""
    message = update.effective_message
    if reason is None:
        reason = texts.HOUSEHOLD_WRONG if message is not None and message.text else texts.HOUSEHOLD_NOT_TEXT
    if third:
        reason += "\n\n" + texts.HOUSEHOLD_TOO_MANY_WRONG
    return replace(question, prompt=reason + "\n\n" + question.prompt)


#: 上一步 asks the previous step again (its answer is replaced when given); refusals are counted.
FORM: form.Form[HouseholdState, HouseholdDraft] = form.Form(
    DRAFT, first=HouseholdState.KIND, send=say, question=_question, next_step=next_step, refusal=_refused
)


# -- steps ------------------------------------------------------------------------------------


@roles.requires(RoleKind.CADRE, what=WHAT)
async def begin(update: Update, context: CustomContext) -> HouseholdState | int:
    """Start a fresh draft with the cadre's villages; asks the kind of change."""
    villages = form.villages_of(await roles.current_user(update, context))
    if not villages:
        return await FORM.finish(update, context, texts.HOUSEHOLD_NOT_CADRE_VILLAGE)
    draft = FORM.start(context, {"villages": villages})  # and no number remembered from another
    form.choose_the_only_village(draft)
    await say(update, context, texts.HOUSEHOLD_INTRO)
    return await FORM.ask(update, context, HouseholdState.KIND)


async def kind(update: Update, context: CustomContext) -> HouseholdState:
    """Stores the kind of change; asks the village (or the 身份证号)."""
    text = answer_of(update)
    chosen = next((k for k, label in households.CHANGE_KIND_LABELS.items() if text == label), None)
    if chosen is None:
        return await FORM.wrong(update, context, HouseholdState.KIND, texts.HOUSEHOLD_WRONG_KIND)
    draft = FORM.draft(context)
    if draft.get("kind") != chosen.value:
        # Another kind is another filing: what hangs on the roster lookup is asked again.
        _forget(draft, "id_masked", "found", "head_name", "members", "cause")
        guided.secrets_of(context, DRAFT).pop("id_number", None)
    draft["kind"] = chosen.value
    return await FORM.advance(update, context, HouseholdState.KIND)


async def village(update: Update, context: CustomContext) -> HouseholdState:
    """Stores the village; asks the 身份证号."""
    text = answer_of(update)
    draft = FORM.draft(context)
    chosen = next((vid for vid, label in form.villages(draft) if text in (label, label.split("/")[-1])), None)
    if chosen is None:
        return await FORM.wrong(update, context, HouseholdState.VILLAGE, texts.HOUSEHOLD_WRONG_VILLAGE)
    if draft.get("village_id") != chosen:
        _forget(draft, "found", "id_masked")  # the roster check depends on the village
        guided.secrets_of(context, DRAFT).pop("id_number", None)
    draft["village_id"] = chosen
    return await FORM.advance(update, context, HouseholdState.VILLAGE)


async def _forget_message(update: Update) -> None:
    """Delete the cadre's message holding a 身份证号 (best effort: Telegram may refuse old ones)."""
    message = update.effective_message
    if message is None:
        return
    try:
        await message.delete()
    except TelegramError as error:
        log.warning("could not delete a message holding an ID number: %s", error)


async def id_number(update: Update, context: CustomContext) -> HouseholdState:
    """Deletes the message, checks the number against the roster; tells what was found; asks the head."""
    await _forget_message(update)
    draft = FORM.draft(context)
    kind = _kind(draft)
    assert kind is not None  # the kind step comes first
    try:
        number = normalize_id_number(answer_of(update))
        async with session_scope(context.sessionmaker) as session:
            household = await households.check_target(
                session, kind=kind, id_number=number, village_id=draft["village_id"]
            )
            found: RosterMatch | None = (
                {
                    "head_name": household.head_name,
                    "members": household.members,
                    "village": household.village.full_name,
                    "status": households.STATUS_LABELS[household.status],
                }
                if household is not None
                else None
            )
    except FupinError as error:  # a bad number, a roster that disagrees, a change already under way
        reason = texts.HOUSEHOLD_ID_REFUSED.format(reason=error.message)
        return await FORM.wrong(update, context, HouseholdState.ID_NUMBER, reason)
    draft["id_masked"] = mask_id_number(number)
    guided.secrets_of(context, DRAFT)["id_number"] = number
    prefix = texts.HOUSEHOLD_ID_RECEIVED.format(id_number=draft["id_masked"]) + "\n"
    if found is not None:
        draft["found"] = found
        # The roster's values are offered again rather than kept silently from an earlier number.
        _forget(draft, "head_name", "members")
        prefix += (
            texts.HOUSEHOLD_FOUND.format(
                head=mask_name(found["head_name"]),
                members=found["members"],
                village=found["village"],
                status=found["status"],
            )
            + "\n\n"
        )
    else:
        _forget(draft, "found")
    log.info("household change draft: ID number %s accepted", mask_id_number(number))
    return await FORM.advance(update, context, HouseholdState.ID_NUMBER, prefix=prefix)


async def head(update: Update, context: CustomContext) -> HouseholdState:
    """Stores the head's name (or keeps the roster's); asks the number of members."""
    text = answer_of(update)
    draft = FORM.draft(context)
    try:
        if text == texts.BUTTON_KEEP:
            if not draft.get("found"):
                raise InvalidInput(texts.HOUSEHOLD_NOTHING_TO_KEEP)
            name = draft["found"]["head_name"]
        else:
            name = households.normalize_head_name(text)
    except InvalidInput as error:
        return await FORM.wrong(update, context, HouseholdState.HEAD, error.message)
    draft["head_name"] = name
    return await FORM.advance(update, context, HouseholdState.HEAD)


async def members(update: Update, context: CustomContext) -> HouseholdState:
    """Stores the number of members (or keeps the roster's); asks the cause (or the note)."""
    text = answer_of(update)
    draft = FORM.draft(context)
    try:
        if text == texts.BUTTON_KEEP:
            if not draft.get("found"):
                raise InvalidInput(texts.HOUSEHOLD_NOTHING_TO_KEEP)
            count = int(draft["found"]["members"])
        else:
            count = households.parse_members(text)
    except InvalidInput as error:
        return await FORM.wrong(update, context, HouseholdState.MEMBERS, error.message)
    draft["members"] = count
    return await FORM.advance(update, context, HouseholdState.MEMBERS)


async def cause(update: Update, context: CustomContext) -> HouseholdState:
    """Stores the cause of poverty; asks for a note."""
    try:
        value = households.normalize_cause(answer_of(update))
    except InvalidInput:
        return await FORM.wrong(update, context, HouseholdState.CAUSE, texts.HOUSEHOLD_WRONG_CAUSE)
    FORM.draft(context)["cause"] = value
    return await FORM.advance(update, context, HouseholdState.CAUSE)


async def note(update: Update, context: CustomContext) -> HouseholdState:
    """Stores the note (跳过: none); shows the summary."""
    text = answer_of(update)
    if text != texts.BUTTON_SKIP and len(text) > households.MAX_NOTE:
        reason = texts.HOUSEHOLD_NOTE_TOO_LONG.format(length=len(text), max=households.MAX_NOTE)
        return await FORM.wrong(update, context, HouseholdState.NOTE, reason)
    FORM.draft(context)["note"] = None if text == texts.BUTTON_SKIP else text
    return await FORM.advance(update, context, HouseholdState.NOTE)


async def confirm(update: Update, context: CustomContext) -> HouseholdState | int:
    """确认 files the change; 修改 asks which field to change."""
    text = answer_of(update)
    if text == texts.BUTTON_EDIT:
        return await FORM.advance(update, context, HouseholdState.CONFIRM, HouseholdState.EDIT)
    if text != texts.BUTTON_CONFIRM:
        return await FORM.wrong(update, context, HouseholdState.CONFIRM)
    draft = FORM.draft(context)
    if "id_number" not in guided.secrets_of(context, DRAFT):
        # Restarted since the number was given: it was kept in memory only. Ask it as an edit,
        # so the answer is checked again and leads back to the summary.
        draft["editing"] = True
        again = texts.HOUSEHOLD_ID_AGAIN + "\n\n"
        return await FORM.advance(update, context, HouseholdState.CONFIRM, HouseholdState.ID_NUMBER, prefix=again)
    return await _submit(update, context)


async def edit(update: Update, context: CustomContext) -> HouseholdState:
    """Asks again the field picked; the answer leads back to the summary."""
    text = answer_of(update)
    draft = FORM.draft(context)
    step = next((s for s in steps_for(draft) if texts.HOUSEHOLD_FIELDS[FIELDS[s]] == text), None)
    if step is None:
        return await FORM.wrong(update, context, HouseholdState.EDIT)
    draft["editing"] = True
    return await FORM.advance(update, context, HouseholdState.EDIT, step)


async def _submit(update: Update, context: CustomContext) -> HouseholdState | int:
    """File the draft; a refusal shows the reason with the summary, to 修改 or 取消."""
    draft = FORM.draft(context)
    tg_user = update.effective_user
    assert tg_user is not None  # a private chat's message has a sender
    kind = _kind(draft)
    assert kind is not None
    try:
        async with session_scope(context.sessionmaker) as session:
            reporter = await roles.acting_user(session, update)
            submitted = await households.submit_change(
                session,
                reporter=reporter,
                kind=kind,
                head_name=draft["head_name"],
                id_number=guided.secrets_of(context, DRAFT)["id_number"],
                village_id=draft["village_id"],
                members=draft["members"],
                cause=draft.get("cause") if _needs_cause(draft) else None,
                note=draft.get("note"),
                update_id=update.update_id,
                actor=audit.telegram_actor(tg_user.id),
            )
            await notices.change_filed(session, submitted=submitted, texts=notify.NoticeTexts(context.kb))
            change = submitted.change
            assert change is not None  # submit_change always files, or finds the redelivered, change
            reply = submitted_text(change)
            if households.may_move(reporter, change):
                stage = households.STAGE_LABELS[change.stage]
                reply += texts.HOUSEHOLD_YOUR_STAGE.format(stage=stage)
            item_id = submitted.item.id
    except Forbidden as error:
        return await FORM.finish(update, context, error.message)
    except FupinError as error:
        refused = form.Question(
            texts.HOUSEHOLD_REFUSED.format(reason=error.message), [texts.BUTTON_CONFIRM, texts.BUTTON_EDIT]
        )
        return await FORM.show(update, context, HouseholdState.CONFIRM, refused)
    log.info("household change filed as item %s (%s)", item_id, draft["id_masked"])
    context.delivery.wake()
    return await FORM.finish(update, context, reply)


def submitted_text(change: HouseholdChange) -> str:
    """The cadre's receipt: number, masked head, kind, village and stage."""
    return texts.HOUSEHOLD_SUBMITTED.format(
        number=f"#{change.id}",
        head=mask_name(change.head_name),
        kind=households.CHANGE_KIND_LABELS[change.kind],
        village=change.village.full_name,
        stage=households.STAGE_LABELS[change.stage],
    )


# -- every step -------------------------------------------------------------------------------


#: Drops the draft and ends; nothing is filed.
cancel = guided.cancel_handler(DRAFT, texts.HOUSEHOLD_CANCELLED, send=say)
timed_out = guided.timeout_handler(DRAFT, texts.HOUSEHOLD_TIMEOUT)
busy = guided.busy_handler(texts.HOUSEHOLD_IN_PROGRESS, send=say)


async def _not_understood(update: Update, context: CustomContext, state: HouseholdState) -> HouseholdState:
    """Not text: a photo of the card is personal data too, so at the 身份证号 step it is deleted."""
    if state is HouseholdState.ID_NUMBER:
        await _forget_message(update)
    return await FORM.wrong(update, context, state)


def _screened(state: HouseholdState, callback: guided.Callback) -> guided.Callback:
    """`callback`, after deleting a 身份证号 typed at the wrong step: it leaves the chat too."""

    async def answered(update: Update, context: CustomContext) -> Any:
        if state is not HouseholdState.ID_NUMBER and ID_NUMBER_RE.search(answer_of(update)):
            await _forget_message(update)
        return await callback(update, context)

    return answered


def build_household_conversation() -> ConversationHandler[CustomContext]:
    """The /household conversation, persistent, ending by itself after `guided.TIMEOUT_SECONDS`."""
    steps = {
        HouseholdState.KIND: kind,
        HouseholdState.VILLAGE: village,
        HouseholdState.ID_NUMBER: id_number,
        HouseholdState.HEAD: head,
        HouseholdState.MEMBERS: members,
        HouseholdState.CAUSE: cause,
        HouseholdState.NOTE: note,
        HouseholdState.CONFIRM: confirm,
        HouseholdState.EDIT: edit,
    }
    return guided.guided_conversation(
        name=NAME,
        command="household",
        button=texts.BUTTON_HOUSEHOLD_CHANGE,
        begin=begin,
        steps={state: _screened(state, callback) for state, callback in steps.items()},
        wrong=_not_understood,
        back=FORM.back,
        cancel=cancel,
        busy=busy,
        timed_out=timed_out,
    )
