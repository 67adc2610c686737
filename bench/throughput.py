"""Answers a second: the real bot against a bare PTB echo bot on the same emulator, in the same run.

Both run against the emulator with Telegram's flood limits on, once with an instant Bot API and
once with a 150 ms round trip per request (Telegram's servers are far from a county office).
Load: 20 people ask at once, every second (one message a second into each chat, what Telegram
allows), for a few rounds. Each bot's figure is answers delivered per second from the first
question to the last answer, and the median time from a question to its answer.

The echo bot is PTB as its documentation starts one: the default `ApplicationBuilder`, a handler
replying with the text it got. The real bot answers from the plan (search, database, a
persistence write per update), so it has more to do per answer; concurrency across people must
make up for it. Targets (issue 10): ratio ≥ 0.7 of the echo bot; with the 150 ms round trip,
median answer ≤ 0.5 s.
"""

from __future__ import annotations

import asyncio
import json
import statistics
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

from telegram import Update
from telegram.ext import ApplicationBuilder, ContextTypes, MessageHandler, filters

from bot.http.app import create_app
from bot.http.server import bound_socket, serving
from emulator import EmulatorState, FloodControl, running_emulator
from emulator.models import BotAccount
from services.config import Settings

#: People asking at once, and how many times each (one round a second).
ASKERS = 20
ROUNDS = 5
QUESTION = "娃上初中一年补多少钱"
#: Seconds an answer may take before it counts as missing.
PATIENCE = 30.0


def _bot_messages(state: EmulatorState, bot: BotAccount, chat_id: int) -> int:
    """How many messages the bot has sent into the chat."""
    conv = state.conversation(bot, chat_id)
    return sum(1 for r in conv.messages.values() if r.sender == "bot")


async def ask(state: EmulatorState, bot: BotAccount, chat_id: int, text: str, *, patience: float) -> float | None:
    """The person writes `text`; seconds until the bot's next message in the chat (None: none came)."""
    loop = asyncio.get_running_loop()
    before = _bot_messages(state, bot, chat_id)
    asked = loop.time()
    state.user_send(bot, chat_id, text=text)
    deadline = asked + patience
    while _bot_messages(state, bot, chat_id) <= before:
        if loop.time() >= deadline:
            return None
        await state.changed.wait(deadline - loop.time())
    return loop.time() - asked


async def _load(state: EmulatorState, bot: BotAccount) -> dict[str, float]:
    """ASKERS people ask ROUNDS times, a round a second; answers/s and the median latency."""
    people = [state.add_user(f"提问人{i:02d}") for i in range(ASKERS)]
    latencies: list[float] = []
    loop = asyncio.get_running_loop()

    async def one(chat_id: int) -> None:
        took = await ask(state, bot, chat_id, QUESTION, patience=PATIENCE)
        if took is not None:
            latencies.append(took)

    start = loop.time()
    rounds = []
    for n in range(ROUNDS):
        await asyncio.sleep(max(0.0, start + n * 1.0 - loop.time()))
        rounds.append(asyncio.gather(*(one(p.id) for p in people)))
    await asyncio.gather(*rounds)
    elapsed = loop.time() - start
    return {
        "answered": len(latencies),
        "asked": ASKERS * ROUNDS,
        "answers_per_s": round(len(latencies) / elapsed, 2),
        "median_s": round(statistics.median(latencies), 3) if latencies else float("nan"),
    }


async def _echo(round_trip: float) -> dict[str, float]:
    async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.effective_message is not None
        await update.effective_message.reply_text(update.effective_message.text or "")

    async with running_emulator(flood=True, round_trip=round_trip) as emu:
        application = ApplicationBuilder().token(emu.token).base_url(emu.api_url).build()
        application.add_handler(MessageHandler(filters.TEXT, echo))
        async with application:
            await application.start()
            assert application.updater is not None
            await application.updater.start_polling(poll_interval=0, timeout=10)
            try:
                return await _load(emu.state, emu.bot)
            finally:
                await application.updater.stop()
                await application.stop()


async def _fupin(round_trip: float) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite+aiosqlite:///{Path(tmp) / 'bench.db'}"
        world = EmulatorState(flood=FloodControl(enabled=True), round_trip=round_trip)
        sock = bound_socket()
        settings = Settings(database_url=url, host="127.0.0.1", port=sock.getsockname()[1], plan_reminders=False)
        app = create_app(settings, emulator_state=world)
        async with serving(app, sock):
            await app.state.bot_runner.ready.wait()
            return await _load(world, world.resolve_bot())


async def measure() -> dict[str, dict[str, float]]:
    """Both bots, without and with the 150 ms round trip."""
    figures: dict[str, dict[str, float]] = {}
    runs: list[tuple[str, Callable[[float], Awaitable[dict[str, float]]], float]] = [
        ("echo", _echo, 0.0),
        ("fupin", _fupin, 0.0),
        ("echo_150ms", _echo, 0.15),
        ("fupin_150ms", _fupin, 0.15),
    ]
    for name, run, round_trip in runs:
        figures[name] = await run(round_trip)
    for suffix in ("", "_150ms"):
        figures["fupin" + suffix]["ratio_to_echo"] = round(
            figures["fupin" + suffix]["answers_per_s"] / figures["echo" + suffix]["answers_per_s"], 2
        )
    return figures


def main() -> None:
    began = time.perf_counter()
    figures = asyncio.run(measure())
    for name, values in figures.items():
        print(f"throughput {name}:", json.dumps(values))
    print(
        f"throughput: {time.perf_counter() - began:.0f} s in all "
        "(targets: ratio_to_echo ≥ 0.7; fupin_150ms median_s ≤ 0.5)"
    )


if __name__ == "__main__":
    main()
