"""`fupin db …` as the county's IT staff run it, and every other command on a database not ready for it."""

from __future__ import annotations

import asyncio
import shutil
import sqlite3
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from alembic import command
from alembic.script import ScriptDirectory

from bot.cli import main
from services import db
from services.config import get_settings
from services.db import alembic_config

#: The program's newest revision, as `fupin db current` names it (whichever migration is last).
HEAD = ScriptDirectory.from_config(alembic_config("sqlite+aiosqlite://")).get_current_head()
#: The number `fupin db revision` gives the next migration.
NEXT = f"{int(HEAD[:4]) + 1:04d}"
#: An older revision, for a database the program has outgrown.
OLDER = "0010_plans"

#: Points the CLI at a database URL (the `database_at` fixture).
PointAt = Callable[[str], None]


async def fupin(*argv: str) -> int:
    """Run the CLI as a console script would; in a thread, because it runs its own event loop."""
    return await asyncio.to_thread(main, list(argv))


def sqlite_url(path: Path) -> str:
    return f"sqlite+aiosqlite:///{path}"


@pytest.fixture
def database_at(monkeypatch: pytest.MonkeyPatch) -> Iterator[PointAt]:
    """Point the CLI at a database URL of the test's choosing: call it with the URL."""

    def point(url: str) -> None:
        monkeypatch.setenv("FUPIN_DATABASE_URL", url)
        get_settings.cache_clear()

    yield point
    get_settings.cache_clear()


@pytest.fixture(scope="module")
def older_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite database migrated to `OLDER` only, made once; tests work on copies."""
    path = tmp_path_factory.mktemp("older") / "older.db"
    command.upgrade(alembic_config(sqlite_url(path)), OLDER)
    return path


@pytest.fixture
def older_database(older_template: Path, tmp_path: Path, database_at: PointAt) -> Path:
    path = tmp_path / "older.db"
    shutil.copy(older_template, path)
    database_at(sqlite_url(path))
    return path


# --- a database other commands must not work on -------------------------------------------------


async def test_a_command_on_a_missing_file_says_how_to_create_it(
    tmp_path: Path,
    database_at: PointAt,
    capsys: pytest.CaptureFixture[str],
) -> None:
    database_at(sqlite_url(tmp_path / "elsewhere" / "fupin.db"))
    assert await fupin("places", "list") == 1
    assert f"数据库文件 {tmp_path / 'elsewhere' / 'fupin.db'} 不存在" in capsys.readouterr().err


async def test_a_command_on_a_missing_file_creates_none(tmp_path: Path, database_at: PointAt) -> None:
    database_at(sqlite_url(tmp_path / "fupin.db"))
    await fupin("places", "list")
    assert not (tmp_path / "fupin.db").exists()


async def test_a_command_on_a_file_without_tables_says_to_upgrade(
    tmp_path: Path,
    database_at: PointAt,
    capsys: pytest.CaptureFixture[str],
) -> None:
    (tmp_path / "fupin.db").touch()
    database_at(sqlite_url(tmp_path / "fupin.db"))
    assert await fupin("users", "list") == 1
    assert "请先运行 fupin db upgrade" in capsys.readouterr().err


async def test_a_command_on_an_older_database_says_to_upgrade(
    older_database: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert await fupin("places", "list") == 1
    assert "数据库尚未升级到当前版本" in capsys.readouterr().err


async def test_a_command_on_an_older_database_leaves_it_as_it_was(older_database: Path) -> None:
    await fupin("places", "list")
    with sqlite3.connect(older_database) as connection:
        assert connection.execute("SELECT version_num FROM alembic_version").fetchall() == [(OLDER,)]


@pytest.fixture
def newer_database(older_database: Path) -> Path:
    """A database a newer program has upgraded, to a revision this one does not have."""
    with sqlite3.connect(older_database) as connection:
        connection.execute("UPDATE alembic_version SET version_num = '0099_future'")
    return older_database


async def test_a_command_on_a_newer_database_says_the_program_is_older(
    newer_database: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert await fupin("places", "list") == 1
    assert "数据库的版本 0099_future 本程序不认识" in capsys.readouterr().err


async def test_upgrade_refuses_a_newer_database(newer_database: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert await fupin("db", "upgrade") == 1
    assert "请换用更新的程序" in capsys.readouterr().err


async def test_an_unreachable_server_is_one_line_without_the_password(
    database_at: PointAt,
    capsys: pytest.CaptureFixture[str],
) -> None:
    database_at("postgresql+asyncpg://fupin:hunter2@127.0.0.1:1/fupin")  # nothing listens on port 1
    assert await fupin("users", "list") == 1
    err = capsys.readouterr().err
    assert "无法连接数据库 postgresql+asyncpg://fupin:***@127.0.0.1:1/fupin" in err


async def test_an_unreachable_server_never_shows_the_password(
    database_at: PointAt,
    capsys: pytest.CaptureFixture[str],
) -> None:
    database_at("postgresql+asyncpg://fupin:hunter2@127.0.0.1:1/fupin")
    await fupin("db", "current")
    assert "hunter2" not in capsys.readouterr().err


# --- fupin db current ----------------------------------------------------------------------------


async def test_current_on_a_current_database(cli_database: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert await fupin("db", "current") == 0
    assert f"数据库版本：{HEAD}\n程序版本：{HEAD}\n数据库已是最新版本。" in capsys.readouterr().out


async def test_current_on_an_older_database_names_both_revisions(
    older_database: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert await fupin("db", "current") == 1
    assert f"数据库版本：{OLDER}\n程序版本：{HEAD}\n" in capsys.readouterr().out


async def test_current_on_a_missing_file_creates_none(tmp_path: Path, database_at: PointAt) -> None:
    database_at(sqlite_url(tmp_path / "fupin.db"))
    assert await fupin("db", "current") == 1
    assert not (tmp_path / "fupin.db").exists()


# --- fupin db upgrade ----------------------------------------------------------------------------


async def test_upgrade_brings_an_older_database_to_the_programs_revision(
    older_database: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert await fupin("db", "upgrade") == 0
    assert f"已从版本 {OLDER} 升级到 {HEAD}" in capsys.readouterr().out


async def test_after_upgrade_other_commands_work(older_database: Path, capsys: pytest.CaptureFixture[str]) -> None:
    await fupin("db", "upgrade")
    assert await fupin("places", "list") == 0
    assert "210422100 新宾镇（0 个村）" in capsys.readouterr().out


async def test_upgrade_creates_a_missing_file_and_its_folder(
    tmp_path: Path,
    database_at: PointAt,
    capsys: pytest.CaptureFixture[str],
) -> None:
    database_at(sqlite_url(tmp_path / "data" / "fupin.db"))
    assert await fupin("db", "upgrade") == 0
    assert f"已新建数据库 sqlite+aiosqlite:///{tmp_path / 'data' / 'fupin.db'}，版本 {HEAD}" in capsys.readouterr().out


async def test_upgrade_seeds_the_townships(
    tmp_path: Path,
    database_at: PointAt,
    capsys: pytest.CaptureFixture[str],
) -> None:
    database_at(sqlite_url(tmp_path / "fupin.db"))
    await fupin("db", "upgrade")
    assert "已写入 15 个乡镇。" in capsys.readouterr().out


async def test_upgrade_of_a_current_database_changes_nothing(
    cli_database: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert await fupin("db", "upgrade") == 0
    assert f"已是最新版本 {HEAD}，无需升级。" in capsys.readouterr().out


# --- fupin db revision ---------------------------------------------------------------------------


@pytest.fixture
def migrations(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the program's migrations that `fupin db revision` writes into (the source stays as it is)."""
    copy = tmp_path / "migrations"
    shutil.copytree(Path(str(db.migrations_folder())), copy, ignore=shutil.ignore_patterns("__pycache__"))
    monkeypatch.setattr(db, "migrations_folder", lambda: copy)
    return copy


