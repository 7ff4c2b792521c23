"""sbzoom services list|enable-online|disable-online."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import typer

from sbzoom.cli._common import JSON_OPTION, context_of

if TYPE_CHECKING:
    from sbzoom.context import Context
    from sbzoom.core.catalog import ServiceChange

app = typer.Typer(help="Choose which services and classes are online.", no_args_is_help=True)


@app.command("list")
def list_(ctx: typer.Context, as_json: bool = JSON_OPTION) -> None:
    """List SimplyBook services with online and class flags (and why a service is a class)."""
    from sbzoom import render
    from sbzoom.core import catalog

    context = context_of(ctx)
    listing = catalog.list_services(context)
    if as_json:
        render.print_json(context.stdout, [row.to_json() for row in listing.rows])
    else:
        render.print_table(
            context.stdout,
            ["ID", "NAME", "ONLINE", "CLASS", "WHY CLASS"],
            [
                (
                    r.service.id,
                    r.service.name,
                    "yes" if r.online else "no",
                    "yes" if r.is_class else "no",
                    r.class_reason or "",
                )
                for r in listing.rows
            ],
        )
    for service_id, mode in listing.stale:
        context.notice(
            f"services.{service_id} = {mode} names a service SimplyBook no longer has; remove it "
            f"with 'sbzoom services disable-online {service_id}'."
        )


@app.command("enable-online")
def enable_online(
    ctx: typer.Context,
    services: list[str] = typer.Argument(..., help="Service ids or exact names."),
    as_class: bool = typer.Option(False, "--class", help="Treat as a group class (registration)."),
) -> None:
    """Make services online: their bookings get Zoom meetings.

    A service whose capacity lets several clients share a slot becomes a class without --class.
    If any name is unknown or ambiguous, nothing changes.
    """
    from sbzoom.core import catalog

    context = context_of(ctx)
    _report(context, catalog.enable_online(context, services, force_class=as_class))


@app.command("disable-online")
def disable_online(
    ctx: typer.Context,
    services: list[str] = typer.Argument(..., help="Service ids or exact names."),
) -> None:
    """Make services offline again. If any name is unknown or ambiguous, nothing changes."""
    from sbzoom.core import catalog

    context = context_of(ctx)
    _report(context, catalog.disable_online(context, services))


def _state(mode: str | None, reason: str | None) -> str:
    if mode is None:
        return "offline"
    if mode == "class":
        return f"online as a class ({reason})" if reason else "online as a class"
    return "online"


def _report(context: Context, changes: Sequence[ServiceChange]) -> None:
    for change in changes:
        who = (
            f"'{change.name}' (id {change.service_id})"
            if change.name
            else (f"service {change.service_id} (no longer in SimplyBook)")
        )
        state = _state(change.after, change.class_reason)
        if not change.changed:
            context.notice(f"Service {who} is already {state}.")
        elif change.before is None or change.after is None:
            context.notice(f"Service {who} is now {state}.")
        else:
            context.notice(f"Service {who} is now {state} (was {_state(change.before, None)}).")
