"""The form every guided conversation fills: its typed draft, asking a step, 上一步, refusals, finishing.

A conversation says what is its own — its steps (a `StrEnum`), its draft (a `TypedDict` on
`FormDraft`), the question of each step, the step after each, and how a refusal is worded — and
the `Form` does the rest the same way everywhere: a step is asked with its buttons and 上一步 when
there is somewhere to go back to; an answer taken pushes its step onto the trail and asks the
next; 上一步 pops it; a refused answer says what was wrong and asks again; where the form counts
refusals, the third in a row explains the step and offers to stop; finishing drops the draft.

The draft is JSON in `user_data` (`bot.persistence`), so its keys and their values are what a
restart reads back, also from a draft the previous release wrote: a field's name and shape stay
as they are once released. `Form.draft` is the one place that JSON becomes the typed draft.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Generic, TypedDict, TypeVar

from telegram import Update

from bot.context import CustomContext
from bot.conversations import guided
from bot.telegram import keyboards
from services.models import RoleKind, User

S = TypeVar("S", bound=StrEnum)
D = TypeVar("D", bound="FormDraft")


class FormDraft(TypedDict, total=False):
    """What a draft holds besides the answers; each conversation's draft adds its fields to it."""

    #: The steps answered so far, oldest first, by value: 上一步 asks the last one again.
    trail: list[str]
    #: Refused answers in a row to the step asked (only in forms that count them).
    wrong: int
    #: A 修改 in progress: each answer leads to the first unanswered step, then to the summary.
    editing: bool


class VillageDraft(TypedDict, total=False):
    """The cadre's villages, in the drafts of the conversations that ask one of them."""

    #: [id, full name] of each of the cadre's villages (JSON keeps a pair as a two-item list).
    villages: list[list[int | str]]
    #: The village chosen, or the only one.
    village_id: int


@dataclass(frozen=True)
class Question:
    """What a step shows: its prompt and its buttons, `per_row` to a row (上一步 and 取消 are added)."""

    prompt: str
    options: Sequence[str] = ()
    per_row: int = 2


@dataclass(frozen=True)
class Instead(Generic[S]):
    """Ask `step` rather than the step asked for, saying `first` before it.

    A step the draft can no longer answer: a summary with an answer missing, a measure next
    year's plan dropped, an audience with nobody in it.
    """

    step: S
    first: str = ""


#: A step's question, read from the draft (and the database, the plan): `(context, step, draft)`.
Asker = Callable[[CustomContext, S, D], Awaitable[Question | Instead[S]]]
#: The step asked again after a refused answer: `(update, step, reason or None when the answer was
#: not understood, the step's question, whether it is the third refusal in a row)`.
Refusal = Callable[[Update, S, str | None, Question, bool], Question]


