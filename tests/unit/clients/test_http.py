"""The shared HTTP layer: retries and backoff, Retry-After, pacing, MaybeCommitted, redaction."""

from __future__ import annotations

import itertools
import random
import threading
import time
from collections.abc import Callable
from datetime import timedelta

import httpx
import pytest

from sbzoom import __version__
from sbzoom.clients.circuit import Circuit
from sbzoom.clients.http import (
    WINDOW_MARGIN,
    HttpSession,
    MaybeCommittedError,
    Pacer,
    Redactor,
    RetryPolicy,
    parse_retry_after,
)
from sbzoom.clock import SystemClock
from sbzoom.errors import ConfigError, ExitCode, RateLimitedError, RemoteError
from tests.fakes import NOW, FakeClock

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


def test_sends_user_agent_and_accept() -> None:
    handler, seen = scripted(httpx.Response(200, json={}))
    session(handler).send("GET", URL, headers={"Authorization": "Bearer abcdefgh"})
    assert seen[0].headers["User-Agent"] == f"sbzoom/{__version__}"
    assert seen[0].headers["Accept"] == "application/json"
    assert seen[0].headers["Authorization"] == "Bearer abcdefgh"


@pytest.mark.parametrize("status", [500, 502, 503, 504])
def test_server_errors_on_get_are_retried_with_growing_backoff(status: int) -> None:
    clock = FakeClock()
    handler, seen = scripted(
        httpx.Response(status), httpx.Response(status), httpx.Response(200, json={"ok": 1})
    )
    response = session(handler, clock).send("GET", URL)
    assert response.status_code == 200 and len(seen) == 3
    first, second = clock.sleeps
    assert 0.25 <= first <= 0.5 and 0.5 <= second <= 1.0  # exponential, with jitter


def test_gives_up_after_the_attempts_with_exit_5() -> None:
    clock = FakeClock()
    handler, seen = scripted(*[httpx.Response(502) for _ in range(4)])
    patient = session(handler, clock)
    # A circuit that never opens: this is about the retry budget (test_circuit.py: the breaker)
    patient.circuit = Circuit("Zoom", clock, threshold=99, cold_threshold=99)
    with pytest.raises(RemoteError) as caught:
        patient.send("GET", URL)
    assert len(seen) == 4 and len(clock.sleeps) == 3
    assert caught.value.exit_code == ExitCode.REMOTE
    assert "4 attempts" in caught.value.message


def test_500_on_post_is_maybe_committed_and_not_retried() -> None:
    handler, seen = scripted(httpx.Response(500))
    with pytest.raises(MaybeCommittedError):
        session(handler).send("POST", URL, json_body={"topic": "x"})
    assert len(seen) == 1


def test_503_on_post_is_retried_because_nothing_was_done() -> None:
    handler, seen = scripted(httpx.Response(503), httpx.Response(201, json={"id": 1}))
    assert session(handler).send("POST", URL, json_body={}).status_code == 201
    assert len(seen) == 2


def test_post_whose_connection_drops_is_maybe_committed() -> None:
    handler, seen = scripted(httpx.ReadError("connection reset"))
    with pytest.raises(MaybeCommittedError) as caught:
        session(handler).send("POST", URL, json_body={"topic": "x"})
    assert len(seen) == 1
    assert "may have been carried out" in caught.value.message
    assert caught.value.exit_code == ExitCode.REMOTE


def test_post_that_times_out_reading_is_maybe_committed() -> None:
    handler, _ = scripted(httpx.ReadTimeout("slow"))
    with pytest.raises(MaybeCommittedError):
        session(handler).send("POST", URL, json_body={})


def test_post_that_cannot_connect_is_retried() -> None:
    clock = FakeClock()
    handler, seen = scripted(httpx.ConnectError("refused"), httpx.Response(201, json={}))
    assert session(handler, clock).send("POST", URL, json_body={}).status_code == 201
    assert len(seen) == 2 and len(clock.sleeps) == 1


def test_get_whose_connection_drops_is_retried() -> None:
    handler, seen = scripted(httpx.RemoteProtocolError("eof"), httpx.Response(200, json={}))
    assert session(handler).send("GET", URL).status_code == 200
    assert len(seen) == 2


def test_429_waits_retry_after_seconds() -> None:
    clock = FakeClock()
    handler, seen = scripted(
        httpx.Response(429, headers={"Retry-After": "3"}), httpx.Response(200, json={})
    )
    assert session(handler, clock).send("POST", URL, json_body={}).status_code == 200
    assert len(seen) == 2 and clock.sleeps == [3.0]


