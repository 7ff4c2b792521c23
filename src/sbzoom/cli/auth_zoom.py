"""sbzoom auth login zoom."""

from __future__ import annotations

import typer

from sbzoom.cli._common import context_of


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

    context = context_of(ctx)
    context.allow_new_profile = True  # signing in is how a new profile comes to be
    if s2s:
        result = zoom_login.login_s2s(
            context,
            account_id=account_id,
            client_id=client_id,
            secret_from_stdin=client_secret_stdin,
        )
    else:
        if account_id:
            raise UsageError("--account-id goes with --s2s.", "Add --s2s, or leave it out.")
        result = zoom_login.login_oauth(
            context,
            client_id=client_id,
            secret_from_stdin=client_secret_stdin,
            port=port,
            timeout=timeout,
            open_browser=not no_browser,
        )
    who = result.user or (f"account {result.account_id}" if result.account_id else "Zoom")
    kind = "Server-to-Server OAuth" if result.mode == "s2s" else "OAuth"
    where = "the system keyring" if result.secret_backend == "keyring" else "the secrets file"
    context.notice(f"Signed in to Zoom as {who} ({kind}); secrets are kept in {where}.")
    for warning in result.warnings:
        context.notice(f"Note: {warning}")
    if result.env_overrides:
        context.notice(
            "Note: SBZOOM_ZOOM_ACCOUNT_ID, _CLIENT_ID and _CLIENT_SECRET are set and win over "
            "this sign-in until you unset them."
        )
