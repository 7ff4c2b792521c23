"""sbzoom sandbox."""

from __future__ import annotations

import typer

from sbzoom.cli._common import not_yet


def sandbox(
    ctx: typer.Context,
    port: int = typer.Option(0, "--port", help="Port on 127.0.0.1; 0 picks a free one."),
) -> None:
    """Run a local Zoom + SimplyBook emulator with demo data; print the settings to use it."""
    raise not_yet("sandbox", 3)
