"""Logging for every bot process: configured once at the entry point, never in libraries.

Production logs are JSON lines carrying the request or job id of the work that wrote them.
A redaction filter masks every secret the settings hold, and anything shaped like a Slack
token or an ``Authorization`` header, so a careless log line cannot leak a credential.
"""

from __future__ import annotations

import contextvars
import json
import logging
import re
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from urllib.parse import unquote

from bot.settings import Settings

#: the id of the Slack request or scheduled job being handled, added to every record
request_id: contextvars.ContextVar[str | None] = contextvars.ContextVar("request_id", default=None)
job_id: contextvars.ContextVar[str | None] = contextvars.ContextVar("job_id", default=None)

MASK = "[redacted]"
_TOKEN_SHAPES = re.compile(
    r"(xox[abposr]-[A-Za-z0-9-]+|xapp-[A-Za-z0-9-]+"
    r"|(?i:authorization)[\"']?\s*[:=]\s*[\"']?(?:Basic|Bearer)\s+[A-Za-z0-9+/=._-]+)"
)
#: The scheme and credentials of a database URL, exactly as SQLAlchemy's URL parser reads them
#: (``sqlalchemy.engine.url._parse_url``): the rest of its pattern can match nothing, so it never
#: changes what this prefix captures.
_URL_CREDENTIALS = re.compile(r"[\w+]+://(?:[^:/]*(?::(?P<password>[^@]*))?@)?")


@contextmanager
def bound(*, request: str | None = None, job: str | None = None) -> Iterator[None]:
    """Tag every log record written inside the block with a request or job id."""
    tokens = []
    if request is not None:
        tokens.append((request_id, request_id.set(request)))
    if job is not None:
        tokens.append((job_id, job_id.set(job)))
    try:
        yield
    finally:
        for var, token in reversed(tokens):
            var.reset(token)


class RedactingFilter(logging.Filter):
    """Replace known secret values and token-shaped strings in the rendered message."""

    def __init__(self, secrets: Iterable[str]):
        super().__init__()
        self._secrets = sorted((s for s in secrets if len(s) >= 4), key=len, reverse=True)

    def redact(self, text: str) -> str:
        for secret in self._secrets:
            text = text.replace(secret, MASK)
        return _TOKEN_SHAPES.sub(MASK, text)

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = self.redact(record.getMessage())
        record.args = None
        if record.exc_info and record.exc_info[1] is not None:
            record.exc_text = self.redact(logging.Formatter().formatException(record.exc_info))
            record.exc_info = None
        record.request_id = request_id.get()
        record.job_id = job_id.get()
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object a line: time, level, logger, message, ids and the exception, if any."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, object] = {
            "time": datetime.fromtimestamp(record.created, tz=UTC).isoformat(),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for key in ("request_id", "job_id"):
            value = getattr(record, key, None)
            if value:
                entry[key] = value
        if record.exc_text:
            entry["exception"] = record.exc_text
        elif record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


def secret_values(settings: Settings) -> list[str]:
    """Every secret the settings hold, unwrapped only to be masked.

    The database URL is not a secret as a whole (its host helps when reading logs), but the
    password in it is.
    """
    values = []
    for name in type(settings).model_fields:
        value = getattr(settings, name)
        if hasattr(value, "get_secret_value"):
            values.append(value.get_secret_value())
    password = database_password(settings.database_url)
    if password:
        values.append(password)
    return values


def database_password(url: str) -> str | None:
    """The password in a database URL, percent-decoded as SQLAlchemy decodes it.

    Read without SQLAlchemy so that configuring logs does not cost every command the import of
    SQLAlchemy (a quarter of a second), which most commands never use.
    """
    found = _URL_CREDENTIALS.match(url)
    if found is None or found["password"] is None:
        return None
    return unquote(found["password"])


def configure_logging(settings: Settings, *, debug: bool = False, floor: int | None = None) -> None:
    """Send logs to stderr, as text or JSON, with secrets redacted.

    The ``jira`` package dumps response headers and bodies at DEBUG, so it stays at INFO or
    above even with ``--debug``. ``floor`` raises the level (a one-shot command keeps INFO
    narration off stderr); ``--debug`` overrides it.
    """
    level = logging.DEBUG if debug else getattr(logging, settings.log_level.upper(), logging.INFO)
    if floor is not None and not debug:
        level = max(level, floor)
    handler = logging.StreamHandler()
    handler.addFilter(RedactingFilter(secret_values(settings)))
    if settings.log_format == "json":
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    for noisy in ("jira", "urllib3", "slack_sdk", "slack_bolt"):
        logging.getLogger(noisy).setLevel(max(level, logging.INFO))
    # alembic narrates every plugin and migration step at INFO; `db upgrade` says the result
    logging.getLogger("alembic").setLevel(level if debug else logging.WARNING)
