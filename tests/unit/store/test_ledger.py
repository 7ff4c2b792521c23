"""The ledger's audit log records who wrote each entry; ledgers from before that still open."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from sbzoom.store.ledger import Audit, Ledger, MeetingRow
from tests.fakes import NOW

WHO = "bookings link · ann@cron-host"

# An audit table as sbzoom wrote it before it recorded who (schema version 3).
VERSION_3_AUDIT = """
CREATE TABLE audit (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    at          TEXT NOT NULL,
    booking_id  TEXT NOT NULL,
    action      TEXT NOT NULL,
    meeting_id  INTEGER,
    outcome     TEXT NOT NULL,
    detail      TEXT NOT NULL DEFAULT ''
);
INSERT INTO audit (at, booking_id, action, meeting_id, outcome, detail)
    VALUES ('2026-03-01T09:00:00+00:00', '1001', 'create', 81000000001, 'ok', '');
PRAGMA user_version = 3;
"""


def test_every_audit_entry_records_the_ledgers_actor(tmp_path: Path) -> None:
    ledger = Ledger(tmp_path / "ledger.sqlite3", actor=WHO)
    try:
        ledger.audit(NOW, "1001", "add-registrant", 81000000001, "ok")
        meeting = MeetingRow("b1001", 81000000001, "host", "h", "https://j", "", "active")
        ledger.put_meeting(meeting, NOW, Audit("1001", "create", 81000000001))
        ledger.doom(81000000002, "host", "moved", NOW)
        ledger.spare(81000000002, NOW, Audit("-", "delete", 81000000002))
        log = ledger.audit_log()
    finally:
        ledger.close()
    assert [(e.action, e.actor) for e in log] == [
        ("add-registrant", WHO),
        ("create", WHO),
        ("delete", WHO),
    ]


def test_a_reader_writes_nothing_about_who(tmp_path: Path) -> None:
    ledger = Ledger(tmp_path / "ledger.sqlite3")
    try:
        ledger.audit(NOW, "1001", "create", None, "failed", "host exhausted")
        assert ledger.audit_log()[0].actor == ""
    finally:
        ledger.close()


def test_a_ledger_from_before_who_was_recorded_is_migrated(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite3"
    db = sqlite3.connect(path)
    db.executescript(VERSION_3_AUDIT)
    db.close()
    ledger = Ledger(path, actor="listen · svc@k8s-pod-7")
    try:
        ledger.audit(NOW, "1002", "update", 81000000003, "ok")
        old, new = ledger.audit_log()
    finally:
        ledger.close()
    assert (old.booking_id, old.action, old.actor) == ("1001", "create", "")  # unknown
    assert (new.booking_id, new.actor) == ("1002", "listen · svc@k8s-pod-7")
    db = sqlite3.connect(path)
    try:
        assert db.execute("PRAGMA user_version").fetchone() == (4,)
        assert db.execute("SELECT COUNT(*) FROM audit WHERE actor = ''").fetchone() == (1,)
    finally:
        db.close()
    Ledger(path).close()  # opening it again changes nothing
