"""Telegram's flood limits as sliding windows, with an injectable clock for tests.

Telegram does not publish exact rules; its FAQ gives the figures used here as defaults: about
30 messages per second across chats, about 1 per second in one chat, 20 per minute in one
group. In one private chat the FAQ adds that short bursts over the limit are tolerated before
429s begin; the default models that as a bucket of 10 messages refilled at 1 a second: a reply
and its follow-ups (an answer, the next question, the menu) go at once, while a steady stream is
held to 1 a second. Off by default here so that the sandbox chat page never sees a 429;
end-to-end tests switch it on (`tests/bot_support.running_sandbox` does by default) to prove
the bot paces itself and honours `retry_after`.
"""

from __future__ import annotations

import math
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field

Clock = Callable[[], float]


@dataclass(frozen=True)
class FloodLimits:
    """How many messages fit in which window (count, seconds)."""

    #: messages one bot may send across all chats per window
    global_count: int = 30
    global_window: float = 1.0
    #: messages one bot may send into one private chat at once, and per second after that
    private_burst: int = 10
    private_per_second: float = 1.0
    #: messages one bot may send into one group per window
    group_count: int = 20
    group_window: float = 60.0


@dataclass
class FloodControl:
    """Decides whether a send may happen now, and if not, how long to wait.

    A rejected send consumes no slot, as with Telegram: the caller retries after
    `retry_after` seconds and then succeeds.
    """

    enabled: bool = False
    limits: FloodLimits = field(default_factory=FloodLimits)
    clock: Clock = time.monotonic
    _sent: dict[tuple[int, int | None], deque[float]] = field(default_factory=dict)
    #: Private chats' buckets, each as the time it is empty again (one message's worth per interval).
    _full_until: dict[tuple[int, int], float] = field(default_factory=dict)

    def check(self, bot_id: int, chat_id: int, *, is_group: bool) -> int | None:
        """Return None if a message may be sent now, else the whole seconds to wait."""
        if not self.enabled:
            return None
        now = self.clock()
        waits = [self._wait(self._window(bot_id, None), now, self.limits.global_count, self.limits.global_window)]
        if is_group:
            waits.append(
                self._wait(self._window(bot_id, chat_id), now, self.limits.group_count, self.limits.group_window)
            )
        else:
            interval = 1 / self.limits.private_per_second
            tolerance = (self.limits.private_burst - 1) * interval
            waits.append(self._full_until.get((bot_id, chat_id), now) - now - tolerance)
        longest = max(waits)
        if longest <= 0:
            return None
        # Telegram answers whole seconds, never 0.
        return max(1, math.ceil(longest))

    def record(self, bot_id: int, chat_id: int, *, is_group: bool) -> None:
        """Count one delivered message (call only after `check` allowed it)."""
        if not self.enabled:
            return
        now = self.clock()
        self._window(bot_id, None).append(now)
        if is_group:
            self._window(bot_id, chat_id).append(now)
        else:
            key = (bot_id, chat_id)
            self._full_until[key] = max(self._full_until.get(key, now), now) + 1 / self.limits.private_per_second

    def _window(self, bot_id: int, chat_id: int | None) -> deque[float]:
        return self._sent.setdefault((bot_id, chat_id), deque())

    @staticmethod
    def _wait(sent: deque[float], now: float, count: int, window: float) -> float:
        while sent and sent[0] <= now - window:
            sent.popleft()
        if len(sent) < count:
            return 0.0
        return sent[len(sent) - count] + window - now
