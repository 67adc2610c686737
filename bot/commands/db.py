"""`fupin db upgrade|current|revision|backup|restore`: the database's schema and its backups.

`upgrade` (and `fupin serve`) are the only commands that migrate or create a database; every
other command refuses one that is not current (`bot.commands.runner.run_in_session`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from bot.commands import texts
from bot.commands.runner import run_async

#: Exit status of `db current` when the database is not at the program's revision, and of a
#: `db restore` not confirmed with `--yes`.
EXIT_NOT_DONE = 1


def _size(size: int) -> str:
    return f"{size / 1024:.0f} KB" if size < 1024 * 1024 else f"{size / 1024 / 1024:.1f} MB"


def register(app: typer.Typer) -> None:
    """Attach the `db` command group."""
    group = typer.Typer(help=texts.DB_HELP, no_args_is_help=True)

    @group.command("upgrade", help=texts.DB_UPGRADE_HELP)
    def upgrade() -> None:
        from services.config import get_settings
        from services.schema import SchemaState, upgrade_database

        done = run_async(lambda: upgrade_database(get_settings().database_url))
        before = done.before
        if before.state is SchemaState.MISSING:
            typer.echo(texts.DB_CREATED.format(database=before.database, after=done.after))
        elif before.state is SchemaState.EMPTY:
            typer.echo(texts.DB_INITIALISED.format(database=before.database, after=done.after))
        elif before.state is SchemaState.CURRENT:
            typer.echo(texts.DB_UP_TO_DATE.format(database=before.database, after=done.after))
        else:
            typer.echo(texts.DB_UPGRADED.format(database=before.database, before=before.current, after=done.after))
        if done.townships:
            typer.echo(texts.DB_TOWNSHIPS_ADDED.format(count=done.townships))

    @group.command("current", help=texts.DB_CURRENT_HELP)
    def current() -> None:
        from services.config import get_settings
        from services.schema import SchemaState, schema_status

        status = run_async(lambda: schema_status(get_settings().database_url))
        typer.echo(texts.DB_CURRENT_DATABASE.format(database=status.database))
        if status.state is not SchemaState.MISSING:
            typer.echo(texts.DB_CURRENT_REVISION.format(current=status.current or texts.DB_NO_REVISION))
            typer.echo(texts.DB_HEAD_REVISION.format(head=status.head))
        if status.problem is None:
            typer.echo(texts.DB_CURRENT_OK)
            return
        typer.echo(status.problem)
        raise typer.Exit(EXIT_NOT_DONE)

    @group.command("revision", help=texts.DB_REVISION_HELP)
    def revision(
        message: Annotated[str, typer.Option("-m", "--message", help=texts.DB_REVISION_MESSAGE_HELP)],
        name: Annotated[str | None, typer.Option("--name", help=texts.DB_REVISION_NAME_HELP)] = None,
        autogenerate: Annotated[bool, typer.Option("--autogenerate", help=texts.DB_REVISION_AUTOGENERATE_HELP)] = False,
    ) -> None:
        from services.config import get_settings
        from services.schema import new_revision

        url = get_settings().database_url
        path = run_async(lambda: new_revision(url=url, message=message, name=name, autogenerate=autogenerate))
        typer.echo(texts.DB_REVISION_WRITTEN.format(path=path, revision=path.stem))

    @group.command("backup", help=texts.DB_BACKUP_HELP)
    def backup(path: Annotated[Path, typer.Argument(help=texts.DB_BACKUP_FILE_HELP)]) -> None:
        from services.backups import backup_database
        from services.config import get_settings
        from services.schema import shown_url

        url = get_settings().database_url

        async def work() -> int:
            return backup_database(url=url, path=path)

        size = run_async(work)
        typer.echo(texts.DB_BACKED_UP.format(database=shown_url(url), path=path, size=_size(size)))

    @group.command("restore", help=texts.DB_RESTORE_HELP)
    def restore(
        path: Annotated[Path, typer.Argument(help=texts.DB_RESTORE_FILE_HELP)],
        yes: Annotated[bool, typer.Option("--yes", help=texts.DB_RESTORE_YES_HELP)] = False,
    ) -> None:
        from services.backups import backup_revision, restore_database
        from services.config import get_settings
        from services.schema import SchemaState, schema_status, shown_url

        url = get_settings().database_url

        async def confirmation() -> str:
            revision = backup_revision(url=url, path=path)
            backup = "" if revision is None else texts.DB_RESTORE_BACKUP_REVISION.format(revision=revision)
            status = await schema_status(url)
            if status.state is SchemaState.MISSING:
                target = texts.DB_RESTORE_TARGET_MISSING
            else:
                target = texts.DB_RESTORE_TARGET_REVISION.format(revision=status.current or texts.DB_NO_REVISION)
            return texts.DB_RESTORE_CONFIRM.format(path=path, backup=backup, database=status.database, target=target)

        async def work() -> str | None:
            restore_database(url=url, path=path)
            return (await schema_status(url)).problem

        if not yes:
            typer.echo(run_async(confirmation), err=True)
            raise typer.Exit(EXIT_NOT_DONE)
        problem = run_async(work)
        typer.echo(texts.DB_RESTORED.format(path=path, database=shown_url(url)))
        typer.echo(texts.DB_RESTORED_RESTART)
        if problem is not None:
            typer.echo(problem)

    app.add_typer(group, name="db")