async def test_revision_is_numbered_after_the_newest_and_named_from_the_message(
    cli_database: str, migrations: Path
) -> None:
    assert await fupin("db", "revision", "-m", "Households get a phone number") == 0
    assert (migrations / "versions" / f"{NEXT}_households_get_a_phone_number.py").is_file()


async def test_revision_takes_the_name_given(cli_database: str, migrations: Path) -> None:
    await fupin("db", "revision", "-m", "贫困户增加电话", "--name", "household_phone")
    assert (migrations / "versions" / f"{NEXT}_household_phone.py").is_file()


async def test_revision_follows_the_newest(cli_database: str, migrations: Path) -> None:
    await fupin("db", "revision", "-m", "x", "--name", "x")
    written = (migrations / "versions" / f"{NEXT}_x.py").read_text(encoding="utf-8")
    assert f'down_revision: str | None = "{HEAD}"' in written


async def test_revision_refuses_a_name_that_is_no_file_name(
    cli_database: str, migrations: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert await fupin("db", "revision", "-m", "x", "--name", "电话 号码") == 2
    assert "只能用小写英文字母、数字和下划线" in capsys.readouterr().err


async def test_autogenerate_on_a_current_database_finds_nothing_to_do(cli_database: str, migrations: Path) -> None:
    await fupin("db", "revision", "-m", "nothing", "--autogenerate")
    written = (migrations / "versions" / f"{NEXT}_nothing.py").read_text(encoding="utf-8")
    assert "op." not in written


async def test_autogenerate_on_an_older_database_says_to_upgrade_first(
    older_database: Path, migrations: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert await fupin("db", "revision", "-m", "x", "--autogenerate") == 1
    assert "请先运行 fupin db upgrade" in capsys.readouterr().err


# --- fupin db backup / restore -------------------------------------------------------------------


@pytest.fixture
def backup_programs(database_url: str) -> None:
    """PostgreSQL's backups need pg_dump and pg_restore on the PATH."""
    if database_url.startswith("postgresql") and not (shutil.which("pg_dump") and shutil.which("pg_restore")):
        pytest.skip("pg_dump or pg_restore is not installed, so PostgreSQL backups cannot be tested")


@pytest.fixture
def village_lists(tmp_path: Path) -> tuple[Path, Path]:
    first = tmp_path / "first.csv"
    first.write_text("township,village\n新宾镇,腰站村\n", encoding="utf-8")
    second = tmp_path / "second.csv"
    second.write_text("township,village\n永陵镇,永陵村\n", encoding="utf-8")
    return first, second


async def test_restore_brings_back_what_the_backup_held(
    cli_database: str,
    backup_programs: None,
    village_lists: tuple[Path, Path],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    first, second = village_lists
    await fupin("places", "import", str(first))
    assert await fupin("db", "backup", str(tmp_path / "fupin.backup")) == 0
    await fupin("places", "import", str(second))
    assert await fupin("db", "restore", str(tmp_path / "fupin.backup"), "--yes") == 0
    capsys.readouterr()
    await fupin("places", "list")
    villages = [line.strip() for line in capsys.readouterr().out.splitlines() if line.startswith("    ")]
    assert villages == ["腰站村"]


async def test_backup_says_where_it_wrote(
    cli_database: str, backup_programs: None, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    await fupin("db", "backup", str(tmp_path / "fupin.backup"))
    assert f"备份到 {tmp_path / 'fupin.backup'}（" in capsys.readouterr().out


async def test_restore_without_yes_says_what_it_would_replace(
    cli_database: str, backup_programs: None, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    await fupin("db", "backup", str(tmp_path / "fupin.backup"))
    capsys.readouterr()
    assert await fupin("db", "restore", str(tmp_path / "fupin.backup")) == 1
    assert f"  数据库：{get_settings().database_url}（现在的版本 {HEAD}）\n" in capsys.readouterr().err


async def test_restore_without_yes_changes_nothing(
    cli_database: str,
    backup_programs: None,
    village_lists: tuple[Path, Path],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    first, second = village_lists
    await fupin("db", "backup", str(tmp_path / "fupin.backup"))
    await fupin("places", "import", str(second))
    await fupin("db", "restore", str(tmp_path / "fupin.backup"))
    capsys.readouterr()
    await fupin("places", "list")
    assert "永陵村" in capsys.readouterr().out


async def test_restore_of_a_missing_file(cli_database: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert await fupin("db", "restore", str(tmp_path / "none.backup"), "--yes") == 2
    assert f"找不到备份文件 {tmp_path / 'none.backup'}" in capsys.readouterr().err


async def test_a_sqlite_backup_is_taken_while_another_connection_writes(
    tmp_path: Path,
    database_at: PointAt,
    older_template: Path,
) -> None:
    """The bot may be in the middle of a transaction: the backup holds what was committed."""
    database = tmp_path / "fupin.db"
    shutil.copy(older_template, database)
    database_at(sqlite_url(database))
    writer = sqlite3.connect(database)
    writer.execute("PRAGMA journal_mode=WAL")
    writer.execute("BEGIN IMMEDIATE")
    writer.execute("UPDATE alembic_version SET version_num = 'uncommitted'")
    try:
        assert await fupin("db", "backup", str(tmp_path / "fupin.backup")) == 0
    finally:
        writer.rollback()
        writer.close()
    with sqlite3.connect(tmp_path / "fupin.backup") as backup:
        assert backup.execute("SELECT version_num FROM alembic_version").fetchall() == [(OLDER,)]


async def test_restoring_a_file_that_is_no_backup_leaves_the_database_as_it_was(
    cli_database: str,
    backup_programs: None,
    village_lists: tuple[Path, Path],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    first, _ = village_lists
    await fupin("places", "import", str(first))
    (tmp_path / "notes.txt").write_text("不是备份", encoding="utf-8")
    await fupin("db", "restore", str(tmp_path / "notes.txt"), "--yes")
    capsys.readouterr()
    await fupin("places", "list")
    assert "腰站村" in capsys.readouterr().out


async def test_a_sqlite_restore_refuses_a_database_that_is_not_fupins(
    tmp_path: Path,
    database_at: PointAt,
    capsys: pytest.CaptureFixture[str],
) -> None:
    database_at(sqlite_url(tmp_path / "fupin.db"))
    sqlite3.connect(tmp_path / "other.db").close()
    assert await fupin("db", "restore", str(tmp_path / "other.db"), "--yes") == 2
    assert "不是 fupin 数据库的备份" in capsys.readouterr().err


async def test_a_postgresql_backup_without_pg_dump_says_what_to_install(
    tmp_path: Path,
    database_at: PointAt,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    database_at("postgresql+asyncpg://fupin@127.0.0.1:1/fupin")
    monkeypatch.setenv("PATH", str(tmp_path))  # no pg_dump on it
    assert await fupin("db", "backup", str(tmp_path / "fupin.backup")) == 1
    assert "找不到程序 pg_dump" in capsys.readouterr().err


async def test_restoring_an_older_backup_says_to_upgrade(
    older_template: Path,
    tmp_path: Path,
    database_at: PointAt,
    capsys: pytest.CaptureFixture[str],
) -> None:
    database_at(sqlite_url(tmp_path / "fupin.db"))
    assert await fupin("db", "restore", str(older_template), "--yes") == 0
    assert "数据库尚未升级到当前版本" in capsys.readouterr().out
