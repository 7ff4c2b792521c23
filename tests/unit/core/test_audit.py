"""`sbzoom audit` over a real ledger in tmp_path (core.audit): filters, zones, no ledger yet."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from sbzoom.core.audit import AuditLog, audit_log
from sbzoom.errors import ConfigError, UsageError
from sbzoom.render.audit import entry_json
from sbzoom.store.ledger import Ledger, ledger_path
from tests.fakes import NOW, FakeClock

COPENHAGEN = ZoneInfo("Europe/Copenhagen")


def copenhagen() -> ZoneInfo:
    return COPENHAGEN


def read(
    data_dir: Path,
    booking_id: str | None = None,
    since: str | None = None,
    zone: Callable[[], ZoneInfo] = copenhagen,
) -> AuditLog:
    return audit_log(
        booking_id,
        since,
        zone_of_company=zone,
        clock=FakeClock(),
        data_dir=data_dir,
        profile_name="default",
    )


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    ledger = Ledger(ledger_path(tmp_path, "default"))
    ledger.audit(NOW - timedelta(days=3), "1001", "create", 81000000001, "ok")
    ledger.audit(NOW - timedelta(hours=1), "1002", "create", None, "failed", "host exhausted")
    ledger.audit(NOW, "-", "delete", 81000000009, "ok")
    ledger.close()
    return tmp_path


def test_every_entry_oldest_first_in_the_company_zone(data_dir: Path) -> None:
    log = read(data_dir)
    assert [(e.booking_id, e.action, e.outcome) for e in log.entries] == [
        ("1001", "create", "ok"),
        ("1002", "create", "failed"),
        ("", "delete", "ok"),  # work not tied to one booking
    ]
    assert log.zone == COPENHAGEN and log.zone_problem == "" and log.ledger_exists
    assert entry_json(log.entries[2])["booking_id"] is None
    assert entry_json(log.entries[0])["detail"] is None


def test_one_booking_and_since_a_day_filter(data_dir: Path) -> None:
    assert [e.booking_id for e in read(data_dir, " 1002 ").entries] == ["1002"]
    assert [e.booking_id for e in read(data_dir, since="today").entries] == ["1002", ""]


def test_a_booking_id_must_be_a_number_before_anything_is_read(data_dir: Path) -> None:
    def never() -> ZoneInfo:
        raise AssertionError("the zone is not asked for a bad booking id")

    with pytest.raises(UsageError, match="not a number"):
        read(data_dir, "abc", zone=never)


def test_an_unknown_company_zone_shows_utc_and_says_why(data_dir: Path) -> None:
    def unknown() -> ZoneInfo:
        raise ConfigError("The SimplyBook company's time zone is not known.")

    log = read(data_dir, zone=unknown)
    assert log.zone == ZoneInfo("UTC") and "time zone is not known" in log.zone_problem
    assert log.entries[0].at.tzinfo is not None and log.entries[0].at < datetime.now(UTC)


def test_reading_never_creates_a_ledger(tmp_path: Path) -> None:
    log = read(tmp_path)
    assert log.entries == [] and not log.ledger_exists
    assert not ledger_path(tmp_path, "default").exists()


def test_each_entry_says_who_made_it_and_old_entries_say_nobody_knows(tmp_path: Path) -> None:
    path = ledger_path(tmp_path, "default")
    for actor in ("", "listen · svc@k8s-pod-7"):
        ledger = Ledger(path, actor=actor)
        ledger.audit(NOW, "1001", "update", 81000000001, "ok")
        ledger.close()
    assert [e.who for e in read(tmp_path).entries] == ["", "listen · svc@k8s-pod-7"]
