"""How ZoomClient turns Zoom's error answers into errors: renewals, scopes, gone, limits."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx
import pytest
import respx

from sbzoom.clients.http import MAX_RENEWALS
from sbzoom.clients.zoom import (
    DailyLimitError,
    HostNotAllowedError,
    MeetingGoneError,
    MeetingRequest,
    TokenRejectedError,
    ZoomClient,
    ZoomUserGoneError,
)
from sbzoom.clients.zoom.errors import missing_scopes
from sbzoom.errors import ApiError, ExitCode, MissingScopeError, RateLimitedError
from tests.fakes import NOW, FakeClock, FakeTokens
from tests.unit.clients.zoom.wire import API, assert_authorised


def test_expired_token_is_renewed_once_and_the_call_retried(
    zoom: ZoomClient, router: respx.Router, tokens: FakeTokens
) -> None:
    route = router.get(f"{API}/users/me").mock(
        side_effect=[
            httpx.Response(401, json={"code": 124, "message": "Access token is expired."}),
            httpx.Response(200, json={"id": "u1", "email": "ann@x.test"}),
        ]
    )
    assert zoom.get_user().id == "u1"
    assert tokens.renewed == ["tok-1-abcdef"]
    assert_authorised(route.calls[0].request, "tok-1-abcdef")
    assert_authorised(route.calls[1].request, "tok-2-abcdef")


def test_a_token_rejected_after_every_renewal_is_an_auth_error_not_a_loop(
    zoom: ZoomClient, router: respx.Router, tokens: FakeTokens
) -> None:
    route = router.get(f"{API}/users/me").respond(
        401, json={"code": 124, "message": "Invalid access token."}
    )
    with pytest.raises(TokenRejectedError) as caught:
        zoom.get_user()
    assert len(tokens.renewed) == MAX_RENEWALS and route.call_count == MAX_RENEWALS + 1
    assert caught.value.exit_code == ExitCode.AUTH
    assert "sbzoom auth login zoom" in (caught.value.hint or "")


def test_missing_scope_names_it_and_does_not_renew(
    zoom: ZoomClient, router: respx.Router, tokens: FakeTokens
) -> None:
    router.get(f"{API}/users").respond(
        401,
        json={
            "code": 4700,
            "message": "Invalid access token, does not contain scopes:"
            "[user:read:list_users:admin, user:read:admin].",
        },
    )
    with pytest.raises(MissingScopeError) as caught:
        zoom.list_users()
    assert caught.value.scopes == ["user:read:list_users:admin", "user:read:admin"]
    assert "user:read:list_users:admin" in caught.value.message
    assert caught.value.hint == (
        "Add the scope in the Zoom Marketplace app, then run 'sbzoom auth login zoom'."
    )
    assert caught.value.exit_code == ExitCode.AUTH and tokens.renewed == []


@pytest.mark.parametrize(
    ("message", "scopes"),
    [
        (
            "Invalid access token, does not contain scopes:[meeting:write:meeting:admin]",
            ["meeting:write:meeting:admin"],
        ),
        ("does not contain scopes: [a:b:c, d:e]", ["a:b:c", "d:e"]),
        ("Missing scope meeting:update:meeting:admin.", ["meeting:update:meeting:admin"]),
        ("Invalid access token, does not contain scopes", []),
    ],
)
def test_missing_scopes_parsing(message: str, scopes: list[str]) -> None:
    assert missing_scopes(message) == scopes


def test_user_gone(zoom: ZoomClient, router: respx.Router) -> None:
    router.post(f"{API}/users/u9/meetings").respond(
        404, json={"code": 1001, "message": "User does not exist: u9."}
    )
    with pytest.raises(ZoomUserGoneError) as caught:
        zoom.create_meeting("u9", MeetingRequest(topic="T"))
    assert caught.value.user == "u9" and caught.value.code == 1001
    assert "providers map" in (caught.value.hint or "")


def test_meeting_gone_on_get_and_update(zoom: ZoomClient, router: respx.Router) -> None:
    gone = {"code": 3001, "message": "Meeting does not exist."}
    router.get(f"{API}/meetings/5").respond(404, json=gone)
    router.patch(f"{API}/meetings/5").respond(404, json=gone)
    with pytest.raises(MeetingGoneError) as caught:
        zoom.get_meeting(5)
    assert caught.value.meeting_id == 5
    with pytest.raises(MeetingGoneError):
        zoom.update_meeting(5, MeetingRequest(topic="x"))


def test_host_not_allowed(zoom: ZoomClient, router: respx.Router) -> None:
    router.post(f"{API}/users/u1/meetings").respond(
        400,
        json={
            "code": 3161,
            "message": "Meeting hosting and scheduling capabilities are not allowed for your "
            "user account.",
        },
    )
    with pytest.raises(HostNotAllowedError) as caught:
        zoom.create_meeting("u1", MeetingRequest(topic="T"))
    assert caught.value.host == "u1" and caught.value.code == 3161


DAILY_MESSAGE = (
    "You have exceeded the daily rate limit (100) of Meeting Create/Update API requests "
    "permitted for this particular user. You may resume these requests at GMT 00:00:00."
)


def test_daily_limit_by_message_is_never_retried_and_resets_at_midnight_utc(
    zoom: ZoomClient, router: respx.Router, clock: FakeClock
) -> None:
    route = router.post(f"{API}/users/u1/meetings").respond(
        429, json={"code": 429, "message": DAILY_MESSAGE}
    )
    with pytest.raises(DailyLimitError) as caught:
        zoom.create_meeting("u1", MeetingRequest(topic="T"))
    assert route.call_count == 1 and clock.sleeps == []
    assert caught.value.host == "u1"
    assert caught.value.reset_at == datetime(2026, 3, 3, tzinfo=UTC)
    assert caught.value.exit_code == ExitCode.REMOTE


def test_daily_limit_by_header_with_retry_after_date(
    zoom: ZoomClient, router: respx.Router, clock: FakeClock
) -> None:
    route = router.patch(f"{API}/meetings/7").respond(
        429,
        headers={"X-RateLimit-Type": "Daily-limit", "Retry-After": "2026-03-03T00:00:00Z"},
        json={"code": 429, "message": "Too many requests."},
    )
    with pytest.raises(DailyLimitError) as caught:
        zoom.update_meeting(7, MeetingRequest(topic="T"), host="u1")
    assert route.call_count == 1 and clock.sleeps == []
    assert caught.value.host == "u1" and caught.value.reset_at == datetime(2026, 3, 3, tzinfo=UTC)


def test_daily_limit_retry_after_in_seconds(zoom: ZoomClient, router: respx.Router) -> None:
    router.post(f"{API}/users/u1/meetings").respond(
        429,
        headers={"X-RateLimit-Type": "Daily-limit", "Retry-After": "7200"},
        json={"code": 429, "message": "You have reached the maximum daily rate limit."},
    )
    with pytest.raises(DailyLimitError) as caught:
        zoom.create_meeting("u1", MeetingRequest(topic="T"))
    assert caught.value.reset_at == NOW + timedelta(hours=2)


def test_daily_limit_as_code_300(zoom: ZoomClient, router: respx.Router) -> None:
    router.post(f"{API}/users/u1/meetings").respond(
        400,
        json={
            "code": 300,
            "message": "A maximum of 100 meetings can be created/updated for a single user "
            "in one day.",
        },
    )
    with pytest.raises(DailyLimitError) as caught:
        zoom.create_meeting("u1", MeetingRequest(topic="T"))
    assert caught.value.host == "u1"


def test_per_second_429_is_retried(
    zoom: ZoomClient, router: respx.Router, clock: FakeClock
) -> None:
    route = router.get(f"{API}/users/me").mock(
        side_effect=[
            httpx.Response(
                429,
                headers={"X-RateLimit-Type": "QPS"},
                json={
                    "code": 429,
                    "message": "You have reached the maximum per-second rate "
                    "limit for this API. Try again later.",
                },
            ),
            httpx.Response(200, json={"id": "u1", "email": "a@x.test"}),
        ]
    )
    assert zoom.get_user().id == "u1"
    assert route.call_count == 2 and len(clock.sleeps) == 1


def test_per_second_429_that_persists_is_rate_limited(
    zoom: ZoomClient, router: respx.Router
) -> None:
    router.get(f"{API}/users/me").respond(429, json={"code": 429, "message": "per-second"})
    with pytest.raises(RateLimitedError) as caught:
        zoom.get_user()
    assert not isinstance(caught.value, DailyLimitError)


def test_other_client_errors_carry_zoom_code_and_message(
    zoom: ZoomClient, router: respx.Router
) -> None:
    router.post(f"{API}/meetings/5/registrants").respond(
        400, json={"code": 3043, "message": "Meeting has reached maximum attendee capacity."}
    )
    with pytest.raises(ApiError) as caught:
        zoom.add_registrant(5, "a@x.test", "A")
    error = caught.value
    assert (error.service, error.status, error.code) == ("Zoom", 400, 3043)
    assert "maximum attendee capacity" in error.message
    assert error.exit_code == ExitCode.FAILURE


def test_html_error_page_is_still_an_api_error(zoom: ZoomClient, router: respx.Router) -> None:
    router.get(f"{API}/users/me").respond(403, text="<html>Forbidden</html>")
    with pytest.raises(ApiError) as caught:
        zoom.get_user()
    assert caught.value.status == 403 and caught.value.code is None


def test_code_4711_without_scope_names_falls_back_to_the_scope_table(
    zoom: ZoomClient, router: respx.Router, tokens: FakeTokens
) -> None:
    router.get(f"{API}/meetings/55/registrants/r1").respond(
        400, json={"code": 4711, "message": "Invalid access token, does not contain scopes."}
    )
    with pytest.raises(MissingScopeError) as caught:
        zoom.get_registrant(55, "r1")
    assert caught.value.scopes == ["meeting:read:registrant:admin"]
    assert tokens.renewed == []
