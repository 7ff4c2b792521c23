"""The Zoom REST and OAuth client: request shapes, pagination, and every Zoom error we map."""

from __future__ import annotations

import base64
import json
import random
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs
from zoneinfo import ZoneInfo

import httpx
import pytest
import respx

from sbzoom import __version__
from sbzoom.clients.http import (
    MAX_RENEWALS,
    HttpSession,
    MaybeCommittedError,
    Pacer,
    Redactor,
    RetryPolicy,
)
from sbzoom.clients.zoom import (
    DailyLimitError,
    HostNotAllowedError,
    Meeting,
    MeetingGoneError,
    MeetingRequest,
    MeetingSettings,
    Registrant,
    TokenRejectedError,
    TokenRequestError,
    ZoomClient,
    ZoomOAuth,
    ZoomUserGoneError,
)
from sbzoom.clients.zoom.errors import missing_scopes
from sbzoom.errors import ApiError, ExitCode, MissingScopeError, RateLimitedError
from tests.fakes import NOW, FakeClock

API = "https://api.zoom.test/v2"
OAUTH = "https://zoom.test"
BIG_ID = 85746065123  # more than 32 bits, as real meeting ids are


class FakeTokens:
    def __init__(self) -> None:
        self.token = "tok-1-abcdef"
        self.renewed: list[str] = []

    def access_token(self) -> str:
        return self.token

    def renew(self, rejected: str) -> str:
        self.renewed.append(rejected)
        self.token = f"tok-{len(self.renewed) + 1}-abcdef"
        return self.token


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def router() -> Iterator[respx.Router]:
    router = respx.Router(assert_all_called=False)
    yield router


def make_session(router: respx.Router, clock: FakeClock) -> HttpSession:
    return HttpSession(
        httpx.Client(transport=httpx.MockTransport(router.handler)),
        service="Zoom",
        pacer=Pacer(0, clock),
        clock=clock,
        retry=RetryPolicy(attempts=3),
        redactor=Redactor(),
        rng=random.Random(1),
    )


@pytest.fixture
def tokens() -> FakeTokens:
    return FakeTokens()


@pytest.fixture
def zoom(router: respx.Router, clock: FakeClock, tokens: FakeTokens) -> ZoomClient:
    return ZoomClient(make_session(router, clock), API, tokens)


def body_of(request: httpx.Request) -> object:
    return json.loads(request.content)


def query_of(request: httpx.Request) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(request.url.query.decode()).items()}


def assert_authorised(request: httpx.Request, token: str = "tok-1-abcdef") -> None:
    assert request.headers["Authorization"] == f"Bearer {token}"
    assert request.headers["User-Agent"] == f"sbzoom/{__version__}"


# -- users -------------------------------------------------------------------------------------


def test_list_users_follows_next_page_token(zoom: ZoomClient, router: respx.Router) -> None:
    route = router.get(f"{API}/users").mock(
        side_effect=[
            httpx.Response(
                200,
                json={
                    "next_page_token": "p2",
                    "users": [
                        {
                            "id": "u1",
                            "email": "ann@x.test",
                            "first_name": "Ann",
                            "last_name": "Lee",
                            "type": 2,
                            "status": "active",
                        },
                    ],
                },
            ),
            httpx.Response(
                200,
                json={
                    "next_page_token": "",
                    "users": [{"id": "u2", "email": "bo@x.test", "type": 1, "status": "active"}],
                },
            ),
        ]
    )
    users = zoom.list_users()
    assert [u.id for u in users] == ["u1", "u2"]
    assert users[0].name == "Ann Lee" and users[0].licensed and not users[1].licensed
    first, second = (call.request for call in route.calls)
    assert first.method == "GET"
    assert query_of(first) == {"status": "active", "page_size": "300"}
    assert query_of(second) == {"status": "active", "page_size": "300", "next_page_token": "p2"}
    assert_authorised(first)


def test_pending_users_have_an_empty_id(zoom: ZoomClient, router: respx.Router) -> None:
    router.get(f"{API}/users").respond(
        200, json={"users": [{"email": "new@x.test", "type": 1, "status": "pending"}]}
    )
    (user,) = zoom.list_users("pending")
    assert user.id == "" and user.email == "new@x.test" and user.status == "pending"


def test_a_repeated_page_token_ends_the_listing(zoom: ZoomClient, router: respx.Router) -> None:
    route = router.get(f"{API}/users").respond(
        200, json={"next_page_token": "same", "users": [{"id": "u1", "email": "a@x.test"}]}
    )
    assert len(zoom.list_users()) == 2
    assert route.call_count == 2


