"""sbzoom auth login zoom."""

from __future__ import annotations

import typer

from sbzoom.cli._common import not_yet


def login_zoom(ctx: typer.Context) -> None:
    """Sign in to Zoom (OAuth with PKCE in a browser, or --s2s for Server-to-Server)."""
    raise not_yet("auth login zoom", 4)
