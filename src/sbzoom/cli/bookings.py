"""sbzoom bookings link|show|notify."""

from __future__ import annotations

from datetime import UTC
from typing import TYPE_CHECKING

import typer

from sbzoom.cli._common import JSON_OPTION, context_of, factory_of
from sbzoom.errors import ExitCode, OutcomeError

if TYPE_CHECKING:
    from sbzoom.core.notify.model import NotifyReport
    from sbzoom.factory import Factory

app = typer.Typer(help="Give bookings their Zoom meetings, and look them up.", no_args_is_help=True)


@app.command("link")
def link(
    ctx: typer.Context,
    booking_ids: list[str] = typer.Argument(
        None, help="Booking ids; all in the window when left out."
    ),
    date_from: str = typer.Option(
        None, "--from", help="First day: YYYY-MM-DD, today, or +Nd/-Nd. Default today."
    ),
    date_to: str = typer.Option(
        None, "--to", help="Last day: YYYY-MM-DD, today, or +Nd/-Nd. Default --from + 30 days."
    ),
    dry_run: bool = typer.Option(False, "--dry-run", help="Change nothing; print the plan."),
    lock_timeout: float = typer.Option(
        None,
        "--lock-timeout",
        metavar="SECONDS",
        min=0,
        max=86400,
        help="Give up (exit 5) when another run of this profile holds the lock this long "
        "(setting link.lock_timeout, default 300).",
        show_default=False,
    ),
    cancel_orphans: bool = typer.Option(
        False,
        "--cancel-orphans",
        help="Cancel orphaned meetings (provider unmapped or service no longer online). "
        "Try it with --dry-run first.",
    ),
    wide: bool = typer.Option(
        False, "--wide", help="Every column in full, join links and notes included."
    ),
    as_json: bool = JSON_OPTION,
) -> None:
    """Create, update or cancel Zoom meetings so Zoom matches SimplyBook."""
    from sbzoom import render
    from sbzoom.core.bookings.link import link_bookings
    from sbzoom.render.bookings import (
        backfill_line,
        link_report_json,
        print_link_report,
        summary_line,
    )

    context = context_of(ctx)
    context.graceful_stop = True  # Ctrl-C / SIGTERM: finish what is in flight, then report
    factory = factory_of(ctx)
    with render.Progress(context.stderr, "Linking bookings") as progress:
        report = link_bookings(
            factory.link_services(),
            booking_ids or [],
            date_from,
            date_to,
            dry_run=dry_run,
            cancel_orphans=cancel_orphans,
            progress=progress.update,
            lock_timeout=lock_timeout,
            on_lock_wait=factory.notifier.notice,
        )
    if as_json:
        render.print_json(context.stdout, link_report_json(report))
    elif report.results:
        print_link_report(context.stdout, report, wide=wide)
    for warning in report.warnings:
        factory.notifier.notice(f"Warning: {warning}")
    factory.notifier.notice(summary_line(report) if report.results else "No bookings in scope.")
    if report.today is not None:  # the backfill plan: Zoom's 100 creates/updates per host a day
        today = report.today.astimezone(UTC).date()
        for plan in report.backfill:
            if report.dry_run or plan.over:
                factory.notifier.notice(backfill_line(plan, today, dry_run=report.dry_run))
    if context.stop_requested.is_set():
        from sbzoom.cli.signals import exit_code_of, name_of

        factory.notifier.notice(
            f"Stopped by {name_of(context.stop_signal)}: the bookings reported 'not started' "
            "are linked by the next run."
        )
        raise OutcomeError(exit_code_of(context.stop_signal), "stopped by a signal")
    if report.notices is not None:
        _show_notices(factory, report.notices, as_json=as_json)
    if not report.ok:
        # Every failure a service staying unavailable: run again later (5); else 1.
        code = ExitCode.REMOTE if report.only_unavailable else ExitCode.FAILURE
        raise OutcomeError(code, "some bookings failed or wait")
    if report.notices is not None and report.notices.waiting:
        raise OutcomeError(ExitCode.REMOTE, "notices wait for the mail server")


def _show_notices(factory: Factory, notices: NotifyReport, *, as_json: bool) -> None:
    """The e-mails of the run (a table unless --json), their summary, and what stopped them."""
    from sbzoom.render.notify import notices_line, print_notices

    if not as_json:
        print_notices(factory.context.stdout, notices)
    factory.notifier.notice(notices_line(notices))
    if notices.problem is not None:
        raise notices.problem


@app.command("notify")
def notify(
    ctx: typer.Context,
    booking_id: str = typer.Argument(..., help="SimplyBook booking id."),
    resend: bool = typer.Option(
        False, "--resend", help="Send the current invite again, even if it was sent."
    ),
    dry_run: bool = typer.Option(False, "--dry-run", help="Send nothing; list what would go."),
    as_json: bool = JSON_OPTION,
) -> None:
    """Send a booking's e-mails (link and calendar invite) that are due, or all again.

    Works whether or not notify.email is on: this is an explicit request to send.
    """
    from sbzoom import render
    from sbzoom.core.notify.run import notify_booking
    from sbzoom.render.notify import notices_json

    factory = factory_of(ctx)
    notices = notify_booking(
        factory.notice_setup,
        booking_id,
        simplybook=lambda: factory.simplybook,
        ledger_path=factory.ledger_path,
        open_ledger=lambda: factory.ledger,
        resend=resend,
        dry_run=dry_run,
    )
    if as_json:
        render.print_json(factory.context.stdout, notices_json(notices))
    _show_notices(factory, notices, as_json=as_json)
    if not notices.ok:
        raise OutcomeError(ExitCode.FAILURE, "a notice could not be sent")
    if notices.waiting:
        raise OutcomeError(ExitCode.REMOTE, "notices wait for the mail server")


@app.command("show")
def show(
    ctx: typer.Context,
    booking_id: str = typer.Argument(..., help="SimplyBook booking id."),
    as_json: bool = JSON_OPTION,
) -> None:
    """Say where a booking stands, and show its meeting, client links and a fresh provider
    start link. Exits 1 when something needs doing (the next step is printed)."""
    from sbzoom import render
    from sbzoom.core.bookings.show import show_booking
    from sbzoom.render.bookings import booking_json, print_booking

    context = context_of(ctx)
    factory = factory_of(ctx)
    details = show_booking(
        booking_id,
        simplybook=lambda: factory.simplybook,
        zoom=lambda: factory.zoom,
        profile=lambda: factory.profile,
        ledger=lambda: factory.ledger if factory.ledger_path.exists() else None,
        clock=factory.clock,
    )
    if as_json:
        render.print_json(context.stdout, booking_json(details))
    else:
        print_booking(context.stdout, details)
    if details.next_step:
        raise OutcomeError(ExitCode.FAILURE, "the booking needs something done")
