"""HttpSession: retries and backoff, 429s, MaybeCommitted, pacing and the debug log."""

from __future__ import annotations

import random
import ssl
from datetime import timedelta

import httpx
import pytest

from sbzoom import __version__
from sbzoom.clients.circuit import Circuit
from sbzoom.clients.http import MAX_RENEWALS, HttpSession, MaybeCommittedError, Pacer, Redactor
from sbzoom.errors import ConfigError, ExitCode, RateLimitedError, RemoteError
from tests.fakes import NOW, FakeClock, FakeTokens
from tests.unit.clients.http.sessions import URL, most_in_any_second, scripted, session


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
    assert most_in_any_second(starts) == 20


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


def test_error_messages_carry_no_query_secrets() -> None:
    handler, _ = scripted(httpx.ReadError("reset"))
    with pytest.raises(MaybeCommittedError) as caught:
        session(handler).send(
            "POST", "https://zoom.example.test/oauth/token?refresh_token=rt-123456"
        )
    assert "rt-123456" not in str(caught.value)


def send_with(tokens: FakeTokens, *answers: int) -> tuple[int, list[str]]:
    handler, seen = scripted(*[httpx.Response(status) for status in answers])
    response = session(handler).send_with_token(
        "GET",
        URL,
        tokens=tokens,
        credentials=lambda token: {"X-Token": token},
        refused=lambda answer: answer.status_code in (401, 419),
    )
    return response.status_code, [request.headers["X-Token"] for request in seen]


def test_a_refused_token_is_renewed_and_the_request_sent_again() -> None:
    tokens = FakeTokens("token-0-abcdef", ["token-1-abcdef"])
    assert send_with(tokens, 419, 200) == (200, ["token-0-abcdef", "token-1-abcdef"])
    assert tokens.renewed == ["token-0-abcdef"]


def test_a_renewal_that_yields_no_new_token_ends_the_call_with_the_refusal() -> None:
    tokens = FakeTokens("token-0-abcdef")
    assert send_with(tokens, 401) == (401, ["token-0-abcdef"])
    assert tokens.renewed == ["token-0-abcdef"]


def test_renewals_stop_after_max_renewals() -> None:
    renewed = [f"token-{n}-abcdef" for n in range(1, MAX_RENEWALS + 2)]
    status, sent = send_with(FakeTokens("token-0-abcdef", renewed), *[401] * (MAX_RENEWALS + 1))
    assert status == 401 and sent == ["token-0-abcdef", *renewed[:MAX_RENEWALS]]


def test_every_client_shares_one_tls_context() -> None:
    """Building a client must not load the CA bundle again (60-120 ms each, three per run)."""
    from sbzoom.clients.http.session import build_client

    one, two = build_client(), build_client()
    try:
        first = one._transport._pool._ssl_context  # type: ignore[attr-defined]
        second = two._transport._pool._ssl_context  # type: ignore[attr-defined]
        assert first is not None and first is second
        assert first.verify_mode == ssl.CERT_REQUIRED and first.check_hostname
    finally:
        one.close()
        two.close()
