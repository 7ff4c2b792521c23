"""sbzoom audit."""

from __future__ import annotations

import typer

from sbzoom.cli._common import JSON_OPTION, context_of


def audit(
    ctx: typer.Context,
    booking_id: str = typer.Argument(None, help="Only this booking's entries."),
    since: str = typer.Option(
        None, "--since", help="From this day on: YYYY-MM-DD, today, or -Nd (company time)."
    ),
    as_json: bool = JSON_OPTION,
) -> None:
    """What sbzoom changed (created, moved, cancelled meetings...), when, and the outcome."""
    from sbzoom import render
    from sbzoom.core.audit import audit_log
    from sbzoom.render.audit import write_audit

    context = context_of(ctx)
    log = audit_log(context, booking_id, since)
    if as_json:
        render.print_json(context.stdout, log.to_json())
    elif log.entries:
        write_audit(context.stdout.file, log, context.stdout.width)
    if log.zone_problem and log.entries and not as_json:
        context.notice(f"Times are in UTC: {log.zone_problem}")
    if not log.ledger_exists:
        context.notice(
            "Nothing recorded yet: 'sbzoom bookings link' records every change it makes."
        )
    elif not log.entries:
        context.notice("No audit entries match.")
    else:
        noun = "entry" if len(log.entries) == 1 else "entries"
        context.notice(f"{len(log.entries)} audit {noun}.")
