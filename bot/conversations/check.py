"""`/check` (补贴测算): a guided conversation that builds a household profile and shows its entitlements.

The draft lives in `user_data["check"]` and the state in the conversation, both persisted, so a
restart resumes at the same step. Every step offers 上一步 and 取消; after `guided.MAX_WRONG` answers
it cannot read, a step explains itself and offers to stop. The diagram is `check.mmd`.
"""

from __future__ import annotations

import re
from enum import StrEnum

from telegram import Update
from telegram.ext import ConversationHandler

from bot import texts
from bot.context import CustomContext
from bot.conversations import form, guided
from bot.telegram import render
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
#: Most children in school the conversation asks about one by one.
MAX_CHILDREN = 8

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


class CheckDraft(form.FormDraft, total=False):
    """The answers so far, in `user_data["check"]` (these keys are persisted: keep their names)."""

    registered: bool
    children: int
    #: One `SchoolStage` value per child answered so far.
    stages: list[str]
    #: A `HousingGrade` value; None: not assessed or not known.
    housing: str | None
    illness: bool
    #: A `Disability` value.
    disability: str
    work: bool


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


#: The step after each of those that always lead to the same one (WORK, the last, ends).
_AFTER = {
    CheckState.REGISTERED: CheckState.CHILDREN,
    CheckState.HOUSING: CheckState.ILLNESS,
    CheckState.ILLNESS: CheckState.DISABILITY,
    CheckState.DISABILITY: CheckState.WORK,
}


def next_step(draft: CheckDraft, current: CheckState) -> CheckState:
    """The step after `current`: one stage per child in school, then the housing grade."""
    if current in (CheckState.CHILDREN, CheckState.STAGE):
        more = len(draft.get("stages", [])) < draft.get("children", 0)
        return CheckState.STAGE if more else CheckState.HOUSING
    return _AFTER[current]


async def _question(context: CustomContext, state: CheckState, draft: CheckDraft) -> form.Question:
    """A step's question."""
    yes_no = [texts.BUTTON_YES, texts.BUTTON_NO]
    if state is CheckState.REGISTERED:
        return form.Question(texts.CHECK_REGISTERED, yes_no)
    if state is CheckState.CHILDREN:
        return form.Question(texts.CHECK_CHILDREN.format(max=MAX_CHILDREN), [str(n) for n in range(5)], per_row=3)
    if state is CheckState.STAGE:
        number = len(draft["stages"]) + 1
        return form.Question(texts.CHECK_STAGE.format(number=number), list(texts.STAGE_LABELS.values()), per_row=3)
    if state is CheckState.HOUSING:
        return form.Question(texts.CHECK_HOUSING, [*texts.HOUSING_LABELS.values(), texts.HOUSING_UNKNOWN])
    if state is CheckState.ILLNESS:
        return form.Question(texts.CHECK_ILLNESS, yes_no)
    if state is CheckState.DISABILITY:
        return form.Question(texts.CHECK_DISABILITY, list(texts.DISABILITY_LABELS.values()))
    return form.Question(texts.CHECK_WORK, yes_no)


def _refused(
    update: Update, state: CheckState, reason: str | None, question: form.Question, third: bool
) -> form.Question:
    """An answer it cannot read; the third in a row explains the step and offers to stop."""
    message = update.effective_message
    if third:
        text = texts.CHECK_TOO_MANY_WRONG + "\n\n" + question.prompt
    else:
        text = (texts.CHECK_WRONG if message and message.text else texts.CHECK_NOT_TEXT) + "\n" + question.prompt
    # Three buttons to a row at every step asked again, as /check has always shown them.
    return form.Question(text, question.options, per_row=3)


def _forget_stage(draft: CheckDraft, previous: CheckState) -> None:
    """Going back to a child's stage forgets that child's answer."""
    if previous is CheckState.STAGE and draft["stages"]:
        draft["stages"].pop()


FORM: form.Form[CheckState, CheckDraft] = form.Form(
    DRAFT,
    first=CheckState.REGISTERED,
    send=guided.reply,
    question=_question,
    next_step=next_step,
    refusal=_refused,
    on_back=_forget_stage,
)


# -- steps ------------------------------------------------------------------------------------


