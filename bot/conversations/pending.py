"""`/pending` (待审核户情): what waits at each stage of 两公示一公告, with buttons to move it on or reject it.

The office sees the whole county, a township user their township, a cadre their villages. Each
change gets 通过 / 不通过 buttons where the viewer may act on its stage; the services decide who
may (`services.households.may_move`) and refuse anyone else, so a forged or stale press is
answered politely and changes nothing. Buttons carry the stage they were shown at: a second press
finds the change moved on and is answered 已处理.

不通过 asks for the reason in a small persistent conversation (`build_reject_conversation`, diagram
`pending.mmd`). The reporting cadre is told every step ("张* 新识别纳入：已进入 村公示").
"""

from __future__ import annotations

import logging
import re
import warnings
from enum import StrEnum
from typing import Any, TypedDict

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.error import BadRequest
from telegram.ext import (
    CallbackQueryHandler,
    CommandHandler,
    ConversationHandler,
    MessageHandler,
    TypeHandler,
    filters,
)
from telegram.warnings import PTBUserWarning

from bot import texts
from bot.context import CustomContext
from bot.conversations import guided
from bot.conversations.guided import say
from bot.persistence import DurableConversation
from bot.telegram import keyboards, notify, roles
from bot.telegram.presses import tell_presser
from services import audit, households, notices
from services.db import session_scope
from services.errors import Conflict, Forbidden, FupinError
from services.masking import mask_id_number
from services.models import ChangeStage, HouseholdChange, RoleKind, User

log = logging.getLogger("fupin.bot")

#: Roles that see pending changes.
REVIEWERS = (RoleKind.OFFICE, RoleKind.TOWNSHIP, RoleKind.CADRE)
#: Feature name in role refusals.
WHAT = texts.BUTTON_PENDING_CHANGES
#: Changes listed per stage in one message; the rest are counted (Telegram caps a message's size).
MAX_SHOWN = 10
#: Callback data: `hc:a:<change id>:<stage shown>` moves a change on, `hc:r:…` rejects it.
ADVANCE, REJECT = "hc:a:", "hc:r:"
_DATA = re.compile(r"^hc:[ar]:(?P<id>\d+):(?P<stage>[a-z_]+)$")
#: Conversation name in persistence, and the user_data key of the change awaiting a reason.
NAME = DRAFT = "household_reject"
#: Seconds a 不通过 waits for its reason; later text is a question again, never a stale reason.
REASON_TIMEOUT_SECONDS = 10 * 60


class RejectState(StrEnum):
    """The one step of 不通过."""

    REASON = "reason"


class RejectDraft(TypedDict):
    """The change awaiting a reason, in `user_data["household_reject"]` (persisted keys: keep their names)."""

    change_id: int
    #: The `ChangeStage` value it was shown at: a change moved on since is not rejected.
    stage: str
    #: `notify.change_label` of the change, personal data masked.
    label: dict[str, str]


def _draft(context: CustomContext) -> RejectDraft | None:
    """The change awaiting a reason, if a 不通过 is open."""
    stored: Any = (context.user_data or {}).get(DRAFT)
    draft: RejectDraft | None = stored or None
    return draft


# -- what the viewer sees ---------------------------------------------------------------------


def _number(change: HouseholdChange) -> str:
    return f"#{change.id}"


def _line(change: HouseholdChange) -> str:
    return texts.PENDING_LINE.format(
        **notify.change_label(change), members=change.members, id_number=mask_id_number(change.id_number)
    )


def _buttons(change: HouseholdChange) -> list[InlineKeyboardButton]:
    data = f"{change.id}:{change.stage.value}"
    target = households.STAGE_LABELS[households.next_stage(change)]
    return [
        InlineKeyboardButton(
            texts.BUTTON_ADVANCE.format(number=_number(change), stage=target), callback_data=ADVANCE + data
        ),
        InlineKeyboardButton(texts.BUTTON_REJECT.format(number=_number(change)), callback_data=REJECT + data),
    ]


def _scope(user: User) -> tuple[str, dict[str, Any]]:
    """The viewer's scope in words, and the `pending_changes` filter for it (widest role wins)."""
    if user.role(RoleKind.OFFICE) is not None:
        return texts.PENDING_SCOPE_COUNTY, {}
    township = user.role(RoleKind.TOWNSHIP)
    if township is not None and township.township is not None:
        return township.township.name, {"township_id": township.township_id}
    cadre = user.role(RoleKind.CADRE)
    villages = cadre.villages if cadre is not None else []
    return "、".join(v.full_name for v in villages), {"village_ids": [v.id for v in villages]}


