"""sbzoom auth login zoom|simplybook, auth status, auth logout."""

from __future__ import annotations

import enum

import typer

from sbzoom.cli import auth_simplybook, auth_zoom
from sbzoom.cli._common import JSON_OPTION, context_of

app = typer.Typer(
    help="Sign in to Zoom and SimplyBook, check and end sign-ins.", no_args_is_help=True
)
login_app = typer.Typer(help="Sign in to Zoom or SimplyBook.", no_args_is_help=True)
app.add_typer(login_app, name="login")
login_app.command("zoom")(auth_zoom.login_zoom)
login_app.command("simplybook")(auth_simplybook.login_simplybook)


class Service(str, enum.Enum):
    zoom = "zoom"
    simplybook = "simplybook"


@app.command("status")
def status(ctx: typer.Context, as_json: bool = JSON_OPTION) -> None:
    """Show both sign-ins: identity, mode, scopes, where the secrets come from, expiry."""
    from sbzoom import render
    from sbzoom.core import simplybook_auth, zoom_auth

    context = context_of(ctx)
    results = [zoom_auth.status(context), simplybook_auth.status(context)]
    if as_json:
        render.print_json(context.stdout, {r.service: r.to_json() for r in results})
    else:
        for result in results:
            state = "connected" if result.connected else "not connected"
            context.stdout.print(f"{result.service}: {state}", soft_wrap=True)
            pairs = [("source", result.source), *result.details.items()]
            for key, value in pairs:
                if value not in (None, "", []):
                    shown = ", ".join(map(str, value)) if isinstance(value, list) else value
                    context.stdout.print(f"  {key}: {shown}", soft_wrap=True)
            if result.problem:
                context.stdout.print(f"  problem: {result.problem}", soft_wrap=True)
    if not all(r.connected for r in results):
        raise typer.Exit(4)  # not signed in, or the sign-in is rejected


@app.command("logout")
def logout(
    ctx: typer.Context,
    service: Service | None = typer.Argument(None, help="zoom or simplybook; both when left out."),
) -> None:
    """Revoke the sign-in on the server, then forget the local secrets."""
    from sbzoom.core import simplybook_auth, zoom_auth

    context = context_of(ctx)
    chosen = [service] if service else [Service.zoom, Service.simplybook]
    for item in chosen:
        result = (zoom_auth if item is Service.zoom else simplybook_auth).logout(context)
        verb = "Signed out of" if result.revoked else "Forgot the local sign-in for"
        context.notice(f"{verb} {item.value}.")
        if result.note:
            context.notice(result.note)
