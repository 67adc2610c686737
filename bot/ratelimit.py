"""A per-user sliding-window rate limit that keeps one person's flood from starving everyone else."""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass
class RateLimiter:
    """At most `limit` updates per user in any `window` seconds.

    In memory on purpose: a flood is a matter of seconds, and a restart forgiving it is harmless.
    """

    limit: int = 20
    window: float = 30.0
    clock: Callable[[], float] = time.monotonic
    _seen: dict[int, deque[float]] = field(default_factory=dict)
    _warned: dict[int, float] = field(default_factory=dict)

    def hit(self, user_id: int) -> float:
        """Count one update of `user_id`; 0 when allowed, else seconds until the next is allowed."""
        now = self.clock()
        stamps = self._seen.setdefault(user_id, deque())
        while stamps and now - stamps[0] >= self.window:
            stamps.popleft()
        if len(stamps) >= self.limit:
            return max(self.window - (now - stamps[0]), 0.1)
        stamps.append(now)
        return 0.0

    def should_warn(self, user_id: int) -> bool:
        """True once per window for a limited user, so the warning itself is not a flood."""
        now = self.clock()
        last = self._warned.get(user_id)
        if last is not None and now - last < self.window:
            return False
        self._warned[user_id] = now
        return True
