"""Webhook delivery: POST each pending update to the bot's URL until it answers 2xx.

Like Telegram, delivery is in order, one update at a time, and a failed delivery is retried
(with growing delay) rather than dropped, so a bot must tolerate receiving an update twice.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import time

import httpx

from emulator.models import JSON, BotAccount, WebhookConfig
from emulator.state import EmulatorState


class WebhookSender:
    """One delivery task per bot with a webhook; started and stopped by set/deleteWebhook."""

    def __init__(
        self,
        state: EmulatorState,
        *,
        retry_delay: float = 1.0,
        max_retry_delay: float = 60.0,
        request_timeout: float = 10.0,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        """Args:
        retry_delay: first wait after a failed delivery; doubles up to `max_retry_delay`.
        transport: httpx transport, for tests that deliver in-process.
        """
        self.state = state
        self.retry_delay = retry_delay
        self.max_retry_delay = max_retry_delay
        self.request_timeout = request_timeout
        self.transport = transport
        self._tasks: dict[int, asyncio.Task[None]] = {}

    def reconfigure(self, bot: BotAccount) -> None:
        """Stop the bot's current delivery and start a new one if a webhook is set."""
        task = self._tasks.pop(bot.id, None)
        if task is not None:
            task.cancel()
        if bot.webhook is not None:
            self._tasks[bot.id] = asyncio.get_running_loop().create_task(
                self._deliver(bot, bot.webhook), name=f"emulator-webhook-{bot.id}"
            )

    async def aclose(self) -> None:
        """Cancel all deliveries (the server is shutting down)."""
        tasks, self._tasks = list(self._tasks.values()), {}
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def _deliver(self, bot: BotAccount, hook: WebhookConfig) -> None:
        delay = self.retry_delay
        # trust_env=False: a proxy from the environment must never see sandbox traffic.
        async with httpx.AsyncClient(trust_env=False, timeout=self.request_timeout, transport=self.transport) as client:
            while bot.webhook is hook and not self.state.closed:
                pending = self.state.take_updates(bot, offset=None, limit=1)
                if not pending:
                    await bot.updates_changed.wait(1.0)
                    continue
                update = pending[0]
                error = await self._post(client, hook, update)
                if error is None:
                    self.state.confirm_update(bot, update["update_id"])
                    delay = self.retry_delay
                    continue
                hook.last_error_date, hook.last_error_message = int(time.time()), error
                await asyncio.sleep(delay)
                delay = min(delay * 2, self.max_retry_delay)

    @staticmethod
    async def _post(client: httpx.AsyncClient, hook: WebhookConfig, update: JSON) -> str | None:
        """Send one update; None on success, else the error getWebhookInfo reports."""
        headers = {"Content-Type": "application/json"}
        if hook.secret_token:
            headers["X-Telegram-Bot-Api-Secret-Token"] = hook.secret_token
        body = json.dumps(update, ensure_ascii=False).encode()
        try:
            response = await client.post(hook.url, content=body, headers=headers)
        except httpx.HTTPError as exc:
            return f"Connection failed: {exc.__class__.__name__}"
        if 200 <= response.status_code < 300:
            return None
        return f"Wrong response from the webhook: {response.status_code} {response.reason_phrase}"
