"""Where the settings put the database: one place whatever folder a command runs in."""

from __future__ import annotations

from pathlib import Path

import pytest

from services import config
from services.config import Settings, checkout_folder, default_database_path, env_files, sqlite_path


@pytest.fixture
def no_database_url(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("FUPIN_DATABASE_URL", raising=False)


def settings() -> Settings:
    """Settings from the environment alone (no developer's `.env` file in the way)."""
    return Settings(_env_file=None)  # type: ignore[call-arg]


def test_the_default_database_is_the_same_from_any_folder(
    no_database_url: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "one").mkdir()
    (tmp_path / "two").mkdir()
    monkeypatch.chdir(tmp_path / "one")
    first = settings().database_url
    monkeypatch.chdir(tmp_path / "two")
    assert settings().database_url == first


def test_in_a_checkout_the_default_database_is_at_its_top(no_database_url: None) -> None:
    assert settings().database_url == f"sqlite+aiosqlite:///{Path(__file__).resolve().parents[2] / 'fupin.db'}"


def test_an_installed_package_keeps_its_database_in_the_data_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(config, "checkout_folder", lambda: None)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    assert default_database_path() == tmp_path / "fupin" / "fupin.db"


def test_a_relative_sqlite_path_is_taken_from_the_working_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("FUPIN_DATABASE_URL", "sqlite+aiosqlite:///data/fupin.db?timeout=5")
    assert settings().database_url == f"sqlite+aiosqlite:///{tmp_path / 'data' / 'fupin.db'}?timeout=5"


def test_a_postgresql_url_is_kept_as_given(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FUPIN_DATABASE_URL", "postgresql+asyncpg://fupin:pw@db/fupin")
    assert settings().database_url == "postgresql+asyncpg://fupin:pw@db/fupin"


def test_the_working_directorys_env_file_wins_over_the_checkouts() -> None:
    checkout = checkout_folder()
    assert checkout is not None
    assert env_files() == (checkout / ".env", Path(".env"))


@pytest.mark.parametrize(
    ("url", "path"),
    [
        pytest.param("sqlite+aiosqlite:///fupin.db", Path("fupin.db"), id="relative"),
        pytest.param("sqlite+aiosqlite:////srv/fupin/fupin.db", Path("/srv/fupin/fupin.db"), id="absolute"),
        pytest.param("sqlite:///x.db?timeout=5", Path("x.db"), id="query"),
        pytest.param("sqlite+aiosqlite://", None, id="memory-empty"),
        pytest.param("sqlite+aiosqlite:///:memory:", None, id="memory"),
        pytest.param("postgresql+asyncpg://u@h/db", None, id="postgresql"),
    ],
)
def test_sqlite_path(url: str, path: Path | None) -> None:
    assert sqlite_path(url) == path


@pytest.mark.parametrize(
    ("given", "base"),
    [
        pytest.param({"host": "127.0.0.1", "port": 8080}, "http://127.0.0.1:8080", id="loopback"),
        pytest.param({"host": "::1", "port": 8080}, "http://[::1]:8080", id="ipv6"),
        pytest.param(
            {"host": "0.0.0.0", "port": 8080, "telegram_token": "1:a"}, "http://127.0.0.1:8080", id="all-addresses"
        ),
        pytest.param({"public_url": "https://fupin.example.org/"}, "https://fupin.example.org", id="public"),
    ],
)
def test_base_url(given: dict[str, object], base: str) -> None:
    assert Settings(_env_file=None, **given).base_url == base  # type: ignore[arg-type,call-arg]
