"""Pacing: keeping one service's requests under its per-second ceilings, across threads."""

from __future__ import annotations

import bisect
import math
import threading
from collections.abc import Mapping

from sbzoom.clock import Clock

# How much longer than one second the client's window is: the requests of one window reach the
# server spread by network and scheduling jitter, and this much jitter cannot put one request more
# into any server-side second. 20 requests per 1.05 s is 0.95 of a 20/s ceiling. Jitter the
# client can see (a request answered later than the fastest one, e.g. on a new connection) is
# accounted for on top of it: see SlidingWindow.answered.
WINDOW_MARGIN = 0.05


class SlidingWindow:
    """A strict sliding window: at most ``capacity`` starts within any ``window`` seconds.

    ``capacity`` is ``floor(per_second)`` starts per second plus ``margin`` (below 1/s: one start
    per ``1/per_second + margin`` seconds). Starts are also spaced at least half the average
    interval apart, so a full window is not sent as one burst.

    The window counts when requests may have *reached the server*, which the client cannot see:
    each start counts at first, and once the answer comes, a request that took longer than the
    fastest one seen by more than the margin moves later by the excess (it may have arrived that
    much later; the server counted it before it answered). Not thread-safe: ``Pacer`` holds the
    lock.
    """

    def __init__(self, per_second: float, margin: float = WINDOW_MARGIN) -> None:
        if per_second >= 1:
            self.capacity = int(per_second)
            self.window = 1.0 + margin
        else:
            self.capacity = 1
            self.window = 1.0 / per_second + margin
        self.spacing = 0.5 / per_second
        self._entries: list[float] = []  # sorted; the recent starts (moved as answers come)
        self._last = -math.inf

    def next_start(self, now: float) -> float:
        """The earliest moment from ``now`` on at which one more request may start."""
        self._forget(now)
        slot = max(now, self._last + self.spacing)
        if len(self._entries) >= self.capacity:
            slot = max(slot, self._entries[-self.capacity] + self.window)
        return slot

    def take(self, now: float) -> None:
        bisect.insort(self._entries, now)
        self._last = now

    def answered(self, started: float, late_by: float) -> None:
        """The request started at ``started`` may have reached the server ``late_by`` later."""
        if late_by <= 0:
            return
        index = bisect.bisect_left(self._entries, started)
        if index < len(self._entries) and self._entries[index] == started:
            del self._entries[index]
            bisect.insort(self._entries, started + late_by)

    def _forget(self, now: float) -> None:
        """Drop entries no future start can be within ``window`` of."""
        cut = bisect.bisect_left(self._entries, now - self.window)
        if cut:
            del self._entries[:cut]


class Pacer:
    """Keeps one service's requests under its ceilings, shared by every thread that uses it.

    ``max_rps`` is the default budget; ``categories`` adds separate budgets (Zoom's Light and
    Medium limits are counted apart, per account). ``wait(category)`` sleeps until the request
    may start; the lock is held for arithmetic only, never while sleeping or sending.
    ``push_back`` holds a budget (or all) when the server says so.
    """

    def __init__(
        self, max_rps: float, clock: Clock, categories: Mapping[str, float] | None = None
    ) -> None:
        self.clock = clock
        self.max_rps = max_rps
        self.rates = {"": max_rps, **(categories or {})}
        self._windows = {name: SlidingWindow(rate) for name, rate in self.rates.items() if rate > 0}
        self._blocked: dict[str, float] = dict.fromkeys(self.rates, 0.0)
        self._fastest = math.inf  # the quickest answer seen: the network's own round trip
        self._lock = threading.Lock()

    @property
    def total_rps(self) -> float:
        """The most requests per second all budgets together allow (0: unpaced)."""
        if any(rate <= 0 for rate in self.rates.values()):
            return 0.0
        categorised = [rate for name, rate in self.rates.items() if name]
        return sum(categorised) if categorised else self.rates[""]

    def wait(self, category: str = "") -> float:
        """Sleep until a request of ``category`` may start; returns its (monotonic) start."""
        name = category if category in self.rates else ""
        window = self._windows.get(name)
        slept_from: float | None = None
        while True:
            with self._lock:
                now = self.clock.monotonic()
                slot = max(now, self._blocked[name])
                if window is not None:
                    slot = max(slot, window.next_start(now))
                # A clock that did not move while we slept (a test's) must not spin us forever.
                if slot <= now or slept_from == now:
                    if window is not None:
                        window.take(slot)
                    return slot
            # Not booked ahead: an answer arriving meanwhile may move the window further.
            slept_from = now
            self.clock.sleep(slot - now)

    def answered(self, category: str, started: float, seconds: float) -> None:
        """A request that started at ``started`` was answered after ``seconds``."""
        name = category if category in self.rates else ""
        with self._lock:
            # Before any answer the network's own round trip is unknown: all of it may be delay.
            fastest = 0.0 if self._fastest == math.inf else self._fastest
            self._fastest = min(self._fastest, seconds)
            window = self._windows.get(name)
            if window is not None:  # the margin already absorbs this much
                window.answered(started, seconds - fastest - window.window + 1.0)

    def push_back(self, seconds: float, category: str | None = None) -> None:
        """Nobody sends in ``category`` (all when None) for ``seconds``: the server said so."""
        with self._lock:
            until = self.clock.monotonic() + seconds
            names = [category] if category in self._blocked else list(self._blocked)
            for name in names:
                self._blocked[name] = max(self._blocked[name], until)
