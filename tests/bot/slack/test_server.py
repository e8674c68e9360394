"""Serving: configuration errors say what to set; gunicorn and OAuth are wired as documented."""

from __future__ import annotations

import dataclasses
import html
from urllib.parse import parse_qs

import pytest
from pydantic import SecretStr

from bot.config import ConfigError
from bot.slack import server
from bot.slack.app import BOT_SCOPES, build_app
from tests.bot.slack.support import SlackWorld, call_wsgi


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


def test_metrics_are_served(world: SlackWorld):
    pytest.importorskip("bot.metrics", reason="bot.metrics (helper DEPLOY) is absent")
    wsgi = server.create_wsgi_app(world.svc, app=world.app)
    status, _, body = call_wsgi(wsgi, "GET", "/metrics")
    assert status == 200
    assert b"northstar_slack" in body


def test_oauth_install_and_redirect_store_the_installation(world: SlackWorld):
    pytest.importorskip(
        "greenlet", reason="slack_sdk's SQLAlchemy stores need greenlet with SQLAlchemy 2.1"
    )
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
                "access_token": "xoxb-installed-token",
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
    bot = app.installation_store.find_bot(enterprise_id=None, team_id="T0NEW")
    assert bot is not None
    assert bot.bot_token == "xoxb-installed-token"


def test_oauth_redirect_without_state_is_refused(world: SlackWorld):
    pytest.importorskip(
        "greenlet", reason="slack_sdk's SQLAlchemy stores need greenlet with SQLAlchemy 2.1"
    )
    oauth = with_settings(
        world, slack_client_id="111.222", slack_client_secret=SecretStr("oauth-secret-witness")
    )
    wsgi = server.create_wsgi_app(oauth.svc, app=build_app(oauth.svc, oauth=True))
    status, _, _ = call_wsgi(wsgi, "GET", "/slack/oauth_redirect?code=c0de")
    assert status == 400
