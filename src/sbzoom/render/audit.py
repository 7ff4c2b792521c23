"""`sbzoom audit` for a person: a table in company time, fitted to the terminal; and its JSON."""

from __future__ import annotations

from typing import IO, TYPE_CHECKING

from sbzoom.core.dates import company_time
from sbzoom.render import print_json
from sbzoom.render.table import Column, fit_columns, format_header_for, format_row, measured

if TYPE_CHECKING:
    from rich.console import Console

    from sbzoom.core.audit import AuditEntry, AuditLog
    from sbzoom.core.ports import Notifier

AUDIT_COLUMNS = (
    Column("WHEN", 21, rank=0),
    Column("BOOKING", 7, rank=1),
    Column("ACTION", 17, rank=2),  # cancel-registrant
    Column("OUTCOME", 7, rank=3),
    Column("MEETING", 11, rank=6),
    # "bookings link · ann@cron-host": shortened to its command before it is left out. At 80
    # columns a log of long actions keeps WHO and leaves DETAIL to wider terminals and --json.
    Column("WHO", 40, shrink_to=14, rank=4),
    Column("DETAIL", 60, shrink_to=12, rank=5),
)


def entry_json(entry: AuditEntry) -> dict[str, object]:
    return {
        "at": entry.at.isoformat(),
        "booking_id": int(entry.booking_id) if entry.booking_id.isdigit() else None,
        "action": entry.action,
        "meeting_id": entry.meeting_id,
        "outcome": entry.outcome,
        "detail": entry.detail or None,
        "who": entry.who,  # "" on entries written before sbzoom recorded who
    }


def write_audit(out: IO[str], log: AuditLog, width: int) -> None:
    rows = [
        [
            company_time(entry.at, log.zone),
            entry.booking_id or "-",
            entry.action,
            entry.outcome,
            str(entry.meeting_id or ""),
            entry.who or "-",
            entry.detail,
        ]
        for entry in log.entries
    ]
    fitted = fit_columns(measured(AUDIT_COLUMNS, rows), width)
    out.write(format_header_for(fitted) + "\n")
    for row in rows:
        out.write(format_row(fitted, row) + "\n")
    out.flush()


def show_audit(out: Console, notifier: Notifier, log: AuditLog, *, as_json: bool) -> None:
    """The entries (JSON or the table) on stdout; where the times are from and how many, below."""
    if as_json:
        print_json(out, [entry_json(e) for e in log.entries])
    elif log.entries:
        write_audit(out.file, log, out.width)
    if log.zone_problem and log.entries and not as_json:
        notifier.notice(f"Times are in UTC: {log.zone_problem}")
    if not log.ledger_exists:
        notifier.notice(
            "Nothing recorded yet: 'sbzoom bookings link' records every change it makes."
        )
    elif not log.entries:
        notifier.notice("No audit entries match.")
    else:
        noun = "entry" if len(log.entries) == 1 else "entries"
        notifier.notice(f"{len(log.entries)} audit {noun}.")
