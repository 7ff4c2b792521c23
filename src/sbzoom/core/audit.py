"""`sbzoom audit`: what sbzoom changed in Zoom (and SimplyBook), when, and with what outcome.

The ledger writes an audit entry with every change it makes (in the same transaction), so
"why does this client have no link / a new link?" is answered here without opening SQLite.
Reading never creates a ledger.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time
from zoneinfo import ZoneInfo

from sbzoom.context import Context
from sbzoom.core.dates import parse_day
from sbzoom.errors import SbzoomError, UsageError
from sbzoom.store.ledger import AuditRow


@dataclass(frozen=True)
class AuditEntry:
    at: datetime  # aware, UTC
    booking_id: str  # "" for work not tied to one booking (finishing an earlier run's delete)
    action: str  # create | adopt | update | delete | check | add-registrant | ...
    meeting_id: int | None
    outcome: str  # ok | failed | missing
    detail: str

    def to_json(self) -> dict[str, object]:
        return {
            "at": self.at.isoformat(),
            "booking_id": int(self.booking_id) if self.booking_id.isdigit() else None,
            "action": self.action,
            "meeting_id": self.meeting_id,
            "outcome": self.outcome,
            "detail": self.detail or None,
        }


@dataclass(frozen=True)
class AuditLog:
    entries: list[AuditEntry]
    zone: ZoneInfo  # how times are shown to a person
    zone_problem: str = ""  # why the company zone is unknown (times are then in UTC)
    ledger_exists: bool = True

    def to_json(self) -> list[dict[str, object]]:
        return [e.to_json() for e in self.entries]


def _entry(row: AuditRow) -> AuditEntry:
    at = datetime.fromisoformat(row.at)
    return AuditEntry(
        at=at if at.tzinfo else at.replace(tzinfo=ZoneInfo("UTC")),
        booking_id=row.booking_id if row.booking_id != "-" else "",
        action=row.action,
        meeting_id=row.meeting_id,
        outcome=row.outcome,
        detail=row.detail,
    )


def company_zone(context: Context) -> tuple[ZoneInfo, str]:
    """The company zone to show times in; UTC, with the reason, when it cannot be known."""
    from sbzoom.core.auth.simplybook.connection import company_timezone

    try:
        return company_timezone(context), ""
    except SbzoomError as exc:
        return ZoneInfo("UTC"), exc.message


def audit_log(context: Context, booking_id: str | None, since: str | None) -> AuditLog:
    from sbzoom.store.ledger import Ledger, ledger_path

    if booking_id is not None and not booking_id.strip().isdigit():
        raise UsageError(
            f"Booking id {booking_id!r} is not a number.",
            "Pass a SimplyBook booking id, e.g. 'sbzoom audit 1001', or none for every entry.",
        )
    zone, problem = company_zone(context)
    start = None
    if since:
        today = context.clock.now().astimezone(zone).date()
        start = datetime.combine(parse_day(since, today, "--since"), time(), zone)
    path = ledger_path(context.data_dir, context.profile_name)
    if not path.exists():
        return AuditLog([], zone, problem, ledger_exists=False)
    ledger = Ledger(path)
    try:
        rows = ledger.audit_log(booking_id.strip() if booking_id else None, start)
    finally:
        ledger.close()
    return AuditLog([_entry(r) for r in rows], zone, problem)