def test_429_waits_retry_after_http_date() -> None:
    clock = FakeClock()
    when = "Mon, 02 Mar 2026 12:00:07 GMT"
    handler, _ = scripted(
        httpx.Response(429, headers={"Retry-After": when}), httpx.Response(200, json={})
    )
    session(handler, clock).send("GET", URL)
    assert clock.sleeps == [7.0]


def test_429_without_retry_after_backs_off() -> None:
    clock = FakeClock()
    handler, _ = scripted(httpx.Response(429), httpx.Response(200, json={}))
    session(handler, clock).send("GET", URL)
    assert len(clock.sleeps) == 1 and 0.25 <= clock.sleeps[0] <= 0.5


def test_429_with_a_long_retry_after_is_not_waited_out() -> None:
    clock = FakeClock()
    handler, seen = scripted(httpx.Response(429, headers={"Retry-After": "3600"}))
    with pytest.raises(RateLimitedError) as caught:
        session(handler, clock).send("GET", URL)
    assert len(seen) == 1 and clock.sleeps == []
    assert caught.value.reset_at == NOW + timedelta(hours=1)


def test_429_that_never_lifts_is_rate_limited() -> None:
    handler, seen = scripted(*[httpx.Response(429, headers={"Retry-After": "1"})] * 4)
    with pytest.raises(RateLimitedError):
        session(handler).send("GET", URL)
    assert len(seen) == 4


def test_final_429_is_returned_untouched_and_never_retried() -> None:
    clock = FakeClock()
    daily = httpx.Response(
        429, headers={"X-RateLimit-Type": "Daily-limit", "Retry-After": "2026-03-03T00:00:00Z"}
    )
    handler, seen = scripted(daily)
    response = session(handler, clock).send(
        "POST",
        URL,
        json_body={},
        final=lambda r: r.headers.get("X-RateLimit-Type") == "Daily-limit",
    )
    assert response.status_code == 429 and len(seen) == 1 and clock.sleeps == []


def test_client_errors_are_returned_for_the_client_to_map() -> None:
    handler, seen = scripted(httpx.Response(404, json={"code": 3001, "message": "gone"}))
    assert session(handler).send("GET", URL).status_code == 404
    assert len(seen) == 1


def test_non_http_url_is_a_config_error() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise httpx.UnsupportedProtocol("ftp")

    with pytest.raises(ConfigError):
        session(handler).send("GET", "ftp://example.test/x")


# -- pacing ------------------------------------------------------------------------------------


def _most_in_any_second(starts: list[float]) -> int:
    """The largest number of starts inside any half-open 1-second window [t, t+1)."""
    ordered = sorted(starts)
    most, first = 0, 0
    for last, moment in enumerate(ordered):
        while moment - ordered[first] >= 1.0 - 1e-9:
            first += 1
        most = max(most, last - first + 1)
    return most


def test_pacer_never_lets_more_than_the_ceiling_start_in_any_second() -> None:
    clock = FakeClock()
    handler, seen = scripted(*[httpx.Response(200, json={}) for _ in range(200)])
    http = session(handler, clock, max_rps=20)
    rng = random.Random(5)
    starts = []
    for _ in range(200):
        clock.elapsed += rng.choice([0.0, 0.0, 0.001, 0.03, 0.2])  # uneven gaps between calls
        http.send("GET", URL)
        starts.append(clock.monotonic())
    assert len(seen) == 200
    assert _most_in_any_second(starts) == 20


def test_pacer_pressed_reaches_the_ceiling_less_the_stated_margin() -> None:
    clock = FakeClock()
    pacer = Pacer(20, clock)
    starts = [pacer.wait() for _ in range(401)]
    assert _most_in_any_second(starts) == 20
    assert 400 / (starts[-1] - starts[0]) == pytest.approx(20 / (1 + WINDOW_MARGIN), rel=0.01)


def test_pacer_window_holds_with_a_jitter_smaller_than_the_margin() -> None:
    # Requests reach the server up to 50 ms later than they start, unevenly: no server-side
    # second still holds more than the ceiling.
    clock = FakeClock()
    pacer = Pacer(10, clock)
    rng = random.Random(9)
    arrivals = [pacer.wait() + rng.uniform(0, WINDOW_MARGIN) for _ in range(300)]
    assert _most_in_any_second(arrivals) <= 10


