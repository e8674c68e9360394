"""Fixtures for the Jira connector tests: a ``responses`` mock and a clock that never sleeps."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import responses

from tests.connectors.jira.support import FakeTime


@pytest.fixture
def jira_http() -> Iterator[responses.RequestsMock]:
    with responses.RequestsMock(assert_all_requests_are_fired=True) as mock:
        yield mock


@pytest.fixture
def fake_time() -> FakeTime:
    return FakeTime()
