"""The composition root of the Telegram bot: services built once, handlers registered in order.

The HTTP app (`bot.http.app`) owns the database engine and the bot's lifecycle; it calls
`build_application` with where the Bot API is (Telegram, a self-hosted server, or the sandbox
emulator), the services it has built, and the parts this process runs (`bot.parts`): the
handlers, their persistence and jobs only with the bot part, the reminder jobs only with delivery.
"""

from __future__ import annotations

import logging
from typing import Any

from telegram import BotCommand, Update
from telegram.ext import (
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    TypeHandler,
    filters,
)
from telegram.request import BaseRequest

from bot import persistence, texts
from bot.context import BotServices, CustomContext, FupinApplication
from bot.conversations import pending
from bot.conversations.broadcast import build_broadcast_conversation
from bot.conversations.check import build_check_conversation
from bot.conversations.deadline import build_deadline_conversation
from bot.conversations.household import build_household_conversation
from bot.conversations.item_return import build_return_conversation
from bot.conversations.report import build_report_conversation
from bot.parts import ALL_PARTS, Part
from bot.persistence import SqlPersistence
from bot.telegram import dashboard, gate, households, keyboards, notify, presses, questions, registration, tasks
from bot.telegram.concurrency import PerChatUpdateProcessor
from bot.telegram.delivery import Delivery
from bot.telegram.errors import error_handler
from bot.telegram.sending import SendingLimiter
from services import updates
from services.db import session_scope
from services.outbox import Pacer

log = logging.getLogger("fupin.bot")

#: Handler groups, run in this order for every update.
GROUP_COUNT = -4
GROUP_RATE_LIMIT = -3
GROUP_GATE = -2
GROUP_PRESS = -1
GROUP_MAIN = 0
#: Last: write the conversation state and mark the update handled, once the handlers are done.
GROUP_FLUSH = 100
#: One for the long poll, one spare for the poll that follows a cut-off one.
GET_UPDATES_CONNECTIONS = 2


def context_types() -> ContextTypes[CustomContext, dict[str, Any], dict[str, Any], dict[str, Any]]:
    """`ContextTypes` with the typed `CustomContext`."""
    return ContextTypes(context=CustomContext)


async def _flush(update: Update, context: CustomContext) -> None:
    """Persist this user's step, draft and the update handled in one transaction, at once.

    Only this user's rows: other users' updates may be half-way through their own steps.
    """
    if update.effective_user is not None:
        await persistence.save_user(context.application, update.effective_user.id, handled_update_id=update.update_id)
        return
    async with session_scope(context.sessionmaker) as session:
        await updates.mark_handled(session=session, update_id=update.update_id)


async def _count(update: Update, context: CustomContext) -> None:
    """Count the update by kind (`bot.metrics`), before anything may stop it."""
    context.services.metrics.count_update(update)


async def _post_init(application: FupinApplication) -> None:
    """Register the menu of commands; end the conversations whose deadline passed while stopped."""
    await application.bot.set_my_commands([BotCommand(c, d) for c, d in texts.COMMANDS])
    await persistence.expire_due(application)


def build_application(
    *,
    token: str,
    base_url: str,
    base_file_url: str | None = None,
    services: BotServices,
    parts: frozenset[Part] = ALL_PARTS,
    request: BaseRequest | None = None,
    pacer: Pacer | None = None,
) -> FupinApplication:
    """The bot, pointed at a Bot API (`base_url` ends in `/bot`; PTB appends the token).

    Args:
        token: the bot's token (the emulator's own in sandbox mode).
        base_url: e.g. `https://api.telegram.org/bot` or `http://127.0.0.1:8080/telegram/bot`.
        services: built once by the caller; stored in `bot_data` for `CustomContext`.
        parts: with `Part.BOT` the handlers, the persistence of conversations (so no other
            process writes it) and their jobs; with `Part.DELIVERY` the reminder jobs.
        request: how the bot reaches the Bot API (for every call, getUpdates too); by default PTB's
            HTTPX connection pools. Tests that drive the handlers in-process pass one bound to the
            emulator without a socket.
        pacer: Telegram's budget for this process, shared by the replies and the outbox; by default
            one at the settings' `send_rate` and `outbox_rate`. Tests that drive the handlers
            in-process pass one on a clock of their own, so that pacing never waits in real time.
    """
    settings = services.settings
    receives = Part.BOT in parts
    # Telegram's budget for this process: the replies' limiter and the outbox draw on it alike.
    if pacer is None:
        pacer = Pacer(per_second=settings.send_rate, bulk_per_second=settings.outbox_rate)
    builder = (
        ApplicationBuilder()
        .token(token)
        .base_url(base_url)
        .base_file_url(base_file_url or base_url.removesuffix("/bot") + "/file/bot")
        .context_types(context_types())
        # Updates of different users run concurrently; one user's (and one chat's) run in order,
        # so conversation steps never race.
        .concurrent_updates(PerChatUpdateProcessor())
        # Every request is fitted to Telegram's limits; replies are paced ahead of the outbox
        # within the one budget they share with it, and retried after a 429.
        .rate_limiter(SendingLimiter(pacer, metrics=services.metrics))
    )
    if request is not None:
        builder = builder.request(request).get_updates_request(request)
    elif receives:
        # PTB polls over one connection by default. A long poll cut off mid-flight (at shutdown, on
        # a flaky proxy) can keep it checked out, so the last getUpdates that marks the fetched
        # updates read, or every later poll, times out waiting for the pool.
        builder = builder.get_updates_connection_pool_size(GET_UPDATES_CONNECTIONS)
    if receives:
        builder = builder.persistence(SqlPersistence(services.sessionmaker)).post_init(_post_init)
    else:  # nothing here may take updates: no poller at all
        builder = builder.updater(None)
    application: FupinApplication = builder.build()
    application.bot_data["services"] = services
    # Every notification and broadcast goes out through the outbox, paced under Telegram's limits;
    # `bot.http.lifecycle.BotRunner` starts it after the bot and stops it before, in a process
    # with the delivery part. Elsewhere it stays unstarted, and handlers' `wake()` does nothing:
    # the delivery process finds what they queued at its next look.
    services.delivery = Delivery(
        services.sessionmaker,
        cadences=(lambda: services.plan.cadences) if settings.plan_reminders else list,
        pacer=pacer,
        max_attempts=settings.outbox_max_attempts,
        reminder_offsets=settings.reminder_offsets,
        reminder_hour=settings.reminder_hour,
        metrics=services.metrics,
    )
    assert application.job_queue is not None  # the job-queue extra is a dependency
    # The engine follows the office's reviewed phrases (`fupin kb reload`); questions past 30 days go.
    application.job_queue.run_repeating(
        questions.questions_job,
        interval=questions.QUESTIONS_JOB_SECONDS,
        first=1,
        name=questions.QUESTIONS_JOB,
        job_kwargs={"misfire_grace_time": None, "coalesce": True},
    )
    if Part.DELIVERY in parts:
        # Overdue items remind their unit and escalate to the office, checked at start-up and then regularly.
        application.job_queue.run_repeating(
            tasks.remind_overdue,
            interval=services.settings.overdue_check_minutes * 60,
            # A second after start-up (PTB reads 0 as "not given", i.e. one interval).
            first=1,
            name=tasks.OVERDUE_JOB,
            # Scheduled before the bot starts, so the first run may come late: run it anyway, once.
            job_kwargs={"misfire_grace_time": None, "coalesce": True},
        )
    if receives:
        _add_handlers(application)
    application.add_error_handler(error_handler)
    return application


