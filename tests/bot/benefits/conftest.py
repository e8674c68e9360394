"""The Slack tests' fixtures (fake Web API, hand-moved clock, real stores), for benefit tests."""

from tests.bot.slack.conftest import (  # noqa: F401 - fixtures
    any_db_world,
    clock,
    database_url,
    slack_api,
    sqlite_url,
    world,
)
from tests.pg import postgres_database_url, postgres_url  # noqa: F401 - fixtures
