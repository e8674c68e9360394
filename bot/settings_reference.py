"""The configuration reference in the README, generated from :class:`bot.settings.Settings`.

``python -m bot.settings_reference`` rewrites the README section between the markers; a test
fails when the README and the settings model disagree, so the reference never drifts.
"""

from __future__ import annotations

import sys
from pathlib import Path

from pydantic import SecretStr

from bot.settings import Settings, env_name

BEGIN = "<!-- settings-reference:begin -->"
END = "<!-- settings-reference:end -->"


def is_secret(field: str) -> bool:
    annotation = str(Settings.model_fields[field].annotation)
    return SecretStr.__name__ in annotation


def settings_reference() -> str:
    """A Markdown table: variable, default, secret or not, and what it is for."""
    rows = [
        "| variable | default | secret | what it is for |",
        "| --- | --- | --- | --- |",
    ]
    for name, field in Settings.model_fields.items():
        default = "" if field.default is None else f"`{field.default}`"
        secret = "yes" if is_secret(name) else ""
        rows.append(f"| `{env_name(name)}` | {default} | {secret} | {field.description or ''} |")
    return "\n".join(rows)


def rewrite_readme(path: Path) -> bool:
    """Replace the generated section of ``path``; return whether anything changed."""
    text = path.read_text(encoding="utf-8")
    head, _, rest = text.partition(BEGIN)
    _, _, tail = rest.partition(END)
    updated = f"{head}{BEGIN}\n{settings_reference()}\n{END}{tail}"
    if updated != text:
        path.write_text(updated, encoding="utf-8")
    return updated != text


if __name__ == "__main__":
    changed = rewrite_readme(Path(sys.argv[1] if len(sys.argv) > 1 else "README.md"))
    sys.stdout.write("README.md updated\n" if changed else "README.md already up to date\n")
