"""The database's schema version: bringing it up to date, reading it, refusing one that is not current.

Only `fupin serve` and `fupin db upgrade` change the schema (`upgrade_database`). Every other
command checks first (`require_current`) and stops with one clear line when the database is
missing, unreachable, empty or older than the program: a command run against the wrong database
(another folder, a mistyped URL) then neither creates nor migrates one behind the office's back.

The county's townships are seeded by the upgrade too: they come with the program, like the schema,
and every command after an upgrade finds them (`services.places`).
"""

from __future__ import annotations

import asyncio
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from alembic import command
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import make_url
from sqlalchemy.exc import SQLAlchemyError

from services.config import sqlite_path
from services.db import alembic_config, create_engine, make_sessionmaker, migrate, session_scope
from services.errors import DatabaseNotReady, InvalidInput
from services.places import ensure_townships

# What stops a command, and what to do about it (Chinese, as the office reads it).
DATABASE_FILE_MISSING = (
    "数据库文件 {path} 不存在。要新建数据库请运行 fupin db upgrade；数据库若在别处，请用 FUPIN_DATABASE_URL 指明。"
)
SCHEMA_EMPTY = "数据库 {database} 里还没有任何表，请先运行 fupin db upgrade。"
SCHEMA_BEHIND = "数据库尚未升级到当前版本（数据库为 {current}，程序需要 {head}），请先运行 fupin db upgrade。"
SCHEMA_UNKNOWN = (
    "数据库的版本 {current} 本程序不认识（程序的最新版本为 {head}）：数据库可能由更新的程序升级过。"
    "请换用更新的程序，或检查 FUPIN_DATABASE_URL。"
)
DATABASE_UNREACHABLE = "无法连接数据库 {database}：{reason}。请检查 FUPIN_DATABASE_URL 和数据库服务。"
REVISION_NAME_INVALID = "迁移名“{name}”不合要求：只能用小写英文字母、数字和下划线，如 add_phone_column。"

#: A revision's name as it goes into its id and file name (`0012_add_phone_column`).
REVISION_NAME = re.compile(r"^[a-z0-9_]+$")
#: Words of a revision's message kept in its name when none is given.
REVISION_NAME_WORDS = 5


class SchemaState(StrEnum):
    """Where a database stands against the program's migrations."""

    MISSING = "missing"  # a SQLite file that does not exist
    EMPTY = "empty"  # no migration applied
    BEHIND = "behind"  # an older revision: `fupin db upgrade` brings it up
    UNKNOWN = "unknown"  # a revision the program does not have (a newer program upgraded it)
    CURRENT = "current"


@dataclass(frozen=True)
class SchemaStatus:
    """A database's revision against the program's head; `database` is its URL without the password."""

    database: str
    current: str | None
    head: str
    state: SchemaState
    #: The SQLite file, when the database is one.
    path: Path | None = None

    @property
    def problem(self) -> str | None:
        """Why no command but an upgrade may work on the database, or None when it is current."""
        match self.state:
            case SchemaState.MISSING:
                return DATABASE_FILE_MISSING.format(path=self.path)
            case SchemaState.EMPTY:
                return SCHEMA_EMPTY.format(database=self.database)
            case SchemaState.BEHIND:
                return SCHEMA_BEHIND.format(current=self.current, head=self.head)
            case SchemaState.UNKNOWN:
                return SCHEMA_UNKNOWN.format(current=self.current, head=self.head)
        return None


@dataclass(frozen=True)
class Upgrade:
    """What `upgrade_database` did: where the database stood before, its revision after, townships added."""

    before: SchemaStatus
    after: str
    townships: int


def shown_url(url: str) -> str:
    """The database URL as messages and logs show it: the password hidden."""
    return make_url(url).render_as_string(hide_password=True)