def test_get_user_by_email_or_me(zoom: ZoomClient, router: respx.Router) -> None:
    route = router.get(url__regex=rf"{API}/users/.+").respond(
        200, json={"id": "u1", "email": "ann@x.test", "account_id": "acc1", "type": 2}
    )
    assert zoom.get_user().account_id == "acc1"
    zoom.get_user("ann@x.test")
    assert [c.request.url.path for c in route.calls] == ["/v2/users/me", "/v2/users/ann@x.test"]


# -- meetings ----------------------------------------------------------------------------------


MEETING = {
    "id": BIG_ID,
    "uuid": "abc==",
    "host_id": "u1",
    "host_email": "ann@x.test",
    "topic": "Yoga with Ann",
    "type": 2,
    "start_time": "2026-03-10T08:00:00Z",
    "duration": 45,
    "timezone": "Europe/Copenhagen",
    "agenda": "[sbzoom:b42] Booking 42",
    "created_at": "2026-03-02T12:00:00Z",
    "join_url": f"https://zoom.us/j/{BIG_ID}?pwd=xyz",
    "start_url": f"https://zoom.us/s/{BIG_ID}?zak=secret-zak",
    "password": "123456",
    "registration_url": f"https://zoom.us/meeting/register/{BIG_ID}",
    "settings": {"approval_type": 1, "waiting_room": True},
}


def test_create_meeting_posts_utc_times_and_parses_the_answer(
    zoom: ZoomClient, router: respx.Router
) -> None:
    route = router.post(f"{API}/users/u1/meetings").respond(201, json=MEETING)
    local_start = datetime(2026, 3, 10, 9, 0, tzinfo=ZoneInfo("Europe/Copenhagen"))
    request = MeetingRequest(
        topic="Yoga with Ann",
        start_time=local_start,  # sent as the same instant in UTC
        duration=45,
        timezone="Europe/Copenhagen",
        agenda="[sbzoom:b42] Booking 42",
        settings=MeetingSettings(
            waiting_room=True, approval_type=1, registrants_email_notification=False
        ),
    )
    meeting = zoom.create_meeting("u1", request)
    sent = route.calls.last.request
    assert sent.method == "POST" and sent.headers["Content-Type"] == "application/json"
    assert_authorised(sent)
    assert body_of(sent) == {
        "topic": "Yoga with Ann",
        "type": 2,
        "start_time": "2026-03-10T08:00:00Z",
        "duration": 45,
        "timezone": "Europe/Copenhagen",
        "agenda": "[sbzoom:b42] Booking 42",
        "settings": {
            "waiting_room": True,
            "approval_type": 1,
            "registrants_email_notification": False,
        },
    }
    assert meeting.id == BIG_ID and isinstance(meeting.id, int)
    assert meeting.start_time == datetime(2026, 3, 10, 8, 0, tzinfo=UTC)
    assert meeting.start_time is not None and meeting.start_time.tzinfo is not None
    assert meeting.registration is True
    assert meeting.join_url == MEETING["join_url"] and meeting.agenda.startswith("[sbzoom:b42]")
    assert "zak" not in repr(meeting) and "123456" not in repr(meeting)


def test_create_meeting_takes_a_plain_body_too(zoom: ZoomClient, router: respx.Router) -> None:
    route = router.post(f"{API}/users/ann%40x.test/meetings").respond(201, json=MEETING)
    zoom.create_meeting("ann@x.test", {"topic": "T", "start_time": "2026-03-10T08:00:00Z"})
    assert body_of(route.calls.last.request) == {
        "topic": "T",
        "start_time": "2026-03-10T08:00:00Z",
        "type": 2,
    }


def test_naive_times_are_refused_before_anything_is_sent() -> None:
    with pytest.raises(ValueError, match="aware"):
        MeetingRequest(start_time=datetime(2026, 3, 10, 8, 0)).to_json()


def test_create_meeting_whose_connection_drops_is_maybe_committed(
    zoom: ZoomClient, router: respx.Router
) -> None:
    route = router.post(f"{API}/users/u1/meetings").mock(side_effect=httpx.ReadError("reset"))
    with pytest.raises(MaybeCommittedError):
        zoom.create_meeting("u1", MeetingRequest(topic="T"))
    assert route.call_count == 1


