"""The lock files pin, with hashes, every dependency pyproject.toml declares (issue 12).

`make lock-check` (part of `make test`) compiles them again against PyPI; these tests need no
network and catch the mistakes that check cannot explain: a hand-edited lock, an image or a
Makefile that installs around the lock.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
PYPROJECT = tomllib.loads((REPO / "pyproject.toml").read_text())


def _name(requirement: str) -> str:
    match = re.match(r"[A-Za-z0-9][A-Za-z0-9._-]*", requirement)
    assert match, requirement
    return re.sub(r"[-_.]+", "-", match[0]).lower()


def _pins(path: Path) -> dict[str, set[str]]:
    """Package -> pinned versions (a universal lock may pin one per Python version)."""
    text = path.read_text()
    pins: dict[str, set[str]] = {}
    for entry in re.split(r"\n(?=[A-Za-z0-9])", text):
        line = entry.strip()
        if not line or line.startswith("#"):
            continue
        name, _, rest = line.partition("==")
        assert rest, f"{path.name}: {line.splitlines()[0]!r} is not pinned with =="
        assert "--hash=sha256:" in entry, f"{path.name}: {name} has no hash"
        pins.setdefault(_name(name), set()).add(rest.split()[0].rstrip(";"))
    return pins


RUNTIME = _pins(REPO / "requirements.lock")
DEV = _pins(REPO / "requirements-dev.lock")


@pytest.mark.parametrize(
    "requirement", PYPROJECT["project"]["dependencies"], ids=lambda r: _name(r)
)
def test_every_runtime_dependency_is_pinned_in_both_locks(requirement: str):
    assert _name(requirement) in RUNTIME
    assert _name(requirement) in DEV


@pytest.mark.parametrize(
    "requirement", PYPROJECT["project"]["optional-dependencies"]["dev"], ids=lambda r: _name(r)
)
def test_every_dev_dependency_is_pinned_in_the_dev_lock_only(requirement: str):
    assert _name(requirement) in DEV
    assert _name(requirement) not in PYPROJECT["project"]["dependencies"]


def test_what_both_locks_pin_they_pin_at_the_same_version():
    differing = {
        name: (versions, DEV.get(name))
        for name, versions in RUNTIME.items()
        if DEV.get(name) != versions
    }
    assert not differing


def test_the_image_installs_the_hashed_lock_and_the_app_without_resolving_again():
    dockerfile = (REPO / "deploy" / "Dockerfile").read_text()
    assert "pip install --require-hashes -r requirements.lock" in dockerfile
    assert re.search(r"pip install --no-deps \.$", dockerfile, re.MULTILINE)


def test_make_installs_from_the_locks_and_make_test_checks_them():
    makefile = (REPO / "Makefile").read_text()
    assert "pip install --quiet --require-hashes -r $(LOCK)" in makefile
    assert "pip install --quiet --require-hashes -r $(DEV_LOCK)" in makefile
    assert "-e '.[dev]'" not in makefile
    test_target = re.search(r"^test: (.*)$", makefile, re.MULTILINE)
    assert test_target
    assert "lock-check" in test_target[1].split()
