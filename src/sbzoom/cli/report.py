"""sbzoom report meetings."""

from __future__ import annotations

import enum
from pathlib import Path

import typer

from sbzoom.cli._common import not_yet

app = typer.Typer(help="Reports on online bookings and their meetings.", no_args_is_help=True)


class Format(str, enum.Enum):
    table = "table"
    csv = "csv"
    json = "json"


@app.command("meetings")
def meetings(
    ctx: typer.Context,
    date_from: str = typer.Option(None, "--from", help="First day (YYYY-MM-DD)."),
    date_to: str = typer.Option(None, "--to", help="Last day (YYYY-MM-DD)."),
    provider: str = typer.Option(None, "--provider", help="Only this provider (id or name)."),
    service: str = typer.Option(None, "--service", help="Only this service (id or name)."),
    fmt: Format = typer.Option(Format.table, "--format", help="table, csv or json."),
    output: Path = typer.Option(None, "--output", help="Write to this file (atomically)."),
    verify: bool = typer.Option(False, "--verify", help="Check each meeting still exists on Zoom."),
) -> None:
    """One row per booking of an online service, with its meeting and link status."""
    raise not_yet("report meetings", 8)
