"""Backing up the database into one file while the bot runs, and putting such a file back.

SQLite: SQLite's online backup API (`sqlite3.Connection.backup`) copies a consistent snapshot
while the bot goes on writing (in WAL mode readers do not hold writers up); a plain file copy of
a database in use may catch half a transaction. The copy is written beside its destination and
renamed into place, so a backup file is never half written, and it is one self-contained file
(journal mode DELETE). A restore copies the other way, through SQLite, so that connections still
open see the restored data rather than a file swapped under them.

PostgreSQL: `pg_dump --format=custom`, restored by `pg_restore --clean --if-exists` in one
transaction (a failed restore leaves the database as it was). Tables that a newer migration added
after the backup was taken are not in the dump and stay; restore into the revision the backup was
taken at, or into an empty database. The connection settings go to the programs as libpq's
environment variables (PGHOST…), so the password never shows in a process list.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import tempfile
from pathlib import Path

from sqlalchemy import make_url

from services.config import sqlite_path
from services.db import SQLITE_BUSY_TIMEOUT
from services.errors import BackupFailed, InvalidInput

BACKUP_FILE_MISSING = "找不到备份文件 {path}"
BACKUP_WRITE_FAILED = "无法写入备份文件 {path}：{reason}"
BACKUP_READ_FAILED = "无法读取数据库文件 {path}：{reason}"
BACKUP_NOTHING = "数据库文件 {path} 不存在，没有可备份的内容。"
BACKUP_NOT_SQLITE = "{path} 不是可用的 SQLite 数据库备份：{reason}"
BACKUP_NOT_FUPIN = "{path} 不是 fupin 数据库的备份：其中没有数据库版本记录（alembic_version 表）。"
RESTORE_WRITE_FAILED = "无法写入数据库文件 {path}：{reason}"
PROGRAM_MISSING = (
    "找不到程序 {program}：PostgreSQL 数据库的备份和恢复要用它。请安装 PostgreSQL 客户端"
    "（Debian/Ubuntu：apt install postgresql-client，版本不低于数据库服务器），或把它所在的目录加入 PATH。"
)
PROGRAM_FAILED = "{program} 未能完成（退出码 {code}）：{reason}"
#: Lines of a failing program's stderr quoted in the message.
PROGRAM_ERROR_LINES = 5


def backup_database(*, url: str, path: Path) -> int:
    """Write a backup of the database at `url` into `path` (replaced if it exists); returns its size in bytes.

    Raises:
        InvalidInput: `path` cannot be written.
        BackupFailed: the SQLite file does not exist; pg_dump is missing or fails.
    """
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        descriptor, partial = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".partial", dir=path.parent)
    except OSError as exc:
        raise InvalidInput(BACKUP_WRITE_FAILED.format(path=path, reason=exc.strerror)) from exc
    os.close(descriptor)
    try:
        database = sqlite_path(url)
        if database is not None:
            _sqlite_backup(database, Path(partial))
        else:
            _run("pg_dump", url, ["--format=custom", "--no-password", f"--file={partial}"])
        os.replace(partial, path)
    finally:
        Path(partial).unlink(missing_ok=True)
    return path.stat().st_size


def _sqlite_backup(database: Path, target: Path) -> None:
    if not database.exists():
        raise BackupFailed(BACKUP_NOTHING.format(path=database))
    try:
        source = sqlite3.connect(database, timeout=SQLITE_BUSY_TIMEOUT)
        try:
            copy = sqlite3.connect(target)
            try:
                source.backup(copy)
                copy.execute("PRAGMA journal_mode=DELETE")
            finally:
                copy.close()
        finally:
            source.close()
    except sqlite3.Error as exc:  # not a database, damaged, locked past the timeout
        raise BackupFailed(BACKUP_READ_FAILED.format(path=database, reason=exc)) from exc


def backup_revision(*, url: str, path: Path) -> str | None:
    """The schema revision a backup for the database at `url` holds, after checking the file.

    A SQLite backup is checked to be an intact fupin database; a PostgreSQL dump is only read by
    pg_restore, so its revision is None here.

    Raises:
        InvalidInput: no such file; (SQLite) not a database, damaged, or not a fupin database.
    """
    if not path.is_file():
        raise InvalidInput(BACKUP_FILE_MISSING.format(path=path))
    if sqlite_path(url) is None:
        return None
    try:
        backup = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            (check,) = backup.execute("PRAGMA quick_check").fetchone()
            if check != "ok":
                raise InvalidInput(BACKUP_NOT_SQLITE.format(path=path, reason=check))
            row = backup.execute("SELECT version_num FROM alembic_version").fetchone()
        finally:
            backup.close()
    except sqlite3.OperationalError as exc:  # no alembic_version table
        raise InvalidInput(BACKUP_NOT_FUPIN.format(path=path)) from exc
    except sqlite3.DatabaseError as exc:  # "file is not a database"
        raise InvalidInput(BACKUP_NOT_SQLITE.format(path=path, reason=exc)) from exc
    if row is None:
        raise InvalidInput(BACKUP_NOT_FUPIN.format(path=path))
    return str(row[0])


def restore_database(*, url: str, path: Path) -> None:
    """Replace the database at `url` with the backup in `path`: everything in it now is lost.

    Raises:
        InvalidInput: no such file, or (SQLite) not a backup of a fupin database.
        BackupFailed: the database file cannot be written; pg_restore is missing or fails.
    """
    backup_revision(url=url, path=path)
    database = sqlite_path(url)
    if database is None:
        name = make_url(url).database or ""
        _run(
            "pg_restore",
            url,
            ["--clean", "--if-exists", "--no-owner", "--no-privileges", "--single-transaction", "--exit-on-error"]
            + ["--no-password", f"--dbname={name}", str(path)],
        )
        return
    try:
        database.parent.mkdir(parents=True, exist_ok=True)
        backup = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            target = sqlite3.connect(database, timeout=SQLITE_BUSY_TIMEOUT)
            try:
                backup.backup(target)
            finally:
                target.close()
        finally:
            backup.close()
    except (OSError, sqlite3.Error) as exc:
        raise BackupFailed(RESTORE_WRITE_FAILED.format(path=database, reason=exc)) from exc


def _run(program: str, url: str, arguments: list[str]) -> None:
    executable = shutil.which(program)
    if executable is None:
        raise BackupFailed(PROGRAM_MISSING.format(program=program))
    result = subprocess.run([executable, *arguments], env=_libpq_environment(url), capture_output=True, text=True)
    if result.returncode != 0:
        reason = "\n".join(result.stderr.strip().splitlines()[-PROGRAM_ERROR_LINES:])
        raise BackupFailed(PROGRAM_FAILED.format(program=program, code=result.returncode, reason=reason))


def _libpq_environment(url: str) -> dict[str, str]:
    """This process's environment with the database's connection settings as libpq reads them."""
    parsed = make_url(url)
    settings = {
        # asyncpg reaches a local server's socket folder with `?host=/run/postgresql`, as libpq's PGHOST does.
        "PGHOST": parsed.host or parsed.query.get("host"),
        "PGPORT": parsed.port,
        "PGUSER": parsed.username,
        "PGPASSWORD": parsed.password,
        "PGDATABASE": parsed.database,
    }
    return {**os.environ, **{name: str(value) for name, value in settings.items() if value is not None}}
