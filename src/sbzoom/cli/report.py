"""sbzoom report meetings."""

from __future__ import annotations

import enum
from pathlib import Path
from typing import IO, TYPE_CHECKING

import typer

from sbzoom.cli._common import context_of

if TYPE_CHECKING:
    from sbzoom.core.report import MeetingReport

app = typer.Typer(help="Reports on online bookings and their meetings.", no_args_is_help=True)


class Format(str, enum.Enum):
    table = "table"
    csv = "csv"
    json = "json"


def _format(chosen: Format | None, output: Path | None, terminal: bool) -> Format:
    """--format wins; else from the --output suffix; else a table on a terminal, CSV on a pipe."""
    if chosen is not None:
        return chosen
    if output is not None:
        return Format.json if output.suffix.lower() == ".json" else Format.csv
    return Format.table if terminal else Format.csv


@app.command("meetings")
def meetings(
    ctx: typer.Context,
    date_from: str = typer.Option(
        None, "--from", help="First day: YYYY-MM-DD, today, or +Nd/-Nd. Default today."
    ),
    date_to: str = typer.Option(
        None, "--to", help="Last day: YYYY-MM-DD, today, or +Nd/-Nd. Default --from + 30 days."
    ),
    provider: str = typer.Option(None, "--provider", help="Only this provider (id or name)."),
    service: str = typer.Option(None, "--service", help="Only this service (id or name)."),
    fmt: Format = typer.Option(
        None,
        "--format",
        help="table, csv or json. Default: table on a terminal, csv otherwise (json for an "
        "--output ending in .json).",
        show_default=False,
    ),
    output: Path = typer.Option(
        None, "--output", "-o", help="Write to this file (atomically) instead of stdout."
    ),
    verify: bool = typer.Option(False, "--verify", help="Check each meeting still exists on Zoom."),
) -> None:
    """One row per booking of an online service, with its meeting and link status."""
    from sbzoom import render
    from sbzoom.core import report as core

    context = context_of(ctx)
    query = core.ReportQuery(date_from, date_to, provider, service, verify)
    chosen = _format(fmt, output, context.stdout.is_terminal)
    table: list[list[object]] = []
    if output is None and chosen is not Format.table and context.stdout.is_terminal:
        # Rows stream to the terminal: a progress bar there would tangle with them.
        result = core.meetings_report(context, query)
        _write(result, chosen, context.stdout.file)
    else:
        with render.Progress(context.stderr, "Reading bookings") as progress:
            result = core.meetings_report(context, query, progress.update)
            if output is not None:
                with core.atomic_text_file(output) as handle:
                    _write(result, chosen, handle)
            elif chosen is Format.table:
                table = [core.table_cells(row) for row in result.rows()]
            else:
                _write(result, chosen, context.stdout.file)
    if output is None and chosen is Format.table:
        render.print_table(context.stdout, core.TABLE_COLUMNS, table)
    if result.directory.problem:
        context.notice(f"Zoom hosts are shown by user id: {result.directory.problem}")
    context.notice(result.summary())
    if output is not None:
        context.notice(f"Wrote {output}.")


def _write(result: MeetingReport, fmt: Format, stream: IO[str]) -> None:
    """The rows to ``stream`` as they come (a table, to a file, is drawn once at the end)."""
    import os
    import sys

    from sbzoom import render
    from sbzoom.core import report as core

    if fmt is Format.table:
        console = render.make_console(stream)
        console.width = max(console.width, 200)  # a file has no terminal width to fit
        render.print_table(console, core.TABLE_COLUMNS, map(core.table_cells, result.rows()))
        return
    chunks = core.csv_chunks if fmt is Format.csv else core.json_chunks
    try:
        for chunk in chunks(result.rows()):
            stream.write(chunk)
        stream.flush()
    except BrokenPipeError:
        # The reader (head, less) went away: stop quietly, and keep Python's exit flush quiet too.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        raise typer.Exit(0) from None
