"""The one set of test fakes, shared by every test that needs them."""

from __future__ import annotations

from collections.abc import Iterable
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


class FakeTokens:
    """A ``TokenSource`` (clients/http): hands out ``token``; each renewal records the token it
    was told was rejected and moves to the next of ``renewals``, keeping the last token once they
    run out (a renewal that yields nothing new)."""

    def __init__(self, token: str, renewals: Iterable[str] = ()) -> None:
        self.token = token
        self.renewals = iter(renewals)
        self.renewed: list[str] = []  # the rejected tokens, one per renewal asked for

    def access_token(self) -> str:
        return self.token

    def renew(self, rejected: str) -> str:
        self.renewed.append(rejected)
        self.token = next(self.renewals, self.token)
        return self.token
