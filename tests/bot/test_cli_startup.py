"""The command line starts without the libraries only some commands use.

Each check runs in a fresh interpreter, since this test process has imported everything.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

#: What a file ranking or the help never needs: storage, migrations, Slack, charts, Jira, the
#: scheduler (and what they pull in: Mako and Pygments through Alembic, numpy through matplotlib).
HEAVY = (
    "sqlalchemy",
    "alembic",
    "mako",
    "pygments",
    "slack_sdk",
    "slack_bolt",
    "matplotlib",
    "numpy",
    "jira",
    "requests",
    "apscheduler",
    "prometheus_client",
)

_PROBE = """
import json, sys
from bot.cli import main
try:
    main(sys.argv[1:])
except SystemExit as e:
    code = e.code
else:
    code = 0
loaded = sorted({name.split(".")[0] for name in sys.modules})
print(json.dumps({"code": code, "loaded": loaded}), file=sys.stderr)
"""


def _loaded_after(tmp_path: Path, *args: str) -> set[str]:
    """The top-level packages a fresh ``northstar ARGS`` has imported when it ends."""
    done = subprocess.run(  # noqa: S603 - our own interpreter running our own entry point
        [sys.executable, "-c", _PROBE, *args],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env={"PATH": "", "NORTHSTAR_DATABASE_URL": "postgresql://u:pw@nowhere/db"},
        check=True,
        timeout=120,
    )
    report = json.loads(done.stderr.strip().splitlines()[-1])
    assert report["code"] in (0, None), done.stderr
    return set(report["loaded"])


@pytest.mark.slow
def test_ranking_a_file_imports_no_storage_slack_chart_jira_or_scheduler(tmp_path):
    backlog = tmp_path / "backlog.csv"
    backlog.write_text(
        "key,summary,business_value,time_criticality,risk_reduction,story_points\n"
        "PAY-1,First,8,3,1,3\nPAY-2,Second,2,1,1,5\n",
        encoding="utf-8",
    )
    loaded = _loaded_after(tmp_path, "rank", "--source", f"csv:{backlog}")
    assert loaded.isdisjoint(HEAVY), sorted(loaded & set(HEAVY))
    # the probe does see what a command imports: ranking needs pydantic's models
    assert "pydantic" in loaded


@pytest.mark.slow
def test_the_help_imports_neither_the_models_nor_the_heavy_libraries(tmp_path):
    loaded = _loaded_after(tmp_path, "--help")
    # Typer renders help with rich.markdown, which reaches Pygments through rich.syntax
    unwanted = {*HEAVY, "pydantic", "pydantic_settings"} - {"pygments"}
    assert loaded.isdisjoint(unwanted), sorted(loaded & unwanted)
    assert "typer" in loaded
