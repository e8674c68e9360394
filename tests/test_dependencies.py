"""Every package the shipped code imports is a declared runtime dependency.

A dev-only package (pytest, import-linter ...) can make an import work in `make test` that
fails for a user after `make demo` or in the container: typer 0.29, for one, stopped
requiring click, which import-linter then still brought into the dev environment.
"""

from __future__ import annotations

import ast
import re
import sys
import tomllib
from importlib.metadata import packages_distributions
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SHIPPED = ("bot", "connectors", "rules")


def imported_top_level_names() -> set[str]:
    names: set[str] = set()
    for package in SHIPPED:
        for path in (REPO / package).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.Import):
                    names.update(alias.name.split(".")[0] for alias in node.names)
                elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                    names.add(node.module.split(".")[0])
    return names - set(sys.stdlib_module_names) - set(SHIPPED) - {"__future__"}


def normalised(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def declared_dependencies() -> set[str]:
    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    return {
        normalised(re.split(r"[\s<>=!~\[;]", spec, maxsplit=1)[0])
        for spec in project["dependencies"]
    }


def test_every_third_party_import_of_the_shipped_code_is_a_declared_dependency():
    providers = packages_distributions()
    declared = declared_dependencies()
    undeclared = {
        name: providers.get(name, ["?"])
        for name in imported_top_level_names()
        if not declared & {normalised(dist) for dist in providers.get(name, [])}
    }
    assert not undeclared, f"imported but not in [project.dependencies]: {undeclared}"
