"""`report meetings` out: the table, CSV and JSON, written row by row as rows come, and the
summary line.

Every format streams, so a 50,000-row report never holds more than a page of rows:

- CSV and JSON are produced as text chunks (``csv_chunks``, ``json_chunks``).
- The table's columns are chosen from the width alone (``render.table.fit_columns``) before the
  first row. ``--wide`` (and a table written to a file: every column, whole) sizes each column to
  its widest value among the first ``WIDE_SAMPLE`` rows and writes later rows in those widths; a
  later value that is wider pushes its own line rather than be cut.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator
from itertools import islice
from typing import IO, TYPE_CHECKING

from sbzoom.core.dates import company_time
from sbzoom.core.report import STATUSES
from sbzoom.render.table import Column, fit_columns, format_header_for, format_row, wide_columns

if TYPE_CHECKING:
    from pathlib import Path

    from sbzoom.core.report import MeetingReport, ReportRow

# The PRODUCT.md JSON shape, in order; ``reason`` is an extra key (allowed) saying why a row is
# not linked and what fixes it.
COLUMNS = (
    "booking_id",
    "code",
    "start",
    "end",
    "service",
    "provider",
    "client",
    "client_email",
    "zoom_user",
    "meeting_id",
    "join_url",
    "status",
    "reason",
    "delivery",
)

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
# --wide sizes its columns from this many rows, then streams the rest in those widths.
WIDE_SAMPLE = 500


def row_json(row: ReportRow) -> dict[str, object]:
    """One row in the PRODUCT.md shape."""
    return {
        # SimplyBook ids are numbers in every JSON sbzoom prints (one type throughout)
        "booking_id": int(row.booking_id) if row.booking_id.isdigit() else row.booking_id,
        "code": row.code,
        "start": row.start.isoformat(),
        "end": row.end.isoformat(),
        "service": row.service,
        "provider": row.provider,
        "client": row.client,
        "client_email": row.client_email,
        "zoom_user": row.zoom_user or None,
        "meeting_id": row.meeting_id,
        "join_url": row.join_url or None,
        "status": row.status,
        "reason": row.reason or None,
        "delivery": row.delivery,
    }


def _cell(value: object) -> object:
    return "" if value is None else value


def csv_chunks(rows: Iterable[ReportRow]) -> Iterator[str]:
    """A header line, then one line per row, as they come."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(COLUMNS), lineterminator="\n")
    writer.writeheader()
    yield buffer.getvalue()
    for row in rows:
        buffer.seek(0)
        buffer.truncate()
        writer.writerow({k: _cell(v) for k, v in row_json(row).items()})
        yield buffer.getvalue()


def json_chunks(rows: Iterable[ReportRow]) -> Iterator[str]:
    """A JSON array written element by element: ``[``, the rows, ``]``."""
    first = True
    for row in rows:
        yield ("[\n  " if first else ",\n  ") + json.dumps(row_json(row), ensure_ascii=False)
        first = False
    yield "[]\n" if first else "\n]\n"


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
        remaining = iter(rows)
        sample = [_cells(r, delivery) for r in islice(remaining, WIDE_SAMPLE)]
        fitted = wide_columns(wide_specs, sample)
        out.write(format_header_for(fitted) + "\n")
        for line in sample:
            out.write(format_row(fitted, line, wide=True) + "\n")
        del sample
        for row in remaining:
            out.write(format_row(fitted, _cells(row, delivery), wide=True) + "\n")
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


def summary_line(report: MeetingReport) -> str:
    """What the report counted, by status, and the duplicates to remove."""
    window = report.window
    span = f"{window.first.isoformat()} to {window.last.isoformat()}"
    if not report.total:
        return f"No bookings of online services from {span}."
    counts = report.counts
    parts = ", ".join(f"{counts[s]} {s}" for s in STATUSES if counts[s])
    noun = "booking" if report.total == 1 else "bookings"
    twice = ""
    if report.duplicated:
        twice = (
            f" {report.duplicated} with more than one Zoom meeting: run 'sbzoom bookings link' "
            "to remove the duplicates."
        )
    return f"{report.total} {noun} of online services from {span}: {parts}.{twice}"


def closing_lines(report: MeetingReport, left_out: list[str], output: Path | None) -> list[str]:
    """What the report says on stderr once its rows are out: the columns left out for the
    width, what could not be looked up, the summary, and the file written."""
    lines = []
    if left_out and report.total:
        lines.append(
            f"Left out at this width: {', '.join(left_out)}. "
            "See them with --wide, or --format csv/json."
        )
    if report.directory.problem:
        lines.append(f"Zoom hosts are shown by user id: {report.directory.problem}")
    if report.twins is not None and report.twins.problem:
        lines.append(f"Not checked for duplicate meetings: {report.twins.problem}")
    lines.append(summary_line(report))
    if output is not None:
        lines.append(f"Wrote {output}.")
    return lines
