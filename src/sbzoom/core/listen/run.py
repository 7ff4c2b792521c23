"""Start the listener for a profile: check the setup first, then serve until stopped."""

from __future__ import annotations

import sys

from sbzoom.context import Context
from sbzoom.core.listen import settings
from sbzoom.errors import ConfigError


def run_listener(context: Context, host: str, port: int) -> int:
    """Serve until SIGTERM/SIGINT; returns the signal number that stopped it (0: none)."""
    from sbzoom.core.auth.simplybook.connection import SIGN_IN_HINT, identity
    from sbzoom.core.auth.zoom.connection import credentials
    from sbzoom.core.listen.service import JsonLog, Listener, serve, single_listener
    from sbzoom.core.online import stored_online

    stored_online(context.profile)  # nothing online: nothing to link, say so before listening
    who = identity(context)
    if who is None:
        raise ConfigError(
            "sbzoom does not know the SimplyBook company to listen for.", SIGN_IN_HINT
        )
    zoom = credentials(context)
    secrets = settings.load_secrets(context)
    stream = context.stderr.file

    def write(text: str) -> None:
        stream.write(text)
        stream.flush()

    log = JsonLog(write)
    with single_listener(context):
        listener = Listener(
            context,
            secrets,
            who.company,
            zoom.account_id if zoom else None,
            log,
        )

        def ready(bound: int) -> None:
            log(
                {
                    "level": "info",
                    "msg": "listening",
                    "host": host,
                    "port": bound,
                    "profile": context.profile_name,
                    "company": who.company,
                    "zoom_webhooks": secrets.zoom is not None,
                    "callback_secret_from": secrets.callback_source,
                }
            )
            if secrets.zoom is None:
                log(
                    {
                        "level": "warning",
                        "msg": "Zoom webhooks are off: give the app's secret token with "
                        "'sbzoom listen --zoom-secret-stdin' or SBZOOM_ZOOM_WEBHOOK_SECRET",
                    }
                )

        try:
            return serve(listener, host, port, ready)
        finally:
            if not listener.worker.alive:  # else the batch it is still on keeps its queue open
                listener.queue.close()
            sys.stderr.flush()
