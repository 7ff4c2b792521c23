"""The circuit breaker of one service (clients/circuit.py), over a fake clock."""

from __future__ import annotations

import httpx
import pytest

from sbzoom.clients.circuit import COLD_THRESHOLD, COOLDOWN, THRESHOLD, Circuit, ServiceDownError
from sbzoom.clients.http import HttpSession, Pacer, RetryPolicy
from sbzoom.errors import ExitCode
from tests.fakes import FakeClock


def fail(circuit: Circuit, times: int) -> bool:
    opened = False
    for _ in range(times):
        opened = circuit.failure("cannot connect (ConnectError)")
    return opened


def test_a_service_that_never_answered_opens_after_the_cold_threshold() -> None:
    circuit = Circuit("Zoom", FakeClock())
    assert not fail(circuit, COLD_THRESHOLD - 1)
    circuit.before()  # still closed
    assert fail(circuit, 1)
    with pytest.raises(ServiceDownError) as caught:
        circuit.before()
    assert caught.value.exit_code == ExitCode.REMOTE
    assert "Zoom is unavailable" in caught.value.message and "for this run" in caught.value.message


def test_once_it_answered_scattered_failures_do_not_open_it() -> None:
    circuit = Circuit("Zoom", FakeClock())
    circuit.success()
    for _ in range(10):  # failures with answers in between: never THRESHOLD in a row
        assert not fail(circuit, THRESHOLD - 1)
        circuit.success()
    assert fail(circuit, THRESHOLD)


def test_after_the_cooldown_one_trial_request_decides() -> None:
    clock = FakeClock()
    circuit = Circuit("Zoom", clock)
    fail(circuit, COLD_THRESHOLD)
    clock.elapsed += COOLDOWN
    circuit.before()  # the trial goes through ...
    with pytest.raises(ServiceDownError):
        circuit.before()  # ... alone
    assert fail(circuit, 1)  # it failed: open for another cooldown
    with pytest.raises(ServiceDownError):
        circuit.before()
    clock.elapsed += COOLDOWN
    circuit.before()
    circuit.success()  # it answered: closed
    circuit.before()
    circuit.before()


def test_the_session_stops_sending_once_open_and_does_not_sleep_out_its_retries() -> None:
    clock = FakeClock()
    sent = []

    def refuse(request: httpx.Request) -> httpx.Response:
        sent.append(request.url.path)
        raise httpx.ConnectError("refused", request=request)

    session = HttpSession(
        httpx.Client(transport=httpx.MockTransport(refuse)),
        service="Zoom",
        pacer=Pacer(0, clock),
        clock=clock,
        retry=RetryPolicy(attempts=5, base_delay=1, max_delay=20),
    )
    with pytest.raises(ServiceDownError):
        session.send("GET", "https://zoom.test/v2/users")
    assert len(sent) == COLD_THRESHOLD
    slept = list(clock.sleeps)
    with pytest.raises(ServiceDownError):  # every later request: at once, nothing sent
        session.send("GET", "https://zoom.test/v2/meetings/1")
    assert len(sent) == COLD_THRESHOLD and clock.sleeps == slept


def test_answers_that_are_not_5xx_keep_it_closed() -> None:
    clock = FakeClock()
    answers = iter([503, 404, 503, 503, 200, 503, 503, 404])

    def reply(request: httpx.Request) -> httpx.Response:
        return httpx.Response(next(answers))

    session = HttpSession(
        httpx.Client(transport=httpx.MockTransport(reply)),
        service="Zoom",
        pacer=Pacer(0, clock),
        clock=clock,
        retry=RetryPolicy(attempts=5, base_delay=0.01, max_delay=0.01),
    )
    assert session.send("GET", "https://zoom.test/a").status_code == 404
    assert session.send("GET", "https://zoom.test/b").status_code == 200
    assert session.send("GET", "https://zoom.test/c").status_code == 404
    assert not session.circuit.is_open
