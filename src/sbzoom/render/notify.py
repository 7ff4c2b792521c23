"""E-mail notices on the terminal and as JSON: the run's e-mails as a table, and their summary."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rich.console import Console

    from sbzoom.core.notify.model import NoticeResult, NotifyReport


def notice_json(result: NoticeResult) -> dict[str, object]:
    return {
        # SimplyBook ids are numbers in every JSON sbzoom prints (one type throughout)
        "booking_id": int(result.booking_id) if result.booking_id.isdigit() else result.booking_id,
        "role": result.role,
        "to": result.recipient,
        "kind": result.kind,
        "sequence": result.sequence,
        "status": result.status,
        "subject": result.subject or None,
        "reason": result.reason or None,
    }


def notices_json(report: NotifyReport) -> dict[str, object]:
    return {
        "results": [notice_json(r) for r in report.results],
        "summary": report.summary,
        "dry_run": report.dry_run,
    }


def print_notices(console: Console, report: NotifyReport) -> None:
    """The e-mails of the run, one row each (nothing when there are none)."""
    from sbzoom import render

    if not report.results:
        return
    render.print_table(
        console,
        ["booking", "to", "role", "invite", "status", "subject / reason"],
        (
            [
                r.booking_id,
                r.recipient,
                r.role,
                f"{r.kind} #{r.sequence}",
                r.status,
                r.reason if r.status in ("failed", "pending") else r.subject,
            ]
            for r in report.results
        ),
    )


def notices_line(report: NotifyReport) -> str:
    counts = report.summary
    if report.dry_run:
        due = sum(1 for r in report.results if r.status == "would-send")
        return f"Dry run: would send {due} e-mail{'s' if due != 1 else ''}."
    if not report.results:
        return "E-mail: nothing to send."
    return f"E-mail: {counts['sent']} sent, {counts['pending']} pending, {counts['failed']} failed."
