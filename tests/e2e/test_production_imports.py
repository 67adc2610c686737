"""A bot with a token never loads the Bot API emulator: only the sandbox and the tests do.

Each case runs `fupin serve` in a fresh interpreter, as far as uvicorn (the migration, the settings
checks, the app with all its parts built), then lists the `emulator` modules it has imported.
Nothing leaves the machine: the database is a SQLite file and nothing is served.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

#: `fupin serve` with uvicorn left out; prints the emulator's modules the process has imported.
PROBE = """
import sys

import bot.http.server
from bot.cli import main

built = []
bot.http.server.run = lambda app, *, host, port: built.append(app)
status = main(["serve"])
assert status == 0 and built, f"fupin serve did not build its app (exit status {status})"
print(" ".join(sorted(name for name in sys.modules if name.partition(".")[0] == "emulator")))
"""

#: Production's settings; a fake token, as nothing reaches Telegram.
PRODUCTION = {
    "FUPIN_ENVIRONMENT": "production",
    "FUPIN_TELEGRAM_TOKEN": "123456789:fake-token-for-an-import-check",
    "FUPIN_ADMIN_TOKEN": "admin-token-for-an-import-check",
}
WEBHOOK = {
    **PRODUCTION,
    "FUPIN_WEBHOOK_URL": "https://fupin.example.org/telegram/webhook",
    "FUPIN_WEBHOOK_SECRET": "webhook-secret-for-an-import-check",
}


def emulator_modules_of_serve(tmp_path: Path, settings: dict[str, str]) -> list[str]:
    """The `emulator` modules `fupin serve` imports with `settings` (FUPIN_* variables)."""
    env = {name: value for name, value in os.environ.items() if not name.startswith("FUPIN_")}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    env["FUPIN_DATABASE_URL"] = f"sqlite+aiosqlite:///{tmp_path / 'fupin.db'}"
    env.update(settings)
    result = subprocess.run(
        [sys.executable, "-c", PROBE], env=env, cwd=tmp_path, capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        pytest.fail(f"the probe failed:\n{result.stderr}", pytrace=False)
    return result.stdout.split()


@pytest.mark.parametrize("settings", [pytest.param(PRODUCTION, id="polling"), pytest.param(WEBHOOK, id="webhook")])
def test_a_bot_with_a_token_never_imports_the_emulator(tmp_path: Path, settings: dict[str, str]) -> None:
    assert emulator_modules_of_serve(tmp_path, settings) == []


def test_the_sandbox_imports_the_emulator(tmp_path: Path) -> None:
    """The probe sees the emulator where it is used, so an empty list above means something."""
    assert "emulator" in emulator_modules_of_serve(tmp_path, {})
