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
from pathlib import Path
from typing import Annotated

import typer

from bot.cli import backlog, benefits, comms, demo, ops
from bot.cli.options import state
from bot.cli.output import err, error_line
from bot.errors import REPORTABLE, new_error_id

logger = logging.getLogger("northstar")

app = typer.Typer(
    name="northstar",
    help="Keep a Jira backlog ordered by value, and a team aligned on value in Slack.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
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


@app.callback()
def _root(
    config: Annotated[
        Path | None,
        typer.Option("--config", "-c", help="northstar.toml (default: $NORTHSTAR_CONFIG)."),
    ] = None,
    debug: Annotated[bool, typer.Option("--debug", help="Show tracebacks and debug logs.")] = False,
) -> None:
    state.debug = debug
    state.config_path = config
    from bot.logs import configure_logging
    from bot.settings import Settings

    configure_logging(Settings(), debug=debug)


def main(argv: list[str] | None = None) -> None:
    """Console entry point: run the app, turning errors into one clear line."""
    try:
        code = app(args=argv, standalone_mode=False)
        if isinstance(code, int) and code:
            sys.exit(code)
    except typer.Exit as e:
        sys.exit(e.exit_code)
    except typer.TyperException as e:  # a usage error: unknown command or option, bad value
        error_line(f"{e.format_message()} (see `northstar --help`)")
        sys.exit(e.exit_code)
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
    except Exception:
        error_id = new_error_id()
        logger.exception("unexpected error %s", error_id)
        error_line(
            f"something unexpected went wrong (error id {error_id}); "
            "run again with --debug for details"
        )
        sys.exit(1)