async def schema_status(url: str) -> SchemaStatus:
    """Where the database at `url` stands; a missing SQLite file is reported, never created.

    Raises:
        DatabaseNotReady: the database cannot be reached (the message says why).
    """
    scripts = ScriptDirectory.from_config(alembic_config(url))
    head = scripts.get_current_head()
    assert head is not None, "the migrations have one head"
    path = sqlite_path(url)
    if path is not None and not path.exists():
        return SchemaStatus(shown_url(url), None, head, SchemaState.MISSING, path)
    current = await _current_revision(url)
    if current is None:
        state = SchemaState.EMPTY
    elif current == head:
        state = SchemaState.CURRENT
    elif current in {script.revision for script in scripts.walk_revisions()}:
        state = SchemaState.BEHIND
    else:
        state = SchemaState.UNKNOWN
    return SchemaStatus(shown_url(url), current, head, state, path)


async def _current_revision(url: str) -> str | None:
    engine = create_engine(url)
    try:
        async with engine.connect() as connection:
            return await connection.run_sync(lambda sync: MigrationContext.configure(sync).get_current_revision())
    except (OSError, SQLAlchemyError) as exc:  # refused, unknown host or database, bad password, not SQLite…
        reason = getattr(exc, "orig", None) or exc
        raise DatabaseNotReady(DATABASE_UNREACHABLE.format(database=shown_url(url), reason=reason)) from exc
    finally:
        await engine.dispose()


async def require_current(url: str) -> None:
    """Refuse a database a command other than an upgrade must not work on.

    Raises:
        DatabaseNotReady: missing, unreachable, empty, older or newer than the program.
    """
    problem = (await schema_status(url)).problem
    if problem is not None:
        raise DatabaseNotReady(problem)


async def upgrade_database(url: str) -> Upgrade:
    """Bring the database to the program's schema and seed the townships; creates a missing SQLite file.

    Raises:
        DatabaseNotReady: the database cannot be reached, or has a revision the program does not know.
    """
    before = await schema_status(url)
    if before.state is SchemaState.UNKNOWN:
        raise DatabaseNotReady(before.problem)
    if before.path is not None:
        before.path.parent.mkdir(parents=True, exist_ok=True)
    await migrate(url)
    engine = create_engine(url)
    try:
        async with session_scope(make_sessionmaker(engine)) as session:
            townships = await ensure_townships(session)
    finally:
        await engine.dispose()
    return Upgrade(before=before, after=before.head, townships=townships)


async def new_revision(*, url: str, message: str, name: str | None = None, autogenerate: bool = False) -> Path:
    """Write the next migration into the program's migrations; returns its file.

    Its id is the next number and a name (`0012_add_phone_column`), the name taken from the
    message's first English words when none is given. With `autogenerate`, the operations are
    what the models have and the database at `url` lacks, so that database must be current.
    The file is formatted with ruff when ruff is installed (the development set-up has it).

    Raises:
        InvalidInput: the name has characters other than a-z, 0-9 and _.
        DatabaseNotReady: `autogenerate` on a database that is not current.
    """
    if name is not None and not REVISION_NAME.match(name):
        raise InvalidInput(REVISION_NAME_INVALID.format(name=name))
    if autogenerate:
        await require_current(url)
    config = alembic_config(url)
    scripts = ScriptDirectory.from_config(config)
    number = 1 + max(int(script.revision.split("_")[0]) for script in scripts.walk_revisions())
    words = re.findall(r"[a-z0-9]+", message.lower())[:REVISION_NAME_WORDS]
    slug = name if name is not None else "_".join(words)
    revision_id = f"{number:04d}_{slug}" if slug else f"{number:04d}"
    # In a thread: with `autogenerate`, env.py runs its own event loop to read the database.
    script = await asyncio.to_thread(
        command.revision, config, message=message, autogenerate=autogenerate, rev_id=revision_id
    )
    assert script is not None and not isinstance(script, list), "one revision is written"
    path = Path(script.path)
    await asyncio.to_thread(_format, path)
    return path


def _format(path: Path) -> None:
    ruff = shutil.which("ruff", path=str(Path(sys.executable).parent)) or shutil.which("ruff")
    if ruff is not None:
        subprocess.run([ruff, "format", "--quiet", str(path)], check=False)
