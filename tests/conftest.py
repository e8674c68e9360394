"""Shared fixtures: a clean environment for every test, and where the vendor material is."""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from pathlib import Path
from unittest import mock

import pytest

REPO = Path(__file__).resolve().parents[1]
VENDOR = REPO.parent / "shared" / "vendor"
TEST_DATABASE_URL = os.environ.get("NORTHSTAR_TEST_DATABASE_URL")


@pytest.fixture(autouse=True)
def clean_env(tmp_path: Path) -> Iterator[None]:
    """No developer's NORTHSTAR_* variables or .env leak into a test (pydantic-settings' habit),
    and no test's logging set-up leaks into the next.

    The working directory moves to a fresh folder so a stray `.env` or `northstar.db` in the
    repository is never read or written.
    """
    kept = {"NORTHSTAR_TEST_DATABASE_URL": TEST_DATABASE_URL} if TEST_DATABASE_URL else {}
    env = {key: value for key, value in os.environ.items() if not key.startswith("NORTHSTAR_")}
    root = logging.getLogger()
    # a test that runs the CLI configures logging for the process, as a user's run does; its
    # redacting handler must not outlive the test and rewrite later tests' records
    handlers, level = root.handlers[:], root.level
    with mock.patch.dict(os.environ, {**env, **kept}, clear=True):
        cwd = Path.cwd()
        os.chdir(tmp_path)
        try:
            yield
        finally:
            os.chdir(cwd)
            root.handlers[:] = handlers
            root.setLevel(level)


@pytest.fixture
def vendor() -> Path:
    """The shared vendor folder; tests that need it skip when a clone has none."""
    if not VENDOR.is_dir():
        pytest.skip(
            f"{VENDOR} is absent: the published API specs and datasets these tests check "
            "against (README, Development)"
        )
    return VENDOR
