"""A scripted transport and a session over it: what the HTTP layer's tests send through."""

from __future__ import annotations

import random
from collections.abc import Callable

import httpx

from sbzoom.clients.http import HttpSession, Pacer, Redactor, RetryPolicy
from tests.fakes import FakeClock

Handler = Callable[[httpx.Request], httpx.Response]


def scripted(*steps: httpx.Response | Exception) -> tuple[Handler, list[httpx.Request]]:
    """A transport answering each request with the next step (raising it if an exception)."""
    seen: list[httpx.Request] = []
    queue = list(steps)

    def handle(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        step = queue.pop(0)
        if isinstance(step, Exception):
            raise step
        return step

    return handle, seen


def session(
    handler: Handler,
    clock: FakeClock | None = None,
    *,
    max_rps: float = 0,
    log: list[str] | None = None,
    redactor: Redactor | None = None,
) -> HttpSession:
    clock = clock or FakeClock()
    return HttpSession(
        httpx.Client(transport=httpx.MockTransport(handler)),
        service="Zoom",
        pacer=Pacer(max_rps, clock),
        clock=clock,
        retry=RetryPolicy(attempts=4, base_delay=0.5, max_delay=20, max_wait=60),
        log=log.append if log is not None else None,
        redactor=redactor,
        rng=random.Random(7),
    )


URL = "https://api.example.test/v2/things"


def most_in_any_second(starts: list[float]) -> int:
    """The largest number of starts inside any half-open 1-second window [t, t+1)."""
    ordered = sorted(starts)
    most, first = 0, 0
    for last, moment in enumerate(ordered):
        while moment - ordered[first] >= 1.0 - 1e-9:
            first += 1
        most = max(most, last - first + 1)
    return most
