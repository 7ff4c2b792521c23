"""sbzoom sandbox: run the local Zoom + SimplyBook emulator and print the settings to use it."""

from __future__ import annotations

import errno
import os

import typer

from sbzoom.cli._common import context_of
from sbzoom.errors import UsageError


def sandbox(
    ctx: typer.Context,
    port: int = typer.Option(
        0, "--port", min=0, max=65535, help="Port on 127.0.0.1; 0 picks a free one."
    ),
    latency_ms: float = typer.Option(
        0.0, "--latency-ms", min=0.0, help="Delay every API answer by this many milliseconds."
    ),
    error_rate: float = typer.Option(
        0.0, "--error-rate", min=0.0, max=1.0, help="Fraction of API requests answered 502/503."
    ),
    rate_429: float = typer.Option(
        0.0,
        "--rate-429",
        min=0.0,
        max=1.0,
        help="Fraction of API requests answered 429 (per-second).",
    ),
    zoom_rps_limit: float | None = typer.Option(
        None, "--zoom-rps-limit", min=0.0, help="Zoom requests per second before answering 429."
    ),
    daily_limit: int = typer.Option(
        100, "--daily-limit", min=0, help="Zoom meeting creates+updates per host per UTC day."
    ),
    token_ttl: int | None = typer.Option(
        None, "--token-ttl", min=1, help="Access-token lifetime in seconds (Zoom and SimplyBook)."
    ),
    bookings: int = typer.Option(
        0, "--bookings", min=0, help="Extra generated bookings over the next 4 weeks."
    ),
    seed: int = typer.Option(0, "--seed", help="Seed for injected faults and generated data."),
    bare_lists: bool = typer.Option(
        False, "--bare-lists", help="SimplyBook lists as bare arrays instead of {data, metadata}."
    ),
) -> None:
    """Run a local Zoom + SimplyBook emulator with demo data; print the settings to use it.

    Prints export lines on stdout: 'sbzoom sandbox > env.sh &' then '. env.sh'.

    Serves until Ctrl-C or SIGTERM.
    """
    context = context_of(ctx)
    from sbzoom.sandbox import Sandbox
    from sbzoom.sandbox.server import export_lines, serve_until, stop_signals

    server = Sandbox(
        port=port,
        latency_ms=latency_ms,
        error_rate=error_rate,
        rate_429=rate_429,
        zoom_rps_limit=zoom_rps_limit,
        daily_limit=daily_limit,
        token_ttl=token_ttl,
        bookings=bookings,
        seed=seed,
        bare_lists=bare_lists,
    )
    with stop_signals() as stop:
        try:
            server.start()
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                raise UsageError(
                    f"Port {port} on 127.0.0.1 is already in use.",
                    "Pick another with --port, or --port 0 for any free one.",
                ) from None
            raise
        out = context.stdout.file
        out.write(export_lines(server.env))
        out.flush()
        context.notice(
            f"Sandbox listening on {server.url} (Zoom at /zoom, SimplyBook at /simplybook). "
            f"Stop it with Ctrl-C or 'kill {os.getpid()}'."
        )
        serve_until(server, stop)
    context.notice("Sandbox stopped.")
