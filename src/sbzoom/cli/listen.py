"""sbzoom listen: link bookings within seconds, from SimplyBook callbacks and Zoom webhooks."""

from __future__ import annotations

import typer

from sbzoom.cli._common import JSON_OPTION, context_of
from sbzoom.errors import ExitCode


def listen(
    ctx: typer.Context,
    host: str = typer.Option(
        "127.0.0.1", "--host", envvar="SBZOOM_LISTEN_HOST", help="Address to listen on."
    ),
    port: int = typer.Option(
        8780,
        "--port",
        envvar="SBZOOM_LISTEN_PORT",
        min=0,
        max=65535,
        help="Port (0 picks a free one).",
    ),
    print_urls: bool = typer.Option(
        False, "--print-urls", help="Print the URLs to paste into SimplyBook and Zoom, and exit."
    ),
    as_json: bool = JSON_OPTION,
    rotate_secret: bool = typer.Option(
        False, "--rotate-secret", help="Make a new callback URL secret (the old URL stops working)."
    ),
    zoom_secret_stdin: bool = typer.Option(
        False,
        "--zoom-secret-stdin",
        help="Read the Zoom app's webhook secret token from stdin, keep it, and exit.",
    ),
) -> None:
    """Serve SimplyBook callbacks and Zoom webhooks; link each booking within seconds.

    Routes: POST /simplybook/<secret>, POST /zoom/webhook, GET /healthz, GET /metrics.
    Keep 'sbzoom bookings link' in cron as the safety net. Stops cleanly on SIGTERM.
    """
    from sbzoom import render
    from sbzoom.core.listen import settings

    context = context_of(ctx)
    if zoom_secret_stdin:
        settings.store_zoom_secret(context, context.stdin.read)
        context.notice("Zoom webhook secret token kept in the secret store.")
        if not print_urls:
            return
    if rotate_secret:
        secret = settings.rotate_callback_secret(context)
        context.notice(
            "New callback secret made: paste the new SimplyBook URL below into Custom Features → "
            "API → Callback URL. The old URL now answers 404."
        )
        print_urls = True
    if print_urls:
        secret, _ = settings.callback_secret(context)
        zoom_secret, _ = settings.zoom_secret(context)
        urls = settings.listen_urls(context, host, port, secret, zoom_secret is not None)
        if as_json:
            render.print_json(context.stdout, urls.to_json())
            return
        render.print_kv(
            context.stdout,
            [
                ("SimplyBook callback URL", urls.simplybook),
                ("Zoom event notification endpoint URL", urls.zoom),
            ],
        )
        context.notice(
            "SimplyBook: Custom Features → API → Callback URL. Zoom: your app → Features → "
            "Event Subscriptions (meeting.deleted, meeting.updated)."
            + (
                ""
                if zoom_secret
                else " Then give Zoom's secret token: 'sbzoom listen --zoom-secret-stdin'."
            )
        )
        return
    from sbzoom.core.listen.run import run_listener

    stopped_by = run_listener(context, host, port)
    if stopped_by == 2:  # SIGINT: Ctrl-C at a terminal
        raise typer.Exit(int(ExitCode.INTERRUPTED))
