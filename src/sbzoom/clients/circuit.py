"""A circuit breaker for one service: when it is down, stop sending and say so at once.

Without it an outage costs every booking its own retry ladder (about 5 s each, or 10 s per
attempt when connections time out), and a 15-minute cron job starts overlapping itself. With it,
``threshold`` failed attempts in a row (no connection, no answer, or a 5xx; counted across every
thread sharing the session) open the circuit: each later request fails at once with
``ServiceDownError`` (exit 5), the engine marks the bookings it had not reached with that reason,
and the run ends within seconds.

A service that has not answered once in this run needs less evidence: ``cold_threshold`` failures
(3) open it, so a run that starts during an outage ends after about a second of retries instead of
a request's whole retry ladder (about 6 s). Once it has answered, scattered failures are normal
and it takes ``threshold`` (5) in a row.

An open circuit stays open for ``cooldown`` seconds, longer than a ``bookings link`` run takes
once it fails fast, so a run does not hammer a service that is down. A long-lived process (the
listener) then lets one request through (half-open): an answer closes the circuit, a failure opens
it for another ``cooldown``.

Any answer that is not a 5xx (a 404, a 429, a 200) proves the service is up and resets the count.
"""

from __future__ import annotations

import threading

from sbzoom.clock import Clock
from sbzoom.errors import RemoteError

THRESHOLD = 5  # one request's whole retry budget, or a few workers failing together
COLD_THRESHOLD = 3  # before the service has answered at all in this run
COOLDOWN = 60.0


class ServiceDownError(RemoteError):
    """The circuit is open: the service failed too often in a row; nothing was sent."""


class Circuit:
    def __init__(
        self,
        service: str,
        clock: Clock,
        threshold: int = THRESHOLD,
        cooldown: float = COOLDOWN,
        cold_threshold: int = COLD_THRESHOLD,
    ) -> None:
        self.service = service
        self.clock = clock
        self.threshold = max(1, threshold)
        self.cold_threshold = max(1, min(cold_threshold, self.threshold))
        self._answered = False  # has the service answered once in this run?
        self.cooldown = cooldown
        self._failures = 0
        self._opened_at: float | None = None
        self._trial = False  # a half-open trial request is on its way
        self._problem = ""
        self._lock = threading.Lock()

    @property
    def is_open(self) -> bool:
        with self._lock:
            return self._opened_at is not None

    def before(self) -> None:
        """Called before each attempt: raises ``ServiceDownError`` while the circuit is open."""
        with self._lock:
            if self._opened_at is None:
                return
            cooled = self.clock.monotonic() - self._opened_at >= self.cooldown
            if cooled and not self._trial:
                self._trial = True  # half-open: this one request may try
                return
        raise self.error()

    def success(self) -> None:
        with self._lock:
            self._failures = 0
            self._opened_at = None
            self._trial = False
            self._answered = True

    def failure(self, problem: str) -> bool:
        """Count a failed attempt; True when the circuit is (now) open."""
        with self._lock:
            self._failures += 1
            self._problem = problem
            needed = self.threshold if self._answered else self.cold_threshold
            if self._trial or self._failures >= needed:
                if self._opened_at is None or self._trial:
                    self._opened_at = self.clock.monotonic()
                self._trial = False
            return self._opened_at is not None

    def error(self) -> ServiceDownError:
        with self._lock:
            problem, failures = self._problem, self._failures
        return ServiceDownError(
            f"{self.service} is unavailable ({problem}, {failures} failed attempts in a row); "
            "sbzoom stopped sending to it for this run.",
            "Try again later; run with --debug to see each request.",
        )
