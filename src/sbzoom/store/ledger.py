"""The local ledger: which meeting each booking (or class session) has, and an audit of changes.

It is a cache and an audit trail, not the only truth: every meeting also carries its marker in
Zoom, so a lost ledger is rebuilt by adoption, never by creating duplicates.

One SQLite file per profile in the data dir. Writes are short transactions; the connection is
shared by the worker threads of one run under a lock (SQLite itself serialises processes).
"""

from __future__ import annotations

import os
import sqlite3
import stat
import threading
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path

from sbzoom.store.files import make_dir
from sbzoom.store.ledger_problems import check_companions, ledger_problem
from sbzoom.store.problems import file_problem

SCHEMA = """
CREATE TABLE IF NOT EXISTS meetings (
    unit_key     TEXT PRIMARY KEY,        -- 'b<booking id>' or 's<service>.<provider>.<start>'
    meeting_id   INTEGER,                 -- NULL while a create is in flight
    host_id      TEXT NOT NULL,
    state_hash   TEXT NOT NULL DEFAULT '',
    join_url     TEXT NOT NULL DEFAULT '',
    passcode     TEXT NOT NULL DEFAULT '',
    status       TEXT NOT NULL,           -- 'pending' | 'active' | 'deleted'
    updated_at   TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS bookings (
    booking_id    TEXT PRIMARY KEY,
    unit_key      TEXT NOT NULL,
    registrant_id TEXT NOT NULL DEFAULT '',
    join_url      TEXT NOT NULL DEFAULT '',
    status        TEXT NOT NULL,          -- 'linked' | 'cancelled' | 'failed' | 'deferred'
    reason        TEXT NOT NULL DEFAULT '',
    comment_url   TEXT NOT NULL DEFAULT '',  -- the link last written back to the comment
    start_utc     TEXT NOT NULL DEFAULT '',  -- the booking's start when last synced (ISO, UTC)
    updated_at    TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS bookings_by_start ON bookings(start_utc);
CREATE INDEX IF NOT EXISTS bookings_by_unit ON bookings(unit_key);
CREATE TABLE IF NOT EXISTS doomed (         -- meetings to delete, kept until Zoom confirms
    meeting_id  INTEGER PRIMARY KEY,
    host_id     TEXT NOT NULL,
    reason      TEXT NOT NULL,
    added_at    TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS audit (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    at          TEXT NOT NULL,
    booking_id  TEXT NOT NULL,
    action      TEXT NOT NULL,
    meeting_id  INTEGER,
    outcome     TEXT NOT NULL,
    detail      TEXT NOT NULL DEFAULT '',
    actor       TEXT NOT NULL DEFAULT ''    -- who: 'bookings link · ann@cron-host' (version 4)
);
CREATE TABLE IF NOT EXISTS notices (        -- e-mails to clients and providers (version 3)
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    thread      TEXT NOT NULL,              -- one invite: 'c<booking id>' or 'p<unit key>'
    booking_id  TEXT NOT NULL,              -- the booking (a class session: its first booking)
    unit_key    TEXT NOT NULL,
    role        TEXT NOT NULL,              -- 'client' | 'provider'
    kind        TEXT NOT NULL,              -- 'request' | 'cancel'
    sequence    INTEGER NOT NULL,           -- the invite's SEQUENCE
    recipient   TEXT NOT NULL,
    content     TEXT NOT NULL,              -- hash of what the invite says (time, link, people)
    payload     TEXT NOT NULL,              -- the notice as JSON, to send it later as planned
    status      TEXT NOT NULL,              -- pending | sending | sent | failed | superseded
    reason      TEXT NOT NULL DEFAULT '',
    attempts    INTEGER NOT NULL DEFAULT 0,
    created_at  TEXT NOT NULL,
    sent_at     TEXT NOT NULL DEFAULT '',
    UNIQUE (thread, sequence)
);
CREATE INDEX IF NOT EXISTS notices_by_booking ON notices(booking_id);
CREATE INDEX IF NOT EXISTS notices_by_unit ON notices(unit_key);
CREATE INDEX IF NOT EXISTS notices_by_status ON notices(status);
"""
SCHEMA_VERSION = 4


