"""Serving the listener: the socket, uvicorn with its signals, one listener per profile, and the
JSON log lines on stderr.

uvicorn is imported here only, and this module only by ``sbzoom listen``
(tests/unit/cli/test_startup_imports.py).
"""

from __future__ import annotations

import contextlib
import errno
import json
import signal
import socket
import threading
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sbzoom.core.listen.service import Listener, build_app
from sbzoom.errors import UsageError
from sbzoom.store.files import LockTimeoutError, file_lock


class JsonLog:
    """One JSON object per line on a text stream (stderr), safe from any thread."""

    def __init__(self, write: Callable[[str], None]) -> None:
        self._write = write
        self._lock = threading.Lock()

    def __call__(self, record: dict[str, object]) -> None:
        line = json.dumps(
            {"ts": datetime.now(UTC).isoformat(timespec="milliseconds"), **record},
            ensure_ascii=False,
            default=str,
        )
        with self._lock:
            self._write(line + "\n")


def _log_config(log: JsonLog) -> dict[str, Any]:
    """uvicorn's own messages (start-up, protocol errors) as JSON lines too; no access log (the
    callback path carries a secret)."""
    import logging

    class Handler(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            log(
                {
                    "level": record.levelname.lower(),
                    "msg": record.getMessage(),
                    "logger": record.name,
                }
            )

    return {
        "version": 1,
        "disable_existing_loggers": False,
        "handlers": {"json": {"()": Handler}},
        "loggers": {
            "uvicorn": {"handlers": ["json"], "level": "WARNING", "propagate": False},
            "uvicorn.error": {"handlers": ["json"], "level": "WARNING", "propagate": False},
            "uvicorn.access": {"handlers": [], "level": "CRITICAL", "propagate": False},
        },
    }


def bind(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        if exc.errno == errno.EADDRINUSE:
            raise UsageError(
                f"Port {port} on {host} is already in use.",
                "Stop what uses it, or pick another with --port.",
            ) from None
        raise UsageError(
            f"Cannot listen on {host}:{port}: {exc.strerror}.", "Check --host and --port."
        ) from None
    sock.listen(2048)
    sock.set_inheritable(True)
    return sock


@contextlib.contextmanager
def single_listener(lock_path: Path, profile_name: str) -> Iterator[None]:
    held = file_lock(lock_path, timeout=0.0)
    try:
        held.__enter__()
    except LockTimeoutError:
        raise UsageError(
            f"Another 'sbzoom listen' already serves profile '{profile_name}'.",
            "Stop it first (one listener per profile owns its event queue).",
        ) from None
    try:
        yield
    finally:
        held.__exit__(None, None, None)


def serve(listener: Listener, host: str, port: int, on_ready: Callable[[int], None]) -> int:
    """Serve until SIGTERM or SIGINT; the signal number that stopped it (0 if none)."""
    import uvicorn

    sock = bind(host, port)
    config = uvicorn.Config(
        build_app(listener),
        log_config=_log_config(listener.log),  # type: ignore[arg-type]
        access_log=False,
        lifespan="on",
        timeout_graceful_shutdown=5,
        server_header=False,
        date_header=True,
        limit_concurrency=1000,
        backlog=2048,
    )
    stopped_by: list[int] = []

    class Server(uvicorn.Server):
        @contextlib.contextmanager
        def capture_signals(self) -> Iterator[None]:
            """uvicorn's own, minus re-raising the signal at the end: a SIGTERM is the normal
            way to stop a service, and it must exit 0 after its clean stop."""
            if threading.current_thread() is not threading.main_thread():
                yield
                return
            handled = (signal.SIGINT, signal.SIGTERM)
            previous = {sig: signal.signal(sig, self._stop) for sig in handled}
            try:
                yield
            finally:
                for sig, handler in previous.items():
                    signal.signal(sig, handler)

        def _stop(self, sig: int, frame: Any) -> None:
            stopped_by.append(sig)
            if self.should_exit and sig == signal.SIGINT:
                self.force_exit = True
            self.should_exit = True

        async def startup(self, sockets: list[socket.socket] | None = None) -> None:
            await super().startup(sockets)
            if self.started:
                on_ready(int(sock.getsockname()[1]))

    server = Server(config)
    try:
        server.run(sockets=[sock])
    finally:
        sock.close()
    return stopped_by[0] if stopped_by else 0
