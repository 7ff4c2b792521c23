"""What `bookings link` and `bookings show` print: the tables and lines a person reads, and the
--json documents."""

from __future__ import annotations

from datetime import UTC, date
from typing import TYPE_CHECKING

from rich.console import Console

from sbzoom.core.dates import company_time, company_time_long
from sbzoom.render.notify import notices_json
from sbzoom.render.table import (
    Column,
    fit_columns,
    format_header_for,
    format_row,
    measured,
    wide_columns,
)

if TYPE_CHECKING:
    from sbzoom.core.bookings.backfill import HostPlan
    from sbzoom.core.bookings.model import LinkReport, LinkResult
    from sbzoom.core.bookings.show import BookingDetails

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


# -- bookings link: the summary and the JSON --------------------------------------------------

DRY_RUN_WORDS = {"created": "to create", "updated": "to update", "cancelled": "to cancel"}


def summary_line(report: LinkReport) -> str:
    counts = report.summary
    shown = [k for k in counts if counts[k] or k not in ("deferred", "orphaned")]
    if report.dry_run:
        parts = ", ".join(f"{counts[k]} {DRY_RUN_WORDS.get(k, k)}" for k in shown)
        return f"Dry run, nothing changed: {parts}."
    return ", ".join(f"{counts[k]} {k}" for k in shown) + "."


def json_id(text: str) -> int | str:
    """SimplyBook ids are numbers in every JSON sbzoom prints (one type throughout)."""
    return int(text) if text.isdigit() else text


def link_result_json(result: LinkResult) -> dict[str, object]:
    return {
        "booking_id": json_id(result.booking_id),
        "status": result.status,
        "meeting_id": result.meeting_id,
        "join_url": result.join_url or None,
        "reason": result.reason or None,
    }


def link_report_json(report: LinkReport) -> dict[str, object]:
    results = []
    for result in report.results:
        row = link_result_json(result)
        booking = report.bookings.get(result.booking_id)
        if booking is not None:  # extra keys (allowed): which booking the row is
            row["start"] = booking.start.astimezone(UTC).isoformat()
            row["service"] = booking.service_name
            row["provider"] = booking.provider_name
            row["client"] = booking.client_name
        if report.dry_run:
            row["dry_run"] = True
        results.append(row)
    data: dict[str, object] = {
        "results": results,
        "summary": report.summary,
        "dry_run": report.dry_run,
        **({"notices": notices_json(report.notices)} if report.notices is not None else {}),
        "warnings": report.warnings,
    }
    if report.backfill and report.today is not None:
        today = report.today.astimezone(UTC).date()
        data["backfill"] = [backfill_json(plan, today) for plan in report.backfill]
    return data


def backfill_json(plan: HostPlan, today: date) -> dict[str, object]:
    return {
        "host": plan.host_id,
        "daily_limit": plan.limit,
        "used_today": plan.used_before + plan.spent,
        "bookings_today": plan.bookings_today,
        "bookings_waiting": plan.bookings_waiting,
        "meetings_waiting": plan.meetings_waiting,
        "first_waiting_start": plan.first_waiting.isoformat() if plan.first_waiting else None,
        "done_by": plan.done_by(today).isoformat(),
        "over": plan.over,
    }


def backfill_line(plan: HostPlan, today: date, *, dry_run: bool) -> str:
    """One host's day under Zoom's 100 creates/updates, and when its waiting bookings are done."""
    used = plan.used_before + plan.spent
    verb = "would use" if dry_run else "used"
    text = (
        f"Host {plan.host_id}: {plan.bookings_today} booking(s) linked today; {verb} "
        f"{used} of {plan.limit} meeting creates/updates for {today.isoformat()} (UTC)."
    )
    if plan.over:
        first = plan.first_waiting.strftime("%Y-%m-%d %H:%M") if plan.first_waiting else "?"
        text += (
            f" Over the limit: {plan.bookings_waiting} booking(s) wait (soonest starts "
            f"{first}); run daily, the last is linked on {plan.done_by(today).isoformat()}."
        )
    return text


# -- bookings show: the JSON ------------------------------------------------------------------


def booking_json(details: BookingDetails) -> dict[str, object]:
    expires = details.provider_link_expires_at
    return {
        "booking_id": json_id(details.booking_id),
        "status": details.status,
        "state": details.state,
        "next_step": details.next_step or None,
        "meeting_id": details.meeting_id,
        "passcode": details.passcode or None,
        "client_links": [
            {"client": c.client, "email": c.email, "join_url": c.join_url}
            for c in details.client_links
        ],
        "provider_link": {
            "url": details.provider_link,
            "expires_at": expires.astimezone(UTC).isoformat() if expires else None,
        }
        if details.provider_link
        else None,
        "topic": details.topic or None,
        "start": details.start.astimezone(UTC).isoformat(),
        "client": details.client,
        "client_email": details.client_email,
        "service": details.service,
        "host": details.host or None,
    }