@roles.requires(*REVIEWERS, what=WHAT)
async def show_pending(update: Update, context: CustomContext) -> None:
    """One message per stage listing what waits there, with buttons where the viewer may act."""
    chat = update.effective_chat
    if chat is None:
        return
    pages: list[tuple[str, InlineKeyboardMarkup | None]] = []
    user = await roles.current_user(update, context)
    if user is None:
        return
    async with session_scope(context.sessionmaker) as session:
        scope, where = _scope(user)
        grouped = await households.pending_changes(session, **where)
        for stage, changes in grouped.items():
            shown = changes[:MAX_SHOWN]
            lines = [texts.PENDING_STAGE.format(stage=households.STAGE_LABELS[stage], count=len(changes))]
            lines += [_line(c) for c in shown]
            if len(changes) > len(shown):
                lines.append(texts.PENDING_MORE.format(count=len(changes) - len(shown)))
            rows = [_buttons(c) for c in shown if households.may_move(user, c)]
            pages.append(("\n".join(lines), InlineKeyboardMarkup(rows) if rows else None))
        total = sum(len(changes) for changes in grouped.values())
        menu = roles.menu_for(user)
    if not pages:
        await context.bot.send_message(chat.id, texts.PENDING_NONE.format(scope=scope), reply_markup=menu)
        return
    await context.bot.send_message(chat.id, texts.PENDING_HEADER.format(scope=scope, count=total), reply_markup=menu)
    for text, markup in pages:
        await context.bot.send_message(chat.id, text, reply_markup=markup)


# -- pressing a button ------------------------------------------------------------------------


def _parse(data: str | None) -> tuple[int, ChangeStage] | None:
    match = _DATA.match(data or "")
    if match is None or match["stage"] not in ChangeStage._value2member_map_:
        return None
    return int(match["id"]), ChangeStage(match["stage"])


async def _drop_buttons(update: Update, change_id: int) -> None:
    """Remove a handled change's buttons from the message pressed, keeping the others'."""
    query = update.callback_query
    message = query.message if query is not None else None
    markup = getattr(message, "reply_markup", None)
    if query is None or not isinstance(markup, InlineKeyboardMarkup):
        return
    mine = (f"{ADVANCE}{change_id}:", f"{REJECT}{change_id}:")
    rows = [
        list(row) for row in markup.inline_keyboard if not any(str(b.callback_data or "").startswith(mine) for b in row)
    ]
    try:
        await query.edit_message_reply_markup(InlineKeyboardMarkup(rows) if rows else None)
    except BadRequest as error:  # a double tap: the first press already took the buttons away
        log.info("buttons of household change %s not removed: %s", change_id, error)


@roles.requires(*REVIEWERS, what=WHAT)
async def advance_pressed(update: Update, context: CustomContext) -> None:
    """通过: move the change to its next stage; the reporter is told."""
    query = update.callback_query
    parsed = _parse(query.data if query else None)
    tg_user = update.effective_user
    if query is None or parsed is None or tg_user is None:
        if query is not None:
            await say(update, context, texts.CALLBACK_UNKNOWN)
        return
    change_id, shown = parsed
    try:
        async with session_scope(context.sessionmaker) as session:
            user = await roles.acting_user(session, update)
            change = await households.advance_change(
                session,
                change_id=change_id,
                user=user,
                note=None,
                actor=audit.telegram_actor(tg_user.id),
                expected=shown,
            )
            await notices.change_moved(session, change=change, by=user, texts=notify.NoticeTexts(context.kb))
            done = texts.PENDING_ADVANCED.format(
                **notify.change_label(change), stage=households.STAGE_LABELS[change.stage]
            )
    except Conflict as error:
        await _drop_buttons(update, change_id)
        await say(update, context, error.message)
        return
    except FupinError as error:
        await tell_presser(update, context, error.message)
        return
    log.info("household change %s moved on from %s by %s", change_id, shown.value, audit.telegram_actor(tg_user.id))
    context.delivery.wake()
    await _drop_buttons(update, change_id)
    await say(update, context, done)


# -- 不通过: ask the reason ---------------------------------------------------------------------


