"""Who is talking: the current `User` with their roles, each role's menu, and a guard for role-only handlers.

Any handler may call `current_user`; it reads the user once per update (the context is per
update) and later calls reuse it. `requires(...)` wraps a handler that only some roles may use:
anyone else is told politely what the feature is for and what they can do instead, and the
handler does not run. It returns `ConversationHandler.END`, so it also guards a conversation's
entry point without starting the conversation.

Someone who never sent /start (no `User` row) counts as a household: anyone may ask questions.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Coroutine, Iterable
from typing import Any, TypeVar

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import BotCommand, BotCommandScopeChat, ReplyKeyboardMarkup, Update
from telegram.ext import ConversationHandler

from bot import texts
from bot.context import CustomContext
from bot.telegram import keyboards
from services.db import session_scope
from services.errors import Forbidden
from services.models import RoleKind, User
from services.users import ROLE_LABELS, find_user

#: Attribute of the per-update context where the loaded user is kept.
_CACHE = "_fupin_current_user"
#: Staff roles: their menu replaces the households' one, most powerful first (their buttons come first).
STAFF_KINDS = (RoleKind.OFFICE, RoleKind.TOWNSHIP, RoleKind.UNIT, RoleKind.CADRE)

R = TypeVar("R")
#: An async handler as PTB wants it: PTB's handlers are typed to take coroutine functions.
Handler = Callable[[Update, CustomContext], Coroutine[Any, Any, R]]


async def current_user(update: Update, context: CustomContext, *, fresh: bool = False) -> User | None:
    """The `User` behind this update with roles (and their villages, township) loaded, or None.

    The object is detached from its session: read it, and reload it inside your own session
    (`user_in`) before handing it to a service that writes.

    Args:
        fresh: read again even if this update already did (after the handler changed the roles).
    """
    if not fresh and hasattr(context, _CACHE):
        cached: User | None = getattr(context, _CACHE)
        return cached
    tg_user = update.effective_user
    user = None
    if tg_user is not None:
        async with session_scope(context.sessionmaker) as session:
            user = await find_user(session, telegram_user_id=tg_user.id)
    setattr(context, _CACHE, user)
    return user


def remember(context: CustomContext, user: User | None) -> None:
    """Replace the cached user of this update (a handler that changed the roles calls this)."""
    setattr(context, _CACHE, user)


async def user_in(session: AsyncSession, update: Update) -> User | None:
    """The update's `User` loaded in `session`, for passing to services that write."""
    tg_user = update.effective_user
    if tg_user is None:
        return None
    return await find_user(session, telegram_user_id=tg_user.id)


async def acting_user(session: AsyncSession, update: Update) -> User:
    """The update's `User` in `session`, for a service that writes.

    Raises:
        Forbidden: the sender is not a known user (their account went while they answered).
    """
    user = await user_in(session, update)
    if user is None:
        raise Forbidden()
    return user


def kinds_of(user: User | None) -> set[RoleKind]:
    """The roles a user holds; an unknown person is a household."""
    if user is None or not user.roles:
        return {RoleKind.HOUSEHOLD}
    return {role.kind for role in user.roles}


def has_role(user: User | None, *kinds: RoleKind) -> bool:
    """Whether the user holds any of `kinds`."""
    return bool(kinds_of(user) & set(kinds))


def menu_for(user: User | None) -> ReplyKeyboardMarkup:
    """The reply-keyboard menu of the user's roles; households (and the unknown) get theirs.

    Someone holding several staff roles gets every one of their buttons, each once.
    """
    held = kinds_of(user)
    staff = [kind for kind in STAFF_KINDS if kind in held]
    if not staff:
        return keyboards.main_menu()
    rows: list[list[str]] = []
    seen: set[str] = set()
    for kind in staff:
        for row in texts.ROLE_MENUS[kind.value]:
            fresh_row = [label for label in row if label not in seen]
            seen.update(fresh_row)
            if fresh_row:
                rows.append(fresh_row)
    # 使用帮助 last, on its own, whatever the order of the roles above.
    rows = [[b for b in row if b != texts.BUTTON_HELP] for row in rows]
    rows = [row for row in rows if row] + [[texts.BUTTON_HELP]]
    return ReplyKeyboardMarkup(rows, resize_keyboard=True, input_field_placeholder=texts.ROLE_MENU_PLACEHOLDER)


async def menu(update: Update, context: CustomContext) -> ReplyKeyboardMarkup:
    """The menu of whoever sent this update (reads the user once per update)."""
    return menu_for(await current_user(update, context))


def commands_for(user: User | None) -> list[BotCommand]:
    """The households' commands plus those of each staff role the user holds."""
    pairs = list(texts.COMMANDS)
    for kind in STAFF_KINDS:
        if kind in kinds_of(user):
            pairs += [pair for pair in texts.ROLE_COMMANDS[kind.value] if pair not in pairs]
    return [BotCommand(command, description) for command, description in pairs]


async def show_commands(context: CustomContext, chat_id: int, user: User | None) -> None:
    """Set the command list Telegram shows in this private chat to the user's roles."""
    await context.bot.set_my_commands(commands_for(user), scope=BotCommandScopeChat(chat_id))


def role_names(kinds: Iterable[RoleKind]) -> str:
    """`驻村干部、县扶贫办` for messages."""
    return "、".join(ROLE_LABELS[kind] for kind in kinds)


def can_do(user: User | None) -> str:
    """What the user's roles allow, in words."""
    held = kinds_of(user)
    order = [*STAFF_KINDS, RoleKind.HOUSEHOLD]
    return "；".join(texts.ROLE_CAN_DO[kind.value] for kind in order if kind in held)


async def refuse(update: Update, context: CustomContext, *, what: str, kinds: Iterable[RoleKind]) -> None:
    """Tell the user that `what` is for `kinds` only and what they may do instead.

    A button press gets it as a message too (`bot.telegram.presses` answered the press before).
    """
    user = await current_user(update, context)
    text = texts.NOT_ALLOWED.format(what=what, roles=role_names(kinds), can_do=can_do(user))
    if update.effective_user is not None:  # their own chat: a pressed card's chat may be someone else's
        await context.bot.send_message(update.effective_user.id, text, reply_markup=menu_for(user))


def requires(*kinds: RoleKind, what: str) -> Callable[[Handler[R]], Handler[R | int]]:
    """Run the handler only for users holding one of `kinds`; refuse everyone else.

    Args:
        kinds: the roles allowed.
        what: the feature in words for the refusal, e.g. "进度上报".

    Returns:
        A decorator; on refusal the wrapped handler returns `ConversationHandler.END`.
    """

    def decorate(handler: Handler[R]) -> Handler[R | int]:
        @functools.wraps(handler)
        async def guarded(update: Update, context: CustomContext) -> R | int:
            if has_role(await current_user(update, context), *kinds):
                return await handler(update, context)
            await refuse(update, context, what=what, kinds=kinds)
            return ConversationHandler.END

        return guarded

    return decorate


def binding(user: User, kind: RoleKind) -> str:
    """What the user's role of `kind` is bound to, in words (villages, township or unit)."""
    role = user.role(kind)
    if role is None:
        return ""
    if kind is RoleKind.CADRE:
        return "、".join(v.full_name for v in role.villages)
    if kind is RoleKind.TOWNSHIP and role.township is not None:
        return role.township.name
    return role.unit or ""


def primary_kind(user: User | None) -> RoleKind:
    """The role a user is greeted in: the most powerful staff role, else household."""
    held = kinds_of(user)
    return next((kind for kind in STAFF_KINDS if kind in held), RoleKind.HOUSEHOLD)
