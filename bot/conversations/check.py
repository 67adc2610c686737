"""`/check` (补贴测算): a guided conversation that builds a household profile and shows its entitlements.

The draft lives in `user_data["check"]` and the state in the conversation, both persisted, so a
restart resumes at the same step. Every step offers 上一步 and 取消; after `MAX_WRONG` answers
it cannot read, a step explains itself and offers to stop. The diagram is `check.mmd`.
"""

from __future__ import annotations

import re
from enum import StrEnum
from typing import Any

from telegram import Update
from telegram.ext import (
    BaseHandler,
    CommandHandler,
    ConversationHandler,
    MessageHandler,
    TypeHandler,
    filters,
)

from bot import texts
from bot.context import CustomContext
from bot.telegram import keyboards, render, roles
from services.entitlements import (
    Disability,
    HousingGrade,
    Member,
    Profile,
    SchoolStage,
    compute_entitlements,
)

#: Conversation name in persistence; changing it forgets every conversation in progress.
NAME = "check"
#: Key of the draft in user_data.
DRAFT = "check"
#: Unreadable answers to one step before the step explains itself and offers to stop.
MAX_WRONG = 3
#: Most children in school the conversation asks about one by one.
MAX_CHILDREN = 8
#: Seconds of silence after which the conversation ends by itself.
TIMEOUT_SECONDS = 30 * 60

#: Words read as yes / no when typed instead of pressed.
YES_WORDS = frozenset({"是", "是的", "对", "有", "能", "可以", "嗯", "yes", "y"})
NO_WORDS = frozenset({"否", "不是", "不", "没有", "没", "无", "不能", "no", "n"})
#: Chinese numerals a person may type for the number of children.
CHINESE_DIGITS = {
    "零": 0,
    "一": 1,
    "两": 2,
    "二": 2,
    "俩": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
}
#: Typed words for a school stage, beyond the button labels.
STAGE_WORDS: dict[str, SchoolStage] = {
    "幼儿园": SchoolStage.PRESCHOOL,
    "学前": SchoolStage.PRESCHOOL,
    "小学": SchoolStage.PRIMARY,
    "初中": SchoolStage.JUNIOR,
    "高中": SchoolStage.SENIOR,
    "中职": SchoolStage.VOCATIONAL,
    "职高": SchoolStage.VOCATIONAL,
    "技校": SchoolStage.VOCATIONAL,
    "高职": SchoolStage.COLLEGE,
    "大专": SchoolStage.COLLEGE,
    "大学": SchoolStage.COLLEGE,
    "本科": SchoolStage.COLLEGE,
}


class CheckState(StrEnum):
    """The steps, in the order they are asked."""

    REGISTERED = "registered"
    CHILDREN = "children"
    STAGE = "stage"
    HOUSING = "housing"
    ILLNESS = "illness"
    DISABILITY = "disability"
    WORK = "work"


# -- reading answers (None: not understood) ---------------------------------------------------


def _yes_no(text: str) -> bool | None:
    word = text.strip().lower().rstrip("。.!！")
    if word in YES_WORDS or word == texts.BUTTON_YES:
        return True
    if word in NO_WORDS or word == texts.BUTTON_NO:
        return False
    return None


def _count(text: str) -> int | None:
    word = text.strip().removesuffix("个").strip()
    if re.fullmatch(r"\d{1,2}", word):
        number = int(word)
    elif word in CHINESE_DIGITS:
        number = CHINESE_DIGITS[word]
    elif word in NO_WORDS:
        number = 0
    else:
        return None
    return number if 0 <= number <= MAX_CHILDREN else None


def _stage(text: str) -> SchoolStage | None:
    word = text.strip()
    for value, label in texts.STAGE_LABELS.items():
        if word == label:
            return SchoolStage(value)
    return next((stage for key, stage in STAGE_WORDS.items() if key in word), None)


def _housing(text: str) -> str | None:
    """A grade letter, or "" for unknown / not assessed."""
    word = text.strip().upper()
    if text.strip() == texts.HOUSING_UNKNOWN or word in {"不清楚", "不知道", "没有", "未鉴定"}:
        return ""
    for value, label in texts.HOUSING_LABELS.items():
        if text.strip() == label or word in {value, f"{value}级", f"{value}类"}:
            return value
    return None


def _disability(text: str) -> Disability | None:
    word = text.strip()
    for value, label in texts.DISABILITY_LABELS.items():
        if word == label:
            return Disability(value)
    if "重度" in word:
        return Disability.SEVERE
    if word in NO_WORDS:
        return Disability.NONE
    if "残" in word or word in YES_WORDS:
        return Disability.DISABLED
    return None


# -- asking -----------------------------------------------------------------------------------


def _draft(context: CustomContext) -> dict[str, Any]:
    draft = context.user_data.setdefault(DRAFT, {}) if context.user_data is not None else {}
    draft.setdefault("trail", [])
    draft.setdefault("stages", [])
    draft.setdefault("wrong", 0)
    return draft


