from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.logs import MASK, bound, configure_logging, database_password
from bot.settings import Settings

WITNESS = "witness-4b1d9e0a"


@pytest.fixture
def captured() -> Iterator[io.StringIO]:
    """Configure logging as a process would, then capture what its handler writes."""
    root = logging.getLogger()
    saved = root.handlers[:], root.level
    settings = Settings(
        _env_file=None, log_format="json", jira_api_token=WITNESS, slack_signing_secret=WITNESS
    )
    configure_logging(settings)
    stream = io.StringIO()
    handler = root.handlers[0]
    assert isinstance(handler, logging.StreamHandler)
    handler.setStream(stream)
    yield stream
    root.handlers[:], _ = saved
    root.setLevel(saved[1])


def _records(stream: io.StringIO) -> list[dict]:
    return [json.loads(line) for line in stream.getvalue().splitlines()]


def test_json_logs_carry_the_request_and_job_ids(captured):
    log = logging.getLogger("northstar.test")
    with bound(request="req-1"):
        log.warning("answered %s", "/value top")
    with bound(job="digest:payments:2026-W48"):
        log.warning("posted")
    first, second = _records(captured)
    assert first["message"] == "answered /value top"
    assert first["request_id"] == "req-1"
    assert second["job_id"] == "digest:payments:2026-W48"
    assert "request_id" not in second


def test_secret_values_are_redacted_from_messages_and_tracebacks(captured):
    log = logging.getLogger("northstar.test")
    log.warning("token is %s", WITNESS)
    try:
        raise RuntimeError(f"bad auth {WITNESS}")
    except RuntimeError:
        log.exception("failed")
    text = captured.getvalue()
    assert WITNESS not in text
    assert MASK in text
    assert "RuntimeError" in _records(captured)[1]["exception"]


@pytest.mark.parametrize(
    "leak",
    ["xoxb-1234-5678-abcdef", "xapp-1-A0-123-abc", "Authorization: Bearer abc.def.ghi"],
    ids=["bot_token", "app_token", "auth_header"],
)
def test_token_shaped_strings_are_redacted_even_when_not_configured(captured, leak):
    logging.getLogger("northstar.test").warning("sent %s", leak)
    assert leak not in captured.getvalue()


def test_the_database_password_is_redacted_but_not_the_rest_of_the_url():
    root = logging.getLogger()
    saved = root.handlers[:], root.level
    url = f"postgresql+psycopg://northstar:{WITNESS}@db.internal:5432/northstar"
    configure_logging(Settings(_env_file=None, database_url=url))
    stream = io.StringIO()
    handler = root.handlers[0]
    assert isinstance(handler, logging.StreamHandler)
    handler.setStream(stream)
    try:
        logging.getLogger("northstar.test").warning("cannot reach %s", url)
    finally:
        root.handlers[:], _ = saved
        root.setLevel(saved[1])
    text = stream.getvalue()
    assert WITNESS not in text
    assert "db.internal:5432" in text


#: URLs where a naive reading of the password goes wrong: percent-escapes, "@" and ":" in the
#: credentials, no password, an empty one, IPv6 hosts, query strings, no scheme at all.
TRICKY_URLS = [
    "postgresql+psycopg://northstar:s%40cr%3At%2F%25@db:5432/northstar",
    "postgresql://user:p@ss@host/db",
    "postgresql://us@er:pw@host/db",
    "postgresql://user:pa:ss@host/db",
    "postgresql://user:@host/db",
    "postgresql://user@host/db",
    "postgresql://host/db",
    "postgresql://user:pw%20x+y@[::1]:5432/db?sslmode=require",
    "mysql+pymysql://a:b%ZZc@h/d",
    "sqlite:///northstar.db",
    "sqlite://",
    "postgresql://user:pw/x@host/db",
    "postgresql://:secret@host/db",
    "not a url",
    "",
]


def _sqlalchemy_password(url: str) -> str | None:
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        password = make_url(url).password
    except ArgumentError:
        return None
    return None if password is None else str(password)


@pytest.mark.parametrize("url", TRICKY_URLS)
def test_the_database_password_is_read_as_sqlalchemy_reads_it(url):
    assert database_password(url) == _sqlalchemy_password(url)


_URL_PART = st.text(alphabet="ab:@/%?#[]+ 2F4", max_size=12)


@settings(max_examples=300, deadline=None)
@given(scheme=st.sampled_from(["postgresql+psycopg", "sqlite", "mysql"]), rest=_URL_PART)
def test_random_urls_give_the_password_sqlalchemy_gives(scheme, rest):
    url = f"{scheme}://{rest}"
    try:
        expected = _sqlalchemy_password(url)
    except ValueError:  # SQLAlchemy refuses a non-numeric port after reading the password
        return
    assert database_password(url) == expected