def test_get_meeting_keeps_a_fresh_start_url(zoom: ZoomClient, router: respx.Router) -> None:
    router.get(f"{API}/meetings/{BIG_ID}").respond(200, json={**MEETING, "status": "waiting"})
    meeting = zoom.get_meeting(BIG_ID)
    assert meeting.start_url.endswith("zak=secret-zak") and meeting.status == "waiting"
    assert meeting.settings["waiting_room"] is True


def test_update_meeting_patches_only_given_fields(zoom: ZoomClient, router: respx.Router) -> None:
    route = router.patch(f"{API}/meetings/{BIG_ID}").respond(204)
    start = datetime(2026, 3, 11, 8, 30, tzinfo=UTC)
    assert zoom.update_meeting(BIG_ID, MeetingRequest(start_time=start, duration=60)) is None
    sent = route.calls.last.request
    assert sent.method == "PATCH"
    assert body_of(sent) == {"start_time": "2026-03-11T08:30:00Z", "duration": 60}
    assert_authorised(sent)


def test_delete_meeting(zoom: ZoomClient, router: respx.Router) -> None:
    route = router.delete(f"{API}/meetings/{BIG_ID}").respond(204)
    assert zoom.delete_meeting(BIG_ID) is True
    assert query_of(route.calls.last.request) == {"cancel_meeting_reminder": "false"}


def test_deleting_a_gone_meeting_is_done(zoom: ZoomClient, router: respx.Router) -> None:
    router.delete(f"{API}/meetings/{BIG_ID}").respond(
        404, json={"code": 3001, "message": f"Meeting {BIG_ID} is not found or has expired."}
    )
    assert zoom.delete_meeting(BIG_ID) is False


def test_list_meetings_upcoming_paginated(zoom: ZoomClient, router: respx.Router) -> None:
    route = router.get(f"{API}/users/u1/meetings").mock(
        side_effect=[
            httpx.Response(200, json={"next_page_token": "n", "meetings": [MEETING]}),
            httpx.Response(200, json={"meetings": [{**MEETING, "id": BIG_ID + 1}]}),
        ]
    )
    meetings = zoom.list_meetings("u1")
    assert [m.id for m in meetings] == [BIG_ID, BIG_ID + 1]
    assert query_of(route.calls[0].request) == {"type": "upcoming", "page_size": "300"}
    assert query_of(route.calls[1].request)["next_page_token"] == "n"


def test_listing_answers_without_settings_leave_registration_unknown() -> None:
    assert Meeting(id=1).registration is None
    assert Meeting(id=1, approval_type=2).registration is False


# -- registrants -------------------------------------------------------------------------------


def test_add_registrant(zoom: ZoomClient, router: respx.Router) -> None:
    route = router.post(f"{API}/meetings/{BIG_ID}/registrants").respond(
        201,
        json={
            "id": BIG_ID,
            "registrant_id": "r1",
            "join_url": "https://zoom.us/w/1?tk=abc",
            "topic": "Yoga",
            "start_time": "2026-03-10T08:00:00Z",
        },
    )
    registrant = zoom.add_registrant(BIG_ID, "cy@x.test", "Cy", "Dee")
    assert body_of(route.calls.last.request) == {
        "email": "cy@x.test",
        "first_name": "Cy",
        "last_name": "Dee",
        "auto_approve": True,
    }
    assert registrant == Registrant(
        "r1", "cy@x.test", "Cy", "Dee", "approved", "https://zoom.us/w/1?tk=abc"
    )


def test_list_registrants_paginated(zoom: ZoomClient, router: respx.Router) -> None:
    route = router.get(f"{API}/meetings/{BIG_ID}/registrants").mock(
        side_effect=[
            httpx.Response(
                200,
                json={
                    "next_page_token": "n2",
                    "registrants": [
                        {
                            "id": "r1",
                            "email": "a@x.test",
                            "status": "approved",
                            "join_url": "https://j/1",
                            "create_time": "2026-03-01T10:00:00Z",
                        }
                    ],
                },
            ),
            httpx.Response(200, json={"registrants": [{"id": "r2", "email": "b@x.test"}]}),
        ]
    )
    found = zoom.list_registrants(BIG_ID)
    assert [r.id for r in found] == ["r1", "r2"]
    assert found[0].create_time == datetime(2026, 3, 1, 10, tzinfo=UTC)
    assert query_of(route.calls[0].request) == {"status": "approved", "page_size": "300"}
    assert query_of(route.calls[1].request)["next_page_token"] == "n2"


