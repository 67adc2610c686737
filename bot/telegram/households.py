"""Households' handlers: the menu, free-text questions, "did you mean" buttons, contacts."""

from __future__ import annotations

from telegram import Update

from bot import texts
from bot.context import CustomContext
from bot.telegram import keyboards, questions, render, roles

#: Longest question the bot tries to answer; longer text is asked to be shortened.
MAX_QUESTION_LENGTH = 500


async def ask_prompt(update: Update, context: CustomContext) -> None:
    """The 政策咨询 button: invite a question."""
    if update.effective_message:
        await update.effective_message.reply_text(texts.ASK_PROMPT, reply_markup=await roles.menu(update, context))


async def contacts(update: Update, context: CustomContext) -> None:
    """Each measure that gives households something, with its responsible units (lead first)."""
    if update.effective_message is None:
        return
    lines = [
        texts.CONTACTS_LINE.format(title=m.title, units="、".join(m.units)) for m in context.kb.measures if m.benefits
    ]
    directory = context.services.contacts
    known = "".join(render.contact_line(c) for c in directory.values())
    text = texts.CONTACTS_HEADER + "\n".join(lines) + (texts.CONTACTS_DIRECTORY_HEADER + known if known else "")
    text += texts.CONTACTS_FOOTER
    await update.effective_message.reply_text(text, reply_markup=await roles.menu(update, context))


async def _answer(update: Update, context: CustomContext, question: str) -> None:
    message = update.effective_message
    if message is None:
        return
    # No "typing…" first: the answer takes a millisecond, the chat action a Bot API round trip.
    result = context.services.answer(question)
    markup = keyboards.alternatives(result.alternatives) if render.wants_alternatives(result) else None
    await message.reply_text(render.answer_text(result, context.services.contacts), reply_markup=markup)
    await questions.keep(update, context, question, result)


async def question(update: Update, context: CustomContext) -> None:
    """Any free text is a question: answer it from the plan."""
    message = update.effective_message
    if message is None or not message.text:
        return
    text = message.text.strip()
    if len(text) > MAX_QUESTION_LENGTH:
        await message.reply_text(texts.TOO_LONG.format(length=len(text), limit=MAX_QUESTION_LENGTH))
        return
    await _answer(update, context, text)


async def alternative_pressed(update: Update, context: CustomContext) -> None:
    """A "did you mean" button: answer the topic's question."""
    query = update.callback_query
    if query is None or not query.data:
        return
    data = query.data
    if data.startswith(keyboards.ALT_QUESTION):
        asked = data.removeprefix(keyboards.ALT_QUESTION)
    else:
        measure_id = data.removeprefix(keyboards.ALT_MEASURE)
        try:
            asked = context.kb.measure(measure_id).title
        except KeyError:
            if update.effective_message:
                await update.effective_message.reply_text(texts.ALTERNATIVE_EXPIRED)
            return
    await _answer(update, context, asked)


async def cancel_nothing(update: Update, context: CustomContext) -> None:
    """/cancel outside any conversation."""
    if update.effective_message:
        await update.effective_message.reply_text(
            texts.NOTHING_TO_CANCEL, reply_markup=await roles.menu(update, context)
        )


async def unknown_command(update: Update, context: CustomContext) -> None:
    """A command the bot does not know."""
    if update.effective_message:
        await update.effective_message.reply_text(texts.UNKNOWN_COMMAND)


async def not_text(update: Update, context: CustomContext) -> None:
    """Stickers, photos, voice…: ask for text (a photo's caption is answered as a question)."""
    message = update.effective_message
    if message is None:
        return
    if message.caption:
        caption = message.caption.strip()
        if len(caption) > MAX_QUESTION_LENGTH:
            await message.reply_text(texts.TOO_LONG.format(length=len(caption), limit=MAX_QUESTION_LENGTH))
            return
        await _answer(update, context, caption)
        return
    await message.reply_text(texts.NOT_TEXT)


async def unknown_callback(update: Update, context: CustomContext) -> None:
    """A button the bot no longer knows (e.g. from an old message): said in its chat."""
    if update.effective_message:
        await update.effective_message.reply_text(texts.CALLBACK_UNKNOWN)