def test_a_slow_answer_moves_its_request_later_in_the_window() -> None:
    # Request 0 took 600 ms longer than the fastest: it may have reached the server that much
    # later (less the margin, which absorbs small jitter). Counting it there, no second at the
    # server holds more than the ceiling.
    clock = FakeClock()
    pacer = Pacer(10, clock)
    starts = [pacer.wait() for _ in range(10)]
    pacer.answered("", starts[1], 0.05)
    pacer.answered("", starts[0], 0.65)
    later = [pacer.wait() for _ in range(30)]
    arrivals = [starts[0] + 0.6 - WINDOW_MARGIN, *starts[1:], *later]
    assert _most_in_any_second(arrivals) <= 10
    unmoved = Pacer(10, FakeClock())
    naive = [unmoved.wait() for _ in range(40)]
    assert _most_in_any_second([naive[0] + 0.6 - WINDOW_MARGIN, *naive[1:]]) > 10


def test_pacer_below_one_per_second_spaces_single_requests() -> None:
    clock = FakeClock()
    pacer = Pacer(0.5, clock)
    starts = [pacer.wait() for _ in range(4)]
    assert all(b - a >= 2.0 for a, b in itertools.pairwise(starts))


def test_pacer_keeps_separate_budgets_per_category() -> None:
    clock = FakeClock()
    pacer = Pacer(2, clock, {"Medium": 4, "Light": 8})
    medium = [pacer.wait("Medium") for _ in range(40)]
    light = [pacer.wait("Light") for _ in range(80)]
    assert _most_in_any_second(medium) == 4
    assert _most_in_any_second(light) == 8
    # Light did not wait behind Medium: each budget runs at its own rate.
    assert light[-1] - light[0] < 11 and medium[-1] - medium[0] < 11


def test_pacer_is_strict_across_threads_and_holds_no_lock_while_sleeping() -> None:
    clock = SystemClock()
    pacer = Pacer(100, clock)
    starts: list[float] = []
    lock = threading.Lock()

    def work() -> None:
        for _ in range(25):
            slot = pacer.wait()
            with lock:
                starts.append(slot)

    threads = [threading.Thread(target=work) for _ in range(8)]
    began = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    assert len(starts) == 200
    assert _most_in_any_second(starts) <= 100
    # Sleeping outside the lock: 200 at 100 per 1.05 s finish in about 2 s, not 200 sleeps.
    assert time.monotonic() - began < 5


def test_push_back_of_one_category_leaves_the_others_going() -> None:
    clock = FakeClock()
    pacer = Pacer(0, clock, {"Medium": 0, "Light": 0})
    pacer.push_back(3, "Medium")
    pacer.wait("Light")
    assert clock.sleeps == []
    pacer.wait("Medium")
    assert clock.sleeps == [3]


def test_pool_size_follows_ceiling_times_latency() -> None:
    clock = FakeClock()

    def slow(request: httpx.Request) -> httpx.Response:
        clock.elapsed += 0.4  # every answer takes 400 ms
        return httpx.Response(200, json={})

    http = HttpSession(
        httpx.Client(transport=httpx.MockTransport(slow)),
        service="Zoom",
        pacer=Pacer(20, clock, {"Medium": 20}),
        clock=clock,
    )
    assert http.pool_size() == 2  # nothing measured yet
    http.send("GET", URL)
    assert http.latency == pytest.approx(0.4)
    assert http.pool_size() == 10  # 20/s x 0.4 s in flight, plus two
    assert http.pool_size(cap=6) == 6


def test_pacer_does_not_wait_when_requests_are_already_spaced() -> None:
    clock = FakeClock()
    pacer = Pacer(2, clock)
    pacer.wait()
    clock.elapsed += 5
    pacer.wait()
    assert clock.sleeps == []


def test_push_back_holds_every_request_even_without_a_rate() -> None:
    clock = FakeClock()
    pacer = Pacer(0, clock)
    pacer.push_back(4)
    pacer.wait()
    assert clock.sleeps == [4]


# -- Retry-After parsing -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("120", 120.0),
        ("0", 0.0),
        ("Mon, 02 Mar 2026 12:01:00 GMT", 60.0),
        ("2026-03-03T00:00:00Z", 12 * 3600.0),
        ("2026-03-02T11:00:00Z", 0.0),  # in the past: go now
        ("soon", None),
        ("", None),
        (None, None),
        ("inf", None),
        ("nan", None),
    ],
)
def test_parse_retry_after(value: str | None, expected: float | None) -> None:
    assert parse_retry_after(value, NOW) == expected


# -- redaction ---------------------------------------------------------------------------------

