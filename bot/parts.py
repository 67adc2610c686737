"""The parts one `fupin serve` process runs: all three by default, or some (`--only`).

- web: the admin API, the dashboard and its pages (in sandbox mode also the emulator and the chat page).
- bot: the Telegram `Application` taking updates (long polling, or the webhook endpoint, which is
  therefore the bot's and not the web's), and the only writer of conversation state.
- delivery: the outbox worker, the broadcast clock, deadline and overdue reminders.

Every process serves `/healthz`, `/readyz` and `/metrics`. Which combinations work:
- with a token, any: one bot process (Telegram gives updates to one poller, and persistence has
  one writer), as many web and delivery processes as wanted (delivery on PostgreSQL; claims skip
  each other's rows).
- in sandbox mode the emulator is memory of the web part of this very process: the bot and the
  delivery can reach it only there, so they run with web and each other, or web runs alone.
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum

from bot.commands import texts


class Part(StrEnum):
    """One part of the program."""

    WEB = "web"
    BOT = "bot"
    DELIVERY = "delivery"


#: What `fupin serve` runs without `--only`.
ALL_PARTS: frozenset[Part] = frozenset(Part)
#: What a sandbox process may run: everything, or the pages alone.
SANDBOX_PARTS: tuple[frozenset[Part], ...] = (ALL_PARTS, frozenset({Part.WEB}))


def parse_parts(values: Iterable[str]) -> frozenset[Part]:
    """The parts `--only` names, each option one name or several separated by commas; none: all.

    Raises:
        ValueError: a name that is not a part (the message says which are).
    """
    names = [name.strip().lower() for value in values for name in value.split(",")]
    names = [name for name in names if name]
    if not names:
        return ALL_PARTS
    known = {part.value: part for part in Part}
    unknown = [name for name in names if name not in known]
    if unknown:
        raise ValueError(texts.SERVE_UNKNOWN_PART.format(name="、".join(unknown)))
    return frozenset(known[name] for name in names)


def check_parts(parts: frozenset[Part], *, sandbox: bool) -> None:
    """Refuse a combination that cannot work (see the module docstring).

    Raises:
        ValueError: no part at all, or a sandbox bot or delivery apart from the web part.
    """
    if not parts:
        raise ValueError(texts.SERVE_NO_PART)
    if sandbox and parts not in SANDBOX_PARTS:
        raise ValueError(texts.SERVE_SANDBOX_PARTS.format(parts=",".join(sorted(parts))))
