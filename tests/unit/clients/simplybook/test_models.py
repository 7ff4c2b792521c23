"""SimplyBook's values: class capacity, and wall times made aware across DST changes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import respx

from sbzoom.clients.simplybook import localize, localize_span, parse_provider, parse_service
from tests.unit.clients.simplybook.wire import NY, booking, client


def test_a_provider_taking_several_clients_makes_the_service_a_class() -> None:
    service = parse_service({"id": 3, "name": "Yoga", "providers": [2], "limit_booking": 1})
    solo = parse_provider({"id": 2, "name": "Ann", "qty": 1, "services": ["3"]})
    busy = parse_provider({"id": 2, "name": "Ann", "qty": 5, "services": ["3"]})
    other = parse_provider({"id": 9, "name": "Zed", "qty": 5, "services": ["8"]})
    assert not service.is_class([solo, other])
    assert service.is_class([busy]) and service.slot_capacity([busy]) == 5


# -- time zones ---------------------------------------------------------------------------------


def test_wall_times_across_spring_forward(sb: respx.MockRouter) -> None:
    sb.get("/admin/bookings").respond(
        json=[
            booking(1, "2025-03-08 09:00:00", "2025-03-08 10:00:00"),
            booking(2, "2025-03-09 09:00:00", "2025-03-09 10:00:00"),
            booking(3, "2025-03-09 01:30:00", "2025-03-09 03:30:00", duration=60),
        ]
    )
    before, after, across = client().list_bookings()
    assert before.start.astimezone(UTC) == datetime(2025, 3, 8, 14, 0, tzinfo=UTC)
    assert after.start.astimezone(UTC) == datetime(2025, 3, 9, 13, 0, tzinfo=UTC)
    assert (before.start.utcoffset(), after.start.utcoffset()) == (
        timedelta(hours=-5),
        timedelta(hours=-4),
    )
    assert across.end_utc - across.start_utc == timedelta(hours=1)  # elapsed, not wall time
    assert (across.start.hour, across.end.hour) == (1, 3)


def test_wall_times_across_fall_back(sb: respx.MockRouter) -> None:
    sb.get("/admin/bookings").respond(
        json=[
            booking(1, "2025-11-01 09:00:00", "2025-11-01 10:00:00"),
            booking(2, "2025-11-02 09:00:00", "2025-11-02 10:00:00"),
        ]
    )
    before, after = client().list_bookings()
    assert before.start.astimezone(UTC) == datetime(2025, 11, 1, 13, 0, tzinfo=UTC)
    assert after.start.astimezone(UTC) == datetime(2025, 11, 2, 14, 0, tzinfo=UTC)


def test_a_wall_time_in_the_spring_gap_moves_forward() -> None:
    moved = localize(datetime(2025, 3, 9, 2, 30), NY)
    assert (moved.hour, moved.minute) == (3, 30)
    assert moved.astimezone(UTC) == datetime(2025, 3, 9, 7, 30, tzinfo=UTC)


def test_an_ambiguous_wall_time_is_the_first_unless_the_duration_says_otherwise() -> None:
    first = localize(datetime(2025, 11, 2, 1, 30), NY)
    assert first.astimezone(UTC) == datetime(2025, 11, 2, 5, 30, tzinfo=UTC)  # still EDT
    start, end = localize_span(datetime(2025, 11, 2, 1, 0), datetime(2025, 11, 2, 2, 0), NY, 60)
    assert start.astimezone(UTC) == datetime(2025, 11, 2, 6, 0, tzinfo=UTC)  # the second 01:00
    assert end.astimezone(UTC) - start.astimezone(UTC) == timedelta(minutes=60)
    start, end = localize_span(datetime(2025, 11, 2, 1, 0), datetime(2025, 11, 2, 1, 30), NY, 30)
    assert end.astimezone(UTC) - start.astimezone(UTC) == timedelta(minutes=30)
    assert start.astimezone(UTC) == datetime(2025, 11, 2, 5, 0, tzinfo=UTC)  # both first: EDT
