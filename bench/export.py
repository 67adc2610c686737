"""Replies during a big export: households' question latency while 100,000 households download as .xlsx.

The whole program runs as `fupin serve` does in sandbox mode (a SQLite file by default, or the
PostgreSQL given with `--database-url`); 100,000 households are bulk-inserted. A separate process
downloads `GET /api/exports/households?format=xlsx` (so the download's own reading shares neither
the server's event loop nor its interpreter lock) while 10 households keep asking questions
through the emulator, each asking again 2 s after its answer (within the bot's per-user limit),
until the download ends: a load the bot answers well within a second when nothing else runs, so
what the figures show is the export's effect (the bot's own throughput has benchmarks of its own).

Printed: question latency without an export (for reference) and during it (p50, p95, max), the
export's duration and size, and the server process's peak memory during the export above what it
held before.

Target (issue 10): question latency p95 ≤ 1 s during the export.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import sys
import time
from pathlib import Path

from sqlalchemy import insert, select

from bench.dashboard import _summary, _tcp_socket, scratch_database
from bench.seeding import add_villages
from bot.http.app import EMULATOR_PREFIX, SANDBOX_API_PREFIX, create_app
from bot.http.server import serving
from emulator import EmulatorClient, EmulatorState
from services.config import Settings
from services.db import create_engine, make_sessionmaker, migrate, session_scope
from services.models import Household, HouseholdStatus, Role, RoleKind, User, utcnow

ADMIN_TOKEN = "bench-admin-token"
HOUSEHOLDS = 100_000
ASKERS = 10
#: Seconds a household waits after an answer before asking again.
PAUSE = 2.0
#: Rows per INSERT statement while seeding.
SEED_BATCH = 10_000
QUESTIONS = Path(__file__).resolve().parent.parent / "tests" / "data" / "qa-own.jsonl"


async def seed(url: str, world: EmulatorState, *, households: int, askers: int) -> list[int]:
    """Villages, `households` households on the roster, and `askers` household users; returns their ids."""
    await migrate(url)
    engine = create_engine(url)
    sessionmaker = make_sessionmaker(engine)
    people = [world.add_user(f"村民{i:02d}号") for i in range(askers)]
    now = utcnow()
    causes = ["因病", "因残", "因学", "缺技术", "缺劳力", None]
    statuses = list(HouseholdStatus)
    async with session_scope(sessionmaker) as session:
        village_ids = await add_villages(session)
        for start in range(0, households, SEED_BATCH):
            await session.execute(
                insert(Household),
                [
                    {
                        "id_number": f"2104{n:014d}",
                        # Some names start with a formula character, as a hostile roster would carry.
                        "head_name": f'=HYPERLINK("x","{n}")' if n % 1000 == 0 else f"张{n % 97}明",
                        "village_id": village_ids[n % len(village_ids)],
                        "members": 1 + n % 6,
                        "cause": causes[n % len(causes)],
                        "status": statuses[n % len(statuses)],
                        "created_at": now,
                        "updated_at": now,
                    }
                    for n in range(start, min(start + SEED_BATCH, households))
                ],
            )
        await session.execute(
            insert(User), [{"telegram_user_id": p.id, "display_name": p.first_name, "created_at": now} for p in people]
        )
        ids = {tg: uid for tg, uid in (await session.execute(select(User.telegram_user_id, User.id))).all()}
        await session.execute(
            insert(Role), [{"user_id": ids[p.id], "kind": RoleKind.HOUSEHOLD, "created_at": now} for p in people]
        )
    await engine.dispose()
    return [p.id for p in people]


#: The download, in a process of its own (stdlib only); prints status, seconds and bytes.
_DOWNLOAD = """
import http.client, json, sys, time
host, port, token = sys.argv[1], int(sys.argv[2]), sys.argv[3]
connection = http.client.HTTPConnection(host, port, timeout=600)
start = time.perf_counter()
connection.request("GET", "/api/exports/households?format=xlsx", headers={"Authorization": "Bearer " + token})
response = connection.getresponse()
size = 0
while chunk := response.read(1 << 16):
    size += len(chunk)
