"""sbzoom auth login simplybook."""

from __future__ import annotations

import typer

from sbzoom.cli._common import not_yet


def login_simplybook(ctx: typer.Context) -> None:
    """Sign in to SimplyBook.me (password or API user key, with 2FA)."""
    raise not_yet("auth login simplybook", 5)