def _question(state: CheckState, draft: dict[str, Any]) -> tuple[str, list[str]]:
    """The prompt and the options of a step."""
    yes_no = [texts.BUTTON_YES, texts.BUTTON_NO]
    if state is CheckState.REGISTERED:
        return texts.CHECK_REGISTERED, yes_no
    if state is CheckState.CHILDREN:
        return texts.CHECK_CHILDREN.format(max=MAX_CHILDREN), [str(n) for n in range(5)]
    if state is CheckState.STAGE:
        number = len(draft["stages"]) + 1
        return texts.CHECK_STAGE.format(number=number), list(texts.STAGE_LABELS.values())
    if state is CheckState.HOUSING:
        return texts.CHECK_HOUSING, [*texts.HOUSING_LABELS.values(), texts.HOUSING_UNKNOWN]
    if state is CheckState.ILLNESS:
        return texts.CHECK_ILLNESS, yes_no
    if state is CheckState.DISABILITY:
        return texts.CHECK_DISABILITY, list(texts.DISABILITY_LABELS.values())
    return texts.CHECK_WORK, yes_no


async def _ask(update: Update, context: CustomContext, state: CheckState, *, prefix: str = "") -> CheckState:
    draft = _draft(context)
    draft["wrong"] = 0
    prompt, options = _question(state, draft)
    per_row = 3 if state is CheckState.CHILDREN or state is CheckState.STAGE else 2
    markup = keyboards.choices(options, per_row=per_row, back=bool(draft["trail"]))
    if update.effective_message:
        await update.effective_message.reply_text(prefix + prompt, reply_markup=markup)
    return state


async def _advance(update: Update, context: CustomContext, current: CheckState, nxt: CheckState) -> CheckState:
    _draft(context)["trail"].append(current.value)
    return await _ask(update, context, nxt)


async def _wrong(update: Update, context: CustomContext, state: CheckState) -> CheckState:
    """Count an unreadable answer; the third in a row explains the step and offers to stop."""
    draft = _draft(context)
    draft["wrong"] += 1
    prompt, options = _question(state, draft)
    markup = keyboards.choices(options, per_row=3, back=bool(draft["trail"]))
    message = update.effective_message
    if draft["wrong"] >= MAX_WRONG:
        draft["wrong"] = 0
        text = texts.CHECK_TOO_MANY_WRONG + "\n\n" + prompt
    else:
        text = (texts.CHECK_WRONG if message and message.text else texts.CHECK_NOT_TEXT) + "\n" + prompt
    if message:
        await message.reply_text(text, reply_markup=markup)
    return state


def _text(update: Update) -> str:
    message = update.effective_message
    return (message.text or "") if message else ""


# -- steps ------------------------------------------------------------------------------------


async def begin(update: Update, context: CustomContext) -> CheckState:
    """Start a fresh draft; asks whether the household is registered as poor."""
    if context.user_data is not None:
        context.user_data[DRAFT] = {}
    if update.effective_message:
        await update.effective_message.reply_text(texts.CHECK_INTRO)
    return await _ask(update, context, CheckState.REGISTERED)


async def registered(update: Update, context: CustomContext) -> CheckState:
    """Stores registered_poor; asks how many children are in school."""
    value = _yes_no(_text(update))
    if value is None:
        return await _wrong(update, context, CheckState.REGISTERED)
    _draft(context)["registered"] = value
    return await _advance(update, context, CheckState.REGISTERED, CheckState.CHILDREN)


async def children(update: Update, context: CustomContext) -> CheckState:
    """Stores the number of children in school; asks the first one's stage (or the housing grade)."""
    value = _count(_text(update))
    if value is None:
        return await _wrong(update, context, CheckState.CHILDREN)
    draft = _draft(context)
    draft["children"] = value
    draft["stages"] = []
    return await _advance(update, context, CheckState.CHILDREN, CheckState.STAGE if value else CheckState.HOUSING)


async def stage(update: Update, context: CustomContext) -> CheckState:
    """Stores one child's stage; asks the next child's, then the housing grade."""
    value = _stage(_text(update))
    if value is None:
        return await _wrong(update, context, CheckState.STAGE)
    draft = _draft(context)
    draft["stages"].append(value.value)
    more = len(draft["stages"]) < draft.get("children", 0)
    return await _advance(update, context, CheckState.STAGE, CheckState.STAGE if more else CheckState.HOUSING)


async def housing(update: Update, context: CustomContext) -> CheckState:
    """Stores the housing grade; asks about serious illness."""
    value = _housing(_text(update))
    if value is None:
        return await _wrong(update, context, CheckState.HOUSING)
    _draft(context)["housing"] = value or None
    return await _advance(update, context, CheckState.HOUSING, CheckState.ILLNESS)


async def illness(update: Update, context: CustomContext) -> CheckState:
    """Stores serious illness; asks about disability."""
    value = _yes_no(_text(update))
    if value is None:
        return await _wrong(update, context, CheckState.ILLNESS)
    _draft(context)["illness"] = value
    return await _advance(update, context, CheckState.ILLNESS, CheckState.DISABILITY)


