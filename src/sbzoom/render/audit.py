"""`sbzoom audit` for a person: a table in company time, fitted to the terminal."""

from __future__ import annotations

from typing import IO, TYPE_CHECKING

from sbzoom.core.dates import company_time
from sbzoom.render.table import Column, fit_columns, format_header_for, format_row, measured

if TYPE_CHECKING:
    from sbzoom.core.audit import AuditLog

AUDIT_COLUMNS = (
    Column("WHEN", 21, rank=0),
    Column("BOOKING", 7, rank=1),
    Column("ACTION", 17, rank=2),  # cancel-registrant
    Column("OUTCOME", 7, rank=3),
    Column("MEETING", 11, rank=5),
    Column("DETAIL", 60, shrink_to=16, rank=4),
)


def write_audit(out: IO[str], log: AuditLog, width: int) -> None:
    rows = [
        [
            company_time(entry.at, log.zone),
            entry.booking_id or "-",
            entry.action,
            entry.outcome,
            str(entry.meeting_id or ""),
            entry.detail,
        ]
        for entry in log.entries
    ]
    fitted = fit_columns(measured(AUDIT_COLUMNS, rows), width)
    out.write(format_header_for(fitted) + "\n")
    for row in rows:
        out.write(format_row(fitted, row) + "\n")
    out.flush()
