"""sbzoom sandbox: run the local Zoom + SimplyBook emulator and print the settings to use it."""

from __future__ import annotations

import contextlib
import errno
import os
from pathlib import Path

import typer

from sbzoom.cli._common import JSON_OPTION, context_of, factory_of
from sbzoom.errors import UsageError

app = typer.Typer(
    help="Run the local Zoom + SimplyBook + SMTP emulator, and read the mail it received.",
    invoke_without_command=True,
)


@app.callback()
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
    zoom_plan: str = typer.Option(
        "pro",
        "--zoom-plan",
        help="Zoom plan whose Light/Medium per-second limits are enforced: free, pro, business "
        "or none.",
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
    redirect_uris: list[str] = typer.Option(
        [],
        "--redirect-uri",
        help="Also register this OAuth redirect URL (repeatable); "
        "http://127.0.0.1:8765/callback always is.",
        metavar="URL",
        show_default=False,
    ),
    record_exchanges: Path | None = typer.Option(
        None,
        "--record-exchanges",
        dir_okay=False,
        help="Append every Zoom REST request and its answer to FILE, one JSON object a line.",
        metavar="FILE",
    ),
) -> None:
    """Run a local Zoom + SimplyBook emulator with demo data; print the settings to use it.

    Prints export lines on stdout: 'sbzoom sandbox > env.sh &' then '. env.sh'.

    Serves until Ctrl-C or SIGTERM. 'sbzoom sandbox mail' lists the e-mails it received.
    """
    if ctx.invoked_subcommand is not None:
        return
    context = context_of(ctx)
    notice = factory_of(ctx).notifier.notice
    if zoom_plan not in ("free", "pro", "business", "none"):
        raise UsageError(
            f"--zoom-plan {zoom_plan!r} is not a Zoom plan.", "Use free, pro, business or none."
        )
    from sbzoom.sandbox import Sandbox
    from sbzoom.sandbox.process import export_lines, serve_until, stop_signals
    from sbzoom.sandbox.recording import JsonLinesRecorder

    server = Sandbox(
        port=port,
        latency_ms=latency_ms,
        error_rate=error_rate,
        rate_429=rate_429,
        zoom_rps_limit=zoom_rps_limit,
        zoom_plan=zoom_plan,
        daily_limit=daily_limit,
        token_ttl=token_ttl,
        bookings=bookings,
        seed=seed,
        bare_lists=bare_lists,
        redirect_uris=tuple(redirect_uris),
    )
    with contextlib.ExitStack() as cleanup:
        if record_exchanges is not None:
            try:
                recorder = JsonLinesRecorder(str(record_exchanges))
            except OSError as exc:
                raise UsageError(
                    f"Cannot write {record_exchanges}: {exc.strerror}.",
                    "Pass --record-exchanges a file in a writable directory.",
                ) from None
            cleanup.callback(recorder.close)
            server.add_listener(recorder)
        stop = cleanup.enter_context(stop_signals())
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
        notice(
            f"Sandbox listening on {server.url} (Zoom at /zoom, SimplyBook at /simplybook). "
            f"Stop it with Ctrl-C or 'kill {os.getpid()}'."
        )
        notice(
            f"Mail: an SMTP server on 127.0.0.1:{server.mail.port} keeps what it receives "
            "('sbzoom sandbox mail' lists it). Send sbzoom's notices there with:"
        )
        for key, value in server.smtp_settings.items():
            notice(f"  sbzoom config set {key} {value}")
        serve_until(server, stop)
    notice("Sandbox stopped.")


@app.command("mail")
def mail(
    ctx: typer.Context,
    url: str = typer.Option(
        None,
        "--url",
        help="The sandbox's URL; default: env SBZOOM_SANDBOX_URL, printed by 'sbzoom sandbox'.",
        show_default=False,
    ),
    show: int = typer.Option(
        None, "--show", help="Print message N whole (headers, text and invite).", show_default=False
    ),
    as_json: bool = JSON_OPTION,
) -> None:
    """List the e-mails the running sandbox's SMTP server received."""
    from sbzoom import render
    from sbzoom.clients.sandbox_mail import received_mail

    context = context_of(ctx)
    notice = factory_of(ctx).notifier.notice
    url = url or context.env.get("SBZOOM_SANDBOX_URL", "")
    if not url:
        raise UsageError(
            "Which sandbox? SBZOOM_SANDBOX_URL is not set.",
            "Pass --url http://127.0.0.1:PORT, or source the lines 'sbzoom sandbox' printed.",
        )
    messages = received_mail(url, raw=show is not None or as_json)
    if show is not None:
        chosen = next((m for m in messages if m.get("id") == show), None)
        if chosen is None:
            raise UsageError(f"The sandbox has no message {show} ({len(messages)} received).")
        from sbzoom.render.sandbox_mail import readable

        context.stdout.file.write(readable(str(chosen.get("raw", ""))))
        return
    if as_json:
        render.print_json(context.stdout, messages)
        return
    render.print_table(
        context.stdout,
        ["id", "to", "subject", "notice"],
        ([m["id"], ", ".join(m["to"]), m["subject"], m.get("notice") or ""] for m in messages),
    )
    notice(f"{len(messages)} message{'s' if len(messages) != 1 else ''} received.")
