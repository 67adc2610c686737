"""Bot API errors in Telegram's own words, raised by the emulator's state and methods."""

from __future__ import annotations

from typing import Any


class ApiError(Exception):
    """A failed Bot API call: HTTP status plus Telegram's JSON error body.

    The state layer raises these directly so that every face (Bot API, sandbox client API,
    direct test use) reports the same description Telegram would.
    """

    def __init__(self, status: int, description: str, *, retry_after: int | None = None) -> None:
        super().__init__(description)
        self.status = status
        self.description = description
        self.retry_after = retry_after

    def payload(self) -> dict[str, Any]:
        """Telegram's error body, e.g. `{"ok": false, "error_code": 429, ...}`."""
        body: dict[str, Any] = {"ok": False, "error_code": self.status, "description": self.description}
        if self.retry_after is not None:
            body["parameters"] = {"retry_after": self.retry_after}
        return body


def bad_request(reason: str) -> ApiError:
    """A 400 whose description starts with "Bad Request: ", as Telegram words them."""
    return ApiError(400, f"Bad Request: {reason}")


def forbidden(reason: str) -> ApiError:
    """A 403 whose description starts with "Forbidden: "."""
    return ApiError(403, f"Forbidden: {reason}")


def conflict(reason: str) -> ApiError:
    """A 409 whose description starts with "Conflict: "."""
    return ApiError(409, f"Conflict: {reason}")


def too_many_requests(retry_after: int) -> ApiError:
    """A 429 carrying `parameters.retry_after`, which PTB turns into `RetryAfter`."""
    return ApiError(429, f"Too Many Requests: retry after {retry_after}", retry_after=retry_after)


METHOD_NOT_FOUND = ApiError(404, "Not Found: method not found")
UNAUTHORIZED = ApiError(401, "Unauthorized")
NOT_FOUND = ApiError(404, "Not Found")
