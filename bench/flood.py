"""Under Telegram's flood limits: 600 people pressing /start at once, and people asking during a broadcast.

The whole program runs as `fupin serve` does in sandbox mode (SQLite file, the emulator mounted
in the app, flood limits on from the start).

1. 600 /start at once: how many are welcomed and how long the last one waits. Telegram's ~30
   messages a second make 600 replies take 20 s at best; every one must arrive.
2. The office's notice to 600 households, and 20 other people asking a question each while it
   goes out: how long they wait for their answers (replies go ahead of the outbox), and how long
   the broadcast takes with them.
"""

from __future__ import annotations

import asyncio
import json
import statistics
import tempfile
import time
from pathlib import Path

from bench.broadcast import sandbox, seed
from bench.throughput import ask
from bot import texts
from emulator import EmulatorState, FloodControl

PEOPLE = 600
ASKERS = 20
QUESTION = "娃上初中一年补多少钱"
#: Seconds anyone waits before their reply counts as missing.
PATIENCE = 120.0


def apologies(world: EmulatorState, chat_ids: list[int]) -> int:
    """How many of the bot's messages into these chats are the apology for a failed handler."""
    bot = world.resolve_bot()
    return sum(
        1
        for chat_id in chat_ids
        for record in world.conversation(bot, chat_id).messages.values()
        if record.sender == "bot" and record.message.get("text") == texts.ERROR
    )


async def starts(people: int = PEOPLE) -> dict[str, float]:
    """`people` new users press /start in the same instant."""
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite+aiosqlite:///{Path(tmp) / 'bench.db'}"
        world = EmulatorState(flood=FloodControl(enabled=True))
        async with sandbox(url, world) as client:
            bot = world.resolve_bot()
            users = [world.add_user(f"新户{i:03d}") for i in range(people)]
            waits = await asyncio.gather(*(ask(world, bot, u.id, "/start", patience=PATIENCE) for u in users))
            stats = await client.stats()
            failed = apologies(world, [u.id for u in users])
    answered = [w for w in waits if w is not None]
    return {
        "people": people,
        "answered": len(answered),
        "apologies": failed,
        "last_answer_s": round(max(answered), 1) if answered else float("nan"),
        "median_s": round(statistics.median(answered), 1) if answered else float("nan"),
        "too_many_requests": stats["too_many_requests"],
    }


async def asking_during_broadcast(households: int = PEOPLE, askers: int = ASKERS) -> dict[str, float]:
    """A notice to `households`; `askers` others ask a question each just after 确认发送."""
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite+aiosqlite:///{Path(tmp) / 'bench.db'}"
        world = EmulatorState(flood=FloodControl(enabled=True))
        office = await seed(url, world, households)
        async with sandbox(url, world) as client:
            bot = world.resolve_bot()
            people = [world.add_user(f"提问人{i:02d}") for i in range(askers)]
            for step in (
                "/broadcast",
                "请于12月5日前核对2018年各项补贴发放信息。",
                texts.AUDIENCE_BUTTONS["households"],
                texts.BUTTON_SEND_NOW,
            ):
                await client.send_text(office, step)
                await client.wait_for_bot_message(office, timeout=PATIENCE)
            start = time.perf_counter()
            await client.send_text(office, texts.BUTTON_CONFIRM_SEND)
            await asyncio.sleep(1.0)  # the broadcast is under way
            waits = await asyncio.gather(*(ask(world, bot, p.id, QUESTION, patience=PATIENCE) for p in people))
            await client.wait_for(
                office,
                lambda m: m["sender"] == "bot" and (m["text"] or "").startswith("通知送达情况"),
                timeout=PATIENCE + households / 10,
            )
            broadcast_s = time.perf_counter() - start
            failed = apologies(world, [p.id for p in people])
    answered = sorted(w for w in waits if w is not None)
    return {
        "households": households,
        "askers": askers,
        "answered": len(answered),
        "apologies": failed,
        "median_answer_s": round(statistics.median(answered), 2) if answered else float("nan"),
        "slowest_answer_s": round(answered[-1], 2) if answered else float("nan"),
        "broadcast_s": round(broadcast_s, 1),
    }


def main() -> None:
    print("flood 600 /start:", json.dumps(asyncio.run(starts())), "(target: all answered, no apologies)")
    print(
        "flood asking during a broadcast:",
        json.dumps(asyncio.run(asking_during_broadcast())),
        "(target: all answered within seconds)",
    )


if __name__ == "__main__":
    main()
