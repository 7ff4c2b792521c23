"""sbzoom zoom users."""

from __future__ import annotations

import typer

from sbzoom.cli._common import JSON_OPTION, context_of, factory_of

app = typer.Typer(help="Look at the Zoom account.", no_args_is_help=True)


@app.command("users")
def users(ctx: typer.Context, as_json: bool = JSON_OPTION) -> None:
    """List the Zoom account's users (id, e-mail, name, licensed, status)."""
    from sbzoom.core.zoom_directory import list_users
    from sbzoom.render.zoom import show_users

    found = list_users(factory_of(ctx).zoom)
    show_users(context_of(ctx).stdout, found, as_json=as_json)
