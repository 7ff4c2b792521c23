"""Time as sbzoom reads it: one ``Clock`` protocol, the system clock, nothing else.

A leaf module (it imports only the standard library) so that clients, the store, core and the
sandbox can all take a clock without pulling in anything else. Tests pass a fake clock.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import Protocol


class Clock(Protocol):
    def now(self) -> datetime: ...
    def monotonic(self) -> float: ...
    def sleep(self, seconds: float) -> None: ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)

    def monotonic(self) -> float:
        return time.monotonic()

    def sleep(self, seconds: float) -> None:
        time.sleep(seconds)
