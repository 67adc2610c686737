"""`SqlPersistence`: python-telegram-bot's persistence stored in the application database, one user at a time.

Conversation states and user data (the drafts) are kept through `services.bot_state`, so a
restart in the middle of a guided conversation resumes at the same step. Chat, bot and callback
data are not stored: chat data is the memory-only part of a draft (a 身份证号, see
`bot.conversations.guided.secrets_of`), bot data holds the services.

Why not PTB's own write path. PTB hands the persistence every changed user's data and every
changed conversation state, each in its own call, on a timer and whenever `update_persistence`
runs — with concurrent updates, in the middle of another user's step. Written as they come, a
kill -9 between two calls leaves a step without its draft (a summary with an empty 身份证号, then
`KeyError` at 确认), and one user's flush writes another's half-made step. So PTB's calls only
fill a buffer here, and `save_user` writes ONE user's draft, conversation states, their
deadlines and the update being marked handled in ONE transaction, once that user's handlers are
done. Each user's rows are written only by that user's own update (or their timeout), so
concurrent users never overwrite each other.

Timeouts are deadlines, not timers. PTB's `conversation_timeout` is a job in memory that a
restart forgets, which let a draft holding personal data live forever. A `DurableConversation`
instead stores now + its timeout with its state at every step; `expire_due` (at start-up and
then regularly) ends every conversation past its deadline the way PTB's timeout would — its
TIMEOUT handlers run, so the person is told, and the draft is dropped — and writes that at once.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from collections.abc import Mapping
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from telegram import Chat, Message, Update, User
from telegram.error import TelegramError
from telegram.ext import Application, BasePersistence, ConversationHandler, PersistenceInput
from telegram.ext._utils.types import ConversationDict, ConversationKey

from bot.context import CustomContext
from services import bot_state, updates
from services.db import session_scope
from services.masking import ID_NUMBER_RE, mask_id_number
from services.models import utcnow

log = logging.getLogger("fupin.bot")

#: Namespace of per-user data.
USER_DATA = "user_data"
#: Prefix of a conversation's namespace; the conversation's `name` follows.
CONVERSATION = "conversation:"
#: PTB's own periodic flush only fills the buffer (see the module docstring): rarely is enough.
UPDATE_INTERVAL = 600

#: Name of the job that runs `expire_due`.
EXPIRE_JOB = "expire_conversations"

#: A conversation state as stored: (conversation name, its key as JSON).
StateKey = tuple[str, str]


def _user_of(key: ConversationKey) -> int:
    """The user a conversation key belongs to: its last part (keys are (chat, user) or (chat,) in
    a private chat, where the chat id is the user's)."""
    return int(key[-1])


def scrub(value: Any) -> Any:
    """`value` with every 身份证号 in its strings masked: no draft is written with one in the clear.

    The /household number itself never reaches user data (it waits in chat data); this catches
    one typed into a free-text answer, such as a note.
    """
    if isinstance(value, str):
        return ID_NUMBER_RE.sub(lambda match: mask_id_number(match.group()), value)
    if isinstance(value, dict):
        return {k: scrub(v) for k, v in value.items()}
    if isinstance(value, list):
        return [scrub(v) for v in value]
    return value


class SqlPersistence(BasePersistence[dict[str, Any], dict[str, Any], dict[str, Any]]):
    """Buffers PTB's writes by user; `commit_user` stores one user's in one transaction.

    Args:
        sessionmaker: the application's session factory.
    """

    def __init__(self, sessionmaker: async_sessionmaker[AsyncSession]) -> None:
        super().__init__(
            store_data=PersistenceInput(bot_data=False, chat_data=False, user_data=True, callback_data=False),
            update_interval=UPDATE_INTERVAL,
        )
        self._sessionmaker = sessionmaker
        #: user id → their data as PTB last handed it over (None: drop it), not yet written.
        self._user_data: dict[int, dict[str, Any] | None] = {}
        #: user id → their conversations' states as PTB last handed them over (None: ended).
        self._states: dict[int, dict[StateKey, object | None]] = {}
        #: The deadline of every stored conversation state, mirrored from the database.
        self._deadlines: dict[StateKey, dt.datetime] = {}

    # -- one user's write -------------------------------------------------------------------

    async def commit_user(
        self, user_id: int, *, timeouts: Mapping[str, float], handled_update_id: int | None = None
    ) -> None:
        """Write the user's buffered data and states, each state with its deadline, in one transaction.

        Args:
            timeouts: seconds each conversation (by name) may stay silent; a state of a
                conversation not named here is stored without a deadline.
            handled_update_id: the update whose effect this is, marked handled in the same
                transaction: a crash before it replays the update, never half of it.
        """
        has_data, data = user_id in self._user_data, self._user_data.pop(user_id, None)
        states = self._states.pop(user_id, {})
        try:
            deadlines = await self._write(user_id, has_data, data, states, timeouts, handled_update_id)
        except BaseException:
            # Nothing was written: keep what was handed over for the next try (unless newer came).
            if has_data:
                self._user_data.setdefault(user_id, data)
            for state_key, state in states.items():
                self._states.setdefault(user_id, {}).setdefault(state_key, state)
            raise
        for state_key, expires in deadlines.items():
            if expires is None:
                self._deadlines.pop(state_key, None)
            else:
                self._deadlines[state_key] = expires

    async def _write(
        self,
        user_id: int,
        has_data: bool,
        data: dict[str, Any] | None,
        states: dict[StateKey, object | None],
        timeouts: Mapping[str, float],
        handled_update_id: int | None,
    ) -> dict[StateKey, dt.datetime | None]:
        """One transaction: the user's data, their states with deadlines, the update handled."""
        now = utcnow()
        deadlines: dict[StateKey, dt.datetime | None] = {}
        async with session_scope(self._sessionmaker) as session:
            if has_data:
                if data:
                    await bot_state.save_value(session=session, namespace=USER_DATA, key=str(user_id), data=scrub(data))
                else:
                    await bot_state.delete_value(session=session, namespace=USER_DATA, key=str(user_id))
            for (name, key), state in states.items():
                if state is None:
                    await bot_state.delete_value(session=session, namespace=CONVERSATION + name, key=key)
                    deadlines[(name, key)] = None
                    continue
                timeout = timeouts.get(name)
                expires = now + dt.timedelta(seconds=timeout) if timeout is not None else None
                await bot_state.save_value(
                    session=session, namespace=CONVERSATION + name, key=key, data=state, expires_at=expires
                )
                deadlines[(name, key)] = expires
            if handled_update_id is not None:
                await updates.mark_handled(session=session, update_id=handled_update_id)
        return deadlines

    def due(self, now: dt.datetime) -> list[tuple[str, ConversationKey]]:
        """The conversations (name, key) whose deadline has passed, earliest first."""
        passed = sorted((when, state_key) for state_key, when in self._deadlines.items() if when <= now)
        return [(name, tuple(json.loads(key))) for _, (name, key) in passed]

    # -- user data --------------------------------------------------------------------------

    async def get_user_data(self) -> dict[int, dict[str, Any]]:
        async with session_scope(self._sessionmaker) as session:
            stored = await bot_state.load_namespace(session=session, namespace=USER_DATA)
        return {int(k): dict(v) for k, v in stored.items()}

    async def update_user_data(self, user_id: int, data: dict[str, Any]) -> None:
        """Buffered until the user's `commit_user`."""
        self._user_data[user_id] = data or None

    async def drop_user_data(self, user_id: int) -> None:
        """Buffered until the user's `commit_user`."""
        self._user_data[user_id] = None

    async def refresh_user_data(self, user_id: int, user_data: dict[str, Any]) -> None:
        """Nothing to refresh: this process is the only writer."""

    # -- conversations ----------------------------------------------------------------------

    async def get_conversations(self, name: str) -> ConversationDict:
        async with session_scope(self._sessionmaker) as session:
            stored = await bot_state.load_entries(session=session, namespace=CONVERSATION + name)
        for entry in stored:
            if entry.expires_at is not None:
                self._deadlines[(name, entry.key)] = entry.expires_at
        return {tuple(json.loads(entry.key)): entry.data for entry in stored}

    async def update_conversation(self, name: str, key: ConversationKey, new_state: object | None) -> None:
        """Buffered until the user's `commit_user`."""
        self._states.setdefault(_user_of(key), {})[(name, json.dumps(list(key)))] = new_state

    # -- not stored -------------------------------------------------------------------------

    async def get_chat_data(self) -> dict[int, dict[str, Any]]:
        return {}

    async def get_bot_data(self) -> dict[str, Any]:
        return {}

    async def get_callback_data(self) -> None:
        return None

    async def update_chat_data(self, chat_id: int, data: dict[str, Any]) -> None:
        """Chat data is not stored: it is the memory-only part of drafts."""

    async def update_bot_data(self, data: dict[str, Any]) -> None:
        """Bot data is not stored (it holds the services)."""

    async def update_callback_data(self, data: Any) -> None:
        """Callback data is not stored: buttons carry their meaning in plain callback_data."""

    async def drop_chat_data(self, chat_id: int) -> None:
        """Chat data is not stored."""

    async def refresh_chat_data(self, chat_id: int, chat_data: dict[str, Any]) -> None:
        """Chat data is not stored."""

    async def refresh_bot_data(self, bot_data: dict[str, Any]) -> None:
        """Bot data is not stored."""

    async def flush(self) -> None:
        """Nothing left to write at shut-down: every step was committed with its update.

        What is still buffered was handed over by PTB outside any step of its user; writing it
        would be the unpaired write this class exists to avoid.
        """


class DurableConversation(ConversationHandler[CustomContext]):
    """A persistent `ConversationHandler` whose timeout is a deadline stored with its state.

    PTB's in-memory timeout job is not used (`conversation_timeout` stays None): `SqlPersistence`
    stores now + `timeout` at every step and `expire_due` ends the conversation past it, running
    its TIMEOUT handlers as PTB would.

    Args:
        timeout: seconds of silence after which the conversation ends by itself.
        **kwargs: as `ConversationHandler`, without `conversation_timeout`.
    """

    def __init__(self, *, timeout: float, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.timeout = timeout

    async def expire(self, application: Application[Any, Any, Any, Any, Any, Any], key: ConversationKey) -> None:
        """End the conversation `key` as timed out: its TIMEOUT handlers run, then its state ends.

        The handlers get a stand-in update naming only the chat and the user (PTB would pass the
        last update, which after a restart is gone and may have held a 身份证号).
        """
        update = _stand_in(application, key)
        context = application.context_types.context.from_update(update, application)
        try:
            for handler in self.states.get(self.TIMEOUT, []):
                check = handler.check_update(update)
                if check is not None and check is not False:
                    await handler.handle_update(update, application, check, context)
        finally:
            self._update_state(self.END, key)


def _stand_in(application: Application[Any, Any, Any, Any, Any, Any], key: ConversationKey) -> Update:
    """An update from the conversation's user in their chat, carrying nothing else."""
    user = User(id=_user_of(key), first_name="", is_bot=False)
    chat = Chat(id=int(key[0]), type=Chat.PRIVATE)
    message = Message(message_id=0, date=utcnow(), chat=chat, from_user=user)
    update = Update(update_id=0, message=message)
    update.set_bot(application.bot)
    message.set_bot(application.bot)
    return update


def durable_conversations(application: Application[Any, Any, Any, Any, Any, Any]) -> dict[str, DurableConversation]:
    """The application's `DurableConversation`s by name."""
    return {
        handler.name: handler
        for group in application.handlers.values()
        for handler in group
        if isinstance(handler, DurableConversation) and handler.name is not None
    }


def _persistence(application: Application[Any, Any, Any, Any, Any, Any]) -> SqlPersistence:
    if not isinstance(application.persistence, SqlPersistence):
        raise RuntimeError("bot.app.build_application did not install SqlPersistence")
    return application.persistence


async def save_user(
    application: Application[Any, Any, Any, Any, Any, Any], user_id: int, *, handled_update_id: int | None = None
) -> None:
    """Write the user's draft and conversation states (and mark the update handled) in one transaction.

    PTB is asked to hand the user's current data and every changed state to the buffer first: it
    marks a user only after all handler groups ran, too late for this, the last group's call.
    """
    application.mark_data_for_update_persistence(user_ids=user_id)
    await application.update_persistence()
    timeouts = {name: conversation.timeout for name, conversation in durable_conversations(application).items()}
    await _persistence(application).commit_user(user_id, timeouts=timeouts, handled_update_id=handled_update_id)


async def expire_due(application: Application[Any, Any, Any, Any, Any, Any]) -> int:
    """End every conversation past its deadline, tell its person, drop its draft; how many ended.

    Each is written at once. The message goes out before the write: a crash in between tells the
    person twice after the restart, never leaves a draft behind untold. A message arriving in
    the very second of the deadline may still be taken as an answer while the sweep ends the
    conversation; that window is the one PTB's own timeout job has too.
    """
    persistence = _persistence(application)
    conversations = durable_conversations(application)
    ended = 0
    for name, key in persistence.due(utcnow()):
        conversation = conversations.get(name)
        try:
            if conversation is not None:
                await conversation.expire(application, key)
        except TelegramError as error:  # blocked, chat gone: the draft is dropped all the same
            log.warning("could not tell about a timed-out %s conversation: %s", name, error)
        finally:
            if conversation is None:  # a conversation no longer registered: forget its state
                await persistence.update_conversation(name, key, None)
            await save_user(application, _user_of(key))
        ended += 1
    return ended


async def expire_job(context: CustomContext) -> None:
    """Job: `expire_due`, regularly."""
    await expire_due(context.application)