def test_cancel_registrants_in_batches_of_30(zoom: ZoomClient, router: respx.Router) -> None:
    route = router.put(f"{API}/meetings/{BIG_ID}/registrants/status").respond(204)
    people = [Registrant(f"r{i}", f"p{i}@x.test") for i in range(65)]
    zoom.cancel_registrants(BIG_ID, people)
    bodies = [body_of(c.request) for c in route.calls]
    assert [len(b["registrants"]) for b in bodies] == [30, 30, 5]  # type: ignore[index]
    assert all(b["action"] == "cancel" for b in bodies)  # type: ignore[index]
    assert bodies[0]["registrants"][0] == {"id": "r0", "email": "p0@x.test"}  # type: ignore[index]


def test_cancel_registrant_without_email_sends_only_the_id(
    zoom: ZoomClient, router: respx.Router
) -> None:
    route = router.put(f"{API}/meetings/{BIG_ID}/registrants/status").respond(204)
    zoom.cancel_registrants(BIG_ID, [Registrant("r9", "")])
    assert body_of(route.calls.last.request) == {"action": "cancel", "registrants": [{"id": "r9"}]}
    zoom.cancel_registrants(BIG_ID, [])
    assert route.call_count == 1


# -- errors ------------------------------------------------------------------------------------


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


# -- OAuth -------------------------------------------------------------------------------------


@pytest.fixture
def oauth(router: respx.Router, clock: FakeClock) -> ZoomOAuth:
    return ZoomOAuth(make_session(router, clock), OAUTH, "client-1", "secret-1234567")


BASIC = "Basic " + base64.b64encode(b"client-1:secret-1234567").decode()
GRANT = {
    "access_token": "new-access-123456",
    "token_type": "bearer",
    "refresh_token": "new-refresh-123456",
    "expires_in": 3599,
    "scope": "user:read:list_users:admin meeting:write:meeting:admin",
    "api_url": "https://eu01api.zoom.us",
}


def form_of(request: httpx.Request) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(request.content.decode()).items()}


def test_authorize_url_asks_for_pkce_s256_and_state(oauth: ZoomOAuth) -> None:
    url = httpx.URL(
        oauth.authorize_url(
            redirect_uri="http://127.0.0.1:8765/callback", state="st", code_challenge="ch"
        )
    )
    assert str(url).startswith(f"{OAUTH}/oauth/authorize?")
    assert dict(url.params) == {
        "response_type": "code",
        "client_id": "client-1",
        "redirect_uri": "http://127.0.0.1:8765/callback",
        "state": "st",
        "code_challenge": "ch",
        "code_challenge_method": "S256",
    }


def test_exchange_code(oauth: ZoomOAuth, router: respx.Router, clock: FakeClock) -> None:
    route = router.post(f"{OAUTH}/oauth/token").respond(200, json=GRANT)
    grant = oauth.exchange_code(
        "the-code-1234", redirect_uri="http://127.0.0.1:8765/callback", code_verifier="v" * 50
    )
    sent = route.calls.last.request
    assert sent.headers["Authorization"] == BASIC
    assert sent.headers["Content-Type"] == "application/x-www-form-urlencoded"
    assert form_of(sent) == {
        "grant_type": "authorization_code",
        "code": "the-code-1234",
        "redirect_uri": "http://127.0.0.1:8765/callback",
        "code_verifier": "v" * 50,
    }
    assert grant.access_token == "new-access-123456"
    assert grant.refresh_token == "new-refresh-123456"
    assert grant.expires_at == clock.now() + timedelta(seconds=3599)
    assert grant.api_url == "https://eu01api.zoom.us"
    assert grant.can_list_all_users
    assert "new-access" not in repr(grant) and "new-refresh" not in repr(grant)


def test_refresh(oauth: ZoomOAuth, router: respx.Router) -> None:
    route = router.post(f"{OAUTH}/oauth/token").respond(200, json=GRANT)
    oauth.refresh("old-refresh-123456")
    assert form_of(route.calls.last.request) == {
        "grant_type": "refresh_token",
        "refresh_token": "old-refresh-123456",
    }


def test_refresh_rejected_as_invalid_grant(oauth: ZoomOAuth, router: respx.Router) -> None:
    router.post(f"{OAUTH}/oauth/token").respond(
        400, json={"reason": "Invalid Token!", "error": "invalid_grant"}
    )
    with pytest.raises(TokenRequestError) as caught:
        oauth.refresh("old-refresh-123456")
    assert caught.value.grant_is_dead and caught.value.exit_code == ExitCode.AUTH
    assert "old-refresh-123456" not in caught.value.message


