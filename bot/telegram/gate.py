"""Handlers that run before all others: flood limit, then updates households should not send.

An update stopped here never reaches the last handler group (`bot.app._flush`), so it is marked
handled here: its stored payload (which may hold a 身份证号 or a phone number) is dropped and it
is not handed to the bot again after a restart.
"""

from __future__ import annotations

from typing import NoReturn

from telegram import Update
from telegram.constants import ChatType
from telegram.ext import ApplicationHandlerStop

from bot import texts
from bot.context import CustomContext
from bot.telegram.presses import answer_press
from services import updates
from services.db import session_scope


async def _stop(update: Update, context: CustomContext) -> NoReturn:
    """Mark the update handled, then stop every later handler."""
    async with session_scope(context.sessionmaker) as session:
        await updates.mark_handled(session=session, update_id=update.update_id)
    raise ApplicationHandlerStop


async def rate_limit(update: Update, context: CustomContext) -> None:
    """Drop a user's updates beyond the limit, warning them once per window."""
    user = update.effective_user
    if user is None:
        return
    limiter = context.services.rate_limiter
    wait = limiter.hit(user.id)
    if not wait:
        return
    if limiter.should_warn(user.id) and update.effective_message and update.effective_chat:
        if update.effective_chat.type == ChatType.PRIVATE:
            await update.effective_message.reply_text(texts.RATE_LIMITED.format(seconds=int(wait) + 1))
    await _stop(update, context)


async def chat_gate(update: Update, context: CustomContext) -> None:
    """Edited messages and group chats get a fixed reply and go no further.

    An edit is not re-answered: replying twice to one question confuses more than it helps.
    In a group the bot answers only commands and mentions, and asks for a private chat, since a
    household's questions and family details do not belong in a group.
    """
    if update.edited_message is not None:
        await update.edited_message.reply_text(texts.EDITED)
        await _stop(update, context)
    chat = update.effective_chat
    if chat is None or chat.type == ChatType.PRIVATE:
        return
    message = update.effective_message
    if message is not None and message.text:
        addressed = message.text.startswith("/") or f"@{context.bot.username}" in message.text
        if addressed:
            await message.reply_text(texts.GROUP_ONLY_PRIVATE)
    if update.callback_query is not None:
        await answer_press(update.callback_query, texts.GROUP_ONLY_PRIVATE)
    await _stop(update, context)
