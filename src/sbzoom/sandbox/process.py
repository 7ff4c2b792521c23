"""Running a sandbox as a process (``sbzoom sandbox``): the export lines it prints, the signals
that stop it, and serving until they come."""

from __future__ import annotations

import contextlib
import shlex
import signal
import threading
from collections.abc import Iterator

from sbzoom.sandbox.sandbox import Sandbox


def export_lines(env: dict[str, str]) -> str:
    """``export NAME=value`` lines, values shell-quoted, for ``. env.sh``."""
    return "".join(f"export {name}={shlex.quote(value)}\n" for name, value in env.items())


@contextlib.contextmanager
def stop_signals() -> Iterator[threading.Event]:
    """An event set by SIGTERM or SIGINT (Ctrl-C) while inside the block; handlers restored after.

    Install it before printing anything a caller may react to, so a signal sent right after the
    export lines still ends in a clean stop.
    """
    stop = threading.Event()
    if threading.current_thread() is not threading.main_thread():
        yield stop
        return
    previous = {
        sig: signal.signal(sig, lambda signum, frame: stop.set())
        for sig in (signal.SIGTERM, signal.SIGINT)
    }
    try:
        yield stop
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def serve_until(sandbox: Sandbox, stop: threading.Event) -> None:
    """Serve until ``stop`` is set, then stop the sandbox."""
    try:
        while not stop.wait(0.5):
            pass
    finally:
        sandbox.stop()
