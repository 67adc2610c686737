"""The `fupin` command line: one typer app whose command groups live in `bot/commands/`."""

from __future__ import annotations

import typer

from bot.commands import register


def build_app() -> typer.Typer:
    """The CLI with every command group attached; nothing heavy happens until a command runs."""
    app = typer.Typer(add_completion=False, no_args_is_help=True, help="新宾扶贫助手 fupin")
    register(app)
    return app


#: The exit status of a command typed wrong (click's, and the shell's convention).
USAGE_EXIT = 2


def usage_error(exc: Exception) -> str:
    """A command typed wrong, said in Chinese with where to look: typer (from 0.29 with its own copy
    of click) and click word their usage errors in English, and show a traceback for some."""
    from bot.commands import texts

    kind = type(exc).__name__
    option = getattr(exc, "option_name", None)
    param = getattr(getattr(exc, "param", None), "name", None)
    if kind == "NoSuchOption" and option:
        problem = texts.USAGE_NO_SUCH_OPTION.format(option=option)
    elif kind == "MissingParameter" and param:
        problem = texts.USAGE_MISSING.format(param=param)
    elif str(exc).startswith("No such command"):
        problem = texts.USAGE_NO_SUCH_COMMAND
    elif param:
        problem = texts.USAGE_BAD_VALUE.format(param=param)
    else:
        problem = texts.USAGE_OTHER
    ctx = getattr(exc, "ctx", None)
    command = getattr(ctx, "command_path", None) or "fupin"
    return texts.USAGE_ERROR.format(problem=problem, command=command, original=str(exc))


def main(argv: list[str] | None = None) -> int:
    """Entry point of the `fupin` console script; returns the process exit status.

    Every log record of the process is masked (身份证号, phone numbers) whatever logs it.
    """
    from services.masking import install_log_masking

    install_log_masking()
    app = build_app()
    try:
        result = app(args=argv, prog_name="fupin", standalone_mode=False)
    except SystemExit as exc:  # typer/click raise SystemExit for --help and usage errors
        return int(exc.code or 0)
    except typer.Exit as exc:
        return exc.exit_code
    except typer.Abort:
        return 1
    except Exception as exc:  # click's UsageError and friends, and settings the environment gets wrong
        import click
        from pydantic import ValidationError

        from bot.commands.runner import settings_error

        if isinstance(exc, ValidationError):
            exc = settings_error(exc)
        if type(exc).__name__ == "NoArgsIsHelpError":  # the help was shown: nothing else to say
            return USAGE_EXIT
        if isinstance(exc, click.UsageError | typer.TyperException) and exc.exit_code == USAGE_EXIT:
            typer.echo(usage_error(exc), err=True)
            return USAGE_EXIT
        if isinstance(exc, click.ClickException):
            exc.show()
            return exc.exit_code
        raise
    # In non-standalone mode click returns typer.Exit's code instead of raising it.
    return result if isinstance(result, int) else 0