def _add_handlers(application: FupinApplication) -> None:
    """Every handler, in its group, and the jobs of conversations (the bot part only)."""
    services: BotServices = application.bot_data["services"]
    # 0. Every update is counted, whatever stops it later.
    application.add_handler(TypeHandler(Update, _count), group=GROUP_COUNT)
    # 1. A flood from one user stops here.
    application.add_handler(TypeHandler(Update, gate.rate_limit), group=GROUP_RATE_LIMIT)
    # 2. Edited messages and group chats get a fixed reply and stop.
    application.add_handler(TypeHandler(Update, gate.chat_gate), group=GROUP_GATE)
    # 3. Every button press that got this far is answered at once; a late answer Telegram refuses
    #    stops nothing, and no handler below answers a press again.
    application.add_handler(CallbackQueryHandler(presses.press_answered), group=GROUP_PRESS)
    # 4. Households. The conversation comes first: inside /check it takes every message.
    main = [
        build_check_conversation(),
        # The office's notices and deadlines (each refuses other roles at its entry).
        build_broadcast_conversation(),
        build_deadline_conversation(),
        # Staff conversations: a 不通过 reason first, so it is not read as a /household answer.
        pending.build_reject_conversation(),
        build_household_conversation(),
        *pending.handlers(),
        # Cadres' /report, then the task loop: 退回 asks a reason, 接收/办结 act at once.
        build_report_conversation(),
        build_return_conversation(),
        CallbackQueryHandler(tasks.button, pattern=rf"^{notify.ITEM_PREFIX}({notify.ACCEPT}|{notify.CLOSE}):\d+$"),
        CommandHandler("tasks", tasks.list_tasks),
        MessageHandler(filters.Text([texts.BUTTON_TASKS]), tasks.list_tasks),
        CommandHandler("myreports", tasks.my_reports),
        MessageHandler(filters.Text([texts.BUTTON_MY_REPORTS]), tasks.my_reports),
        CommandHandler("start", registration.start),
        CommandHandler("help", registration.help_),
        CommandHandler("contacts", households.contacts),
        CommandHandler("ask", households.ask_prompt),
        CommandHandler("cancel", households.cancel_nothing),
        MessageHandler(filters.Text([texts.BUTTON_ASK]), households.ask_prompt),
        MessageHandler(filters.Text([texts.BUTTON_CONTACTS]), households.contacts),
        MessageHandler(filters.Text([texts.BUTTON_HELP]), registration.help_),
        CommandHandler("dashboard", dashboard.dashboard),
        MessageHandler(filters.Text([texts.BUTTON_DASHBOARD]), dashboard.dashboard),
        CallbackQueryHandler(
            households.alternative_pressed, pattern=f"^({keyboards.ALT_QUESTION}|{keyboards.ALT_MEASURE})"
        ),
        CallbackQueryHandler(households.unknown_callback),
        MessageHandler(filters.COMMAND, households.unknown_command),
        MessageHandler(filters.TEXT, households.question),
        MessageHandler(filters.ALL, households.not_text),
    ]
    application.add_handlers(main, group=GROUP_MAIN)
    # Conversations past their deadline end (with their message), also those a restart interrupted.
    assert application.job_queue is not None
    application.job_queue.run_repeating(
        persistence.expire_job,
        interval=services.settings.conversation_sweep_seconds,
        first=services.settings.conversation_sweep_seconds,
        name=persistence.EXPIRE_JOB,
    )
    # 5. Write state and mark the update handled.
    application.add_handler(TypeHandler(Update, _flush), group=GROUP_FLUSH)
