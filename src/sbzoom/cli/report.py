"""sbzoom report meetings."""

from __future__ import annotations

import enum
from collections.abc import Callable
from pathlib import Path
from typing import IO, TYPE_CHECKING

import typer

from sbzoom.cli._common import factory_of
from sbzoom.errors import UsageError

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
    wide: bool = typer.Option(
        False, "--wide", help="Table: every column in full, join links included."
    ),
    as_json: bool = typer.Option(False, "--json", help="The same as --format json."),
) -> None:
    """One row per booking of an online service, with its meeting and link status."""
    from sbzoom import render
    from sbzoom.core import report as core
    from sbzoom.core.online import online_services, stored_online
    from sbzoom.render.report import closing_lines
    from sbzoom.store.files import atomic_text_file

    factory = factory_of(ctx)
    context = factory.context
    if as_json:
        if fmt not in (None, Format.json):
            raise UsageError(
                f"--json and --format {fmt.value} ask for two formats.",
                "Give one of them.",
            )
        fmt = Format.json
    query = core.ReportQuery(date_from, date_to, provider, service, verify)
    chosen = _format(fmt, output, context.stdout.is_terminal)
    profile = factory.profile
    stored_online(profile)  # nothing online: nothing to report, say so before signing in
    simplybook = factory.simplybook
    online = online_services(profile, simplybook)
    ledger_path = factory.ledger_path

    def report(progress: Callable[[int, int], None] | None = None) -> MeetingReport:
        return core.meetings_report(
            query,
            profile=profile,
            simplybook=simplybook,
            online=online,
            now=factory.clock.now(),
            open_ledger=lambda: factory.ledger if ledger_path.exists() else None,
            zoom=lambda: factory.zoom,
            progress=progress,
        )

    left_out: list[str] = []
    if output is None and context.stdout.is_terminal:
        # Rows stream to the terminal: a progress bar there would tangle with them.
        result = report()
        left_out = _write(result, chosen, context.stdout.file, context.stdout.width, wide)
    else:
        with render.Progress(context.stderr, "Reading bookings") as progress:
            result = report(progress.update)
            if output is not None:
                with atomic_text_file(output) as handle:
                    _write(result, chosen, handle, 0, True)  # a file: every column, whole
            else:
                out = context.stdout.file
                left_out = _write(result, chosen, out, context.stdout.width, wide)
    for line in closing_lines(result, left_out, output):
        factory.notifier.notice(line)


def _write(
    result: MeetingReport, fmt: Format, stream: IO[str], width: int, wide: bool
) -> list[str]:
    """The rows to ``stream`` as they come; returns the table columns left out for the width.
    A reader that goes away (``| head``) ends the command quietly (``cli.main``)."""
    from sbzoom.render.report import csv_chunks, json_chunks, write_report_table

    if fmt is Format.table:
        left_out = write_report_table(
            stream, result.rows(), width, wide=wide, delivery=result.tracks_delivery
        )
        stream.flush()
        return left_out
    chunks = csv_chunks if fmt is Format.csv else json_chunks
    for chunk in chunks(result.rows()):
        stream.write(chunk)
    stream.flush()
    return []
