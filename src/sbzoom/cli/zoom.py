"""sbzoom zoom users."""

from __future__ import annotations

import typer

from sbzoom.cli._common import JSON_OPTION, not_yet

app = typer.Typer(help="Look at the Zoom account.", no_args_is_help=True)


@app.command("users")
def users(ctx: typer.Context, as_json: bool = JSON_OPTION) -> None:
    """List the Zoom account's users (id, e-mail, name, licensed, status)."""
    raise not_yet("zoom users", 4)