SECRETS = {
    "bearer": "at-ACCESS-0123456789",
    "refresh": "rt-REFRESH-0123456789",
    "client_secret": "cs-SECRET-0123456789",
    "code": "ac-CODE-0123456789",
    "verifier": "cv-VERIFIER-0123456789abcdefghijklmnopqrstuvwxyz",
    "zak": "zak-TOKEN-0123456789",
    "password": "pw-PASS-01",
    "h323": "h323-PASS-99",
    "pwd": "pwdENCRYPTED0123456789",
    "new_access": "at-NEW-ACCESS-987654321",
    "tk": "tkREGISTRANT0123456789",
}


def test_debug_log_masks_every_sensitive_field() -> None:
    log: list[str] = []
    redactor = Redactor()
    redactor.add(SECRETS["bearer"], SECRETS["client_secret"])
    handler, _ = scripted(
        httpx.Response(
            200,
            json={
                "access_token": SECRETS["new_access"],
                "refresh_token": SECRETS["refresh"],
                "id": 81234567890,
                "start_url": f"https://zoom.us/s/81234567890?zak={SECRETS['zak']}",
                "join_url": f"https://zoom.us/j/81234567890?pwd={SECRETS['pwd']}",
                "registrants": [{"join_url": f"https://zoom.us/w/1?tk={SECRETS['tk']}"}],
                "password": SECRETS["password"],
                "h323_password": SECRETS["h323"],
                "next_page_token": "page-two",
            },
        ),
        httpx.Response(400, json={"code": 124, "message": "Invalid access token."}),
    )
    http = session(handler, log=log, redactor=redactor)
    http.send(
        "POST",
        "https://zoom.example.test/oauth/token?code=" + SECRETS["code"],
        headers={"Authorization": f"Bearer {SECRETS['bearer']}"},
        form={
            "grant_type": "authorization_code",
            "code": SECRETS["code"],
            "code_verifier": SECRETS["verifier"],
            "refresh_token": SECRETS["refresh"],
            "client_secret": SECRETS["client_secret"],
        },
    )
    http.send("GET", URL, headers={"Authorization": f"Bearer {SECRETS['bearer']}"})
    text = "\n".join(log)
    for name, value in SECRETS.items():
        assert value not in text, name
    assert "Bearer ***" in text
    assert "grant_type=authorization_code" in text  # what is not secret stays readable
    assert '"code": 124' in text  # Zoom's error number is not a secret
    assert "next_page_token" in text and "page-two" in text
    assert "81234567890" in text


def test_registered_secret_is_masked_anywhere_also_url_encoded() -> None:
    redactor = Redactor()
    redactor.add("s3cr+t/value=")
    assert redactor.scrub("a s3cr+t/value= b s3cr%2Bt%2Fvalue%3D c") == "a *** b *** c"
    redactor.add("short")  # too short to mask safely everywhere
    assert redactor.scrub("short") == "short"


def test_basic_credentials_are_registered() -> None:
    import base64

    redactor = Redactor()
    redactor.add_basic("client-id", "the-client-secret")
    pair = base64.b64encode(b"client-id:the-client-secret").decode()
    assert redactor.scrub(f"Basic {pair} the-client-secret") == "Basic *** ***"


def test_long_bodies_are_masked_before_they_are_shortened() -> None:
    redactor = Redactor()
    secret = "x-SECRET-" + "s" * 40
    redactor.add(secret)
    body = ("a" * 1990 + secret).encode()
    assert "x-SECRET" not in redactor.body(b'{"note": "' + body + b'"}', "application/json")
    assert "x-SECRET" not in redactor.body(b"a" * 290 + secret.encode(), "text/plain")


def test_error_messages_carry_no_query_secrets() -> None:
    handler, _ = scripted(httpx.ReadError("reset"))
    with pytest.raises(MaybeCommittedError) as caught:
        session(handler).send(
            "POST", "https://zoom.example.test/oauth/token?refresh_token=rt-123456"
        )
    assert "rt-123456" not in str(caught.value)


def test_urls_inside_json_lose_their_secrets_but_keep_paging() -> None:
    body = b'{"u": "https://x.test/y?next_page_token=abc&pwd=sec&zak=z1&tk=t1"}'
    shown = Redactor().body(body, "application/json")
    assert "next_page_token=abc" in shown
    assert "sec" not in shown and "z1" not in shown and "t1" not in shown


def test_pacer_does_not_spin_on_a_clock_that_never_moves() -> None:
    class Frozen(FakeClock):
        def sleep(self, seconds: float) -> None:
            self.sleeps.append(seconds)  # time stands still

    clock = Frozen()
    pacer = Pacer(100, clock)
    for _ in range(5):
        pacer.wait()
    assert len(clock.sleeps) == 4  # one sleep each, then on: no endless loop
