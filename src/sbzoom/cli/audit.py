"""sbzoom audit."""

from __future__ import annotations

import typer

from sbzoom.cli._common import JSON_OPTION, context_of, factory_of


def audit(
    ctx: typer.Context,
    booking_id: str = typer.Argument(None, help="Only this booking's entries."),
    since: str = typer.Option(
        None, "--since", help="From this day on: YYYY-MM-DD, today, or -Nd (company time)."
    ),
    as_json: bool = JSON_OPTION,
) -> None:
    """What sbzoom changed (created, moved, cancelled meetings...), when, and the outcome."""
    from sbzoom.core.audit import audit_log
    from sbzoom.render.audit import show_audit

    context = context_of(ctx)
    f = factory_of(ctx)
    log = audit_log(
        booking_id,
        since,
        zone_of_company=lambda: f.company_timezone,
        clock=f.clock,
        data_dir=context.data_dir,
        profile_name=context.profile_name,
    )
    show_audit(context.stdout, f.notifier, log, as_json=as_json)
