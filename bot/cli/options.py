"""What every command group shares: the global options' state, option types, and wiring.

A command builds its services here (:func:`services`), once per invocation, from the settings
and the ``--config`` given on the command line.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

if TYPE_CHECKING:  # imported where used, so `northstar --help` starts without pydantic's models
    from bot.config import NorthstarConfig, Team
    from bot.settings import Settings
    from bot.wiring import Services


class _State:
    debug = False
    config_path: Path | None = None
    example = False


#: The global options of this invocation (``--debug``, ``--config``).
state = _State()

JsonOption = Annotated[bool, typer.Option("--json", help="Machine-readable output.")]
TeamOption = Annotated[
    str | None, typer.Option("--team", "-t", help="Team name (needed when several are set up).")
]
SourceOption = Annotated[
    str | None,
    typer.Option(
        "--source",
        "-s",
        help="sample[:TEAM], csv:PATH or json:PATH (default: the team's configured source; "
        "for jira use `sync`/`score`).",
    ),
]
LimitOption = Annotated[int, typer.Option(min=1, help="How many items to show (at least 1).")]


def settings() -> Settings:
    from bot.settings import Settings

    chosen = Settings()
    if state.config_path is not None:
        chosen = chosen.model_copy(update={"config": state.config_path})
    return chosen


def config() -> NorthstarConfig:
    from bot.config import load_config

    return load_config(settings().config)


def services() -> Services:
    from bot.wiring import build_services

    return build_services(settings())


def say_if_example(sample: bool) -> None:
    """Note that what this command shows is the built-in example on generated sample data.

    Said once, after the command's output (see :func:`bot.cli.app.main`), and not at all when
    the command fails: its one error line stays the only line.
    """
    if sample and settings().config is None:
        state.example = True


def team_of(svc: Services, name: str | None) -> Team:
    return svc.config.team(name)
