"""The typed context every handler receives: services built once in `bot.app`, reached by attribute."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from telegram.ext import Application, CallbackContext, ExtBot

from bot.metrics import Metrics
from bot.ratelimit import RateLimiter
from bot.telegram.delivery import Delivery
from bot.telegram.sending import Lane
from policy_kb.results import Answer
from policy_kb.schema import KnowledgeBase
from services.config import Settings, get_settings
from services.directory import Contact
from services.questions import Answerer

#: Answered once at start-up by a process that answers questions.
WARM_UP_QUESTION = "初中生一年补助多少"


@dataclass
class BotServices:
    """What handlers need from the rest of the program, built once by the composition root."""

    kb: KnowledgeBase
    #: `policy_kb.answer`; a field so the root decides where it comes from.
    answer: Callable[[str], Answer]
    sessionmaker: async_sessionmaker[AsyncSession]
    rate_limiter: RateLimiter
    #: The settings the HTTP app runs with (the dashboard token must be signed with its secret).
    settings: Settings = field(default_factory=get_settings)
    #: The outbox worker and broadcast clock; `bot.app.build_application` installs it.
    delivery: Delivery | None = None
    #: The engine with the office's reviewed phrases; `answer` is its `answer` when set.
    answerer: Answerer | None = None
    #: This process's metrics (`/metrics`); handlers, the limiter and the outbox count into it.
    metrics: Metrics = field(default_factory=Metrics)

    @classmethod
    async def load(
        cls,
        settings: Settings,
        sessionmaker: async_sessionmaker[AsyncSession],
        *,
        rate_limiter: RateLimiter,
        metrics: Metrics,
        warm: bool,
    ) -> BotServices:
        """The services of one process: the question engine for the plan in force with the office's
        reviewed phrases, warmed (tokenizer, vocabulary) when `warm`, so that the first household
        does not wait."""
        answerer = await Answerer.load(sessionmaker)
        if warm:
            await asyncio.to_thread(answerer.answer, WARM_UP_QUESTION)
        return cls(
            kb=answerer.engine.index.kb,
            answer=metrics.timed(answerer.answer),
            answerer=answerer,
            sessionmaker=sessionmaker,
            rate_limiter=rate_limiter,
            settings=settings,
            metrics=metrics,
        )

    @property
    def contacts(self) -> dict[str, Contact]:
        """The office's directory of units as this process last loaded it (empty without one)."""
        return self.answerer.contacts if self.answerer is not None else {}

    @property
    def plan(self) -> KnowledgeBase:
        """The plan in force: the answerer's, which a reload swaps when the office puts a plan in force."""
        return self.answerer.engine.index.kb if self.answerer is not None else self.kb


class CustomContext(CallbackContext[ExtBot[Lane], dict[str, Any], dict[str, Any], dict[str, Any]]):
    """`CallbackContext` with the program's services as typed properties."""

    @property
    def services(self) -> BotServices:
        """The services the composition root stored in `bot_data`."""
        services = self.bot_data.get("services")
        if not isinstance(services, BotServices):
            raise RuntimeError("bot.app.build_application did not install the services")
        return services

    @property
    def kb(self) -> KnowledgeBase:
        """The knowledge base of the plan in force (the engine's: it follows a plan put in force)."""
        return self.services.plan

    @property
    def sessionmaker(self) -> async_sessionmaker[AsyncSession]:
        """Opens one database session per unit of work."""
        return self.services.sessionmaker

    @property
    def delivery(self) -> Delivery:
        """The outbox's worker: wake it after queueing a message."""
        delivery = self.services.delivery
        if delivery is None:
            raise RuntimeError("bot.app.build_application did not install the delivery")
        return delivery


FupinApplication = Application[ExtBot[Lane], CustomContext, dict[str, Any], dict[str, Any], dict[str, Any], Any]
