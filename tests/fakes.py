"""The one set of test fakes, shared by every test that needs them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

NOW = datetime(2026, 3, 2, 12, 0, 0, tzinfo=UTC)


class FakeClock:
    """Time that moves only when someone sleeps; every sleep is recorded."""

    def __init__(self, start: datetime = NOW) -> None:
        self.start = start
        self.elapsed = 0.0
        self.sleeps: list[float] = []

    def now(self) -> datetime:
        return self.start + timedelta(seconds=self.elapsed)

    def monotonic(self) -> float:
        return self.elapsed

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.elapsed += seconds
