"""sbzoom auth login zoom."""

from __future__ import annotations

import typer

from sbzoom.cli._common import factory_of


def login_zoom(
    ctx: typer.Context,
    s2s: bool = typer.Option(
        False, "--s2s", help="Server-to-Server OAuth (account id, client id and secret)."
    ),
    client_id: str | None = typer.Option(
        None, "--client-id", help="The Zoom app's client ID.", show_default=False
    ),
    client_secret_stdin: bool = typer.Option(
        False,
        "--client-secret-stdin",
        help="Read the client secret from stdin (else env SBZOOM_ZOOM_CLIENT_SECRET or a prompt).",
    ),
    account_id: str | None = typer.Option(
        None, "--account-id", help="Zoom account ID (with --s2s).", show_default=False
    ),
    port: int = typer.Option(
        8765, "--port", min=1, max=65535, help="Loopback port for Zoom's redirect to /callback."
    ),
    timeout: float = typer.Option(
        300.0, "--timeout", min=1, max=3600, help="Seconds to wait for the browser sign-in."
    ),
    no_browser: bool = typer.Option(
        False, "--no-browser", help="Print the sign-in URL on stderr instead of opening it."
    ),
) -> None:
    """Sign in to Zoom (OAuth with PKCE in a browser, or --s2s for Server-to-Server)."""
    from sbzoom.core.auth.zoom import login as zoom_login
    from sbzoom.errors import UsageError
    from sbzoom.render.auth import zoom_login_lines

    factory = factory_of(ctx)
    factory.allow_new_profile = True  # signing in is how a new profile comes to be
    if s2s:
        result = zoom_login.login_s2s(
            factory.connection_inputs,
            factory.login_terminal,
            account_id=account_id,
            client_id=client_id,
            secret_from_stdin=client_secret_stdin,
        )
    else:
        if account_id:
            raise UsageError("--account-id goes with --s2s.", "Add --s2s, or leave it out.")
        result = zoom_login.login_oauth(
            factory.connection_inputs,
            factory.login_terminal,
            client_id=client_id,
            secret_from_stdin=client_secret_stdin,
            port=port,
            timeout=timeout,
            open_browser=not no_browser,
        )
    for line in zoom_login_lines(result):
        factory.notifier.notice(line)
