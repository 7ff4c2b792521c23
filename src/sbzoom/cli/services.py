"""sbzoom services list|enable-online|disable-online."""

from __future__ import annotations

import typer

from sbzoom.cli._common import JSON_OPTION, not_yet

app = typer.Typer(help="Choose which services and classes are online.", no_args_is_help=True)


@app.command("list")
def list_(ctx: typer.Context, as_json: bool = JSON_OPTION) -> None:
    """List SimplyBook services with online and class flags."""
    raise not_yet("services list", 6)


@app.command("enable-online")
def enable_online(
    ctx: typer.Context,
    services: list[str] = typer.Argument(..., help="Service ids or exact names."),
    as_class: bool = typer.Option(False, "--class", help="Treat as a group class (registration)."),
) -> None:
    """Make services online: their bookings get Zoom meetings."""
    raise not_yet("services enable-online", 6)


@app.command("disable-online")
def disable_online(
    ctx: typer.Context,
    services: list[str] = typer.Argument(..., help="Service ids or exact names."),
) -> None:
    """Make services offline again."""
    raise not_yet("services disable-online", 6)
