from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator

import pytest

from bot.logs import MASK, bound, configure_logging
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
