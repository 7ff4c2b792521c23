"""sbzoom services list|enable-online|disable-online."""

from __future__ import annotations

import typer

from sbzoom.cli._common import JSON_OPTION, context_of, factory_of

app = typer.Typer(help="Choose which services and classes are online.", no_args_is_help=True)


@app.command("list")
def list_(ctx: typer.Context, as_json: bool = JSON_OPTION) -> None:
    """List SimplyBook services with online and class flags (and why a service is a class)."""
    from sbzoom.core.services import list_services
    from sbzoom.render.services import show_listing

    f = factory_of(ctx)
    listing = list_services(f.simplybook, f.profile)
    show_listing(context_of(ctx).stdout, f.notifier, listing, as_json=as_json)


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
    from sbzoom.core import services as use_case
    from sbzoom.render.services import show_changes

    f = factory_of(ctx)
    changes = use_case.enable_online(
        services, force_class=as_class, catalog=f.simplybook, profile=f.profile, config=f.config
    )
    show_changes(f.notifier, changes)


@app.command("disable-online")
def disable_online(
    ctx: typer.Context,
    services: list[str] = typer.Argument(..., help="Service ids or exact names."),
) -> None:
    """Make services offline again. If any name is unknown or ambiguous, nothing changes."""
    from sbzoom.core import services as use_case
    from sbzoom.render.services import show_changes

    f = factory_of(ctx)
    changes = use_case.disable_online(
        services, catalog=f.simplybook, profile=f.profile, config=f.config
    )
    show_changes(f.notifier, changes)
