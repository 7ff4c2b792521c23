"""The listener's pure parts: request checks, the durable queue, and the echo rules."""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from sbzoom.core.bookings.model import BookingView, LinkReport, LinkResult
from sbzoom.core.listen import handlers, verify
from sbzoom.core.listen.queue import EventQueue, QueuedEvent
from sbzoom.store.ledger import BookingRow, Ledger, MeetingRow

SECRET = "s3cr3t-token"
NOW = 1_800_000_000.0


# -- verify ------------------------------------------------------------------------------------


def test_zoom_signature_matches_zoom_s_documented_recipe() -> None:
    # v0=HMAC_SHA256(secret, "v0:{ts}:{body}") in hex (zoom-api-notes.md, Webhooks)
    import hashlib
    import hmac

    body = b'{"event":"meeting.deleted"}'
    expected = hmac.new(SECRET.encode(), b"v0:123:" + body, hashlib.sha256).hexdigest()
    assert verify.zoom_signature(SECRET, "123", body) == "v0=" + expected


@pytest.mark.parametrize(
    ("signature", "stamp", "reason"),
    [
        (None, str(int(NOW)), "unsigned"),
        ("v0=00", str(int(NOW)), "bad signature"),
        ("sig", "yesterday", "bad timestamp"),
        ("sig", str(int(NOW - 301)), "stale timestamp"),
        ("sig", str(int(NOW + 301)), "stale timestamp"),
    ],
)
def test_bad_or_stale_signatures_are_401(signature: str | None, stamp: str, reason: str) -> None:
    with pytest.raises(verify.Rejected) as caught:
        verify.check_zoom_signature(SECRET, signature, stamp, b"{}", NOW)
    assert (caught.value.status, caught.value.reason) == (401, reason)


def test_a_fresh_right_signature_passes_in_seconds_or_milliseconds() -> None:
    for stamp in (str(int(NOW - 200)), str(int((NOW - 200) * 1000))):
        verify.check_zoom_signature(
            SECRET, verify.zoom_signature(SECRET, stamp, b"{}"), stamp, b"{}", NOW
        )


def test_url_validation_is_answered_with_the_hmac_of_the_plain_token() -> None:
    body = json.dumps(
        {"event": "endpoint.url_validation", "payload": {"plainToken": "abc"}}
    ).encode()
    notice = verify.zoom_notice(body, SECRET, None)
    assert notice.validation == verify.url_validation_answer(SECRET, "abc")
    assert notice.event is None


def test_zoom_events_keep_only_what_the_worker_needs() -> None:
    body = json.dumps({"event": "meeting.updated", "payload": {
        "account_id": "A1", "operator": "ann@example.com",
        "object": {"id": 42, "start_time": "2030-01-01T10:00:00Z", "password": "p"},
        "old_object": {"id": 42, "start_time": "2030-01-01T09:00:00Z"}}}).encode()  # fmt: skip
    event = verify.zoom_notice(body, SECRET, "A1").event
    assert event is not None and (event.kind, event.key) == ("meeting.updated", "42")
    assert "password" not in event.payload
    with pytest.raises(verify.Rejected) as caught:
        verify.zoom_notice(body, SECRET, "another-account")
    assert caught.value.status == 403
    other = json.dumps({"event": "meeting.started", "payload": {"object": {"id": 1}}}).encode()
    assert verify.zoom_notice(other, SECRET, None) == verify.ZoomNotice()


def test_simplybook_callback_checks() -> None:
    def body(**fields: object) -> bytes:
        return json.dumps({"booking_id": "7", "company": "demo",
                           "notification_type": "create", **fields}).encode()  # fmt: skip

    assert verify.simplybook_event(body(), "Demo") == verify.Event("simplybook", "create", "7")
    assert verify.simplybook_event(body(notification_type="notify"), "demo") is None
    for bad, status in (
        (b"not json", 400),
        (b"[]", 400),
        (body(booking_id="7; drop"), 400),
        (body(notification_type="delete"), 400),
        (body(company="acme"), 403),
    ):
        with pytest.raises(verify.Rejected) as caught:
            verify.simplybook_event(bad, "demo")
        assert caught.value.status == status
    with pytest.raises(verify.Rejected):
        verify.check_size(str(verify.MAX_BODY_BYTES + 1))
    assert verify.same_secret("abc", "abc") and not verify.same_secret("abd", "abc")
    assert not verify.same_secret("", "")  # no secret set never matches


# -- queue -------------------------------------------------------------------------------------


def test_queue_survives_reopening_and_recovers_taken_events(tmp_path: Path) -> None:
    path = tmp_path / "ledger.sqlite3"
    queue = EventQueue(path)
    ids = [queue.put(verify.Event("simplybook", "create", str(n)), NOW + n) for n in range(3)]
    taken = queue.take(NOW + 10, 2)
    assert [q.id for q in taken] == ids[:2] and all(q.attempts == 1 for q in taken)
    queue.close()  # as if killed here: two taken, one waiting

    again = EventQueue(path)
    assert again.recover() == 2
    assert [q.id for q in again.take(NOW + 10, 10)] == ids
    again.retry([ids[0]], "down", NOW + 100)
    again.finish(ids[1:], "done", "created", NOW + 11)
    assert again.take(NOW + 50, 10) == []  # not due yet
    assert [q.attempts for q in again.take(NOW + 100, 10)] == [3]
    stats = again.stats()
    assert (stats.queued, stats.working, stats.total) == (0, 1, 3)


# -- handlers: the echo rules ------------------------------------------------------------------


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


# -- unit locks ----------------------------------------------------------------------------------


def test_unit_locks_exclude_other_threads_and_re_enter_in_the_same_one(tmp_path: Path) -> None:
    import threading
    import time

    from sbzoom.store.files import LockTimeoutError, UnitLocks

    locks = UnitLocks(tmp_path / "locks", timeout=0.3)
    other = UnitLocks(tmp_path / "locks", timeout=0.3)  # as another process would open them
    results: list[str] = []

    def contender(key: str) -> None:
        try:
            with other.hold(key):
                results.append(f"got {key}")
        except LockTimeoutError:
            results.append(f"waited out {key}")

    with locks.hold("b1"), locks.hold("b1"):  # re-entrant
        thread = threading.Thread(target=contender, args=("b1",))
        thread.start()
        thread.join()
        assert results == ["waited out b1"]
        keys = [f"b{n}" for n in range(2, 40)]
        free = next(k for k in keys if locks._path(k) != locks._path("b1"))
        started = time.monotonic()
        contender(free)  # another unit is not held up
        assert results[-1] == f"got {free}" and time.monotonic() - started < 0.2
    contender("b1")
    assert results[-1] == "got b1"


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
