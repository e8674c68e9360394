"""Jira over HTTP: one session (the ``jira`` package's, for its auth), our retries, clear errors.

The ``jira`` package builds the authenticated session (basic auth for Cloud, bearer token for
Data Center); its own retry loop is switched off (``max_retries=0``) so it cannot fight ours,
which honours ``Retry-After``, backs off with jitter and stops at a total time budget. Calls
may come from several threads (parallel score writes): a ``Retry-After`` one of them is told
holds every thread until that moment, so the pool waits once instead of each thread hitting
the limit in turn. Every failure becomes a :class:`JiraRequestError` naming the endpoint, the
status and what Jira said; nothing here logs headers or bodies, and messages are scrubbed of
the secrets as a last guard.
"""

from __future__ import annotations

import logging
import random
import threading
import time
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any

import jira
import requests
from jira.exceptions import JIRAError

from connectors.base import ConnectorError
from connectors.jira.config import CloudAuth, JiraConfig

logger = logging.getLogger(__name__)

#: ``on_request(endpoint_template, status)``: called once per HTTP attempt (status 0 = no answer).
RequestHook = Callable[[str, int], None]

#: Statuses worth retrying: rate limited, or Jira/its proxy briefly unavailable.
RETRY_STATUSES = frozenset({429, 502, 503, 504})
BACKOFF_BASE_SECONDS = 1.0
BACKOFF_CAP_SECONDS = 30.0

_HINTS = {
    400: "Jira refused the request as invalid; check the team's jql/extra_jql and the field "
    "mapping in northstar.toml",
    401: "Jira did not accept the credentials; check NORTHSTAR_JIRA_EMAIL and "
    "NORTHSTAR_JIRA_API_TOKEN (Cloud) or NORTHSTAR_JIRA_PAT (Data Center), and that they "
    "have not expired",
    403: "the Jira account lacks a permission this needs; ask a Jira admin to grant it "
    "(run `northstar doctor` to see which)",
    404: "Jira has no such resource, or this account cannot see it",
    409: "Jira reported a conflict (the issue changed at the same time); run again",
    429: "Jira kept rate-limiting Northstar; try again later or sync less often",
}


class JiraRequestError(ConnectorError):
    """A Jira request failed for good; the message is safe to show (no secrets)."""

    def __init__(self, message: str, *, endpoint: str, status: int, said: str = "") -> None:
        self.endpoint = endpoint
        self.status = status
        self.said = said
        super().__init__(message)


class JiraAuthError(JiraRequestError):
    """401: the credentials are wrong or expired."""


class JiraPermissionError(JiraRequestError):
    """403: the account lacks a permission (on rank: *Schedule issues*)."""


class JiraNotFoundError(JiraRequestError):
    """404: no such board or issue, or this account cannot see it."""


class JiraRateLimited(JiraRequestError):
    """429 until the retry budget ran out; ``retry_after`` is Jira's last hint in seconds."""

    def __init__(self, message: str, *, endpoint: str, retry_after: float | None) -> None:
        self.retry_after = retry_after
        super().__init__(message, endpoint=endpoint, status=429)


class JiraUnavailable(JiraRequestError):
    """Jira did not answer usefully (5xx, dropped connections, timeouts) within the budget."""


_ERRORS: dict[int, type[JiraRequestError]] = {
    401: JiraAuthError,
    403: JiraPermissionError,
    404: JiraNotFoundError,
}


def jira_said(response: requests.Response) -> str:
    """What Jira's error body says (``errorMessages`` and ``errors``), as one short line."""
    try:
        body: Any = response.json()
    except ValueError:
        return response.text.strip()[:300]
    if not isinstance(body, dict):
        return ""
    parts = [str(message) for message in body.get("errorMessages") or ()]
    errors = body.get("errors")
    if isinstance(errors, dict):
        parts.extend(f"{field}: {message}" for field, message in errors.items())
    for key in ("message", "errorMessage"):
        if isinstance(body.get(key), str):
            parts.append(body[key])
    return "; ".join(parts)[:500]


