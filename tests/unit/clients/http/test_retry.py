"""Retry-After, as seconds, an HTTP date or ISO 8601."""

from __future__ import annotations

import pytest

from sbzoom.clients.http import parse_retry_after
from tests.fakes import NOW


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("120", 120.0),
        ("0", 0.0),
        ("Mon, 02 Mar 2026 12:01:00 GMT", 60.0),
        ("2026-03-03T00:00:00Z", 12 * 3600.0),
        ("2026-03-02T11:00:00Z", 0.0),  # in the past: go now
        ("soon", None),
        ("", None),
        (None, None),
        ("inf", None),
        ("nan", None),
    ],
)
def test_parse_retry_after(value: str | None, expected: float | None) -> None:
    assert parse_retry_after(value, NOW) == expected
