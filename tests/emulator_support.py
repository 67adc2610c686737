"""Helpers for tests that run a real python-telegram-bot `Application` against the emulator."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from telegram import Update
from telegram.ext import Application, ApplicationBuilder, ContextTypes

from emulator import RunningEmulator


def emulator_builder(emu: RunningEmulator) -> ApplicationBuilder:
    """An `ApplicationBuilder` pointed at the emulator, exactly as sandbox mode points the bot."""
    return ApplicationBuilder().token(emu.token).base_url(emu.api_url).base_file_url(emu.file_url)


class HandlerErrors(list[BaseException]):
    """Exceptions PTB routed to the error handler; a test must not end with any."""

    async def record(self, update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        """PTB error handler: keep the exception for the test to raise."""
        if context.error is not None:
            self.append(context.error)


@asynccontextmanager
async def running_application(
    application: Application[Any, Any, Any, Any, Any, Any], *, polling: bool = True
) -> AsyncIterator[HandlerErrors]:
    """Start `application` (long polling unless `polling=False`) and stop it afterwards.

    Handler exceptions would otherwise only reach PTB's log; they are re-raised here so that a
    broken handler fails the test that exercised it.
    """
    errors = HandlerErrors()
    application.add_error_handler(errors.record)
    async with application:
        await application.start()
        if polling:
            assert application.updater is not None
            await application.updater.start_polling(poll_interval=0, timeout=10, allowed_updates=Update.ALL_TYPES)
        try:
            yield errors
        finally:
            if application.updater is not None and application.updater.running:
                await application.updater.stop()
            await application.stop()
    if errors:
        raise AssertionError(f"handlers raised: {errors!r}") from errors[0]
