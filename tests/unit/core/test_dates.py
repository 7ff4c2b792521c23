from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from sbzoom.core.dates import parse_day, window
from sbzoom.errors import UsageError

NY = ZoneInfo("America/New_York")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-12-01", date(2026, 12, 1)),
        ("today", date(2026, 11, 24)),
        ("+30d", date(2026, 12, 24)),
        ("-7d", date(2026, 11, 17)),
        ("+2w", date(2026, 12, 8)),
        ("tomorrow", date(2026, 11, 25)),
    ],
)
def test_parse_day(text: str, expected: date) -> None:
    assert parse_day(text, date(2026, 11, 24), "--from") == expected


def test_bad_date_names_the_option_and_the_form() -> None:
    with pytest.raises(UsageError) as caught:
        parse_day("31/12/2026", date(2026, 11, 24), "--to")
    assert "--to" in caught.value.message and "YYYY-MM-DD" in (caught.value.hint or "")


def test_default_window_is_company_today_plus_30() -> None:
    # 03:00 UTC on the 25th is still the 24th in New York
    span = window(None, None, datetime(2026, 11, 25, 3, 0, tzinfo=UTC), NY)
    assert (span.first, span.last) == (date(2026, 11, 24), date(2026, 12, 24))


def test_reversed_range_is_a_usage_error() -> None:
    with pytest.raises(UsageError):
        window("2026-12-10", "2026-12-01", datetime(2026, 11, 24, tzinfo=UTC), NY)
