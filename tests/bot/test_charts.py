"""The burn-up chart is a small, valid PNG, the same bytes for the same digest."""

from __future__ import annotations

import struct
from datetime import UTC, datetime, timedelta

import pytest

from bot.charts import DPI, HEIGHT_INCHES, WIDTH_INCHES, value_burn_up_png
from rules.digest import BurnUp, BurnUpPoint, Digest

START = datetime(2026, 10, 26, tzinfo=UTC)


def digest_with(points: int) -> Digest:
    series = tuple(
        BurnUpPoint(at=START + timedelta(weeks=week), delivered=week * 10.0, scope=100 + week)
        for week in range(points)
    )
    return Digest(
        team="payments",
        week="2026-W45",
        start=START,
        end=START + timedelta(weeks=1),
        stale_days=30,
        burn_up=BurnUp(points=series),
    )


def png_size(data: bytes) -> tuple[int, int]:
    """Width and height from the IHDR chunk, which a valid PNG has first."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    assert data[12:16] == b"IHDR"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


@pytest.mark.parametrize("points", [9, 1, 0], ids=["nine_weeks", "one_point", "no_data"])
def test_the_chart_is_a_png_of_the_documented_size(points):
    data = value_burn_up_png(digest_with(points))

    assert png_size(data) == (int(WIDTH_INCHES * DPI), int(HEIGHT_INCHES * DPI))
    assert data.endswith(b"IEND\xaeB`\x82")
    assert len(data) < 200_000


def test_the_same_digest_gives_the_same_bytes():
    assert value_burn_up_png(digest_with(9)) == value_burn_up_png(digest_with(9))


def test_the_png_carries_no_software_or_date_stamp():
    data = value_burn_up_png(digest_with(3))

    assert b"matplotlib" not in data.lower()
    assert b"tEXt" not in data
