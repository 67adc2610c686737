"""Households' unsure answers kept for the office, and the engine kept in step with its reviewed phrases.

`keep` runs after a question was answered; the repeating `questions_job` (or, in a process without
a bot, `follow_reloads_forever`) rebuilds the engine when `fupin kb reload` (or the admin API, from
another process) asked for it, and drops questions past their 30 days.
"""

from __future__ import annotations

import asyncio
import logging

from telegram import Update

from bot.context import BotServices, CustomContext
from policy_kb.results import Answer
from services import questions
from services.db import session_scope

log = logging.getLogger("fupin.bot")

#: Name of the repeating job in PTB's JobQueue.
QUESTIONS_JOB = "asked-questions"
#: Seconds between two looks for a reload request (and purges of old questions).
QUESTIONS_JOB_SECONDS = 30


async def keep(update: Update, context: CustomContext, question: str, answer: Answer) -> None:
    """Keep the question for the office when the answer was unsure, masked (the sender's own name too)."""
    if not questions.is_unsure(answer):  # most answers: no database session on the answer's path
        return
    user = update.effective_user
    names = [n for n in (user.first_name, user.last_name, user.full_name) if n] if user else []
    async with session_scope(context.sessionmaker) as session:
        await questions.keep_if_unsure(session=session, question=question, answer=answer, names=names)


async def follow_reloads(services: BotServices) -> None:
    """Rebuild the engine when a reload was requested; purge questions older than 30 days."""
    answerer = services.answerer
    if answerer is not None and await answerer.reload_if_requested(services.sessionmaker):
        log.info("question engine reloaded with %s reviewed phrase(s)", answerer.phrases)
    async with session_scope(services.sessionmaker) as session:
        purged = await questions.purge_old(session=session)
    if purged:
        log.info("purged %s question(s) older than %s days", purged, questions.KEEP_DAYS)


async def questions_job(context: CustomContext) -> None:
    """Job: `follow_reloads`, regularly (in a process with a Telegram bot)."""
    await follow_reloads(context.services)


async def follow_reloads_forever(services: BotServices) -> None:
    """`follow_reloads` every `QUESTIONS_JOB_SECONDS`, for a process without a bot (the web part alone)."""
    while True:
        await asyncio.sleep(QUESTIONS_JOB_SECONDS)
        try:
            await follow_reloads(services)
        except Exception:  # the database away for a moment: the next look tries again
            log.exception("could not look for a reload of the question engine; trying again")
