"""`sbzoom audit`: what sbzoom changed in Zoom (and SimplyBook), when, and with what outcome.

The ledger writes an audit entry with every change it makes (in the same transaction), naming
who made it (the command and its user@host), so "why does this client have no link / a new
link?" is answered here without opening SQLite.
Reading never creates a ledger.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, time
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from sbzoom.core.dates import parse_day
from sbzoom.errors import SbzoomError, UsageError

if TYPE_CHECKING:
    from pathlib import Path

    from sbzoom.clock import Clock
    from sbzoom.store.ledger import AuditRow


@dataclass(frozen=True)
class AuditEntry:
    at: datetime  # aware, UTC
    booking_id: str  # "" for work not tied to one booking (finishing an earlier run's delete)
    action: str  # create | adopt | update | delete | check | add-registrant | ...
    meeting_id: int | None
    outcome: str  # ok | failed | missing
    detail: str
    who: str = ""  # the command and where it ran ('bookings link · ann@cron-host'); "" unknown


@dataclass(frozen=True)
class AuditLog:
    entries: list[AuditEntry]
    zone: ZoneInfo  # how times are shown to a person
    zone_problem: str = ""  # why the company zone is unknown (times are then in UTC)
    ledger_exists: bool = True


def _entry(row: AuditRow) -> AuditEntry:
    at = datetime.fromisoformat(row.at)
    return AuditEntry(
        at=at if at.tzinfo else at.replace(tzinfo=ZoneInfo("UTC")),
        booking_id=row.booking_id if row.booking_id != "-" else "",
        action=row.action,
        meeting_id=row.meeting_id,
        outcome=row.outcome,
        detail=row.detail,
        who=row.actor,
    )


def company_zone(zone_of_company: Callable[[], ZoneInfo]) -> tuple[ZoneInfo, str]:
    """The company zone to show times in; UTC, with the reason, when it cannot be known."""
    try:
        return zone_of_company(), ""
    except SbzoomError as exc:
        return ZoneInfo("UTC"), exc.message


def audit_log(
    booking_id: str | None,
    since: str | None,
    *,
    zone_of_company: Callable[[], ZoneInfo],
    clock: Clock,
    data_dir: Path,
    profile_name: str,
) -> AuditLog:
    """The profile's audit entries (one booking's, or all), from ``since`` on; reading never
    creates the ledger. ``zone_of_company`` is asked once the booking id is known to be good."""
    from sbzoom.store.ledger import Ledger, ledger_path

    if booking_id is not None and not booking_id.strip().isdigit():
        raise UsageError(
            f"Booking id {booking_id!r} is not a number.",
            "Pass a SimplyBook booking id, e.g. 'sbzoom audit 1001', or none for every entry.",
        )
    zone, problem = company_zone(zone_of_company)
    start = None
    if since:
        today = clock.now().astimezone(zone).date()
        start = datetime.combine(parse_day(since, today, "--since"), time(), zone)
    path = ledger_path(data_dir, profile_name)
    if not path.exists():
        return AuditLog([], zone, problem, ledger_exists=False)
    ledger = Ledger(path)
    try:
        rows = ledger.audit_log(booking_id.strip() if booking_id else None, start)
    finally:
        ledger.close()
    return AuditLog([_entry(r) for r in rows], zone, problem)