BOOKING_COLUMNS = (
    "booking_id, unit_key, registrant_id, join_url, status, reason, comment_url, start_utc"
)
AUDIT_INSERT = (
    "INSERT INTO audit (at, booking_id, action, meeting_id, outcome, detail, actor) "
    "VALUES (?, ?, ?, ?, ?, ?, ?)"
)


@dataclass(frozen=True)
class Audit:
    """One audit entry to write together with the change it describes."""

    booking_id: str
    action: str
    meeting_id: int | None
    outcome: str = "ok"
    detail: str = ""


@dataclass(frozen=True)
class MeetingRow:
    unit_key: str
    meeting_id: int | None
    host_id: str
    state_hash: str
    join_url: str
    passcode: str
    status: str


@dataclass(frozen=True)
class BookingRow:
    booking_id: str
    unit_key: str
    registrant_id: str
    join_url: str
    status: str
    reason: str
    comment_url: str
    start_utc: str = ""


@dataclass(frozen=True)
class NoticeRow:
    """One e-mail: recorded (``pending``) before it is sent, ``sending`` while on the wire."""

    id: int
    thread: str
    booking_id: str
    unit_key: str
    role: str
    kind: str
    sequence: int
    recipient: str
    content: str
    payload: str
    status: str
    reason: str
    attempts: int
    sent_at: str


NOTICE_COLUMNS = (
    "id, thread, booking_id, unit_key, role, kind, sequence, recipient, content, payload, "
    "status, reason, attempts, sent_at"
)


@dataclass(frozen=True)
class AuditRow:
    at: str
    booking_id: str
    action: str
    meeting_id: int | None
    outcome: str
    detail: str
    actor: str = ""  # "" on entries written before sbzoom recorded who (schema version 3)


