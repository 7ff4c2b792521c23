"""What the listener does with queued events: the echo rules of Zoom's webhooks."""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sbzoom.core.bookings.model import BookingView, LinkReport, LinkResult
from sbzoom.core.listen import handlers, verify
from sbzoom.core.listen.queue import QueuedEvent
from sbzoom.store.ledger import BookingRow, Ledger, MeetingRow

NOW = 1_800_000_000.0


class FakeEngine:
    def __init__(self, ledger: Ledger, booking: BookingView | None) -> None:
        self.ledger = ledger
        self.view = booking
        self.linked: list[list[str]] = []

    def link(self, booking_ids: Sequence[str]) -> LinkReport:
        self.linked.append(list(booking_ids))
        return LinkReport([LinkResult(b, "updated", 99, "https://j") for b in booking_ids])

    def booking(self, booking_id: str) -> BookingView | None:
        return self.view

    @contextlib.contextmanager
    def hold(self, unit_key: str) -> Iterator[None]:
        yield

    def now(self) -> datetime:
        return datetime.now(UTC)


START = datetime(2030, 1, 1, 10, 0, tzinfo=UTC)
VIEW = BookingView("7", "c7", False, START, START + timedelta(minutes=30), "1", "Intro", "2",
                   "Ben", "Ann", "ann@example.com")  # fmt: skip


def engine_with(tmp_path: Path, status: str = "active") -> FakeEngine:
    ledger = Ledger(tmp_path / "ledger.sqlite3")
    now = datetime.now(UTC)
    ledger.put_meeting(MeetingRow("b7", 42, "host", "hash", "https://j", "", status), now)
    ledger.put_booking(BookingRow("7", "b7", "", "https://j", "linked", "", ""), now)
    return FakeEngine(ledger, VIEW)


def zoom_event(kind: str, meeting_id: int = 42, **obj: object) -> QueuedEvent:
    payload = json.dumps({"object": obj, "operator": "ann@example.com"})
    return QueuedEvent(1, NOW, verify.Event("zoom", kind, str(meeting_id), payload), 1)


def test_zoom_echo_of_sbzoom_s_own_update_is_ignored(tmp_path: Path) -> None:
    engine = engine_with(tmp_path)
    echo = zoom_event("meeting.updated", start_time="2030-01-01T10:00:00Z", duration=30)
    (outcome,) = handlers.handle_batch(engine, [echo])
    assert (outcome.action, outcome.finished) == ("ignored", "done") and engine.linked == []
    topic_only = zoom_event("meeting.updated", topic="renamed")
    assert handlers.handle_batch(engine, [topic_only])[0].action == "ignored"


def test_a_time_moved_in_zoom_is_recorded_and_put_back(tmp_path: Path) -> None:
    engine = engine_with(tmp_path)
    moved = zoom_event("meeting.updated", start_time="2030-01-02T10:00:00Z")
    (outcome,) = handlers.handle_batch(engine, [moved])
    assert outcome.action == "restored" and engine.linked == [["7"]]
    row = engine.ledger.meeting("b7")
    assert row is not None and row.state_hash == ""  # so the engine sends the booking's time
    assert engine.ledger.audit_log("7")[-1].action == "zoom-changed"


def test_deleted_echoes_and_unknown_meetings_are_ignored(tmp_path: Path) -> None:
    engine = engine_with(tmp_path, status="deleted")  # sbzoom deleted it itself
    assert handlers.handle_batch(engine, [zoom_event("meeting.deleted")])[0].action == "ignored"
    assert handlers.handle_batch(engine, [zoom_event("meeting.deleted", 5)])[0].action == "ignored"
    assert engine.linked == []


def test_a_meeting_deleted_in_zoom_is_recorded_and_recreated(tmp_path: Path) -> None:
    engine = engine_with(tmp_path)
    (outcome,) = handlers.handle_batch(engine, [zoom_event("meeting.deleted")])
    assert outcome.action == "recreated" and engine.linked == [["7"]]
    row = engine.ledger.meeting("b7")
    assert row is not None and row.status == "deleted"
    assert engine.ledger.audit_log("7")[-1].action == "zoom-deleted"


def test_a_past_booking_s_meeting_deleted_in_zoom_is_recorded_not_recreated(
    tmp_path: Path,
) -> None:
    engine = engine_with(tmp_path)
    past = START.replace(year=2020)
    engine.view = BookingView("7", "c7", False, past, past + timedelta(minutes=30), "1", "Intro",
                              "2", "Ben", "Ann", "ann@example.com")  # fmt: skip
    (outcome,) = handlers.handle_batch(engine, [zoom_event("meeting.deleted")])
    assert outcome.action == "ignored" and engine.linked == []
    assert engine.ledger.audit_log("7")[-1].action == "zoom-deleted"