@roles.requires(*REVIEWERS, what=WHAT)
async def reject_pressed(update: Update, context: CustomContext) -> RejectState | int:
    """不通过: check the viewer may act on the change now, remember it, ask for the reason."""
    query = update.callback_query
    parsed = _parse(query.data if query else None)
    if query is None or parsed is None:
        if query is not None:
            await say(update, context, texts.CALLBACK_UNKNOWN)
        return ConversationHandler.END
    change_id, shown = parsed
    try:
        user = await roles.current_user(update, context)
        if user is None:
            raise Forbidden()
        async with session_scope(context.sessionmaker) as session:
            change = await households.get_change(session, change_id=change_id)
            households.check_expected(change, shown)
            if not households.may_move(user, change):
                raise Forbidden(texts.NOT_ALLOWED_CALLBACK)
            label = notify.change_label(change)
    except Conflict as error:
        await _drop_buttons(update, change_id)
        await say(update, context, error.message)
        return ConversationHandler.END
    except FupinError as error:
        await tell_presser(update, context, error.message)
        return ConversationHandler.END
    if context.user_data is not None:
        context.user_data[DRAFT] = RejectDraft(change_id=change_id, stage=shown.value, label=label)
    markup = keyboards.choices([], back=False)
    await say(update, context, texts.PENDING_REJECT_REASON.format(**label), markup)
    return RejectState.REASON


async def reason_given(update: Update, context: CustomContext) -> int | None:
    """Stores the reason: the change ends as 未通过 and the reporter is told why."""
    message, tg_user = update.effective_message, update.effective_user
    draft = _draft(context)
    if message is None or tg_user is None or draft is None:
        return ConversationHandler.END
    reason = (message.text or "").strip()
    try:
        async with session_scope(context.sessionmaker) as session:
            user = await roles.acting_user(session, update)
            change = await households.reject_change(
                session,
                change_id=draft["change_id"],
                user=user,
                reason=reason,
                actor=audit.telegram_actor(tg_user.id),
                expected=ChangeStage(draft["stage"]),
            )
            await notices.change_moved(session, change=change, by=user, texts=notify.NoticeTexts(context.kb))
            menu = roles.menu_for(user)
    except FupinError as error:
        if isinstance(error, Conflict | Forbidden):
            return await guided.end(update, context, DRAFT, error.message)
        await say(update, context, error.message + "\n" + texts.PENDING_REJECT_REASON.format(**draft["label"]))
        return None
    log.info("household change %s rejected by %s", draft["change_id"], audit.telegram_actor(tg_user.id))
    guided.drop_draft(context, DRAFT)
    context.delivery.wake()
    await say(update, context, texts.PENDING_REJECTED.format(**draft["label"]), menu)
    return ConversationHandler.END


#: 取消: nothing changes, the change stays pending.
reject_cancelled = guided.cancel_handler(DRAFT, texts.PENDING_REJECT_CANCELLED, send=say)


async def reason_missing(update: Update, context: CustomContext) -> None:
    """Not text, a command or a menu button: the reason is still wanted."""
    await say(update, context, texts.PENDING_REJECT_IN_PROGRESS)


#: No reason came: forget the 不通过, the change stays pending.
reason_timed_out = guided.timeout_handler(DRAFT, texts.PENDING_REJECT_TIMEOUT)


def _menu_labels() -> list[str]:
    """Every menu button: pressing one is not a reason."""
    rows = [*texts.MENU, *(row for menu in texts.ROLE_MENUS.values() for row in menu)]
    return sorted({label for row in rows for label in row})


def build_reject_conversation() -> ConversationHandler[CustomContext]:
    """不通过 → reason → 未通过, persistent; pressing another 不通过 switches to that change."""
    with warnings.catch_warnings():
        # PTB warns that a CallbackQueryHandler is not tracked per message unless per_message=True.
        # Per chat and user is what is meant here: the reason is the reviewer's next message.
        warnings.filterwarnings("ignore", message="If 'per_message=False'", category=PTBUserWarning)
        return DurableConversation(
            entry_points=[CallbackQueryHandler(reject_pressed, pattern=f"^{REJECT}")],
            states={
                RejectState.REASON: [
                    MessageHandler(filters.Text([texts.BUTTON_CANCEL]), reject_cancelled),
                    MessageHandler(filters.Text(_menu_labels()), reason_missing),
                    MessageHandler(filters.TEXT & ~filters.COMMAND, reason_given),
                    MessageHandler(~filters.COMMAND, reason_missing),
                ],
                ConversationHandler.TIMEOUT: [TypeHandler(Update, reason_timed_out)],
            },
            fallbacks=[CommandHandler("cancel", reject_cancelled), MessageHandler(filters.COMMAND, reason_missing)],
            name=NAME,
            persistent=True,
            allow_reentry=True,
            per_message=False,
            timeout=REASON_TIMEOUT_SECONDS,
        )


def handlers() -> list[Any]:
    """/pending, its menu button and the 通过 button (the 不通过 conversation is registered apart)."""
    return [
        CommandHandler("pending", show_pending),
        MessageHandler(filters.Text([texts.BUTTON_PENDING_CHANGES]), show_pending),
        CallbackQueryHandler(advance_pressed, pattern=f"^{ADVANCE}"),
    ]
