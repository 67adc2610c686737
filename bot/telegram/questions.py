"""Households' unsure answers kept for the office, and the engine kept in step with its reviewed phrases.

`keep` runs after a question was answered; the repeating `questions_job` rebuilds the engine when
`fupin kb reload` (or the admin API, from another process) asked for it, and drops questions past
their 30 days.
"""

from __future__ import annotations

import logging

from telegram import Update

from bot.context import CustomContext
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


async def questions_job(context: CustomContext) -> None:
    """Rebuild the engine when a reload was requested; purge questions older than 30 days."""
    answerer = context.services.answerer
    if answerer is not None and await answerer.reload_if_requested(context.sessionmaker):
        log.info("question engine reloaded with %s reviewed phrase(s)", answerer.phrases)
    async with session_scope(context.sessionmaker) as session:
        purged = await questions.purge_old(session=session)
    if purged:
        log.info("purged %s question(s) older than %s days", purged, questions.KEEP_DAYS)
