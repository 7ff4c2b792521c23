"""sbzoom providers list|map|unmap."""

from __future__ import annotations

import typer

from sbzoom.cli._common import JSON_OPTION, not_yet

app = typer.Typer(help="Map SimplyBook providers (staff) to Zoom users.", no_args_is_help=True)


@app.command("list")
def list_(ctx: typer.Context, as_json: bool = JSON_OPTION) -> None:
    """List SimplyBook providers with their mapped Zoom user."""
    raise not_yet("providers list", 6)


@app.command("map")
def map_(
    ctx: typer.Context,
    provider: str = typer.Argument(None, help="SimplyBook provider id or exact name."),
    zoom_user: str = typer.Argument(None, help="Zoom user id or e-mail."),
    auto: bool = typer.Option(False, "--auto", help="Map every unmapped provider by e-mail."),
) -> None:
    """Map a provider to the Zoom user who hosts their meetings."""
    raise not_yet("providers map", 6)


@app.command("unmap")
def unmap(
    ctx: typer.Context, provider: str = typer.Argument(..., help="Provider id or name.")
) -> None:
    """Remove a provider's Zoom mapping."""
    raise not_yet("providers unmap", 6)
