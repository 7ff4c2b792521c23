"""Dry run as a value: the engine runs one path, and a dry run's writers record instead of write."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from sbzoom.core.bookings.engine import Linker
from sbzoom.core.bookings.writes import NoLedger, RecordingLedger, RecordingZoom, writers
from sbzoom.store.ledger import Ledger
from tests.fakes import FakeZoom
from tests.unit.core.bookings.test_engine import NOW, PLAN, booking

DRY = replace(PLAN, dry_run=True)


@pytest.fixture
def ledger(tmp_path: Path) -> Iterator[Ledger]:
    led = Ledger(tmp_path / "ledger.sqlite3")
    yield led
    led.close()


def test_a_real_run_writes_to_the_ledger_and_zoom(ledger: Ledger) -> None:
    zoom = FakeZoom()
    chosen = writers(zoom, ledger, dry_run=False)
    assert chosen.ledger is ledger and chosen.ledger_writes is ledger
    assert chosen.zoom_writes is zoom and not chosen.dry_run


def test_a_dry_run_without_a_ledger_reads_an_empty_one() -> None:
    chosen = writers(FakeZoom(), None, dry_run=True)
    assert isinstance(chosen.ledger, NoLedger) and chosen.ledger.doomed() == []
    assert isinstance(chosen.ledger_writes, RecordingLedger)
    assert isinstance(chosen.zoom_writes, RecordingZoom) and chosen.dry_run


def test_a_dry_run_records_the_create_it_would_make(ledger: Ledger) -> None:
    zoom = FakeZoom()
    linker = Linker(zoom, None, ledger, DRY, now=lambda: NOW)
    report = linker.run([booking("11")])
    (result,) = report.results
    assert (result.status, result.meeting_id, report.dry_run) == ("created", None, True)
    assert isinstance(linker.state.zoom_writes, RecordingZoom)
    assert linker.state.zoom_writes.recorded == [("create", "zu1")]
    assert zoom.writes() == [] and ledger.meeting("b11") is None


def test_a_dry_run_of_a_cancel_and_a_move_records_the_deletes(ledger: Ledger) -> None:
    zoom = FakeZoom()
    Linker(zoom, None, ledger, PLAN, now=lambda: NOW).run([booking("11"), booking("12")])
    before = dict(zoom.meetings)
    moved = replace(DRY, hosts={"1": "zu2", "2": "zu2"})
    linker = Linker(zoom, None, ledger, moved, now=lambda: NOW)
    report = linker.run([booking("11", cancelled=True), booking("12")])
    assert {r.booking_id: r.status for r in report.results} == {"11": "cancelled", "12": "updated"}
    assert isinstance(linker.state.zoom_writes, RecordingZoom)
    kinds = sorted(kind for kind, _ in linker.state.zoom_writes.recorded)
    assert kinds == ["create", "delete", "delete"]
    assert zoom.meetings == before and zoom.writes() == [("create", "zu1"), ("create", "zu1")]
    assert [a.action for a in ledger.audit_log()] == ["create", "create"]
