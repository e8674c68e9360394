"""The value burn-up chart the weekly digest uploads, as PNG bytes.

Drawn with matplotlib's object API on a :class:`~matplotlib.figure.Figure` with an Agg canvas,
so no display and no global pyplot state are involved (safe in a scheduler thread), and saved
without metadata stamps, so the same digest always gives the same bytes.
"""

from __future__ import annotations

import io

from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from rules.digest import Digest

#: Size of the chart: 8 x 4.5 inches at 100 dpi is 800 x 450 pixels, legible in a Slack preview.
WIDTH_INCHES, HEIGHT_INCHES, DPI = 8.0, 4.5, 100
DELIVERED_COLOUR = "#2e7d32"
SCOPE_COLOUR = "#9e9e9e"


def new_chart() -> tuple[Figure, Axes]:
    """A figure of the documented size on its own Agg canvas, and its one axes."""
    figure = Figure(figsize=(WIDTH_INCHES, HEIGHT_INCHES), dpi=DPI)
    FigureCanvasAgg(figure)
    return figure, figure.add_subplot()


def png_bytes(figure: Figure) -> bytes:
    """The figure as PNG, laid out and without metadata stamps (same input, same bytes)."""
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=DPI, metadata={"Software": None})
    return buffer.getvalue()


def value_burn_up_png(digest: Digest) -> bytes:
    """The burn-up of ``digest``: value delivered against value in scope, week by week."""
    figure, axes = new_chart()
    points = digest.burn_up.points
    labels = [point.at.strftime("%d %b") for point in points]
    positions = list(range(len(points)))
    axes.plot(
        positions,
        [point.scope for point in points],
        color=SCOPE_COLOUR,
        linestyle="--",
        label="value in scope",
    )
    axes.plot(
        positions,
        [point.delivered for point in points],
        color=DELIVERED_COLOUR,
        marker="o",
        label="value delivered",
    )
    axes.set_xticks(positions, labels)
    axes.set_ylabel(f"value ({digest.value_unit})")
    axes.set_ylim(bottom=0)
    axes.set_title(f"Value burn-up, {digest.team}, {digest.week}")
    axes.grid(axis="y", alpha=0.3)
    if not points:
        axes.text(0.5, 0.5, "no data yet", ha="center", va="center", transform=axes.transAxes)
    else:
        axes.legend(loc="upper left")
    return png_bytes(figure)
