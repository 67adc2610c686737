"""The faces of fupin: the Telegram bot, the HTTP app and the `fupin` command."""

import os

# PTB 22 warns, on every 429, that `RetryAfter.retry_after` becomes a `datetime.timedelta` in PTB 23,
# and takes PTB 23's behaviour when this variable is set (it reads it at each use). The bot reads both
# kinds (`bot.telegram.sending`, `bot.telegram.delivery`), so it opts in rather than warn.
os.environ.setdefault("PTB_TIMEDELTA", "true")
