"""A local Telegram Bot API emulator: the sandbox the bot runs against when it has no token.

An unmodified python-telegram-bot `Application` talks to it over HTTP (polling or webhook);
a chat page and end-to-end tests play users through its sandbox API.
"""

from bot.emulator.app import (
    create_bot_api_router,
    create_emulator_app,
    create_emulator_router,
    create_sandbox_router,
)
from bot.emulator.client import EmulatorClient, EmulatorClientError
from bot.emulator.errors import ApiError
from bot.emulator.flood import FloodControl, FloodLimits
from bot.emulator.server import DEFAULT_TOKEN, RunningEmulator, running_emulator, serve_app
from bot.emulator.state import EmulatorState
from bot.emulator.webhook import WebhookSender

__all__ = [
    "DEFAULT_TOKEN",
    "ApiError",
    "EmulatorClient",
    "EmulatorClientError",
    "EmulatorState",
    "FloodControl",
    "FloodLimits",
    "RunningEmulator",
    "WebhookSender",
    "create_bot_api_router",
    "create_emulator_app",
    "create_emulator_router",
    "create_sandbox_router",
    "running_emulator",
    "serve_app",
]