def test_revoked_grant_code_4741_is_dead(oauth: ZoomOAuth, router: respx.Router) -> None:
    router.post(f"{OAUTH}/oauth/token").respond(
        400, json={"code": 4741, "message": "Token has been revoked."}
    )
    with pytest.raises(TokenRequestError) as caught:
        oauth.refresh("old-refresh-123456")
    assert caught.value.grant_is_dead


def test_refresh_whose_answer_is_lost(oauth: ZoomOAuth, router: respx.Router) -> None:
    route = router.post(f"{OAUTH}/oauth/token").mock(side_effect=httpx.ReadError("reset"))
    with pytest.raises(Exception) as caught:
        oauth.refresh("old-refresh-123456")
    assert route.call_count == 1  # a refresh token is spent once sent: never sent twice
    assert "refresh token may be spent" in str(caught.value)


def test_bad_client_credentials(oauth: ZoomOAuth, router: respx.Router) -> None:
    router.post(f"{OAUTH}/oauth/token").respond(
        401, json={"reason": "Invalid client_id or client_secret", "error": "invalid_client"}
    )
    with pytest.raises(TokenRequestError) as caught:
        oauth.account_token("acc-1")
    assert not caught.value.grant_is_dead
    assert "client ID or secret" in caught.value.message


def test_account_token(oauth: ZoomOAuth, router: respx.Router) -> None:
    route = router.post(f"{OAUTH}/oauth/token").respond(
        200, json={"access_token": "s2s-access-123456", "expires_in": 3600, "scope": "a:b"}
    )
    grant = oauth.account_token("acc-1")
    assert form_of(route.calls.last.request) == {
        "grant_type": "account_credentials",
        "account_id": "acc-1",
    }
    assert route.calls.last.request.headers["Authorization"] == BASIC
    assert grant.refresh_token is None and grant.scopes == ("a:b",)


def test_revoke(oauth: ZoomOAuth, router: respx.Router) -> None:
    route = router.post(f"{OAUTH}/oauth/revoke").respond(200, json={"status": "success"})
    oauth.revoke("some-token-123456")
    sent = route.calls.last.request
    assert form_of(sent) == {"token": "some-token-123456"}
    assert sent.headers["Authorization"] == BASIC


def test_revoke_refused(oauth: ZoomOAuth, router: respx.Router) -> None:
    router.post(f"{OAUTH}/oauth/revoke").respond(400, json={"reason": "bad", "error": "x"})
    with pytest.raises(ApiError):
        oauth.revoke("some-token-123456")


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


def test_registrant_calls_on_a_gone_meeting_code_300_are_meeting_gone(
    zoom: ZoomClient, router: respx.Router
) -> None:
    from sbzoom.clients.zoom import MeetingGoneError

    router.get(f"{API}/meetings/77/registrants").respond(
        400, json={"code": 300, "message": "Meeting 77 is not found or has expired."}
    )
    with pytest.raises(MeetingGoneError):
        zoom.list_registrants(77)
    router.post(f"{API}/meetings/78/registrants").respond(
        400, json={"code": 300, "message": "This meeting has not set registration as required"}
    )
    with pytest.raises(ApiError) as other:
        zoom.add_registrant(78, "a@b.example", "A")
    assert not isinstance(other.value, MeetingGoneError)


def test_add_registrant_reads_the_personal_link_the_201_leaves_out(
    zoom: ZoomClient, router: respx.Router
) -> None:
    made = router.post(f"{API}/meetings/9/registrants").respond(
        201, json={"id": 9, "registrant_id": "rid-1", "topic": "Yoga"}
    )
    router.get(f"{API}/meetings/9/registrants/rid-1").respond(
        200,
        json={"id": "rid-1", "email": "a@b.example", "status": "approved",
              "join_url": "https://zoom.test/j/9?tk=personal"},
    )  # fmt: skip
    registrant = zoom.add_registrant(9, "a@b.example", "Ñ" * 70, "e\u0301" * 40)
    assert registrant.join_url == "https://zoom.test/j/9?tk=personal"
    body = json.loads(made.calls[0].request.content)
    assert len(body["first_name"]) == 64
    assert len(body["last_name"]) <= 64 and body["last_name"].endswith("\u0301")


def test_cut_text_never_splits_a_letter_from_its_accent() -> None:
    from sbzoom.clients.zoom import cut_text

    assert cut_text("abc", 5) == "abc"
    assert cut_text("ab e\u0301f", 4) == "ab"  # 'e' + accent would be torn at 4
    assert cut_text("abcde\u0301", 5) == "abcd"
    assert cut_text("x" * 300, 200) == "x" * 200
