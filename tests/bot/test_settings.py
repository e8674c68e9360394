from __future__ import annotations

import os
from unittest import mock

from bot.settings import Settings


def test_settings_read_the_northstar_prefix():
    env = {"NORTHSTAR_DATABASE_URL": "sqlite:///x.db", "NORTHSTAR_JIRA_EMAIL": "po@example.com"}
    with mock.patch.dict(os.environ, env):
        settings = Settings(_env_file=None)
    assert settings.database_url == "sqlite:///x.db"
    assert settings.jira_email == "po@example.com"


def test_secrets_never_show_in_repr_or_str():
    witness = "witness-7f3a9c"
    settings = Settings(
        _env_file=None,
        jira_api_token=witness,
        jira_pat=witness,
        slack_bot_token=witness,
        slack_signing_secret=witness,
        slack_app_token=witness,
        slack_client_secret=witness,
    )
    assert witness not in repr(settings)
    assert witness not in str(settings)
    assert witness not in settings.model_dump_json()


def test_defaults_need_no_environment():
    settings = Settings(_env_file=None)
    assert settings.database_url == "sqlite:///northstar.db"
    assert settings.slack_api_url == "https://slack.com/api/"
