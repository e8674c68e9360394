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


#: The global options of this invocation (``--debug``, ``--config``).
state = _State()

JsonOption = Annotated[bool, typer.Option("--json", help="Machine-readable output.")]
TeamOption = Annotated[
    str | None, typer.Option("--team", "-t", help="Team name (needed when several are set up).")
]
SourceOption = Annotated[
    str,
    typer.Option(
        "--source", "-s", help="sample[:TEAM], csv:PATH or json:PATH (jira: use `sync`/`score`)."
    ),
]


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


def team_of(svc: Services, name: str | None) -> Team:
    return svc.config.team(name)