class Form(Generic[S, D]):
    """One conversation's form: the draft in `user_data[key]` and the steps asked from it.

    Args:
        key: the draft's key in user_data (persisted: changing it forgets every draft).
        first: the step asked by 上一步 when the trail is empty.
        send: `guided.reply` or `guided.say`, as the conversation was written with.
        question: each step's question.
        next_step: the step after an answered one.
        refusal: words a refusal and counts refusals; without it a refusal is said before the
            step's question and not counted.
        on_back: drops what the step gone back to stored beyond its own field (its own is
            replaced when answered again).
    """

    def __init__(
        self,
        key: str,
        *,
        first: S,
        send: guided.Send,
        question: Asker[S, D],
        next_step: Callable[[D, S], S],
        refusal: Refusal[S] | None = None,
        on_back: Callable[[D, S], None] | None = None,
    ) -> None:
        self.key = key
        self.first = first
        self.send = send
        self.question = question
        self.next_step = next_step
        self.refusal = refusal
        self.on_back = on_back

    # -- the draft --------------------------------------------------------------------------------

    def draft(self, context: CustomContext) -> D:
        """The draft in user_data, with its trail (a draft read back after a restart gets it too)."""
        stored: Any = context.user_data.setdefault(self.key, {}) if context.user_data is not None else {}
        common: FormDraft = stored
        common.setdefault("trail", [])
        draft: D = stored  # the JSON `start` and the steps wrote, in the draft's declared shape
        return draft

    def start(self, context: CustomContext, draft: D) -> D:
        """A fresh draft holding `draft`'s fields; the last one and its memory-only part are forgotten."""
        guided.drop_draft(context, self.key)
        if context.user_data is not None:
            context.user_data[self.key] = draft
        return self.draft(context)

    # -- asking -----------------------------------------------------------------------------------

    async def ask(self, update: Update, context: CustomContext, step: S, *, prefix: str = "") -> S:
        """Ask `step` (or the step its question says to ask instead); returns the step asked."""
        asked = await self.question(context, step, self.draft(context))
        if isinstance(asked, Instead):
            return await self.ask(update, context, asked.step, prefix=asked.first)
        return await self.show(update, context, step, asked, prefix=prefix)

    async def show(self, update: Update, context: CustomContext, step: S, question: Question, *, prefix: str = "") -> S:
        """Ask `step` with `question` (a refusal from the services, say); the count of refusals starts again."""
        draft = self.draft(context)
        if self.refusal is not None:
            draft["wrong"] = 0
        await self._put(update, context, draft, question, prefix)
        return step

    async def advance(
        self, update: Update, context: CustomContext, current: S, to: S | None = None, *, prefix: str = ""
    ) -> S:
        """`current` answered: push it onto the trail, ask `to` (by default the step after it)."""
        draft = self.draft(context)
        draft["trail"].append(current.value)
        return await self.ask(update, context, self.next_step(draft, current) if to is None else to, prefix=prefix)

    async def back(self, update: Update, context: CustomContext) -> S:
        """上一步: forget the last answer and ask its step again (the first step when there is none)."""
        draft = self.draft(context)
        if not draft["trail"]:
            return await self.ask(update, context, self.first)
        previous = type(self.first)(draft["trail"].pop())
        if self.on_back is not None:
            self.on_back(draft, previous)
        return await self.ask(update, context, previous)

    async def wrong(self, update: Update, context: CustomContext, step: S, reason: str | None = None) -> S:
        """Say what was wrong (`reason`; None: not understood) and ask `step` again, counting the refusal."""
        if self.refusal is None:
            return await self.ask(update, context, step, prefix=reason + "\n" if reason else "")
        draft = self.draft(context)
        asked = await self.question(context, step, draft)
        if isinstance(asked, Instead):  # nothing to refuse: the step itself is gone
            return await self.ask(update, context, asked.step, prefix=asked.first)
        counted: FormDraft = draft
        counted["wrong"] = counted.get("wrong", 0) + 1
        third = counted["wrong"] >= guided.MAX_WRONG
        if third:  # the count starts again: three more before the next explanation
            counted["wrong"] = 0
        await self._put(update, context, draft, self.refusal(update, step, reason, asked, third), "")
        return step

    async def finish(self, update: Update, context: CustomContext, text: str) -> int:
        """Drop the draft, say `text` with the user's menu, end the conversation."""
        return await guided.end(update, context, self.key, text, send=self.send)

    async def _put(self, update: Update, context: CustomContext, draft: D, question: Question, prefix: str) -> None:
        markup = keyboards.choices(question.options, per_row=question.per_row, back=bool(draft["trail"]))
        await self.send(update, context, prefix + question.prompt, markup)


# -- steps in order -----------------------------------------------------------------------------


def rewind(draft: FormDraft, step: StrEnum) -> None:
    """Forget the trail from `step` on, to ask `step` again: 上一步 then goes where it went before it."""
    draft["trail"] = draft["trail"][: draft["trail"].index(step.value)]


def following(draft: FormDraft, steps: Sequence[S], current: S, *, fields: Mapping[S, str], summary: S) -> S:
    """The step after `current` in `steps`, else `summary`; during a 修改, the first step unanswered.

    Args:
        steps: the question steps this draft goes through, in order.
        fields: the draft field each step fills.
    """
    if draft.get("editing"):
        return unanswered(draft, steps, fields) or summary
    later = steps[steps.index(current) + 1 :] if current in steps else []
    return later[0] if later else summary


def unanswered(draft: FormDraft, steps: Sequence[S], fields: Mapping[S, str]) -> S | None:
    """The first of `steps` whose field the draft lacks."""
    return next((step for step in steps if fields[step] not in draft), None)


# -- the cadre's villages -----------------------------------------------------------------------


def villages_of(user: User | None) -> list[list[int | str]]:
    """The villages of the user's cadre role as a draft keeps them (none without the role)."""
    role = user.role(RoleKind.CADRE) if user is not None else None
    return [[village.id, village.full_name] for village in role.villages] if role is not None else []


def villages(draft: VillageDraft) -> list[tuple[int, str]]:
    """The draft's villages as (id, full name)."""
    return [(int(village_id), str(label)) for village_id, label in draft.get("villages", [])]


def village_label(draft: VillageDraft) -> str:
    """The full name of the village chosen ("" before one is)."""
    return next((label for village_id, label in villages(draft) if village_id == draft.get("village_id")), "")


def choose_the_only_village(draft: VillageDraft) -> None:
    """A cadre of one village is not asked which: it is chosen."""
    choices = villages(draft)
    if len(choices) == 1:
        draft["village_id"] = choices[0][0]
