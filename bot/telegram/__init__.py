"""Telegram handlers of the households' face; conversations live in `bot.conversations`."""
