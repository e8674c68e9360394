"""The Typer app: global options, the command groups, and the command line's one error boundary.

Commands are thin: they parse options, call a use case and render its result as a Rich table
or, with ``--json``, as JSON. Every reportable error (:data:`bot.errors.REPORTABLE`) becomes one
line and a non-zero exit; anything unexpected is logged with an error id and shown as a generic
line (the traceback only with ``--debug``).

A new command group is a module with its own ``commands = typer.Typer()`` and one line in
:data:`GROUPS`.
"""

from __future__ import annotations

import logging
import sys
from importlib.metadata import version
from pathlib import Path
from typing import Annotated, NoReturn

import typer

from bot.cli import backlog, benefits, comms, demo, ops
from bot.cli.options import state
from bot.cli.output import err, error_line, use_json_errors
from bot.errors import REPORTABLE, new_error_id

logger = logging.getLogger("northstar")

app = typer.Typer(
    name="northstar",
    help="Keep a Jira backlog ordered by value, and a team aligned on value in Slack.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    # Click's plain help: flags show no "<bool>" placeholder, and help text is never markup
    rich_markup_mode=None,
)

#: The command groups, in help order: each module's commands appear at the top level.
GROUPS: tuple[typer.Typer, ...] = (
    demo.commands,
    backlog.commands,
    comms.commands,
    ops.commands,
)
for group in GROUPS:
    app.add_typer(group)
app.add_typer(ops.db_commands, name="db")
app.add_typer(benefits.commands, name="benefits")


#: the long-running services log what they do at the configured level; a one-shot command
#: keeps stderr for warnings and its error line unless NORTHSTAR_LOG_LEVEL asks for more
_SERVICES = frozenset({"serve", "scheduler"})
#: global options accepted after the sub-command too (``northstar rank --debug``)
_GLOBAL_FLAGS = frozenset({"--debug"})
_GLOBAL_VALUES = frozenset({"--config", "-c"})


def _print_version(value: bool) -> None:
    if value:
        sys.stdout.write(f"northstar {version('northstar')}\n")
        raise typer.Exit()


@app.callback()
def _root(
    ctx: typer.Context,
    config: Annotated[
        Path | None,
        typer.Option("--config", "-c", help="northstar.toml (default: $NORTHSTAR_CONFIG)."),
    ] = None,
    debug: Annotated[bool, typer.Option("--debug", help="Show tracebacks and debug logs.")] = False,
    _version: Annotated[
        bool,
        typer.Option(
            "--version",
            help="Print the version and exit.",
            callback=_print_version,
            is_eager=True,
        ),
    ] = False,
) -> None:
    state.debug = debug
    state.config_path = config
    state.example = False
    from bot.logs import configure_logging
    from bot.settings import Settings, SettingsError

    try:
        settings = Settings()
    except SettingsError:
        # logging still starts, on the defaults; the command reports the bad setting itself
        # (`doctor` as a failed check, every other command as its one error line)
        settings = Settings.model_construct()
    use_json_errors(settings.log_format == "json")
    quiet = ctx.invoked_subcommand not in _SERVICES and "log_level" not in settings.model_fields_set
    configure_logging(settings, debug=debug, floor=logging.WARNING if quiet else None)


def hoist_global_options(argv: list[str]) -> list[str]:
    """Move ``--debug`` and ``--config PATH`` given after the sub-command to the front.

    The app reads them there, so either place works; everything after ``--`` is left alone.
    """
    front: list[str] = []
    rest: list[str] = []
    index = 0
    while index < len(argv):
        word = argv[index]
        if word == "--":
            rest.extend(argv[index:])
            break
        if word in _GLOBAL_FLAGS or word.startswith("--config="):
            front.append(word)
        elif word in _GLOBAL_VALUES and index + 1 < len(argv):
            front.extend(argv[index : index + 2])
            index += 1
        else:
            rest.append(word)
        index += 1
    return front + rest


def _database_error(error: Exception) -> str | None:
    """The one line for a database failure: what the driver said, not just its class name."""
    from sqlalchemy.exc import SQLAlchemyError

    if not isinstance(error, SQLAlchemyError):
        return None
    cause = getattr(error, "orig", None) or error
    said = (str(cause).strip().splitlines() or [type(cause).__name__])[0]
    return (
        f"the database refused or could not be reached: {said} "
        "(check NORTHSTAR_DATABASE_URL and run `northstar db upgrade`)"
    )


def _usage_error(error: typer.TyperException) -> NoReturn:
    """A usage error points at the help of the command it was made in.

    A bare group (``northstar``, ``northstar db``) prints its usage, which Rich has already
    shown, instead of an empty "error:".
    """
    message = error.format_message()
    # Typer vendors Click, so its exception classes are told apart by name, as Typer does
    if type(error).__name__ == "NoArgsIsHelpError":
        if message:
            sys.stdout.write(f"{message}\n")
        sys.exit(error.exit_code)
    context = getattr(error, "ctx", None)
    where = context.command_path if context is not None else "northstar"
    error_line(f"{message} (see `{where} --help`)")
    sys.exit(error.exit_code)


def main(argv: list[str] | None = None) -> None:
    """Console entry point: run the app, turning errors into one clear line."""
    args = hoist_global_options(sys.argv[1:] if argv is None else argv)
    try:
        code = app(args=args, prog_name="northstar", standalone_mode=False)
        if isinstance(code, int) and code:
            sys.exit(code)
        if state.example:
            err.print(
                "note: this is the built-in example config on generated sample data; set "
                "NORTHSTAR_CONFIG or pass --config to use your own",
                highlight=False,
                soft_wrap=True,
            )
    except typer.Exit as e:
        sys.exit(e.exit_code)
    except typer.TyperException as e:
        _usage_error(e)
    except typer.Abort:
        err.print("aborted")
        sys.exit(130)
    except REPORTABLE as e:
        if state.debug:
            logger.exception("command failed")
        error_line(str(e))
        sys.exit(1)
    except KeyboardInterrupt:
        err.print("interrupted; `northstar reorder --apply` resumes an interrupted reorder")
        sys.exit(130)
    except Exception as e:
        database = _database_error(e)
        if database is not None:
            if state.debug:
                logger.exception("database error")
            error_line(database)
            sys.exit(1)
        error_id = new_error_id()
        logger.exception("unexpected error %s", error_id)
        error_line(
            f"something unexpected went wrong (error id {error_id}); "
            "run again with --debug for details"
        )
        sys.exit(1)
