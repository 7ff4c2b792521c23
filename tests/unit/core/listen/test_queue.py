"""The listener's durable queue: events survive a restart and taken ones are recovered."""

from __future__ import annotations

from pathlib import Path

from sbzoom.core.listen import verify
from sbzoom.core.listen.queue import EventQueue

NOW = 1_800_000_000.0


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