async def begin(update: Update, context: CustomContext) -> CheckState:
    """Start a fresh draft; asks whether the household is registered as poor."""
    FORM.start(context, {"stages": []})
    await guided.reply(update, context, texts.CHECK_INTRO)
    return await FORM.ask(update, context, CheckState.REGISTERED)


async def registered(update: Update, context: CustomContext) -> CheckState:
    """Stores registered_poor; asks how many children are in school."""
    value = _yes_no(guided.text_of(update))
    if value is None:
        return await FORM.wrong(update, context, CheckState.REGISTERED)
    FORM.draft(context)["registered"] = value
    return await FORM.advance(update, context, CheckState.REGISTERED)


async def children(update: Update, context: CustomContext) -> CheckState:
    """Stores the number of children in school; asks the first one's stage (or the housing grade)."""
    value = _count(guided.text_of(update))
    if value is None:
        return await FORM.wrong(update, context, CheckState.CHILDREN)
    draft = FORM.draft(context)
    draft["children"] = value
    draft["stages"] = []
    return await FORM.advance(update, context, CheckState.CHILDREN)


async def stage(update: Update, context: CustomContext) -> CheckState:
    """Stores one child's stage; asks the next child's, then the housing grade."""
    value = _stage(guided.text_of(update))
    if value is None:
        return await FORM.wrong(update, context, CheckState.STAGE)
    FORM.draft(context)["stages"].append(value.value)
    return await FORM.advance(update, context, CheckState.STAGE)


async def housing(update: Update, context: CustomContext) -> CheckState:
    """Stores the housing grade; asks about serious illness."""
    value = _housing(guided.text_of(update))
    if value is None:
        return await FORM.wrong(update, context, CheckState.HOUSING)
    FORM.draft(context)["housing"] = value or None
    return await FORM.advance(update, context, CheckState.HOUSING)


async def illness(update: Update, context: CustomContext) -> CheckState:
    """Stores serious illness; asks about disability."""
    value = _yes_no(guided.text_of(update))
    if value is None:
        return await FORM.wrong(update, context, CheckState.ILLNESS)
    FORM.draft(context)["illness"] = value
    return await FORM.advance(update, context, CheckState.ILLNESS)


async def disability(update: Update, context: CustomContext) -> CheckState:
    """Stores disability; asks about ability to work."""
    value = _disability(guided.text_of(update))
    if value is None:
        return await FORM.wrong(update, context, CheckState.DISABILITY)
    FORM.draft(context)["disability"] = value.value
    return await FORM.advance(update, context, CheckState.DISABILITY)


async def work(update: Update, context: CustomContext) -> CheckState | int:
    """Stores ability to work; shows the itemised entitlements and ends."""
    value = _yes_no(guided.text_of(update))
    if value is None:
        return await FORM.wrong(update, context, CheckState.WORK)
    draft = FORM.draft(context)
    draft["work"] = value
    result = compute_entitlements(kb=context.kb, profile=profile_from_draft(draft))
    return await FORM.finish(update, context, render.entitlements_text(result, context.services.contacts))


def profile_from_draft(draft: CheckDraft) -> Profile:
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


cancel = guided.cancel_handler(DRAFT, texts.CHECK_CANCELLED, send=guided.reply)
timed_out = guided.timeout_handler(DRAFT, texts.CHECK_TIMEOUT)
busy = guided.busy_handler(texts.CHECK_IN_PROGRESS, send=guided.reply)


def build_check_conversation() -> ConversationHandler[CustomContext]:
    """The /check conversation, persistent, ending by itself after `guided.TIMEOUT_SECONDS`."""
    return guided.guided_conversation(
        name=NAME,
        command="check",
        button=texts.BUTTON_CHECK,
        begin=begin,
        steps={
            CheckState.REGISTERED: registered,
            CheckState.CHILDREN: children,
            CheckState.STAGE: stage,
            CheckState.HOUSING: housing,
            CheckState.ILLNESS: illness,
            CheckState.DISABILITY: disability,
            CheckState.WORK: work,
        },
        wrong=FORM.wrong,
        back=FORM.back,
        cancel=cancel,
        busy=busy,
        timed_out=timed_out,
    )
