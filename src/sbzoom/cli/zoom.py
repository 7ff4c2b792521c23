"""sbzoom zoom users."""

from __future__ import annotations

import typer

from sbzoom.cli._common import JSON_OPTION, context_of

app = typer.Typer(help="Look at the Zoom account.", no_args_is_help=True)


@app.command("users")
def users(ctx: typer.Context, as_json: bool = JSON_OPTION) -> None:
    """List the Zoom account's users (id, e-mail, name, licensed, status)."""
    from sbzoom import render
    from sbzoom.core import zoom_users

    context = context_of(ctx)
    found = zoom_users.list_users(context)
    if as_json:
        render.print_json(context.stdout, [zoom_users.user_json(u) for u in found])
        return
    render.print_table(
        context.stdout,
        ["ID", "EMAIL", "NAME", "LICENSED", "STATUS"],
        [(u.id, u.email, u.name, "yes" if u.licensed else "no", u.status) for u in found],
    )