class Ledger:
    def __init__(self, path: Path, *, actor: str = "") -> None:
        """``actor`` is who writes through this ledger, recorded on every audit entry: the
        command and where it runs (``bookings link · ann@cron-host``); "" for readers."""
        self.path = path
        self.actor = actor
        make_dir(path.parent, "the ledger")
        check_companions(path)
        try:
            # Join links carry passcodes: the ledger is for its owner's eyes only.
            os.close(os.open(path, os.O_RDWR | os.O_CREAT, 0o600))
            if stat.S_IMODE(path.stat().st_mode) != 0o600:
                os.chmod(path, 0o600)
        except OSError as exc:
            raise file_problem(path, exc, "the ledger", "open") from None
        try:
            self._db = sqlite3.connect(path, timeout=30, check_same_thread=False)
            self._db.execute("PRAGMA journal_mode=WAL")
            # A valid header over damaged pages opens fine and fails mid-run: look now.
            damage = self._db.execute("PRAGMA quick_check(1)").fetchone()
            if damage and damage[0] != "ok":
                raise sqlite3.DatabaseError(f"database disk image is malformed ({damage[0]})")
            # WAL's usual partner: a commit is a write to the log, no fsync of it; the log is
            # synced at checkpoints. A crash of sbzoom (or kill -9) loses nothing; only a power
            # cut can lose the last commits, never corrupt the file (sqlite.org/wal.html), and
            # the markers on Zoom rebuild what a lost commit held.
            self._db.execute("PRAGMA synchronous=NORMAL")
            self._db.execute("PRAGMA temp_store=MEMORY")
            self._migrate()
        except sqlite3.Error as exc:
            raise ledger_problem(path, exc) from None
        self._lock = threading.Lock()

    def _migrate(self) -> None:
        """Bring a ledger written by an older sbzoom up to date; nothing in it is lost."""
        columns = {row[1] for row in self._db.execute("PRAGMA table_info(bookings)")}
        if columns and "start_utc" not in columns:  # version 1 had no booking start
            self._db.execute("ALTER TABLE bookings ADD COLUMN start_utc TEXT NOT NULL DEFAULT ''")
        columns = {row[1] for row in self._db.execute("PRAGMA table_info(audit)")}
        if columns and "actor" not in columns:  # before version 4 nobody said who: '' (unknown)
            self._db.execute("ALTER TABLE audit ADD COLUMN actor TEXT NOT NULL DEFAULT ''")
        self._db.executescript(SCHEMA)  # every statement is IF NOT EXISTS
        self._db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")

    def close(self) -> None:
        self._db.close()

    def _audit_args(self, now: datetime, audit: Audit | None) -> tuple[object, ...] | None:
        if audit is None:
            return None
        return (now.isoformat(), audit.booking_id, audit.action, audit.meeting_id,
                audit.outcome, audit.detail, self.actor)  # fmt: skip

    def _query(self, sql: str, args: tuple[object, ...] = ()) -> list[tuple[object, ...]]:
        with self._lock:
            try:
                return self._db.execute(sql, args).fetchall()
            except sqlite3.Error as exc:
                raise ledger_problem(self.path, exc) from None

    def _write(
        self, sql: str, args: tuple[object, ...], audit: tuple[object, ...] | None = None
    ) -> None:
        with self._lock:
            try:
                with self._db:  # one transaction: the change and its audit row, or neither
                    self._db.execute(sql, args)
                    if audit is not None:
                        self._db.execute(AUDIT_INSERT, audit)
            except sqlite3.Error as exc:
                raise ledger_problem(self.path, exc) from None

    # -- meetings -----------------------------------------------------------------------------

    def meeting(self, unit_key: str) -> MeetingRow | None:
        rows = self._query(
            "SELECT unit_key, meeting_id, host_id, state_hash, join_url, passcode, status "
            "FROM meetings WHERE unit_key = ?",
            (unit_key,),
        )
        return MeetingRow(*rows[0]) if rows else None  # type: ignore[arg-type]

    def put_meeting(self, row: MeetingRow, now: datetime, audit: Audit | None = None) -> None:
        """Save a meeting row, and with it (one transaction) the audit entry of the change."""
        self._write(
            "INSERT INTO meetings VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(unit_key) DO UPDATE "
            "SET meeting_id=excluded.meeting_id, host_id=excluded.host_id, "
            "state_hash=excluded.state_hash, join_url=excluded.join_url, "
            "passcode=excluded.passcode, status=excluded.status, updated_at=excluded.updated_at",
            (
                row.unit_key,
                row.meeting_id,
                row.host_id,
                row.state_hash,
                row.join_url,
                row.passcode,
                row.status,
                now.isoformat(),
            ),
            audit=self._audit_args(now, audit),
        )

    def meeting_by_id(self, meeting_id: int) -> MeetingRow | None:
        """The unit whose current meeting this is (a webhook names only the meeting)."""
        rows = self._query(
            "SELECT unit_key, meeting_id, host_id, state_hash, join_url, passcode, status "
            "FROM meetings WHERE meeting_id = ? ORDER BY updated_at DESC LIMIT 1",
            (meeting_id,),
        )
        return MeetingRow(*rows[0]) if rows else None  # type: ignore[arg-type]

    def unit_changed_since(self, unit_key: str, moment: datetime) -> bool:
        """Did anything write this unit's meeting or bookings after ``moment``?"""
        rows = self._query(
            "SELECT updated_at FROM meetings WHERE unit_key = ? "
            "UNION ALL SELECT updated_at FROM bookings WHERE unit_key = ?",
            (unit_key, unit_key),
        )
        return any(datetime.fromisoformat(str(r[0])) > moment for r in rows)

    # -- bookings -----------------------------------------------------------------------------

    def booking(self, booking_id: str) -> BookingRow | None:
        rows = self._query(
            f"SELECT {BOOKING_COLUMNS} FROM bookings WHERE booking_id = ?",  # noqa: S608 (constant)
            (booking_id,),
        )
        return BookingRow(*rows[0]) if rows else None  # type: ignore[arg-type]

    def bookings_of(self, unit_key: str) -> list[BookingRow]:
        rows = self._query(
            f"SELECT {BOOKING_COLUMNS} FROM bookings WHERE unit_key = ? "  # noqa: S608 (constant)
            "ORDER BY booking_id",
            (unit_key,),
        )
        return [BookingRow(*r) for r in rows]  # type: ignore[arg-type]

    def put_booking(self, row: BookingRow, now: datetime) -> None:
        self._write(
            "INSERT INTO bookings VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) "
            "ON CONFLICT(booking_id) DO UPDATE "
            "SET unit_key=excluded.unit_key, registrant_id=excluded.registrant_id, "
            "join_url=excluded.join_url, status=excluded.status, reason=excluded.reason, "
            "comment_url=excluded.comment_url, start_utc=excluded.start_utc, "
            "updated_at=excluded.updated_at",
            (
                row.booking_id,
                row.unit_key,
                row.registrant_id,
                row.join_url,
                row.status,
                row.reason,
                row.comment_url,
                row.start_utc,
                now.isoformat(),
            ),
        )

    def linked_between(self, first: datetime, last: datetime) -> list[str]:
        """Ids of bookings linked at a start in [first, last): the ones a window run must see."""
        rows = self._query(
            "SELECT booking_id FROM bookings WHERE status = 'linked' AND start_utc >= ? "
            "AND start_utc < ? ORDER BY start_utc",
            (utc_text(first), utc_text(last)),
        )
        return [str(r[0]) for r in rows]

    def creates_updates_since(self, since: datetime) -> dict[str, int]:
        """Meeting creates and updates per host recorded since ``since`` (Zoom's daily limit).

        Counted from the audit log (creates name their host; an update's host is its meeting's).
        """
        rows = self._query(
            "SELECT m.host_id, COUNT(*) FROM audit a "
            "JOIN meetings m ON m.meeting_id = a.meeting_id "
            "WHERE a.action IN ('create', 'update') AND a.at >= ? GROUP BY m.host_id",
            (since.isoformat(),),
        )
        return {str(host): int(count) for host, count in rows}  # type: ignore[call-overload]

    # -- meetings to delete -------------------------------------------------------------------

    def doom(self, meeting_id: int, host_id: str, reason: str, now: datetime) -> None:
        """Remember that a meeting must go, before trying: a crash cannot make it forgotten."""
        self._write(
            "INSERT OR REPLACE INTO doomed VALUES (?, ?, ?, ?)",
            (meeting_id, host_id, reason, now.isoformat()),
        )

    def doomed(self) -> list[tuple[int, str, str]]:
        rows = self._query("SELECT meeting_id, host_id, reason FROM doomed ORDER BY added_at")
        return [(int(r[0]), str(r[1]), str(r[2])) for r in rows]  # type: ignore[call-overload]

    def spare(self, meeting_id: int, now: datetime, audit: Audit | None = None) -> None:
        """The meeting is gone from Zoom: forget it, recording the deletion."""
        self._write(
            "DELETE FROM doomed WHERE meeting_id = ?",
            (meeting_id,),
            audit=self._audit_args(now, audit),
        )

    # -- notices ------------------------------------------------------------------------------

    def _notices(self, where: str, args: tuple[object, ...]) -> list[NoticeRow]:
        rows = self._query(
            f"SELECT {NOTICE_COLUMNS} FROM notices WHERE {where} ORDER BY id",  # noqa: S608
            args,
        )
        return [NoticeRow(*r) for r in rows]  # type: ignore[arg-type]

    def last_notice(self, thread: str) -> NoticeRow | None:
        """The newest notice of an invite thread (the highest SEQUENCE)."""
        rows = self._notices(
            "thread = ? AND sequence = (SELECT MAX(sequence) FROM notices WHERE thread = ?)",
            (thread, thread),
        )
        return rows[0] if rows else None

    def last_sent(self, thread: str) -> NoticeRow | None:
        rows = self._notices("thread = ? AND status = 'sent'", (thread,))
        return rows[-1] if rows else None

    def notices_of(self, booking_id: str, unit_key: str = "") -> list[NoticeRow]:
        """The booking's notices, and those of its class session's provider thread."""
        return self._notices(
            "booking_id = ? OR (role = 'provider' AND unit_key = ? AND unit_key != '')",
            (booking_id, unit_key),
        )

    def has_notices(self) -> bool:
        return bool(self._query("SELECT 1 FROM notices LIMIT 1"))

    def unsent_notices(self) -> list[NoticeRow]:
        """Notices to (re)send: waiting ones, and any a crash left on the wire."""
        return self._notices("status IN ('pending', 'sending')", ())

    def add_notice(self, row: NoticeRow, now: datetime) -> NoticeRow | None:
        """Record a notice before sending it; older unsent notices of its thread are superseded.

        Returns None when the thread already has that SEQUENCE (another run recorded it first).
        """
        stamp = now.isoformat()
        with self._lock, self._db:
            self._db.execute(
                "UPDATE notices SET status = 'superseded' WHERE thread = ? "
                "AND status IN ('pending', 'sending') AND sequence < ?",
                (row.thread, row.sequence),
            )
            cursor = self._db.execute(
                "INSERT OR IGNORE INTO notices (thread, booking_id, unit_key, role, kind, "
                "sequence, recipient, content, payload, status, reason, attempts, created_at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, ?)",
                (row.thread, row.booking_id, row.unit_key, row.role, row.kind, row.sequence,
                 row.recipient, row.content, row.payload, row.status, row.reason, stamp),
            )  # fmt: skip
            if cursor.rowcount == 0:
                return None
            new_id = cursor.lastrowid
        return replace(row, id=int(new_id or 0))

    def mark_notice(
        self, notice_id: int, status: str, now: datetime, reason: str = "", *, attempt: bool = False
    ) -> None:
        """Move a notice on: ``sending`` (before the wire), then ``sent``/``pending``/``failed``."""
        sent_at = now.isoformat() if status == "sent" else ""
        self._write(
            "UPDATE notices SET status = ?, reason = ?, attempts = attempts + ?, "
            "sent_at = CASE WHEN ? != '' THEN ? ELSE sent_at END WHERE id = ?",
            (status, reason, 1 if attempt else 0, sent_at, sent_at, notice_id),
        )

    # -- audit --------------------------------------------------------------------------------

    def audit(
        self,
        now: datetime,
        booking_id: str,
        action: str,
        meeting_id: int | None,
        outcome: str,
        detail: str = "",
    ) -> None:
        self._write(
            AUDIT_INSERT,
            (now.isoformat(), booking_id, action, meeting_id, outcome, detail, self.actor),
        )

    def audit_log(
        self, booking_id: str | None = None, since: datetime | None = None
    ) -> list[AuditRow]:
        """Audit entries, oldest first; of one booking, and/or from ``since`` on."""
        sql = "SELECT at, booking_id, action, meeting_id, outcome, detail, actor FROM audit"
        where: list[str] = []
        args: tuple[object, ...] = ()
        if booking_id is not None:
            where.append("booking_id = ?")
            args += (booking_id,)
        if since is not None:  # entries are written in UTC ISO 8601: text order is time order
            where.append("at >= ?")
            args += (since.astimezone(UTC).isoformat(),)
        if where:
            sql += " WHERE " + " AND ".join(where)
        return [AuditRow(*r) for r in self._query(sql + " ORDER BY id", args)]  # type: ignore[arg-type]


def utc_text(moment: datetime) -> str:
    """How the ledger writes an instant: ISO 8601 in UTC with Z (sorts as text)."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def ledger_path(data_dir: Path, profile: str) -> Path:
    return data_dir / f"ledger-{profile}.sqlite3"