def parse_retry_after(value: str | None, server_now: datetime | None) -> float | None:
    """``Retry-After`` in seconds: either a number or an HTTP-date (relative to Jira's clock)."""
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    now = server_now or datetime.now(tz=UTC)
    return max(0.0, (when - now).total_seconds())


def _server_time(response: requests.Response) -> datetime | None:
    try:
        return parsedate_to_datetime(response.headers["Date"])
    except (KeyError, TypeError, ValueError):
        return None


def build_session(config: JiraConfig) -> requests.Session:
    """The ``jira`` package's authenticated session, with its own retries turned off."""
    if isinstance(config.auth, CloudAuth):
        client = jira.JIRA(
            config.base_url,
            basic_auth=(config.auth.email, config.auth.api_token.get_secret_value()),
            get_server_info=False,
            max_retries=0,
            timeout=config.timeout_seconds,
        )
    else:
        client = jira.JIRA(
            config.base_url,
            token_auth=config.auth.pat.get_secret_value(),
            get_server_info=False,
            max_retries=0,
            timeout=config.timeout_seconds,
        )
    session: requests.Session = client._session
    return session


class JiraHttp:
    """Calls Jira with retries inside a time budget, counting every request.

    Args:
        config: URL, auth, timeout and retry budget.
        on_request: Called as ``on_request(endpoint_template, status)`` after every attempt
            (the bot counts them in Prometheus); status 0 means the connection failed.
        sleep: How to wait between retries (tests pass a fake that records the delays).
        rng: Source of the backoff jitter.
        clock: A monotonic clock measuring the budget (tests advance it from ``sleep``).
        session: The HTTP session; built from ``config`` with the ``jira`` package when None.
    """

    def __init__(
        self,
        config: JiraConfig,
        *,
        on_request: RequestHook | None = None,
        sleep: Callable[[float], None] = time.sleep,
        rng: random.Random | None = None,
        clock: Callable[[], float] = time.monotonic,
        session: requests.Session | None = None,
    ) -> None:
        self.config = config
        self.requests = 0
        self._lock = threading.Lock()
        #: monotonic time before which no request is sent: the latest Retry-After Jira named
        self._resume_at = float("-inf")
        self._on_request = on_request
        self._sleep = sleep
        self._rng = rng or random.Random()  # noqa: S311 - jitter, not cryptography
        self._clock = clock
        self._session = session or build_session(config)

    def call(
        self,
        method: str,
        endpoint: str,
        *,
        path: Mapping[str, object] | None = None,
        params: Mapping[str, str | int] | None = None,
        body: object = None,
        hints: Mapping[int, str] | None = None,
    ) -> requests.Response:
        """Send one request, retrying transient failures, and return a 2xx response.

        Args:
            method: ``GET``, ``POST`` or ``PUT``.
            endpoint: The path template, e.g. ``/rest/agile/1.0/board/{boardId}/backlog``; it
                names the endpoint in metrics and messages without ids or keys.
            path: Values for the template's placeholders.
            params: Query parameters.
            body: A JSON body.
            hints: Messages that replace the generic advice for some statuses (403 on rank).

        Raises:
            JiraRequestError: A final failure, with the endpoint, status and Jira's words.
        """
        url = self.config.base_url + endpoint.format(**(path or {}))
        started = self._clock()
        backoffs = 0  # only waits Jira did not name grow exponentially
        while True:
            self._wait_for_resume()
            response, failure = self._send(method, url, endpoint, params, body)
            if response is not None and response.ok:
                return response
            if response is not None and response.status_code not in RETRY_STATUSES:
                raise self._error(method, endpoint, response, hints)
            delay = self._hinted_delay(response)
            hinted = delay is not None
            if delay is None:
                backoffs += 1
                delay = self._backoff(backoffs)
            if self._clock() - started + delay > self.config.retry_budget_seconds:
                raise self._gave_up(method, endpoint, response, failure, delay)
            logger.info(
                "jira %s %s: %s, retrying in %.1fs",
                method,
                endpoint,
                failure or f"status {response.status_code if response is not None else 0}",
                delay,
            )
            if hinted:
                self._pause_all(delay)
            else:
                self._sleep(delay)

    def _pause_all(self, delay: float) -> None:
        """Hold every thread's next request until ``delay`` from now (or a later pause)."""
        with self._lock:
            self._resume_at = max(self._resume_at, self._clock() + delay)

    def _wait_for_resume(self) -> None:
        with self._lock:
            wait = self._resume_at - self._clock()
        if wait > 0:
            self._sleep(wait)

    def _send(
        self,
        method: str,
        url: str,
        endpoint: str,
        params: Mapping[str, str | int] | None,
        body: object,
    ) -> tuple[requests.Response | None, str]:
        with self._lock:
            self.requests += 1
        try:
            # the jira session adds the timeout it was built with (config.timeout_seconds)
            response = self._session.request(method, url, params=params, json=body)
        except JIRAError as e:  # the jira session raises for every non-2xx answer
            answer: requests.Response | None = e.response
            if answer is None:
                return self._failed(endpoint, "no response")
            response = answer
        except (
            requests.ConnectionError,
            requests.exceptions.ChunkedEncodingError,
            requests.Timeout,
        ) as e:
            return self._failed(endpoint, type(e).__name__)
        status = response.status_code
        logger.debug("jira %s %s -> %d", method, endpoint, status)
        if self._on_request is not None:
            self._on_request(endpoint, status)
        return response, ""

    def _failed(self, endpoint: str, reason: str) -> tuple[None, str]:
        if self._on_request is not None:
            self._on_request(endpoint, 0)
        return None, f"connection failed ({reason})"

    @staticmethod
    def _hinted_delay(response: requests.Response | None) -> float | None:
        """The wait a 429 or 503 names in ``Retry-After``, or None."""
        if response is None or response.status_code not in (429, 503):
            return None
        return parse_retry_after(response.headers.get("Retry-After"), _server_time(response))

    def _backoff(self, step: int) -> float:
        """Exponential backoff with jitter: about 1, 2, 4 ... s, capped."""
        backoff = min(BACKOFF_CAP_SECONDS, BACKOFF_BASE_SECONDS * 2.0 ** (step - 1))
        jitter: float = self._rng.random()
        return backoff * (0.5 + jitter)

    def _scrub(self, text: str) -> str:
        for secret in self.config.secrets:
            if secret:
                text = text.replace(secret, "***")
        return text

    def _error(
        self,
        method: str,
        endpoint: str,
        response: requests.Response,
        hints: Mapping[int, str] | None,
    ) -> JiraRequestError:
        status = response.status_code
        said = self._scrub(jira_said(response))
        advice = (hints or {}).get(status) or _HINTS.get(status, "Jira failed; try again later")
        quoted = f' ("{said}")' if said else ""
        message = f"Jira {method} {endpoint} answered {status}{quoted}: {advice}"
        error_class = _ERRORS.get(status, JiraRequestError)
        return error_class(message, endpoint=endpoint, status=status, said=said)

    def _gave_up(
        self,
        method: str,
        endpoint: str,
        response: requests.Response | None,
        failure: str,
        delay: float,
    ) -> JiraRequestError:
        budget = self.config.retry_budget_seconds
        if response is None:
            message = (
                f"Jira {method} {endpoint}: {failure}, still failing after the retry budget of "
                f"{budget:g}s; check the network and NORTHSTAR_JIRA_URL, then run again"
            )
            return JiraUnavailable(message, endpoint=endpoint, status=0)
        status = response.status_code
        said = self._scrub(jira_said(response))
        quoted = f' ("{said}")' if said else ""
        if status == 429:
            message = (
                f"Jira {method} {endpoint} answered 429{quoted}, still rate-limited after the "
                f"retry budget of {budget:g}s: {_HINTS[429]}"
            )
            return JiraRateLimited(message, endpoint=endpoint, retry_after=delay)
        message = (
            f"Jira {method} {endpoint} answered {status}{quoted}, still unavailable after the "
            f"retry budget of {budget:g}s; try again later"
        )
        return JiraUnavailable(message, endpoint=endpoint, status=status, said=said)