async def disability(update: Update, context: CustomContext) -> CheckState:
    """Stores disability; asks about ability to work."""
    value = _disability(_text(update))
    if value is None:
        return await _wrong(update, context, CheckState.DISABILITY)
    _draft(context)["disability"] = value.value
    return await _advance(update, context, CheckState.DISABILITY, CheckState.WORK)


async def work(update: Update, context: CustomContext) -> int:
    """Stores ability to work; shows the itemised entitlements and ends."""
    value = _yes_no(_text(update))
    if value is None:
        return await _wrong(update, context, CheckState.WORK)
    draft = _draft(context)
    draft["work"] = value
    result = compute_entitlements(kb=context.kb, profile=profile_from_draft(draft))
    if context.user_data is not None:
        context.user_data.pop(DRAFT, None)
    if update.effective_message:
        await update.effective_message.reply_text(
            render.entitlements_text(result), reply_markup=await roles.menu(update, context)
        )
    return ConversationHandler.END


def profile_from_draft(draft: dict[str, Any]) -> Profile:
    """The calculator's profile from the answers: one member per child, plus one adult who
    carries the household's illness and disability answers."""
    members = [Member(school_stage=SchoolStage(s)) for s in draft.get("stages", [])]
    adult = Member(
        disability=Disability(draft.get("disability", Disability.NONE.value)),
        serious_illness=bool(draft.get("illness", False)),
    )
    if adult.disability is not Disability.NONE or adult.serious_illness:
        members.append(adult)
    grade = draft.get("housing")
    return Profile(
        members=members,
        housing_grade=HousingGrade(grade) if grade else None,
        able_to_work=bool(draft.get("work", True)),
        registered_poor=bool(draft.get("registered", True)),
    )


# -- every step -------------------------------------------------------------------------------


async def back(update: Update, context: CustomContext) -> CheckState:
    """Forget the last answer and ask its step again."""
    draft = _draft(context)
    if not draft["trail"]:
        return await _ask(update, context, CheckState.REGISTERED)
    previous = CheckState(draft["trail"].pop())
    if previous is CheckState.STAGE and draft["stages"]:
        draft["stages"].pop()
    return await _ask(update, context, previous)


async def cancel(update: Update, context: CustomContext) -> int:
    """Drop the draft and end."""
    if context.user_data is not None:
        context.user_data.pop(DRAFT, None)
    if update.effective_message:
        await update.effective_message.reply_text(texts.CHECK_CANCELLED, reply_markup=await roles.menu(update, context))
    return ConversationHandler.END


async def timed_out(update: Update, context: CustomContext) -> None:
    """Drop an abandoned draft and say so."""
    if context.user_data is not None:
        context.user_data.pop(DRAFT, None)
    if update.effective_chat:
        await context.bot.send_message(
            update.effective_chat.id, texts.CHECK_TIMEOUT, reply_markup=await roles.menu(update, context)
        )


async def busy(update: Update, context: CustomContext) -> None:
    """Another command in the middle of the check: remind of the step (the state is unchanged)."""
    if update.effective_message:
        await update.effective_message.reply_text(texts.CHECK_IN_PROGRESS)


def _step(state: CheckState, callback: Any) -> list[BaseHandler[Update, CustomContext, Any]]:
    async def not_understood(update: Update, context: CustomContext) -> CheckState:
        return await _wrong(update, context, state)

    return [
        MessageHandler(filters.Text([texts.BUTTON_BACK]), back),
        MessageHandler(filters.Text([texts.BUTTON_CANCEL]), cancel),
        MessageHandler(filters.TEXT & ~filters.COMMAND, callback),
        MessageHandler(~filters.COMMAND, not_understood),
    ]


def build_check_conversation() -> ConversationHandler[CustomContext]:
    """The /check conversation, persistent, ending by itself after `TIMEOUT_SECONDS`."""
    entry = [
        CommandHandler("check", begin),
        MessageHandler(filters.Text([texts.BUTTON_CHECK]), begin),
    ]
    return ConversationHandler(
        entry_points=entry,  # type: ignore[arg-type]
        states={
            CheckState.REGISTERED: _step(CheckState.REGISTERED, registered),
            CheckState.CHILDREN: _step(CheckState.CHILDREN, children),
            CheckState.STAGE: _step(CheckState.STAGE, stage),
            CheckState.HOUSING: _step(CheckState.HOUSING, housing),
            CheckState.ILLNESS: _step(CheckState.ILLNESS, illness),
            CheckState.DISABILITY: _step(CheckState.DISABILITY, disability),
            CheckState.WORK: _step(CheckState.WORK, work),
            ConversationHandler.TIMEOUT: [TypeHandler(Update, timed_out)],
        },
        fallbacks=[
            CommandHandler("cancel", cancel),
            CommandHandler("check", begin),
            MessageHandler(filters.COMMAND, busy),
        ],
        name=NAME,
        persistent=True,
        allow_reentry=True,
        conversation_timeout=TIMEOUT_SECONDS,
    )
