"""The deployment kit as shipped: `.env.example` shows every setting with its real default, and the
systemd units and the nginx example pass their own tools' checks (skipped where the tool is missing)."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from services.config import Settings
from tests.outside import unavailable

ROOT = Path(__file__).resolve().parents[2]
ENV_EXAMPLE = ROOT / ".env.example"
NGINX_SITE = ROOT / "deploy" / "nginx-fupin.conf"

#: A setting's line in `.env.example`: `# FUPIN_NAME=value` (commented out) or `FUPIN_NAME=value`.
SETTING_LINE = re.compile(r"^(?:# )?FUPIN_([A-Z0-9_]+)=(.*)$")
#: Where the nginx example expects its certificate; the test puts a self-signed one elsewhere.
CERTIFICATE_DIR = "/etc/letsencrypt/live/fupin.example.org/"
#: Where systemd keeps the units every system has (sysinit.target…), which `verify` resolves.
SYSTEM_UNIT_DIRS = (Path("/usr/lib/systemd/system"), Path("/lib/systemd/system"))


def shown_settings() -> dict[str, list[str]]:
    """Each setting `.env.example` shows (lower-case field name) with the value(s) it shows."""
    shown: dict[str, list[str]] = {}
    for line in ENV_EXAMPLE.read_text(encoding="utf-8").splitlines():
        if match := SETTING_LINE.match(line):
            shown.setdefault(match[1].lower(), []).append(match[2])
    return shown


SHOWN = shown_settings()
#: Settings with a fixed default (not None, not computed for this machine as the database's is).
WITH_DEFAULT = [
    name for name, field in Settings.model_fields.items() if field.default_factory is None and field.default is not None
]


@pytest.fixture(autouse=True)
def no_settings_in_the_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Settings read here come from the file under test only (nor from a `.env` in the folder)."""
    for name in Settings.model_fields:
        monkeypatch.delenv(f"FUPIN_{name.upper()}", raising=False)
    monkeypatch.chdir(tmp_path)


def read_settings(tmp_path: Path, lines: list[str]) -> Settings:
    env_file = tmp_path / "fupin.env"
    env_file.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return Settings(_env_file=env_file)  # type: ignore[call-arg]


def test_the_example_shows_every_setting() -> None:
    assert sorted(set(Settings.model_fields) - set(SHOWN)) == []


def test_the_example_shows_no_setting_the_program_lacks() -> None:
    assert sorted(set(SHOWN) - set(Settings.model_fields)) == []


def test_the_example_shows_each_setting_once() -> None:
    assert [name for name, values in SHOWN.items() if len(values) > 1] == []


@pytest.mark.parametrize("name", WITH_DEFAULT)
def test_the_value_shown_is_the_default(name: str, tmp_path: Path) -> None:
    settings = read_settings(tmp_path, [f"FUPIN_{name.upper()}={SHOWN[name][0]}"])
    assert getattr(settings, name) == Settings.model_fields[name].default


def test_every_value_shown_is_accepted_together(tmp_path: Path) -> None:
    settings = read_settings(tmp_path, [f"FUPIN_{name.upper()}={values[0]}" for name, values in SHOWN.items()])
    assert settings.model_fields_set == set(Settings.model_fields)


def test_the_example_as_shipped_changes_nothing() -> None:
    assert Settings(_env_file=ENV_EXAMPLE) == Settings(_env_file=None)  # type: ignore[call-arg]


#: The units deploy/ ships: the service, and the nightly backup with its timer.
UNITS = sorted(p.name for p in (ROOT / "deploy").iterdir() if p.suffix in {".service", ".timer"})
#: A unit line naming a program or file the unit needs: ExecStart=, ExecStartPost=, EnvironmentFile=.
NEEDED_PATH = re.compile(r"^(Exec\w+|EnvironmentFile)=[-@:+!]*(/\S+)", re.MULTILINE)


@pytest.mark.parametrize("unit", UNITS)
def test_the_unit_passes_systemd_analyze_verify(unit: str, tmp_path: Path) -> None:
    analyze = shutil.which("systemd-analyze")
    units = next((d for d in SYSTEM_UNIT_DIRS if (d / "sysinit.target").exists()), None)
    if analyze is None or units is None:
        unavailable("systemd-analyze or systemd's own units are missing, so the units are not verified")
    # A root holding what the units need: systemd's own units, the programs they start, the settings.
    root = tmp_path / "root"
    shutil.copytree(units, root / units.relative_to("/"), symlinks=True)
    for name in UNITS:
        installed = root / "etc/systemd/system" / name
        installed.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(ROOT / "deploy" / name, installed)
        for key, path in NEEDED_PATH.findall(installed.read_text(encoding="utf-8")):
            needed = root / path.lstrip("/")
            needed.parent.mkdir(parents=True, exist_ok=True)
            needed.write_text("#!/bin/sh\n" if key.startswith("Exec") else "")
            needed.chmod(0o755)
    result = subprocess.run(
        [analyze, "verify", f"--root={root}", f"/etc/systemd/system/{unit}"],
        capture_output=True,
        text=True,
        check=False,
    )
    # systemd ignores a line it cannot read with a warning and still succeeds: any output is a fault.
    assert (result.returncode, result.stdout + result.stderr) == (0, "")


def test_the_proxy_example_passes_nginx_t(tmp_path: Path) -> None:
    nginx, openssl = shutil.which("nginx") or shutil.which("/usr/sbin/nginx"), shutil.which("openssl")
    if nginx is None or openssl is None:
        unavailable("nginx or openssl is missing (apt-get install nginx), so the proxy example is not checked")
    subprocess.run(
        [openssl, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=fupin.example.org"]
        + ["-keyout", str(tmp_path / "privkey.pem"), "-out", str(tmp_path / "fullchain.pem")],
        capture_output=True,
        check=True,
    )
    site = tmp_path / "fupin.conf"
    site.write_text(NGINX_SITE.read_text(encoding="utf-8").replace(CERTIFICATE_DIR, f"{tmp_path}/"))
    # The site as Debian's nginx.conf includes it: inside `http`, with this test's own pid and logs.
    main = tmp_path / "nginx.conf"
    main.write_text(
        f"error_log {tmp_path}/error.log;\npid {tmp_path}/nginx.pid;\nevents {{}}\n"
        f"http {{\n  access_log off;\n  include {site};\n}}\n"
    )
    result = subprocess.run(
        [nginx, "-t", "-q", "-p", str(tmp_path), "-c", str(main)], capture_output=True, text=True, check=False
    )
    assert (result.returncode, result.stderr) == (0, "")
