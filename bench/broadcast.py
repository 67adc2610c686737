"""Broadcast throughput: 3,000 households through the flood-limited emulator, against the ideal.

The whole program runs as `fupin serve` does in sandbox mode (SQLite file, the emulator mounted in
the app, flood limits on); the office confirms a /broadcast over HTTP and the clock runs until
the delivery report reaches the office. The outbox takes its share of Telegram's ~30 messages a
second (`outbox_rate`, 20 by default: replies to people keep the rest), so 3,000 messages take
150 s at best. Target (issue 6): within 10% of that.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import tempfile
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from sqlalchemy import insert, select

from bot import texts
from bot.http.app import EMULATOR_PREFIX, SANDBOX_API_PREFIX, create_app
from bot.http.server import bound_socket, serving
from emulator import EmulatorClient, EmulatorState
from services import audit
from services.config import Settings
from services.db import create_engine, make_sessionmaker, migrate, session_scope
from services.models import Role, RoleKind, User, utcnow
from services.places import ensure_townships
from services.users import get_or_create_user, grant_role

#: The outbox's share of Telegram's limit, messages per second.
RATE = Settings.model_fields["outbox_rate"].default


async def seed(url: str, world: EmulatorState, households: int) -> int:
    """`households` people who started the bot, and one office user; returns the office's id."""
    await migrate(url)
    engine = create_engine(url)
    sessionmaker = make_sessionmaker(engine)
    people = [world.add_user(f"村民{i:04d}号") for i in range(households)]
    office = world.add_user("王主任")
    now = utcnow()
    async with session_scope(sessionmaker) as session:
        await ensure_townships(session)
        await session.execute(
            insert(User), [{"telegram_user_id": p.id, "display_name": p.first_name, "created_at": now} for p in people]
        )
        ids = {tg: uid for tg, uid in (await session.execute(select(User.telegram_user_id, User.id))).all()}
        await session.execute(
            insert(Role), [{"user_id": ids[p.id], "kind": RoleKind.HOUSEHOLD, "created_at": now} for p in people]
        )
        user = await get_or_create_user(
            session, telegram_user_id=office.id, display_name="王主任", actor=audit.CLI_ACTOR
        )
        await grant_role(session, user=user, kind=RoleKind.OFFICE, actor=audit.CLI_ACTOR)
    await engine.dispose()
    return office.id


@asynccontextmanager
async def sandbox(url: str, world: EmulatorState) -> AsyncIterator[EmulatorClient]:
    """`fupin serve` in sandbox mode on `url`, Telegram played by `world`; yields a client of its emulator.

    Plan reminders are off: a benchmark measures only what it sends.
    """
    sock = bound_socket()
    settings = Settings(database_url=url, host="127.0.0.1", port=sock.getsockname()[1], plan_reminders=False)
    app = create_app(settings, emulator_state=world)
    async with serving(app, sock) as base_url:
        await app.state.bot_runner.ready.wait()
        async with EmulatorClient(base_url + EMULATOR_PREFIX, prefix=SANDBOX_API_PREFIX) as client:
            yield client


async def say(client: EmulatorClient, office: int, text: str) -> str:
    await client.send_text(office, text)
    return (await client.wait_for_bot_message(office, timeout=30))["text"]  # type: ignore[no-any-return]


async def measure(households: int = 3000) -> dict[str, float]:
    """Seconds from 确认发送 to the delivery report, the ideal, their ratio, and Telegram's 429s."""
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite+aiosqlite:///{Path(tmp) / 'bench.db'}"
        world = EmulatorState()
        office = await seed(url, world, households)
        async with sandbox(url, world) as client:
            await say(client, office, "/broadcast")
            await say(client, office, "请于12月5日前核对2018年各项补贴发放信息。")
            await say(client, office, texts.AUDIENCE_BUTTONS["households"])
            await say(client, office, texts.BUTTON_SEND_NOW)
            await client.set_flood(True)
            start = time.perf_counter()
            await say(client, office, texts.BUTTON_CONFIRM_SEND)
            await client.wait_for(
                office,
                lambda m: m["sender"] == "bot" and m["text"].startswith("通知送达情况"),
                timeout=households / RATE * 3,
            )
            elapsed = time.perf_counter() - start
            stats = await client.stats()
    ideal = households / RATE
    return {
        "households": households,
        "elapsed_s": round(elapsed, 1),
        "ideal_s": round(ideal, 1),
        "ratio": round(elapsed / ideal, 3),
        "delivered": stats["delivered"],
        "too_many_requests": stats["too_many_requests"],
    }


def main(households: int = 3000) -> None:
    print("broadcast:", json.dumps(asyncio.run(measure(households))), "(target: ratio ≤ 1.10)")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--households", type=int, default=3000)
    main(parser.parse_args().households)
