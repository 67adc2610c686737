"""`/start` (with or without an invite code) and role-aware help.

`/start <code>` comes from the invite deep link `https://t.me/<bot>?start=<code>`: the code is
redeemed and the person is greeted in their new role with its menu and commands. A plain
`/start` records the person (broadcasts to households need to know who started the bot), gives
them the household role when they hold none, and makes them reachable again if they had blocked
the bot.
"""

from __future__ import annotations

from telegram import Update

from bot import texts
from bot.context import CustomContext
from bot.telegram import roles
from services import audit
from services.db import session_scope
from services.errors import InviteError
from services.invites import redeem_invite
from services.models import RoleKind, User
from services.users import find_user, get_or_create_user, grant_role, mark_active


def _greeting(user: User | None, first_name: str) -> str:
    kind = roles.primary_kind(user)
    if user is None or kind is RoleKind.HOUSEHOLD:
        return texts.WELCOME.format(name=first_name)
    return texts.ROLE_WELCOME[kind.value].format(name=first_name, binding=roles.binding(user, kind))


async def start(update: Update, context: CustomContext) -> None:
    """Redeem an invite code if one came with /start, else register a household; greet with the menu."""
    message, tg_user = update.effective_message, update.effective_user
    if message is None or tg_user is None:
        return
    actor = audit.telegram_actor(tg_user.id)
    code = context.args[0] if context.args else None
    user: User | None
    if code:
        try:
            async with session_scope(context.sessionmaker) as session:
                await redeem_invite(
                    session=session, code=code, telegram_user_id=tg_user.id, display_name=tg_user.full_name
                )
                user = await find_user(session, telegram_user_id=tg_user.id)
                if user is not None:
                    await mark_active(session, user=user, actor=actor)
        except InviteError as error:
            user = await roles.current_user(update, context)
            await message.reply_text(texts.INVITE_WRONG.format(reason=error.message), reply_markup=roles.menu_for(user))
            return
    else:
        async with session_scope(context.sessionmaker) as session:
            user = await get_or_create_user(
                session, telegram_user_id=tg_user.id, display_name=tg_user.full_name, actor=actor
            )
            if not user.roles:
                await grant_role(session, user=user, kind=RoleKind.HOUSEHOLD, actor=actor)
            await mark_active(session, user=user, actor=actor)
    roles.remember(context, user)
    await message.reply_text(_greeting(user, tg_user.first_name), reply_markup=roles.menu_for(user))
    if update.effective_chat is not None:
        await roles.show_commands(context, update.effective_chat.id, user)


async def help_(update: Update, context: CustomContext) -> None:
    """How to use the bot, for the user's role(s)."""
    message = update.effective_message
    if message is None:
        return
    user = await roles.current_user(update, context)
    held = roles.kinds_of(user)
    parts = [texts.ROLE_HELP[kind.value] for kind in roles.STAFF_KINDS if kind in held]
    await message.reply_text("\n\n".join(parts) or texts.HELP, reply_markup=roles.menu_for(user))
