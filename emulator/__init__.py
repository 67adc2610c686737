"""A local Telegram Bot API emulator: the sandbox the bot runs against when it has no token.

An unmodified python-telegram-bot `Application` talks to it over HTTP (polling or webhook);
a chat page and end-to-end tests play users through its sandbox API.
"""

from emulator.app import (
    create_bot_api_router,
    create_emulator_app,
    create_emulator_router,
    create_sandbox_router,
)
from emulator.client import EmulatorClient, EmulatorClientError
from emulator.errors import ApiError
from emulator.flood import FloodControl, FloodLimits
from emulator.server import DEFAULT_TOKEN, RunningEmulator, running_emulator, serve_app
from emulator.state import EmulatorState
from emulator.webhook import WebhookSender

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
