"""What `bookings link` and `bookings show` print for a person (JSON is the core's shape)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.console import Console

from sbzoom.core.dates import company_time, company_time_long
from sbzoom.render.table import (
    Column,
    fit_columns,
    format_header_for,
    format_row,
    measured,
    wide_columns,
)

if TYPE_CHECKING:
    from sbzoom.core.link import BookingDetails
    from sbzoom.core.linking import LinkReport, LinkResult

# What a dry run says for each status: what it would do, not what it did. --json keeps the
# documented status values (plus "dry_run": true).
WOULD = {"created": "would create", "updated": "would update", "cancelled": "would cancel"}

LINK_COLUMNS = (
    Column("BOOKING", 7, rank=0),
    Column("START", 21, rank=1),  # 2026-11-28 10:00 CEST
    Column("STATUS", 12, rank=2),  # would create
    Column("CLIENT", 22, shrink_to=12, rank=3),
    Column("SERVICE", 24, shrink_to=14, rank=4),
    Column("MEETING", 11, rank=5),
)
# --wide adds the whole link and the whole reason.
WIDE_LINK_COLUMNS = (
    *LINK_COLUMNS,
    Column("PROVIDER", 20, shrink_to=10, rank=6),
    Column("JOIN LINK", 0, rank=7),
    Column("NOTE", 0, rank=8),
)


def status_label(status: str, dry_run: bool) -> str:
    return WOULD.get(status, status) if dry_run else status


def link_cells(report: LinkReport, result: LinkResult) -> list[str]:
    booking = report.bookings.get(result.booking_id)
    return [
        result.booking_id,
        company_time(booking.start) if booking else "",
        status_label(result.status, report.dry_run),
        booking.client_name if booking else "(deleted in SimplyBook)",
        booking.service_name if booking else "",
        str(result.meeting_id or ""),
        booking.provider_name if booking else "",
        result.join_url,
        result.reason,
    ]


def print_link_report(console: Console, report: LinkReport, *, wide: bool = False) -> None:
    """The link table fitted to the terminal, then each row's note whole, below it.

    Notes (why a booking was skipped, failed, orphaned...) carry the command that fixes it, so
    they are printed whole on their own lines rather than cut to fit a column.
    """
    rows = [link_cells(report, r) for r in report.results]
    if wide:
        fitted = wide_columns(WIDE_LINK_COLUMNS, rows)
    else:
        fitted = fit_columns(measured(LINK_COLUMNS, rows), console.width)
    out = console.file
    out.write(format_header_for(fitted) + "\n")
    for row in rows:
        out.write(format_row(fitted, row, wide=wide) + "\n")
    if not wide:
        notes = [(r.booking_id, r.reason) for r in report.results if r.reason]
        if notes:
            out.write("\n")
            for booking_id, reason in notes:
                console.print(f"{booking_id}: {reason}", soft_wrap=False, overflow="fold")
    out.flush()


def print_booking(console: Console, details: BookingDetails) -> None:
    """`bookings show`: the state in one sentence, then the details, times in company time."""
    console.print(details.state, soft_wrap=True)
    if details.next_step:
        console.print(f"Next: {details.next_step}", soft_wrap=True)
    if details.meeting_id is None:
        return
    pairs: list[tuple[str, str]] = [
        ("booking", details.booking_id),
        ("client", f"{details.client} <{details.client_email}>".replace(" <>", "")),
        ("service", details.service),
        ("start", company_time_long(details.start, details.zone)),
        ("meeting", str(details.meeting_id)),
        ("topic", details.topic),
        ("host", details.host),
        ("passcode", details.passcode),
    ]
    pairs.extend((f"client link ({c.client})", c.join_url) for c in details.client_links)
    if details.provider_link:
        expires = company_time_long(details.provider_link_expires_at, details.zone)
        pairs.append(("provider start link", details.provider_link))
        pairs.append(("start link expires", f"{expires} (fetched just now; never share it)"))
    width = max(len(k) for k, _ in pairs)
    console.print("")
    for key, value in pairs:
        console.print(f"{key.ljust(width)}  {value}", soft_wrap=True)
