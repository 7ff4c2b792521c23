"""The SimplyBook REST v2 client over respx: requests it sends, answers it understands, errors."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import httpx
import pytest
import respx

from sbzoom.clients.http import MAX_RENEWALS, HttpSession, Pacer, RetryPolicy
from sbzoom.clients.simplybook import (
    FixedToken,
    SimplyBookAuth,
    SimplyBookClient,
    Tokens,
    TwoFactorChallenge,
    api_url_for_domain,
    localize,
    localize_span,
)
from sbzoom.errors import (
    ApiError,
    AuthError,
    ConfigError,
    ExitCode,
    NotFoundError,
    RemoteError,
)
from tests.fakes import FakeClock

API = "https://sb.test"
NY = ZoneInfo("America/New_York")


class RecordingTokens:
    """A TokenSource that renews to ``new-token-<n>`` and counts renewals."""

    def __init__(self, token: str = "old-token-123") -> None:
        self.token = token
        self.renewed: list[str] = []

    def access_token(self) -> str:
        return self.token

    def renew(self, rejected: str) -> str:
        self.renewed.append(rejected)
        self.token = f"new-token-{len(self.renewed)}"
        return self.token


@pytest.fixture
def sb() -> Iterator[respx.MockRouter]:
    with respx.mock(base_url=API, assert_all_called=False) as router:
        yield router


def session(log: list[str] | None = None) -> HttpSession:
    clock = FakeClock(datetime(2025, 3, 1, 12, 0, tzinfo=UTC))
    return HttpSession(
        httpx.Client(),
        service="SimplyBook",
        pacer=Pacer(0, clock),
        clock=clock,
        retry=RetryPolicy(attempts=2, base_delay=0.01),
        log=log.append if log is not None else None,
    )


def client(tokens: RecordingTokens | None = None, tz: ZoneInfo | None = NY) -> SimplyBookClient:
    return SimplyBookClient(session(), API, "demo", tokens or RecordingTokens(), timezone=tz)


def page(items: list[dict[str, object]], number: int, pages: int) -> dict[str, object]:
    meta = {"items_count": 0, "pages_count": pages, "page": number, "on_page": 100}
    return {"data": items, "metadata": meta}


def booking(ident: int, start: str, end: str, **extra: object) -> dict[str, object]:
    return {
        "id": str(ident), "code": f"c{ident}", "status": "confirmed", "is_confirmed": "1",
        "start_datetime": start, "end_datetime": end, "service_id": "3", "provider_id": 2,
        "service": {"id": 3, "name": "Yoga"}, "provider": {"id": 2, "name": "Ann"},
        "client": {"id": "9", "name": "[VIP] Bo", "email": "bo@example.com"},
        "batch_id": None, "batch_type": None, **extra,
    }  # fmt: skip


# -- sign-in ------------------------------------------------------------------------------------


def test_api_url_for_a_regional_domain() -> None:
    assert api_url_for_domain("simplybook.it") == "https://user-api-v2.simplybook.it"


def test_login_posts_credentials_without_auth_headers_and_hides_tokens(
    sb: respx.MockRouter,
) -> None:
    route = sb.post("/admin/auth").respond(
        json={"token": "tok-abcdef", "refresh_token": "ref-abcdef", "company": "demo",
              "login": "admin", "domain": "simplybook.me", "require2fa": False, "id": "4"}
    )  # fmt: skip
    result = SimplyBookAuth(session(), API).login("demo", "admin", "pw-123456")
    assert isinstance(result, Tokens)
    assert (result.token, result.refresh_token, result.user_id) == ("tok-abcdef", "ref-abcdef", 4)
    sent = route.calls.last.request
    assert json.loads(sent.content) == {
        "company": "demo",
        "login": "admin",
        "password": "pw-123456",
    }
    assert "x-token" not in sent.headers
    assert "tok-abcdef" not in repr(result) and "ref-abcdef" not in repr(result)


def test_two_factor_with_an_authenticator_code(sb: respx.MockRouter) -> None:
    sb.post("/admin/auth").respond(
        json={"token": "", "refresh_token": "", "require2fa": True,
              "allowed2fa_providers": ["ga", "sms"], "auth_session_id": "sess-987654"}
    )  # fmt: skip
    verify = sb.post("/admin/auth/2fa").respond(
        json={"token": "tok-2fa-abc", "refresh_token": "ref-2fa-abc"}
    )
    auth = SimplyBookAuth(session(), API)
    challenge = auth.login("demo", "admin2fa", "pw-123456")
    assert isinstance(challenge, TwoFactorChallenge)
    assert challenge.providers == ("ga", "sms") and "sess-987654" not in repr(challenge)
    tokens = auth.verify_code(challenge, "123456", "ga")
    assert tokens.token == "tok-2fa-abc" and tokens.login == "admin2fa"
    assert json.loads(verify.calls.last.request.content) == {
        "company": "demo",
        "session_id": "sess-987654",
        "code": "123456",
        "type": "ga",
    }


def test_two_factor_by_sms_requests_the_sms_with_company_and_session(sb: respx.MockRouter) -> None:
    sms = sb.get("/admin/auth/sms").respond(json=True)
    sb.post("/admin/auth/2fa").respond(json={"token": "tok-sms-abc", "refresh_token": "r-sms-abc"})
    auth = SimplyBookAuth(session(), API)
    challenge = TwoFactorChallenge("demo", "admin2fa", "sess-1", ("sms",))
    auth.request_sms(challenge)
    assert dict(sms.calls.last.request.url.params) == {"company": "demo", "session_id": "sess-1"}
    assert auth.verify_code(challenge, "654321", "sms").token == "tok-sms-abc"


@pytest.mark.parametrize(
    ("status", "body", "step", "words"),
    [
        (400, {"code": 400, "message": "Incorrect login or password"}, "login",
         ["rejected the login 'admin'", "an API user key also works"]),
        (400, {"code": 400, "message": "Invalid company", "data": []}, "login",
         ["has no company 'demo'", "--domain"]),
        (404, {"code": 404, "message": "Company not found"}, "login",
         ["has no company 'demo'", "--company"]),
        (403, {"code": 403, "message": "Too many login attempts"}, "login",
         ["too many login attempts", "Wait before trying again"]),
        (400, {"code": 400, "message": "Wrong code"}, "2fa",
         ["did not accept the two-factor code", "--code"]),
    ],
)  # fmt: skip
def test_login_errors_are_one_clear_auth_error(
    sb: respx.MockRouter, status: int, body: dict[str, object], step: str, words: list[str]
) -> None:
    route = sb.post(f"/admin/auth{'/2fa' if step == '2fa' else ''}").respond(status, json=body)
    auth = SimplyBookAuth(session(), API)
    with pytest.raises(AuthError) as caught:
        if step == "2fa":
            auth.verify_code(TwoFactorChallenge("demo", "admin", "sess-1", ("ga",)), "000000", "ga")
        else:
            auth.login("demo", "admin", "pw-123456")
    text = f"{caught.value.message} {caught.value.hint}"
    assert all(w in text for w in words), text
    assert caught.value.exit_code == ExitCode.AUTH
    assert route.call_count == 1  # never retried, 403 included
    assert "pw-123456" not in text


def test_an_html_error_page_is_a_remote_error(sb: respx.MockRouter) -> None:
    sb.post("/admin/auth").respond(400, html="<html><body>Bad gateway</body></html>")
    with pytest.raises(RemoteError, match="HTML page") as caught:
        SimplyBookAuth(session(), API).login("demo", "admin", "pw-123456")
    assert caught.value.exit_code == ExitCode.REMOTE


def test_refresh_rotates_and_a_dead_refresh_token_gives_none(sb: respx.MockRouter) -> None:
    route = sb.post("/admin/auth/refresh-token")
    route.side_effect = [
        httpx.Response(200, json={"token": "tok-2-abc", "refresh_token": "ref-2-abc"}),
        httpx.Response(401, json={"code": 401, "message": "Unauthorized"}),
    ]
    auth = SimplyBookAuth(session(), API)
    fresh = auth.refresh("demo", "admin", "ref-1-abc")
    assert fresh is not None and (fresh.token, fresh.refresh_token) == ("tok-2-abc", "ref-2-abc")
    assert json.loads(route.calls[0].request.content) == {
        "company": "demo",
        "refresh_token": "ref-1-abc",
    }
    assert auth.refresh("demo", "admin", "ref-1-abc") is None


def test_logout_sends_the_token(sb: respx.MockRouter) -> None:
    route = sb.post("/admin/auth/logout").respond(json=True)
    assert SimplyBookAuth(session(), API).logout("demo", "tok-xyz-123") is True
    sent = route.calls.last.request
    assert sent.headers["X-Token"] == "tok-xyz-123" and sent.headers["X-Company-Login"] == "demo"
    assert json.loads(sent.content) == {"auth_token": "tok-xyz-123"}


# -- token lifecycle in the client --------------------------------------------------------------


def test_419_renews_once_and_retries_with_the_new_token(sb: respx.MockRouter) -> None:
    route = sb.get("/admin/company/info")
    route.side_effect = [
        httpx.Response(419, json={"code": 419, "message": "Token Expired"}),
        httpx.Response(200, json={"name": "Demo", "timezone": "Europe/Rome"}),
    ]
    tokens = RecordingTokens()
    info = client(tokens).company_info()
    assert info.timezone == "Europe/Rome"
    assert tokens.renewed == ["old-token-123"]
    assert [c.request.headers["X-Token"] for c in route.calls] == ["old-token-123", "new-token-1"]


def test_a_second_419_after_renewal_is_an_auth_error_not_a_loop(sb: respx.MockRouter) -> None:
    route = sb.get("/admin/providers").respond(419, json={"code": 419, "message": "Token Expired"})
    tokens = RecordingTokens()
    with pytest.raises(AuthError, match="even after renewing") as caught:
        client(tokens).list_providers()
    assert "sbzoom auth login simplybook" in (caught.value.hint or "")
    # bounded: a few renewals (a token may expire again during a back-off), then a clear error
    assert route.call_count == MAX_RENEWALS + 1 and len(tokens.renewed) == MAX_RENEWALS


def test_a_fixed_token_cannot_be_renewed() -> None:
    with pytest.raises(AuthError):
        FixedToken("tok").renew("tok")


# -- lists, paging, filters ---------------------------------------------------------------------


def test_providers_from_data_metadata_with_string_service_ids(sb: respx.MockRouter) -> None:
    sb.get("/admin/providers").respond(
        json=page([{"id": "2", "name": "Ann", "email": "ann@x.org", "qty": "3",
                    "is_active": True, "services": ["3", "4"]}], 1, 1)
    )  # fmt: skip
    [ann] = client().list_providers()
    assert (ann.id, ann.name, ann.email, ann.qty, ann.service_ids) == (
        2,
        "Ann",
        "ann@x.org",
        3,
        (3, 4),
    )


def test_services_from_a_bare_list_and_their_class_capacity(sb: respx.MockRouter) -> None:
    sb.get("/admin/services").respond(
        json=[
            {"id": 3, "name": "Yoga", "duration": "60", "providers": [2], "limit_booking": 1,
             "is_active": "1"},
            {"id": "4", "name": "Group", "duration": 90, "providers": ["2"], "limit_booking": "8",
             "is_active": False},
        ]
    )  # fmt: skip
    yoga, group = client().list_services()
    assert (yoga.id, yoga.duration, yoga.provider_ids, yoga.is_active) == (3, 60, (2,), True)
    assert (group.id, group.capacity, group.is_active, group.is_class()) == (4, 8, False, True)
    assert yoga.capacity == 1 and not yoga.is_class()


def test_a_provider_taking_several_clients_makes_the_service_a_class() -> None:
    from sbzoom.clients.simplybook import parse_provider, parse_service

    service = parse_service({"id": 3, "name": "Yoga", "providers": [2], "limit_booking": 1})
    solo = parse_provider({"id": 2, "name": "Ann", "qty": 1, "services": ["3"]})
    busy = parse_provider({"id": 2, "name": "Ann", "qty": 5, "services": ["3"]})
    other = parse_provider({"id": 9, "name": "Zed", "qty": 5, "services": ["8"]})
    assert not service.is_class([solo, other])
    assert service.is_class([busy]) and service.slot_capacity([busy]) == 5


def test_booking_filters_use_the_filter_prefix_exactly(sb: respx.MockRouter) -> None:
    route = sb.get("/admin/bookings").respond(json=page([], 1, 1))
    list(
        client().iter_bookings(
            date_from=date(2025, 3, 1), date_to=date(2025, 3, 31), status="confirmed",
            services=[3, 4], providers=[2],
        )
    )  # fmt: skip
    url = route.calls.last.request.url
    assert url.params.multi_items() == [
        ("filter[date_from]", "2025-03-01"),
        ("filter[date_to]", "2025-03-31"),
        ("filter[status]", "confirmed"),
        ("filter[services][]", "3"),
        ("filter[services][]", "4"),
        ("filter[providers][]", "2"),
        ("page", "1"),
        ("on_page", "100"),
    ]
    assert url.query == (
        b"filter%5Bdate_from%5D=2025-03-01&filter%5Bdate_to%5D=2025-03-31&filter%5Bstatus%5D="
        b"confirmed&filter%5Bservices%5D%5B%5D=3&filter%5Bservices%5D%5B%5D=4&filter%5Bproviders"
        b"%5D%5B%5D=2&page=1&on_page=100"
    )
    assert "date_from" not in url.params  # never unprefixed: SimplyBook ignores those


def test_bookings_follow_pages_to_the_last_one_lazily(sb: respx.MockRouter) -> None:
    pages = {
        n: page([booking(n * 10 + i, "2025-03-03 10:00:00", "2025-03-03 11:00:00")
                 for i in range(2)], n, 3)
        for n in (1, 2, 3)
    }  # fmt: skip
    route = sb.get("/admin/bookings")
    route.side_effect = lambda request: httpx.Response(
        200, json=pages[int(request.url.params["page"])]
    )
    stream = client().iter_bookings()
    first = next(stream)
    assert first.id == 10 and route.call_count == 1  # one page at a time
    rest = list(stream)
    assert [b.id for b in [first, *rest]] == [10, 11, 20, 21, 30, 31]
    assert [c.request.url.params["page"] for c in route.calls] == ["1", "2", "3"]


def test_bare_list_pages_continue_until_a_short_page(sb: respx.MockRouter) -> None:
    rows = [booking(i, "2025-03-03 10:00:00", "2025-03-03 11:00:00") for i in range(1, 6)]
    route = sb.get("/admin/bookings")
    route.side_effect = lambda request: httpx.Response(
        200, json=rows[(int(request.url.params["page"]) - 1) * 2 :][:2]
    )
    assert [b.id for b in client().iter_bookings(on_page=2)] == [1, 2, 3, 4, 5]
    assert route.call_count == 3


def test_a_server_ignoring_page_does_not_loop_forever(sb: respx.MockRouter) -> None:
    rows = [booking(i, "2025-03-03 10:00:00", "2025-03-03 11:00:00") for i in (1, 2)]
    route = sb.get("/admin/bookings").respond(json=rows)
    assert [b.id for b in client().iter_bookings(on_page=2)] == [1, 2]
    assert route.call_count == 2


def test_a_booking_is_parsed_defensively(sb: respx.MockRouter) -> None:
    sb.get("/admin/bookings").respond(
        json=page([booking(5, "2025-03-03 10:00:00", "2025-03-03 11:30:00",
                           batch_id="12", batch_type="group", duration="90")], 1, 1)
    )  # fmt: skip
    [b] = client().list_bookings()
    assert (b.id, b.code, b.status, b.is_confirmed) == (5, "c5", "confirmed", True)
    assert (b.service_id, b.service_name, b.provider_id, b.provider_name) == (3, "Yoga", 2, "Ann")
    assert b.client is not None and (b.client.id, b.client.name, b.client.email) == (
        9,
        "[VIP] Bo",
        "bo@example.com",
    )
    assert (b.batch_id, b.batch_type, b.duration) == (12, "group", 90)
    assert b.start == datetime(2025, 3, 3, 10, 0, tzinfo=NY)
    assert b.start.utcoffset() == timedelta(hours=-5)
    assert not b.is_cancelled


def test_bookings_without_a_time_zone_are_a_config_error(sb: respx.MockRouter) -> None:
    sb.get("/admin/bookings").respond(
        json=[booking(5, "2025-03-03 10:00:00", "2025-03-03 11:00:00")]
    )
    with pytest.raises(ConfigError) as caught:
        client(tz=None).list_bookings()
    assert caught.value.exit_code == ExitCode.CONFIG
    assert "simplybook.timezone" in (caught.value.hint or "")


def test_booking_details_carry_the_comment_and_the_comment_can_be_written(
    sb: respx.MockRouter,
) -> None:
    sb.get("/admin/bookings/5").respond(
        json=booking(5, "2025-03-03 10:00:00", "2025-03-03 11:00:00", comment="Bring a mat")
    )
    put = sb.put("/admin/bookings/5/comment").respond(json={"id": 5})
    sb.get("/admin/bookings/6").respond(404, json={"code": 404, "message": "Not found"})
    c = client()
    assert c.get_booking(5).comment == "Bring a mat"
    c.set_booking_comment(5, "Zoom: https://zoom.us/j/1")
    assert json.loads(put.calls.last.request.content) == {"comment": "Zoom: https://zoom.us/j/1"}
    with pytest.raises(NotFoundError, match="no booking 6"):
        c.get_booking(6)


def test_other_errors_carry_simplybooks_message(sb: respx.MockRouter) -> None:
    sb.get("/admin/providers").respond(403, json={"code": 403, "message": "Access denied"})
    sb.get("/admin/services").respond(400, json={"code": 400, "message": "Bad filter"})
    with pytest.raises(AuthError, match="Access denied"):
        client().list_providers()
    with pytest.raises(ApiError, match=r"Bad filter.*HTTP 400"):
        client().list_services()


def test_headers_and_debug_log_never_show_the_token(sb: respx.MockRouter) -> None:
    route = sb.get("/admin/company/info").respond(json={"name": "Demo"})
    log: list[str] = []
    c = SimplyBookClient(session(log), API, "demo", RecordingTokens("tok-very-secret"))
    c.company_info()
    assert route.calls.last.request.headers["X-Company-Login"] == "demo"
    assert route.calls.last.request.headers["X-Token"] == "tok-very-secret"
    assert log and not any("tok-very-secret" in line for line in log)


def test_company_info_ignores_a_time_zone_that_is_not_iana(sb: respx.MockRouter) -> None:
    sb.get("/admin/company/info").respond(json={"name": "Demo", "timezone": "+02:00"})
    assert client().company_info().timezone is None


# -- time zones ---------------------------------------------------------------------------------


def test_wall_times_across_spring_forward(sb: respx.MockRouter) -> None:
    sb.get("/admin/bookings").respond(
        json=[
            booking(1, "2025-03-08 09:00:00", "2025-03-08 10:00:00"),
            booking(2, "2025-03-09 09:00:00", "2025-03-09 10:00:00"),
            booking(3, "2025-03-09 01:30:00", "2025-03-09 03:30:00", duration=60),
        ]
    )
    before, after, across = client().list_bookings()
    assert before.start.astimezone(UTC) == datetime(2025, 3, 8, 14, 0, tzinfo=UTC)
    assert after.start.astimezone(UTC) == datetime(2025, 3, 9, 13, 0, tzinfo=UTC)
    assert (before.start.utcoffset(), after.start.utcoffset()) == (
        timedelta(hours=-5),
        timedelta(hours=-4),
    )
    assert across.end_utc - across.start_utc == timedelta(hours=1)  # elapsed, not wall time
    assert (across.start.hour, across.end.hour) == (1, 3)


def test_wall_times_across_fall_back(sb: respx.MockRouter) -> None:
    sb.get("/admin/bookings").respond(
        json=[
            booking(1, "2025-11-01 09:00:00", "2025-11-01 10:00:00"),
            booking(2, "2025-11-02 09:00:00", "2025-11-02 10:00:00"),
        ]
    )
    before, after = client().list_bookings()
    assert before.start.astimezone(UTC) == datetime(2025, 11, 1, 13, 0, tzinfo=UTC)
    assert after.start.astimezone(UTC) == datetime(2025, 11, 2, 14, 0, tzinfo=UTC)


def test_a_wall_time_in_the_spring_gap_moves_forward() -> None:
    moved = localize(datetime(2025, 3, 9, 2, 30), NY)
    assert (moved.hour, moved.minute) == (3, 30)
    assert moved.astimezone(UTC) == datetime(2025, 3, 9, 7, 30, tzinfo=UTC)


def test_an_ambiguous_wall_time_is_the_first_unless_the_duration_says_otherwise() -> None:
    first = localize(datetime(2025, 11, 2, 1, 30), NY)
    assert first.astimezone(UTC) == datetime(2025, 11, 2, 5, 30, tzinfo=UTC)  # still EDT
    start, end = localize_span(datetime(2025, 11, 2, 1, 0), datetime(2025, 11, 2, 2, 0), NY, 60)
    assert start.astimezone(UTC) == datetime(2025, 11, 2, 6, 0, tzinfo=UTC)  # the second 01:00
    assert end.astimezone(UTC) - start.astimezone(UTC) == timedelta(minutes=60)
    start, end = localize_span(datetime(2025, 11, 2, 1, 0), datetime(2025, 11, 2, 1, 30), NY, 30)
    assert end.astimezone(UTC) - start.astimezone(UTC) == timedelta(minutes=30)
    assert start.astimezone(UTC) == datetime(2025, 11, 2, 5, 0, tzinfo=UTC)  # both first: EDT
