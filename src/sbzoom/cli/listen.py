"""sbzoom listen: link bookings within seconds, from SimplyBook callbacks and Zoom webhooks."""

from __future__ import annotations

from typing import TYPE_CHECKING

import typer

from sbzoom.cli._common import JSON_OPTION, factory_of
from sbzoom.errors import ExitCode, OutcomeError

if TYPE_CHECKING:
    from sbzoom.factory import Factory


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
    from sbzoom.render import listen as shown

    factory = factory_of(ctx)
    context = factory.context
    notice = factory.notifier.notice
    if zoom_secret_stdin:
        settings.store_zoom_secret(factory.secrets, context.stdin.read)
        notice(shown.ZOOM_SECRET_KEPT)
        if not print_urls:
            return
    if rotate_secret:
        secret = settings.rotate_callback_secret(context.env, factory.secrets)
        notice(shown.SECRET_ROTATED)
        print_urls = True
    if print_urls:
        secret, _ = settings.callback_secret(context.env, factory.secrets)
        zoom_secret, _ = settings.zoom_secret(context.env, factory.secrets)
        urls = settings.listen_urls(factory.profile, host, port, secret, zoom_secret is not None)
        if as_json:
            render.print_json(context.stdout, shown.urls_json(urls))
            return
        shown.print_urls(context.stdout, urls)
        notice(shown.where_to_paste(zoom_secret is not None))
        return
    stopped_by = _serve(factory, host, port)
    if stopped_by == 2:  # SIGINT: Ctrl-C at a terminal
        raise OutcomeError(ExitCode.INTERRUPTED, "stopped by Ctrl-C")


def _serve(factory: Factory, host: str, port: int) -> int:
    """Run the listener for this profile; the signal that stopped it (0: none)."""
    from collections.abc import Sequence

    from sbzoom.clients.simplybook import Booking
    from sbzoom.core.auth.simplybook.connection import identity
    from sbzoom.core.auth.zoom.connection import credentials
    from sbzoom.core.bookings.link import link_bookings, unit_locks
    from sbzoom.core.bookings.model import LinkReport
    from sbzoom.core.listen import settings
    from sbzoom.core.listen.run import run_listener
    from sbzoom.core.listen.service import LinkEngine
    from sbzoom.core.online import stored_online

    context = factory.context
    stream = context.stderr.file

    def write(text: str) -> None:
        stream.write(text)
        stream.flush()

    def link(booking_ids: Sequence[str]) -> LinkReport:
        # Settings changed since the last event (a provider mapped, a service put online) count
        # from the next event on: the listener need not be restarted for them.
        factory.reload_profile()
        return link_bookings(factory.link_services(), list(booking_ids), missing_ok=True)

    def fetch_booking(booking_id: int) -> Booking:
        return factory.simplybook.get_booking(booking_id)  # signs in on the first event

    def open_engine() -> LinkEngine:
        locks = unit_locks(context.data_dir, context.profile_name)
        return LinkEngine(factory.ledger, locks, link, fetch_booking, factory.clock)

    stored_online(factory.profile)  # nothing online: nothing to link, say so before listening
    return run_listener(
        host,
        port,
        profile_name=context.profile_name,
        identity=lambda: identity(factory.connection_inputs),
        zoom_credentials=lambda: credentials(factory.connection_inputs),
        load_secrets=lambda: settings.load_secrets(context.env, factory.secrets),
        ledger_path=factory.ledger_path,
        lock_path=context.data_dir / "locks" / f"listen-{context.profile_name}.lock",
        open_engine=open_engine,
        write=write,
    )
