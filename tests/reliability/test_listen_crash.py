"""`sbzoom listen` killed with SIGKILL while events are queued and one batch is in flight: after
a restart every event is handled, each booking has exactly one meeting, nothing is lost."""

from __future__ import annotations

import contextlib
import sqlite3
from collections import Counter
from datetime import datetime, timedelta

import pytest

from tests.conftest import Home
from tests.listen_harness import Listener
from tests.reliability.harness import BASE_OPTIONS, install, marker_of
from tests.sandbox_fixture import MakeSandbox

BOOKINGS = 70  # more than one batch: some in flight, some still waiting at the kill


def queue_rows(ledger: object) -> list[tuple[int, str, str, int]]:
    with contextlib.closing(sqlite3.connect(str(ledger), timeout=30)) as db:
        return db.execute("SELECT id, key, status, attempts FROM events ORDER BY id").fetchall()


@pytest.mark.slow
def test_kill_9_with_events_queued_then_restart_handles_each_once_without_duplicates(
    home: Home, make_sandbox: MakeSandbox
) -> None:
    sandbox = make_sandbox(**BASE_OPTIONS)
    setup = install(home, sandbox)
    listener = Listener.start(setup)
    sandbox.configure_faults(latency_ms=150)  # the worker is slow: the queue fills up
    day = datetime.now(sandbox.zone).date() + timedelta(days=2)
    booked = [
        sandbox.add_booking(1, 2, 1 + n % 8, f"{day + timedelta(days=n // 10)} {8 + n % 10}:00:00")
        for n in range(BOOKINGS)
    ]
    assert sandbox.callbacks.wait_idle(30)  # every callback answered 200...
    assert all(d.status == 200 for d in sandbox.deliveries())
    # the kill comes in the middle of a batch: some of its meetings made, the rest not yet
    listener.wait_for(lambda: len(sandbox.meetings()) > 0, 60)
    health = listener.health()
    assert health["working"] > 0 and health["queued"] > 0
    assert listener.kill() == -9

    rows = queue_rows(setup.ledger)
    assert len(rows) == BOOKINGS  # answered means committed: nothing lost
    assert {"queued", "working"} <= {status for _, _, status, _ in rows}

    sandbox.configure_faults(latency_ms=0)
    again = Listener.start(setup)
    try:
        again.wait_for(again.idle, 60)
    finally:
        assert again.stop() == 0
    rows = queue_rows(setup.ledger)
    assert [status for _, _, status, _ in rows] == ["done"] * BOOKINGS
    assert sorted(int(key) for _, key, _, _ in rows) == sorted(booked)
    # the batch cut short by the kill was handled again (attempts 2); others exactly once
    assert all(attempts in (1, 2) for *_, attempts in rows)
    per_booking = Counter(marker_of(m) for m in sandbox.meetings())
    assert per_booking == Counter({f"b{b}": 1 for b in booked})
    first_log = next(r for r in again.lines if r.get("msg") == "worker started")
    assert first_log["recovered"] + first_log["queued"] > 0


@pytest.mark.slow
def test_a_cron_run_at_the_same_time_neither_blocks_the_listener_nor_duplicates(
    home: Home, make_sandbox: MakeSandbox
) -> None:
    sandbox = make_sandbox(**BASE_OPTIONS, bookings=300)
    setup = install(home, sandbox)
    listener = Listener.start(setup)
    sandbox.configure_faults(latency_ms=40)  # the window run takes a while
    day = datetime.now(sandbox.zone).date() + timedelta(days=3)
    early = sandbox.add_booking(1, 2, 5, f"{day} 07:00:00")  # both the run and the listener
    cron = setup.start("bookings", "link", "--json")
    try:
        listener.wait_for(lambda: any(marker_of(m) == f"b{early}" for m in sandbox.meetings()))
        late = sandbox.add_booking(2, 3, 6, f"{day} 07:30:00")  # made while the run goes on
        took = listener.wait_for(
            lambda: any(marker_of(m) == f"b{late}" for m in sandbox.meetings()), 5.0
        )
        assert cron.poll() is None, "the run ended before the check: make it longer"
        assert took < 5.0
        _, err = cron.communicate(timeout=300)
        assert cron.returncode == 0, err
        listener.wait_for(listener.idle, 30)
    finally:
        assert listener.stop() == 0
    markers = Counter(marker_of(m) for m in sandbox.meetings())
    assert markers[f"b{early}"] == 1 and markers[f"b{late}"] == 1
    assert max(markers.values()) == 1  # no booking or session has two meetings
