"""`report meetings` as a table: fitted to the terminal and printed row by row as rows come.

The columns are chosen from the width alone (``render.table.fit_columns``) before the first row,
so the table streams: a 50,000-row report never holds more than the row being printed. Only
``--wide`` (every column, each as wide as its widest value) reads all rows first.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import IO, TYPE_CHECKING

from sbzoom.core.dates import company_time
from sbzoom.render.table import Column, fit_columns, format_header_for, format_row, wide_columns

if TYPE_CHECKING:
    from sbzoom.core.report import ReportRow

REPORT_COLUMNS = (
    Column("BOOKING", 7, rank=0),
    Column("START", 21, rank=1),  # 2026-11-28 10:00 CEST
    Column("STATUS", 9, rank=2),  # cancelled
    Column("CLIENT", 20, shrink_to=12, rank=3),
    Column("SERVICE", 22, shrink_to=14, rank=4),
    Column("NOTE", 60, shrink_to=20, rank=5),  # why a row is not linked, and the fix
    Column("MAIL", 7, rank=6),  # e-mail notices: sent | pending | failed (notify.email)
    Column("MEETING", 11, rank=7),
    Column("PROVIDER", 20, shrink_to=10, rank=8),
    Column("ZOOM HOST", 28, shrink_to=12, rank=9),
)
# --wide: the join link too, and nothing shortened.
WIDE_REPORT_COLUMNS = (*REPORT_COLUMNS, Column("JOIN LINK", 0, rank=10))
MAIL_INDEX = [c.name for c in REPORT_COLUMNS].index("MAIL")


def report_cells(row: ReportRow) -> list[str]:
    return [
        row.booking_id,
        company_time(row.start),
        row.status,
        row.client,
        row.service,
        row.reason,
        "" if row.delivery in (None, "off") else str(row.delivery),
        str(row.meeting_id or ""),
        row.provider,
        row.zoom_user,
        row.join_url,
    ]


def write_report_table(
    out: IO[str],
    rows: Iterable[ReportRow],
    width: int,
    *,
    wide: bool = False,
    delivery: bool = True,
) -> list[str]:
    """Print the table to ``out``; returns the names of the columns left out for the width.

    ``delivery=False`` (e-mail notices not in use) leaves the always-empty MAIL column out."""
    specs = REPORT_COLUMNS if delivery else tuple(c for c in REPORT_COLUMNS if c.name != "MAIL")
    wide_specs = (*specs, WIDE_REPORT_COLUMNS[-1])
    if wide:
        cells = [_cells(r, delivery) for r in rows]
        fitted = wide_columns(wide_specs, cells)
        out.write(format_header_for(fitted) + "\n")
        for line in cells:
            out.write(format_row(fitted, line, wide=True) + "\n")
        return []
    fitted = fit_columns(specs, width)
    out.write(format_header_for(fitted) + "\n")
    for row in rows:
        out.write(format_row(fitted, _cells(row, delivery)) + "\n")
    shown = {f.column.name for f in fitted}
    return [c.name.lower() for c in wide_specs if c.name not in shown]


def _cells(row: ReportRow, delivery: bool) -> list[str]:
    cells = report_cells(row)
    if not delivery:
        del cells[MAIL_INDEX]
    return cells
