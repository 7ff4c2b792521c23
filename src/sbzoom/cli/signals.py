"""SIGINT (Ctrl-C) and SIGTERM (cron, systemd, Kubernetes): stop the same way, cleanly.

While a command that can stop between steps runs (``context.graceful_stop``, e.g. `bookings
link`), the first signal only asks it to stop: work in flight finishes, nothing new starts, the
partial result is printed (``--json`` too), and the exit code is 130 (SIGINT) or 143 (SIGTERM).
A second signal, or a signal during any other command, stops at once: ``KeyboardInterrupt`` or
``Terminated``, which cli/main.py turns into a message and the same exit codes.
"""

from __future__ import annotations

import os
import signal
import threading
from collections.abc import Callable
from types import FrameType
from typing import Any

from sbzoom.context import Context
from sbzoom.errors import ExitCode


class Terminated(KeyboardInterrupt):
    """SIGTERM, raised like Ctrl-C so every ``finally`` and lock release still runs."""


def exit_code_of(signum: int) -> ExitCode:
    return ExitCode.TERMINATED if signum == signal.SIGTERM else ExitCode.INTERRUPTED


def name_of(signum: int) -> str:
    return "SIGTERM" if signum == signal.SIGTERM else "Ctrl-C"


def install(context: Context) -> Callable[[], None]:
    """Route SIGINT and SIGTERM through ``context``; returns the function restoring the old ones.

    Only in the main thread (Python delivers signals there), i.e. not when embedded in a thread.
    """
    if threading.current_thread() is not threading.main_thread():
        return lambda: None

    def handler(signum: int, frame: FrameType | None) -> None:
        if context.graceful_stop and not context.stop_requested.is_set():
            context.stop_signal = signum
            context.stop_requested.set()
            # os.write: the main thread may be inside a write to sys.stderr right now.
            again = "Ctrl-C" if signum == signal.SIGINT else "the signal"
            os.write(
                2,
                f"\n{name_of(signum)}: stopping after the work in progress "
                f"(send {again} again to stop at once)...\n".encode(),
            )
            return
        context.stop_signal = context.stop_signal or signum
        if signum == signal.SIGTERM:
            raise Terminated
        raise KeyboardInterrupt

    previous: dict[int, Any] = {}
    for signum in (signal.SIGINT, signal.SIGTERM):
        previous[signum] = signal.signal(signum, handler)

    def restore() -> None:
        for signum, old in previous.items():
            signal.signal(signum, old)

    return restore
