"""Serving: configuration errors say what to set; gunicorn and OAuth are wired as documented."""

from __future__ import annotations

import dataclasses
import html
import io
from typing import TYPE_CHECKING
from urllib.parse import parse_qs
from wsgiref.util import setup_testing_defaults

import pytest
from pydantic import SecretStr
from slack_bolt import App
from sqlalchemy import text

from bot.chat import messages
from bot.errors import ConfigError
from bot.slack import server
from bot.slack.app import BOT_SCOPES, build_app
from tests.bot.slack.support import SlackWorld, call_wsgi, command_body, signed_headers

if TYPE_CHECKING:
    from wsgiref.types import WSGIApplication


def with_settings(world: SlackWorld, **changes: object) -> SlackWorld:
    settings = world.svc.settings.model_copy(update=changes)
    return dataclasses.replace(world, svc=dataclasses.replace(world.svc, settings=settings))


def test_a_missing_signing_secret_is_named(world: SlackWorld):
    broken = with_settings(world, slack_signing_secret=None)
    with pytest.raises(ConfigError, match="NORTHSTAR_SLACK_SIGNING_SECRET"):
        build_app(broken.svc)


def test_a_missing_bot_token_is_named(world: SlackWorld):
    broken = with_settings(world, slack_bot_token=None)
    with pytest.raises(ConfigError, match="NORTHSTAR_SLACK_BOT_TOKEN"):
        build_app(broken.svc)


def test_the_default_client_uses_the_configured_api_url(world: SlackWorld):
    app = build_app(world.svc)
    assert app.client.base_url == world.slack.url
    assert app.client.retry_handlers


def test_socket_mode_without_an_app_token_says_what_to_set(world: SlackWorld):
    with pytest.raises(ConfigError, match="NORTHSTAR_SLACK_APP_TOKEN"):
        server.serve_socket(world.svc)


def test_gunicorn_is_configured_with_threaded_workers(world: SlackWorld):
    wsgi = server.create_wsgi_app(world.svc, app=world.app)
    gunicorn = server._gunicorn_application(
        wsgi, {"bind": "127.0.0.1:0", "workers": 2, "worker_class": "gthread", "threads": 8}
    )
    assert gunicorn.cfg.worker_class_str == "gthread"
    assert gunicorn.cfg.threads == 8
    assert gunicorn.load() is wsgi


def test_metrics_are_served_and_count_what_happened(world: SlackWorld):
    from bot.metrics import REGISTRY

    def handled() -> float:
        labels = {"kind": "command", "outcome": "ok"}
        return REGISTRY.get_sample_value("northstar_slack_requests_total", labels) or 0.0

    wsgi = server.create_wsgi_app(world.svc, app=world.app)
    before = handled()
    body = command_body("help", response_url=world.slack.response_url())
    headers = signed_headers(body, content_type="application/x-www-form-urlencoded")
    assert call_wsgi(wsgi, "POST", "/slack/events", body, headers)[0] == 200

    status, response_headers, text = call_wsgi(wsgi, "GET", "/metrics")
    assert status == 200
    assert response_headers["Content-Type"].startswith("text/plain")
    assert handled() == before + 1
    for family in (
        "northstar_slack_requests_total",
        "northstar_slack_ack_seconds_bucket",
        "northstar_jira_requests_total",
        "northstar_jira_rank_calls_total",
        "northstar_job_runs_total",
    ):
        assert family.encode() in text or family.removesuffix("_total").encode() in text


def _install(world: SlackWorld) -> tuple[App, WSGIApplication]:
    """Run the OAuth install flow for workspace T0NEW; returns the app and its WSGI wrapper."""
    oauth = with_settings(
        world, slack_client_id="111.222", slack_client_secret=SecretStr("oauth-secret-witness")
    )
    app = build_app(oauth.svc, client=world.client, oauth=True)
    wsgi = server.create_wsgi_app(oauth.svc, app=app)

    status, headers, body = call_wsgi(wsgi, "GET", "/slack/install")
    assert status == 200
    link = html.unescape(body.decode()).split('href="https://slack.com/oauth/v2/authorize?')[1]
    query = parse_qs(link.split('"')[0])
    assert query["client_id"] == ["111.222"]
    assert set(query["scope"][0].split(",")) == set(BOT_SCOPES)
    assert b"oauth-secret-witness" not in body
    cookie = headers["set-cookie"].split(";")[0]

    world.slack.state.script(
        "oauth.v2.access",
        (
            200,
            {},
            {
                "ok": True,
                "app_id": "A0NORTHSTAR",
                "access_token": INSTALLED_TOKEN,
                "token_type": "bot",
                "scope": ",".join(BOT_SCOPES),
                "bot_user_id": "U0BOT",
                "team": {"id": "T0NEW", "name": "New Workspace"},
                "enterprise": None,
                "is_enterprise_install": False,
                "authed_user": {"id": "U0INSTALLER"},
            },
        ),
    )
    state = query["state"][0]
    status, _, body = call_wsgi(
        wsgi, "GET", f"/slack/oauth_redirect?code=c0de&state={state}", headers={"cookie": cookie}
    )
    assert status == 200, body
    [exchange] = world.slack.state.calls_to("oauth.v2.access")
    assert exchange.body["code"] == "c0de"
    return app, wsgi


