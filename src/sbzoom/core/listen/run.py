"""Start the listener for a profile: check the setup first, then serve until stopped."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from sbzoom.core.listen.settings import ListenSecrets
from sbzoom.errors import ConfigError

if TYPE_CHECKING:
    from sbzoom.core.auth.simplybook.connection import Identity
    from sbzoom.core.auth.zoom.connection import ZoomCredentials
    from sbzoom.core.listen.handlers import Engine


def run_listener(
    host: str,
    port: int,
    *,
    profile_name: str,
    identity: Callable[[], Identity | None],
    zoom_credentials: Callable[[], ZoomCredentials | None],
    load_secrets: Callable[[], ListenSecrets],
    ledger_path: Path,
    lock_path: Path,
    open_engine: Callable[[], Engine],
    write: Callable[[str], None],
) -> int:
    """Serve until SIGTERM/SIGINT; returns the signal number that stopped it (0: none).

    Checked before listening, in this order: the SimplyBook company (``identity``), Zoom's
    account (``zoom_credentials``: None means Zoom webhooks carry no account to check), the two
    secrets. ``open_engine`` opens (and migrates) the ledger once this is the profile's only
    listener (``lock_path``); ``write`` takes the JSON log lines (stderr).
    """
    from sbzoom.core.auth.simplybook.connection import SIGN_IN_HINT
    from sbzoom.core.listen.server import JsonLog, serve, single_listener
    from sbzoom.core.listen.service import Listener

    who = identity()
    if who is None:
        raise ConfigError(
            "sbzoom does not know the SimplyBook company to listen for.", SIGN_IN_HINT
        )
    zoom = zoom_credentials()
    secrets = load_secrets()
    log = JsonLog(write)
    with single_listener(lock_path, profile_name):
        ledger_path.parent.mkdir(parents=True, exist_ok=True)
        listener = Listener(
            open_engine(),  # opens (and migrates) the ledger before the queue uses it
            ledger_path,
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
                    "profile": profile_name,
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
