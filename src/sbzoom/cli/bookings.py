"""sbzoom bookings link|show."""

from __future__ import annotations

import typer

from sbzoom.cli._common import JSON_OPTION, not_yet

app = typer.Typer(help="Give bookings their Zoom meetings, and look them up.", no_args_is_help=True)


@app.command("link")
def link(
    ctx: typer.Context,
    booking_ids: list[str] = typer.Argument(
        None, help="Booking ids; all in the window when left out."
    ),
    date_from: str = typer.Option(None, "--from", help="First day (YYYY-MM-DD); default today."),
    date_to: str = typer.Option(None, "--to", help="Last day (YYYY-MM-DD); default today+30."),
    dry_run: bool = typer.Option(False, "--dry-run", help="Change nothing; print the plan."),
    as_json: bool = JSON_OPTION,
) -> None:
    """Create, update or cancel Zoom meetings so Zoom matches SimplyBook."""
    raise not_yet("bookings link", 7)


@app.command("show")
def show(
    ctx: typer.Context,
    booking_id: str = typer.Argument(..., help="SimplyBook booking id."),
    as_json: bool = JSON_OPTION,
) -> None:
    """Show a booking's meeting, client links and a fresh provider start link."""
    raise not_yet("bookings show", 7)
