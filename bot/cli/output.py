"""How commands print: Rich tables on a terminal, JSON with ``--json``, one-line errors.

Both consoles print strings as text, never as Rich markup or emoji codes: summaries hold
brackets ("[source]", "[/]", "[link=...]") that markup would eat, crash on or turn into links.
Our own styling is spelled with :class:`~rich.text.Text` parts instead (:func:`styled`).
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table
from rich.text import Text

#: What the by-value table's columns mean, under it.
BY_VALUE_CAPTION = (
    "By score; 'backlog' is the item's place in the ranked backlog. Held items (sprint, "
    "manual zone) and pinned ones keep their place there and are marked."
)

if TYPE_CHECKING:
    from rules.explain import Summary, ValueRow
    from rules.model import RankedItem, Ranking, RankPlan

out = Console(markup=False, emoji=False)
# errors are one line each, never wrapped, so they stay greppable in logs and CI output
err = Console(stderr=True, soft_wrap=True, markup=False, emoji=False)


def styled(*parts: str | tuple[str, str]) -> Text:
    """A line of plain strings and ``(text, style)`` pairs: styled, and never parsed as markup."""
    return Text.assemble(*parts)


def emit_json(data: Any) -> None:
    """JSON straight to stdout with the standard library's C encoder.

    Rich's pretty printer took 15 of 18 s and gigabytes on a large backlog, and ``indent``
    makes the standard library fall back to its pure-Python encoder; a list is written one
    element a line instead, which reads and greps as well and costs nothing.
    """
    write = sys.stdout.write
    if isinstance(data, list) and data:
        write("[\n")
        write(",\n".join(_dumps(entry) for entry in data))
        write("\n]\n")
    else:
        write(_dumps(data) + "\n")
    sys.stdout.flush()


def _dumps(data: Any) -> str:
    return json.dumps(data, default=str, ensure_ascii=False)


class _ErrorFormat:
    json = False


_error_format = _ErrorFormat()


def use_json_errors(on: bool) -> None:
    """With JSON logging, the final error line is a JSON object too, so log shippers parse it."""
    _error_format.json = on


def error_line(message: str) -> None:
    if _error_format.json:
        sys.stderr.write(json.dumps({"level": "ERROR", "message": message}) + "\n")
        return
    err.print(styled(("error:", "red"), f" {message}"), highlight=False)


@contextmanager
def progress(label: str) -> Iterator[Callable[[int, int | None], None]]:
    """A progress bar on a terminal, nothing when output is piped."""
    if not out.is_terminal:
        yield lambda done, total: None
        return
    columns = (TextColumn(label), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=out, transient=True) as bar:
        task = bar.add_task(label, total=None)

        def update(done: int, total: int | None) -> None:
            bar.update(task, completed=done, total=total)

        yield update


def print_ranking(ranking: Ranking, limit: int, title: str) -> None:
    # one line a row, so the table reads on an 80-column terminal too: rank, key and score
    # keep their width, summary and reason share what is left and are cut with an ellipsis
    shown = ranking.items[:limit]
    key_width = max((len(ranked.key) for ranked in shown), default=3)
    fixed = 3 + 3 + key_width + 7 + 3 * 6 + 1  # rank, was, key, score, borders and padding
    free = max(out.width - fixed, 30)
    table = Table(title=title, title_justify="left")
    table.add_column("#", justify="right", no_wrap=True, width=3)
    table.add_column("was", justify="right", style="dim", no_wrap=True, width=3)
    table.add_column("key", style="bold", no_wrap=True, width=key_width)
    table.add_column("summary", width=free * 3 // 5, overflow="ellipsis", no_wrap=True)
    table.add_column("score", justify="right", no_wrap=True, width=7)
    table.add_column("why", width=free - free * 3 // 5, overflow="ellipsis", no_wrap=True)
    for ranked in shown:
        flag = (" (needs estimate)", "yellow") if ranked.score.needs_estimate else ""
        lines = ranked.score.explain()
        table.add_row(
            str(ranked.rank),
            "new" if ranked.previous_rank is None else str(ranked.previous_rank),
            ranked.key,
            ranked.item.summary,
            f"{ranked.score.value:.2f}",
            styled(ranked.reason or (lines[0] if lines else ""), flag),
        )
    out.print(table)


def print_by_value(entries: Sequence[tuple[ValueRow, RankedItem]], title: str) -> None:
    """Items by score, with their place in the ranked backlog and what holds them there."""
    from rules import reasons

    key_width = max((len(row.key) for row, _ in entries), default=3)
    held_width = max((len(row.mark or "") for row, _ in entries), default=0) or 4
    fixed = 3 + key_width + 7 + 7 + held_width + 3 * 6 + 1  # columns, borders and padding
    table = Table(title=title, title_justify="left", caption=BY_VALUE_CAPTION)
    table.add_column("#", justify="right", no_wrap=True, width=3)
    table.add_column("key", style="bold", no_wrap=True, width=key_width)
    table.add_column("summary", overflow="ellipsis", no_wrap=True, width=max(out.width - fixed, 20))
    table.add_column("score", justify="right", no_wrap=True, width=7)
    table.add_column("backlog", justify="right", no_wrap=True, width=7)
    table.add_column("held", style="yellow", no_wrap=True, width=held_width)
    for row, ranked in entries:
        flag = " (needs estimate)" if ranked.score.needs_estimate else ""
        table.add_row(
            str(row.value_rank),
            Text(row.key),
            Text(ranked.item.summary),
            reasons.number(row.score),
            str(row.backlog_rank),
            Text((row.mark or "") + flag),
        )
    out.print(table)


def print_plan_summary(plan: RankPlan, summary: Summary | None = None) -> None:
    """The plan in one line; with the ranking's ``summary``, re-scored, optimum and capped too."""
    if summary is not None:
        from rules.explain import summary_text

        text = summary_text(summary, len(plan.target))
    else:
        text = (
            f"{plan.moved} of {len(plan.target)} item(s) change place; {plan.calls} Jira rank "
            f"call(s) touching {plan.touched} issue(s)."
        )
    out.print(
        f"{text} Versus {plan.naive_calls} call(s) one per issue and {plan.rerank_all_calls} "
        "re-ranking all.",
        markup=False,
        highlight=False,
    )