INSTALLED_TOKEN = "xoxb-installed-token"


def test_oauth_install_stores_the_installation_in_the_project_database(any_db_world: SlackWorld):
    """Bolt's SQLAlchemy installation store keeps its rows in Northstar's own database."""
    app, _ = _install(any_db_world)
    bot = app.installation_store.find_bot(enterprise_id=None, team_id="T0NEW")
    assert bot is not None
    assert bot.bot_token == INSTALLED_TOKEN
    with any_db_world.store.engine.connect() as connection:
        rows = connection.execute(text("SELECT team_id, bot_token FROM slack_bots")).all()
    assert [tuple(row) for row in rows] == [("T0NEW", INSTALLED_TOKEN)]


def test_each_workspace_is_answered_with_its_own_installed_token(any_db_world: SlackWorld):
    """After an install, a command from that workspace calls Slack with that workspace's token."""
    _, wsgi = _install(any_db_world)
    body = command_body(
        "checkin PAY-3", response_url=any_db_world.slack.response_url(), team_id="T0NEW"
    )
    headers = signed_headers(body, content_type="application/x-www-form-urlencoded")
    status, _, _ = call_wsgi(wsgi, "POST", "/slack/events", body, headers)
    assert status == 200
    [answer] = any_db_world.slack.state.wait_for("response_url")
    assert "asked to rate 1 item(s)" in answer.all_text()
    dms = any_db_world.slack.state.calls_to("conversations.open")
    assert dms
    assert {call.token for call in dms} == {INSTALLED_TOKEN}


def test_a_workspace_that_never_installed_the_app_is_not_served(world: SlackWorld):
    _, wsgi = _install(world)
    body = command_body("top", response_url=world.slack.response_url(), team_id="T0STRANGER")
    headers = signed_headers(body, content_type="application/x-www-form-urlencoded")
    status, _, _ = call_wsgi(wsgi, "POST", "/slack/events", body, headers)
    assert status == 200
    # Bolt finds no installation, runs no listener and asks the person to install the app
    [answer] = world.slack.state.wait_for("response_url")
    assert "reinstall this app" in answer.all_text()
    assert messages.ack_working() not in answer.all_text()
    assert not world.slack.state.calls_to("conversations.open")


def test_oauth_redirect_without_state_is_refused(world: SlackWorld):
    oauth = with_settings(
        world, slack_client_id="111.222", slack_client_secret=SecretStr("oauth-secret-witness")
    )
    wsgi = server.create_wsgi_app(oauth.svc, app=build_app(oauth.svc, oauth=True))
    status, _, _ = call_wsgi(wsgi, "GET", "/slack/oauth_redirect?code=c0de")
    assert status == 400


def test_the_ack_is_counted_once_the_server_has_sent_it(world: SlackWorld):
    from bot.metrics import REGISTRY

    def acks() -> float:
        return REGISTRY.get_sample_value("northstar_slack_ack_seconds_count") or 0.0

    wsgi = server.create_wsgi_app(world.svc, app=world.app)
    body = command_body("help", response_url=world.slack.response_url())
    headers = signed_headers(body, content_type="application/x-www-form-urlencoded")
    before = acks()
    environ = {
        "REQUEST_METHOD": "POST",
        "PATH_INFO": "/slack/events",
        "CONTENT_LENGTH": str(len(body)),
        "CONTENT_TYPE": headers.pop("content-type"),
        "wsgi.input": io.BytesIO(body.encode()),
        **{f"HTTP_{name.upper().replace('-', '_')}": value for name, value in headers.items()},
    }
    setup_testing_defaults(environ)
    chunks = wsgi(environ, lambda status, response_headers, exc_info=None: None)
    assert b"".join(chunks)
    assert acks() == before  # nothing recorded while the response is still being sent
    chunks.close()
    assert acks() == before + 1
