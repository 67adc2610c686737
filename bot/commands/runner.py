"""How a CLI command reaches the database: a current schema, one session, and domain errors mapped once."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Coroutine
from typing import TYPE_CHECKING, Any, TypeVar

import click

from bot.commands import texts

if TYPE_CHECKING:
    # Types only: `fupin ask` imports this module for CliError, and SQLAlchemy costs it a quarter second.
    from pydantic import ValidationError
    from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

T = TypeVar("T")

#: Exit status for input the user can correct (unknown village, bad CSV line…), as click's usage errors.
EXIT_INVALID_INPUT = 2
#: Exit status for every other domain error.
EXIT_FAILURE = 1


class CliError(click.ClickException):
    """A failure shown as one Chinese line on stderr, exit status `EXIT_FAILURE`.

    A ClickException rather than `typer.Exit`, because `bot.cli.main` runs click with
    `standalone_mode=False` and turns only exceptions into exit statuses. The status is a class
    attribute, as click declares it: raise `CliInputError` for input the user can correct.
    """

    exit_code = EXIT_FAILURE

    def show(self, file: object = None) -> None:
        click.echo(texts.ERROR.format(message=self.message), err=True)


class CliInputError(CliError):
    """A `CliError` for input the user can correct: exit status `EXIT_INVALID_INPUT`."""

    exit_code = EXIT_INVALID_INPUT


def settings_error(exc: ValidationError) -> CliError:
    """The settings the environment gives refused (`services.config.Settings`), one line a problem.

    The program's own refusals (production without a token, a webhook without a secret…) are
    shown as written; a malformed value names its variable.
    """
    return CliError("\n".join(_setting_problem(error) for error in exc.errors()))


def _setting_problem(error: Any) -> str:
    cause = error.get("ctx", {}).get("error")
    if isinstance(cause, ValueError):
        return str(cause)
    variable = "FUPIN_" + "_".join(str(part) for part in error["loc"]).upper()
    return texts.SETTING_INVALID.format(variable=variable, reason=error["msg"])


def run_async(work: Callable[[], Coroutine[Any, Any, T]]) -> T:
    """Run the coroutine `work()` to its end in a loop of its own, domain errors mapped once.

    An `InvalidInput` becomes a `CliInputError` (exit 2), any other domain error a `CliError` (exit 1).
    """
    from services.errors import FupinError, InvalidInput

    try:
        return asyncio.run(work())
    except InvalidInput as exc:
        raise CliInputError(exc.message) from exc
    except FupinError as exc:
        raise CliError(exc.message) from exc


def run_with_database(work: Callable[[async_sessionmaker[AsyncSession]], Awaitable[T]]) -> T:
    """Run `work` with sessions on the configured database, which must be current.

    Only `fupin serve` and `fupin db upgrade` create or migrate a database: on one that is missing,
    empty or behind, a command stops with one line saying so (`services.schema.require_current`).
    """
    from services.config import get_settings
    from services.db import create_engine, make_sessionmaker
    from services.schema import require_current

    async def _run() -> T:
        url = get_settings().database_url
        await require_current(url)
        engine = create_engine(url)
        try:
            return await work(make_sessionmaker(engine))
        finally:
            await engine.dispose()

    return run_async(_run)


def run_in_session(work: Callable[[AsyncSession], Awaitable[T]]) -> T:
    """Run `work` in one committed transaction on the configured database (`run_with_database`).

    A domain error rolls the transaction back (nothing is written) and becomes a CliError.
    """
    from services.db import session_scope

    async def in_session(sessionmaker: async_sessionmaker[AsyncSession]) -> T:
        async with session_scope(sessionmaker) as session:
            return await work(session)

    return run_with_database(in_session)
