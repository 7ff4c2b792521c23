"""`sbzoom audit` rendered: who made each change, in the table (fitted) and in JSON."""

from __future__ import annotations

import io
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from rich.cells import cell_len

from sbzoom.core.audit import AuditEntry, AuditLog
from sbzoom.render.audit import entry_json, write_audit
from tests.fakes import NOW

WHO = "bookings link · ann@cron-host"
ENTRIES = [
    AuditEntry(NOW - timedelta(days=400), "1001", "create", 81000000001, "ok", ""),  # before who
    AuditEntry(NOW, "1001", "add-registrant", 81000000001, "ok", "", WHO),
    AuditEntry(NOW, "", "delete", 81000000009, "ok", "", "listen · svc@k8s-pod-7"),
]
LOG = AuditLog(ENTRIES, ZoneInfo("Europe/Copenhagen"))


def table(log: AuditLog, width: int) -> list[str]:
    out = io.StringIO()
    write_audit(out, log, width)
    return out.getvalue().splitlines()


def test_json_says_who_and_an_old_entry_says_nobody_knows() -> None:
    assert [entry_json(e)["who"] for e in ENTRIES] == ["", WHO, "listen · svc@k8s-pod-7"]


def test_a_wide_terminal_shows_who_whole_and_dash_when_unknown() -> None:
    header, old, mine, listener = table(LOG, 120)
    assert header.split() == ["WHEN", "BOOKING", "ACTION", "OUTCOME", "MEETING", "WHO", "DETAIL"]
    assert old.split()[-1] == "-"  # like a booking-less row's BOOKING cell
    assert mine.endswith(WHO) and listener.endswith("listen · svc@k8s-pod-7")


@pytest.mark.parametrize("width", [80, 120])
def test_the_table_fits_and_keeps_dates_and_ids_whole(width: int) -> None:
    lines = table(LOG, width)
    assert all(cell_len(line) <= width for line in lines)
    assert all(" 1001 " in line for line in lines[1:3]) and "81000000009" not in lines[0]
    if width == 80:  # who is shortened to the command rather than wrapped
        assert "WHO" in lines[0] and "bookings link" in lines[2]


def test_at_80_columns_who_is_kept_before_a_long_detail() -> None:
    why = "Zoom refused the registrant: the meeting has ended already"
    failed = AuditEntry(NOW, "1002", "cancel-registrant", None, "failed", why, WHO)
    lines = table(AuditLog([failed], LOG.zone), 80)
    assert lines[0].split() == ["WHEN", "BOOKING", "ACTION", "OUTCOME", "WHO"]
    assert "failed   bookings link · ann@" in lines[1]  # shortened at its end: the command stays
    short = AuditEntry(NOW, "1002", "create", None, "failed", failed.detail, WHO)
    lines = table(AuditLog([short], LOG.zone), 80)  # short actions leave room for both
    assert lines[0].split() == ["WHEN", "BOOKING", "ACTION", "OUTCOME", "WHO", "DETAIL"]
    assert all(cell_len(line) <= 80 for line in lines) and "Zoom refused" in lines[1]
    assert "DETAIL" in table(AuditLog([failed], LOG.zone), 120)[0]
