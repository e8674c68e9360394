from __future__ import annotations

import os
import re
import tomllib
from pathlib import Path
from unittest import mock

import pytest
import yaml

from bot.config import parse_config
from bot.jira_wiring import jira_config
from bot.settings import Settings
from bot.settings_reference import BEGIN, END, env_name, is_secret, settings_reference
from connectors.jira.config import CloudAuth

REPO = Path(__file__).resolve().parents[2]
DEPLOY = REPO / "deploy"
K8S = DEPLOY / "k8s"


def _docs(path: Path) -> list[dict]:
    return [doc for doc in yaml.safe_load_all(path.read_text()) if doc is not None]


@pytest.mark.parametrize(
    "path",
    [DEPLOY / "compose.yaml", DEPLOY / "slack-manifest.yaml", *sorted(K8S.glob("*.yaml"))],
    ids=lambda p: p.name,
)
def test_every_manifest_parses_as_yaml(path: Path):
    assert _docs(path), f"{path.name} is empty"


def test_kubernetes_objects_name_their_kind_and_api_version():
    kinds = {}
    for path in K8S.glob("*.yaml"):
        for doc in _docs(path):
            assert {"apiVersion", "kind", "metadata"} <= doc.keys(), path.name
            kinds.setdefault(doc["kind"], []).append(doc["metadata"]["name"])
    assert sorted(kinds) == ["ConfigMap", "Deployment", "Secret", "Service"]
    assert sorted(kinds["Deployment"]) == ["northstar-scheduler", "northstar-web"]


def _env_names_in(text: str) -> set[str]:
    return set(re.findall(r"\bNORTHSTAR_[A-Z_]+\b", text))


def test_every_setting_is_in_the_env_example():
    names = _env_names_in((DEPLOY / ".env.example").read_text())
    missing = {env_name(field) for field in Settings.model_fields} - names
    assert not missing, f".env.example lacks {sorted(missing)}"


def test_every_setting_is_in_the_kubernetes_secret_or_config_map_by_its_kind():
    secret = _docs(K8S / "secret.yaml")[0]["stringData"]
    config = _docs(K8S / "configmap.yaml")[0]["data"]
    for field in Settings.model_fields:
        name = env_name(field)
        if is_secret(field):
            assert name in secret, f"{name} is a secret: it belongs in secret.yaml"
            assert name not in config, f"{name} is a secret: keep it out of the ConfigMap"
        else:
            assert name in config or name in secret, f"{name} is in neither secret nor ConfigMap"


def test_the_database_url_is_treated_as_a_secret_because_it_may_hold_a_password():
    assert "NORTHSTAR_DATABASE_URL" in _docs(K8S / "secret.yaml")[0]["stringData"]


def test_the_config_map_and_deploy_example_hold_valid_northstar_configs():
    config = _docs(K8S / "configmap.yaml")[0]["data"]["northstar.toml"]
    assert parse_config(config).teams[0].board == 42
    assert parse_config((DEPLOY / "northstar.toml").read_text()).teams[0].name == "payments"


def test_the_readme_settings_reference_matches_the_settings_model():
    readme = (REPO / "README.md").read_text()
    generated = readme.split(BEGIN, 1)[1].split(END, 1)[0].strip()
    assert generated == settings_reference(), "run `python -m bot.settings_reference README.md`"


def test_the_container_runs_northstar_as_a_non_root_user_with_a_health_check():
    dockerfile = (DEPLOY / "Dockerfile").read_text()
    assert len(re.findall(r"^FROM ", dockerfile, re.M)) >= 2, "multi-stage build"
    assert re.search(r'^ENTRYPOINT \["northstar"\]', dockerfile, re.M)
    user = re.search(r"^USER (\S+)", dockerfile, re.M)
    assert user is not None
    assert not user.group(1).startswith(("root", "0"))
    assert "HEALTHCHECK" in dockerfile
    scripts = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["scripts"]
    assert scripts["northstar"] == "bot.cli:main"


def test_compose_runs_migrations_before_web_and_scheduler_and_keeps_postgres_data():
    compose = _docs(DEPLOY / "compose.yaml")[0]
    services = compose["services"]
    assert services["migrate"]["command"] == ["db", "upgrade"]
    assert services["web"]["command"][:2] == ["serve", "--http"]
    assert services["scheduler"]["command"] == ["scheduler"]
    for name in ("web", "scheduler"):
        condition = services[name]["depends_on"]["migrate"]["condition"]
        assert condition == "service_completed_successfully"
    assert "pgdata" in compose["volumes"]
    assert any("pgdata:" in volume for volume in services["postgres"]["volumes"])


def test_the_web_deployment_scales_and_the_scheduler_has_a_standby():
    web = _docs(K8S / "web.yaml")[0]
    scheduler = _docs(K8S / "scheduler.yaml")[0]
    assert web["spec"]["replicas"] > 1
    container = web["spec"]["template"]["spec"]["containers"][0]
    assert container["args"][:2] == ["serve", "--http"]
    assert container["readinessProbe"]["httpGet"]["path"] == "/readyz"
    assert container["livenessProbe"]["httpGet"]["path"] == "/healthz"
    assert scheduler["spec"]["template"]["spec"]["containers"][0]["args"] == ["scheduler"]


def _settings_from(values: dict[str, str]) -> Settings:
    env = {name: value for name, value in values.items() if name.startswith("NORTHSTAR_")}
    env.pop("NORTHSTAR_CONFIG", None)  # the mounted path does not exist in a test
    with mock.patch.dict(os.environ, env):
        return Settings(_env_file=None)


def test_the_kubernetes_templates_sign_in_to_jira_cloud_with_email_and_api_token():
    """The blocker of issue 12: an empty NORTHSTAR_JIRA_PAT selected bearer auth (Cloud: 401)."""
    values = {
        **_docs(K8S / "configmap.yaml")[0]["data"],
        **_docs(K8S / "secret.yaml")[0]["stringData"],
    }
    settings = _settings_from(values)
    config = parse_config('[[teams]]\nname = "payments"\nboard = 42\n')
    auth = jira_config(settings, config, config.teams[0]).auth
    assert isinstance(auth, CloudAuth)
    assert auth.email == "northstar-bot@your-company.com"


def test_the_env_example_leaves_every_unused_secret_unset():
    values: dict[str, str] = {}
    for line in (DEPLOY / ".env.example").read_text().splitlines():
        name, equals, value = line.partition("=")
        if equals and not line.lstrip().startswith("#"):
            values[name.strip()] = value.strip()
    settings = _settings_from(values)
    for field in ("jira_pat", "jira_api_token", "slack_bot_token", "slack_signing_secret"):
        assert getattr(settings, field) is None, field
    assert settings.slack_client_id is None
