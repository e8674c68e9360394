"""Finding connectors by name: built-in ones and plug-ins registered as entry points.

Connectors register in the entry-point group ``northstar.connectors`` (``name = "module:Class"``),
the way APScheduler finds its job stores, so a third-party package can add a backlog tool
without touching Northstar. The four built-in connectors are known even when the package
metadata is missing (running from a source checkout), and an installed entry point of the same
name wins. Loading checks the class really implements the :class:`~connectors.base.Connector`
port, so a broken plug-in fails at start with its name, not in the middle of a reorder.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Mapping
from datetime import datetime
from importlib.metadata import EntryPoint, entry_points
from pathlib import PurePath

from connectors.base import Connector, ConnectorConfigError, did_you_mean

logger = logging.getLogger(__name__)

GROUP = "northstar.connectors"

#: Methods a connector class must have (the :class:`~connectors.base.Connector` protocol).
REQUIRED_METHODS: tuple[str, ...] = (
    "fetch_items",
    "read_order",
    "write_scores",
    "write_inputs",
    "apply_move",
    "list_sprints",
)

_BUILTIN: dict[str, str] = {
    "csv": "connectors.files:CsvConnector",
    "jira": "connectors.jira.connector:JiraConnector",
    "json": "connectors.files:JsonConnector",
    "sample": "connectors.sample:SampleConnector",
}

#: Kinds whose argument is a file path, recognised from a bare path's suffix too.
_FILE_KINDS = ("csv", "json")


class UnknownConnectorError(ConnectorConfigError):
    """No connector is installed under the name asked for."""


def available() -> dict[str, EntryPoint]:
    """Installed connectors by name, sorted: the built-in ones and any plug-ins."""
    found = {
        name: EntryPoint(name=name, value=value, group=GROUP) for name, value in _BUILTIN.items()
    }
    found.update({entry.name: entry for entry in entry_points(group=GROUP)})
    return dict(sorted(found.items()))


def _unknown(name: str, installed: Iterable[str]) -> UnknownConnectorError:
    names = sorted(installed)
    return UnknownConnectorError(
        f"No connector named {name!r} (installed: {', '.join(names)}){did_you_mean(name, names)}"
    )


def load_connector_class(
    name: str, *, installed: Mapping[str, EntryPoint] | None = None
) -> type[Connector]:
    """Import the connector registered as ``name`` and check it implements the port.

    Args:
        name: The registered name (``sample``, ``csv``, ``json``, ``jira`` or a plug-in's).
        installed: The connectors to choose from; :func:`available` when None (tests pass a
            mapping to try broken plug-ins without installing them).

    Raises:
        UnknownConnectorError: Nothing is registered under ``name``.
        ConnectorConfigError: The entry point cannot be imported, is not a class, or lacks
            methods of the port.
    """
    connectors = available() if installed is None else installed
    entry = connectors.get(name)
    if entry is None:
        raise _unknown(name, connectors)
    try:
        loaded: object = entry.load()
    except (ImportError, AttributeError) as e:
        raise ConnectorConfigError(
            f"connector {name!r} ({entry.value}) cannot be loaded: {e}; is its package installed?"
        ) from e
    if not isinstance(loaded, type):
        raise ConnectorConfigError(
            f"connector {name!r} ({entry.value}) is a {type(loaded).__name__}, not a class"
        )
    missing = [method for method in REQUIRED_METHODS if not callable(getattr(loaded, method, None))]
    if missing:
        raise ConnectorConfigError(
            f"connector {name!r} ({entry.value}) does not implement the Connector protocol: "
            f"missing {', '.join(missing)}"
        )
    connector_class: type[Connector] = loaded
    return connector_class


def parse_source(spec: str) -> tuple[str, str | None]:
    """Split a CLI source spec into its connector name and argument.

    ``"sample"`` -> ``("sample", None)``, ``"sample:growth"`` -> ``("sample", "growth")``,
    ``"csv:PATH"`` and ``"json:PATH"`` -> the path, ``"jira"`` -> ``("jira", None)``. A bare path
    ending in ``.csv`` or ``.json`` is read as ``csv:PATH`` / ``json:PATH``.

    Raises:
        UnknownConnectorError: The name before ``:`` is not an installed connector.
        ConnectorConfigError: The spec is empty, or a file kind has no path.
    """
    text = spec.strip()
    if not text:
        raise ConnectorConfigError(
            "the source is empty; use sample[:TEAM], csv:PATH, json:PATH or jira"
        )
    kind, separator, argument = text.partition(":")
    kind = kind.strip().lower()
    installed = available()
    if kind not in installed:
        suffix = PurePath(text).suffix.lower().lstrip(".")
        if suffix in _FILE_KINDS:
            return suffix, text
        raise _unknown(kind, installed)
    value = argument.strip() if separator else ""
    if kind in _FILE_KINDS and not value:
        raise ConnectorConfigError(f"the {kind} source needs a path: {kind}:PATH")
    return kind, value or None


def open_source(
    spec: str,
    *,
    team: str | None = None,
    writable: Iterable[str] = ("score",),
    clock: Callable[[], datetime] | None = None,
) -> Connector:
    """Open a backlog named by a source spec, for the sample, file and plug-in kinds.

    Args:
        spec: ``sample[:TEAM]``, ``csv:PATH``, ``json:PATH`` or ``NAME[:ARGUMENT]`` of a plug-in.
        team: The sample team when the spec names none (``payments`` by default).
        writable: Fields Northstar may write (``[jira.fields] writable`` in the config).
        clock: The tool's clock for ``updated`` stamps of the in-memory sample.

    A plug-in class is called as ``cls(argument)``, or ``cls()`` without an argument.

    Raises:
        ConnectorConfigError: For ``jira`` (the bot builds it from settings and config) and
            for any spec or file that cannot be opened.
    """
    kind, argument = parse_source(spec)
    if kind == "jira":
        raise ConnectorConfigError(
            "the jira connector needs credentials and a board or JQL, so the bot builds it from "
            'NORTHSTAR_JIRA_* settings and northstar.toml; give the team `source = "jira"` '
            "and use `northstar sync` / `score`, or pass a sample, csv: or json: source here"
        )
    if kind == "sample":
        from connectors.sample import SampleConnector

        return SampleConnector(argument or team or "payments", writable=writable, clock=clock)
    if kind in _FILE_KINDS and argument is not None:
        from connectors.files import CsvConnector, JsonConnector

        file_class = CsvConnector if kind == "csv" else JsonConnector
        return file_class(argument, writable=writable)
    connector_class = load_connector_class(kind)
    try:
        connector = connector_class(argument) if argument else connector_class()  # type: ignore[call-arg]
    except TypeError as e:
        raise ConnectorConfigError(f"connector {kind!r} cannot be opened from {spec!r}: {e}") from e
    if not isinstance(connector, Connector):
        raise ConnectorConfigError(f"connector {kind!r} did not build a Connector from {spec!r}")
    return connector
