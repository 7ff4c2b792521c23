"""The listener's durable queue: a table in the profile's ledger file (SQLite, WAL).

An event is committed here (with SQLite's full sync) *before* the HTTP answer, so a crash or a
``kill -9`` right after answering loses nothing; on start, events a killed listener had taken but
not finished go back to the queue first. Handling is idempotent (the engine adopts meetings by
their marker), so an event handled twice after a crash changes nothing the second time.

One listener per profile owns the queue (``sbzoom listen`` holds a lock); ``doctor`` only reads.
Times are Unix seconds (floats): the queue measures ages and latencies, it does not show dates.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from sbzoom.core.listen.verify import Event
from sbzoom.errors import ConfigError

SCHEMA = """
CREATE TABLE IF NOT EXISTS events (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    received_at REAL NOT NULL,
    source      TEXT NOT NULL,             -- 'simplybook' | 'zoom'
    kind        TEXT NOT NULL,             -- create|change|cancel | meeting.deleted|meeting.updated
    key         TEXT NOT NULL,             -- booking id | meeting id
    payload     TEXT NOT NULL DEFAULT '',
    status      TEXT NOT NULL DEFAULT 'queued',  -- queued | working | done | failed
    attempts    INTEGER NOT NULL DEFAULT 0,
    not_before  REAL NOT NULL DEFAULT 0,   -- retry after this time
    finished_at REAL,
    outcome     TEXT NOT NULL DEFAULT ''
);
CREATE INDEX IF NOT EXISTS events_waiting ON events(status, not_before, id);
CREATE INDEX IF NOT EXISTS events_finished ON events(finished_at);
"""
KEEP_FINISHED_SECONDS = 7 * 86400


@dataclass(frozen=True)
class QueuedEvent:
    id: int
    received_at: float
    event: Event
    attempts: int


@dataclass(frozen=True)
class QueueStats:
    queued: int
    working: int
    failed: int
    oldest_queued_at: float | None
    last_finished_at: float | None
    total: int


class EventQueue:
    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()
        try:
            self._db = sqlite3.connect(path, timeout=30, check_same_thread=False)
            self._db.execute("PRAGMA journal_mode=WAL")
            # FULL: the commit is on disk before the answer, even across a power cut.
            self._db.execute("PRAGMA synchronous=FULL")
            self._db.executescript(SCHEMA)
        except sqlite3.DatabaseError as exc:
            raise ConfigError(
                f"The ledger {path} cannot hold the listener's queue: {exc}.",
                "Move it away and start 'sbzoom listen' again; 'sbzoom bookings link' then "
                "repairs every booking an event was waiting for.",
            ) from None

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def put(self, event: Event, now: float) -> int:
        with self._lock, self._db:
            cursor = self._db.execute(
                "INSERT INTO events (received_at, source, kind, key, payload) VALUES (?,?,?,?,?)",
                (now, event.source, event.kind, event.key, event.payload),
            )
            return int(cursor.lastrowid or 0)

    def put_many(self, events: Sequence[Event], now: float) -> list[int]:
        """Several events in one commit (one disk sync): what a burst of requests needs."""
        with self._lock, self._db:
            ids = []
            for event in events:
                cursor = self._db.execute(
                    "INSERT INTO events (received_at, source, kind, key, payload) "
                    "VALUES (?,?,?,?,?)",
                    (now, event.source, event.kind, event.key, event.payload),
                )
                ids.append(int(cursor.lastrowid or 0))
            return ids

    def recover(self) -> int:
        """Events a killed listener had taken go back to the front of the queue."""
        with self._lock, self._db:
            cursor = self._db.execute(
                "UPDATE events SET status = 'queued', not_before = 0 WHERE status = 'working'"
            )
            return cursor.rowcount

    def take(self, now: float, limit: int) -> list[QueuedEvent]:
        """The oldest events that are due (at most ``limit``), marked as being worked on."""
        with self._lock, self._db:
            rows = self._db.execute(
                "SELECT id, received_at, source, kind, key, payload, attempts FROM events "
                "WHERE status = 'queued' AND not_before <= ? ORDER BY id LIMIT ?",
                (now, limit),
            ).fetchall()
            self._db.executemany(
                "UPDATE events SET status = 'working', attempts = attempts + 1 WHERE id = ?",
                [(row[0],) for row in rows],
            )
        return [
            QueuedEvent(int(r[0]), float(r[1]), Event(r[2], r[3], r[4], r[5]), int(r[6]) + 1)
            for r in rows
        ]

    def finish(self, ids: Sequence[int], status: str, outcome: str, now: float) -> None:
        with self._lock, self._db:
            self._db.executemany(
                "UPDATE events SET status = ?, outcome = ?, finished_at = ? WHERE id = ?",
                [(status, outcome[:500], now, i) for i in ids],
            )

    def retry(self, ids: Sequence[int], outcome: str, not_before: float) -> None:
        """Back to the queue, due again at ``not_before`` (a service was unavailable)."""
        with self._lock, self._db:
            self._db.executemany(
                "UPDATE events SET status = 'queued', outcome = ?, not_before = ? WHERE id = ?",
                [(outcome[:500], not_before, i) for i in ids],
            )

    def release(self, ids: Sequence[int]) -> None:
        """Events taken but not started (the listener is stopping): queued again, first."""
        with self._lock, self._db:
            self._db.executemany(
                "UPDATE events SET status = 'queued', attempts = MAX(attempts - 1, 0) "
                "WHERE id = ? AND status = 'working'",
                [(i,) for i in ids],
            )

    def prune(self, now: float) -> int:
        with self._lock, self._db:
            cursor = self._db.execute(
                "DELETE FROM events WHERE status IN ('done', 'failed') AND finished_at < ?",
                (now - KEEP_FINISHED_SECONDS,),
            )
            return cursor.rowcount

    def stats(self) -> QueueStats:
        with self._lock:
            counts = dict(
                self._db.execute("SELECT status, COUNT(*) FROM events GROUP BY status").fetchall()
            )
            oldest = self._db.execute(
                "SELECT MIN(received_at) FROM events WHERE status IN ('queued', 'working')"
            ).fetchone()[0]
            last = self._db.execute("SELECT MAX(finished_at) FROM events").fetchone()[0]
        return QueueStats(
            queued=int(counts.get("queued", 0)),
            working=int(counts.get("working", 0)),
            failed=int(counts.get("failed", 0)),
            oldest_queued_at=None if oldest is None else float(oldest),
            last_finished_at=None if last is None else float(last),
            total=sum(int(v) for v in counts.values()),
        )

    def rows(self) -> list[tuple[int, str, str, str, str, int, str]]:
        """Every event (id, source, kind, key, status, attempts, outcome): for tests and audit."""
        with self._lock:
            found = self._db.execute(
                "SELECT id, source, kind, key, status, attempts, outcome FROM events ORDER BY id"
            ).fetchall()
        return [tuple(r) for r in found]


def queue_stats(path: Path) -> QueueStats | None:
    """Read-only look at a ledger's queue (doctor); None when the listener never ran."""
    if not path.exists():
        return None
    try:
        db = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=5)
    except sqlite3.Error:
        return None
    try:
        if not db.execute(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'events'"
        ).fetchone():
            return None
        counts = dict(db.execute("SELECT status, COUNT(*) FROM events GROUP BY status").fetchall())
        oldest = db.execute(
            "SELECT MIN(received_at) FROM events WHERE status IN ('queued', 'working')"
        ).fetchone()[0]
        last = db.execute("SELECT MAX(finished_at) FROM events").fetchone()[0]
    except sqlite3.Error:
        return None
    finally:
        db.close()
    return QueueStats(
        queued=int(counts.get("queued", 0)),
        working=int(counts.get("working", 0)),
        failed=int(counts.get("failed", 0)),
        oldest_queued_at=None if oldest is None else float(oldest),
        last_finished_at=None if last is None else float(last),
        total=sum(int(v) for v in counts.values()),
    )