print(json.dumps({"status": response.status, "seconds": time.perf_counter() - start, "bytes": size}))
"""


def _questions() -> list[str]:
    with open(QUESTIONS, encoding="utf-8") as f:
        return [json.loads(line)["q"] for line in f if line.strip()]


async def _ask_until(client: EmulatorClient, user: int, questions: list[str], done: asyncio.Event) -> list[float]:
    """One household asking question after question until `done`; each question's latency in ms.

    A question is due `PAUSE` after the previous answer and timed from then: this client shares
    the server's event loop, so a blocked loop delays the asking as much as the answering, and a
    clock started only when the client gets to send would hide the block.
    """
    samples = []
    n = user
    due = time.perf_counter()
    while not done.is_set():
        n += 1
        await client.send_text(user, questions[n % len(questions)])
        await client.wait_for_bot_message(user, timeout=120)
        answered = time.perf_counter()
        samples.append((answered - due) * 1000)
        due = answered + PAUSE
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(done.wait(), PAUSE)
    return samples


class _PeakMemory:
    """The process's peak resident memory (VmHWM) since `reset`, from /proc (Linux)."""

    @staticmethod
    def _status(field: str) -> int:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1]) * 1024
        raise RuntimeError(f"{field} missing from /proc/self/status")

    def reset(self) -> int:
        """Start a new peak; returns the resident memory now."""
        Path("/proc/self/clear_refs").write_text("5")  # 5: reset the peak RSS to the current RSS
        return self._status("VmRSS")

    def peak(self) -> int:
        return self._status("VmHWM")


async def _round(client: EmulatorClient, askers: list[int], questions: list[str], seconds: float) -> list[float]:
    """Question latencies with nothing else going on, for `seconds`."""
    done = asyncio.Event()
    tasks = [asyncio.create_task(_ask_until(client, u, questions, done)) for u in askers]
    await asyncio.sleep(seconds)
    done.set()
    return [s for samples in await asyncio.gather(*tasks) for s in samples]


async def run(database_url: str | None, households: int, askers: int) -> dict[str, object]:
    """Seed, serve, measure; returns the figures."""
    questions = _questions()
    async with scratch_database(database_url) as url:
        world = EmulatorState()
        start = time.perf_counter()
        users = await seed(url, world, households=households, askers=askers)
        seeded_s = time.perf_counter() - start
        sock = _tcp_socket()
        host, port = sock.getsockname()[:2]
        settings = Settings(database_url=url, host=host, port=port, admin_token=ADMIN_TOKEN, plan_reminders=False)
        app = create_app(settings, emulator_state=world)
        memory = _PeakMemory()
        async with serving(app, sock) as base_url:
            await app.state.bot_runner.ready.wait()
            async with EmulatorClient(base_url + EMULATOR_PREFIX, prefix=SANDBOX_API_PREFIX, timeout=120) as client:
                quiet = await _round(client, users, questions, 5)
                rss_before = memory.reset()
                done = asyncio.Event()
                asking = [asyncio.create_task(_ask_until(client, u, questions, done)) for u in users]
                download = await asyncio.create_subprocess_exec(
                    sys.executable, "-c", _DOWNLOAD, host, str(port), ADMIN_TOKEN, stdout=asyncio.subprocess.PIPE
                )
                out, _ = await download.communicate()
                done.set()
                during = [s for samples in await asyncio.gather(*asking) for s in samples]
                peak = memory.peak()
    exported = json.loads(out)
    if exported["status"] != 200:
        raise RuntimeError(f"the export failed with HTTP {exported['status']}")
    return {
        "backend": url.split(":", 1)[0],
        "households": households,
        "seed_s": round(seeded_s, 1),
        "questions_quiet": _summary(quiet),
        "questions_during_export": _summary(during),
        "export_s": round(exported["seconds"], 1),
        "export_mb": round(exported["bytes"] / 2**20, 1),
        "export_peak_memory_mb": round((peak - rss_before) / 2**20, 1),
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--database-url", help="default: a fresh SQLite file; PostgreSQL: a scratch database is made beside this one"
    )
    parser.add_argument("--households", type=int, default=HOUSEHOLDS)
    parser.add_argument("--askers", type=int, default=ASKERS)
    args = parser.parse_args(argv)
    figures = asyncio.run(run(args.database_url, args.households, args.askers))
    print("export of the household roster:", json.dumps(figures, ensure_ascii=False), "(target: p95 ≤ 1000 ms)")


if __name__ == "__main__":
    main()
