"""SimplyBookClient over respx: the admin calls it sends, the answers it reads, its errors."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta

import httpx
import pytest
import respx

from sbzoom.clients.http import MAX_RENEWALS
from sbzoom.clients.simplybook import SimplyBookClient, api_url_for_domain
from sbzoom.errors import ApiError, AuthError, ConfigError, ExitCode, NotFoundError
from tests.unit.clients.simplybook.wire import API, NY, booking, client, page, sb_tokens, session


def test_api_url_for_a_regional_domain() -> None:
    assert api_url_for_domain("simplybook.it") == "https://user-api-v2.simplybook.it"


# -- token lifecycle in the client --------------------------------------------------------------


def test_419_renews_once_and_retries_with_the_new_token(sb: respx.MockRouter) -> None:
    route = sb.get("/admin/company/info")
    route.side_effect = [
        httpx.Response(419, json={"code": 419, "message": "Token Expired"}),
        httpx.Response(200, json={"name": "Demo", "timezone": "Europe/Rome"}),
    ]
    tokens = sb_tokens()
    info = client(tokens).company_info()
    assert info.timezone == "Europe/Rome"
    assert tokens.renewed == ["old-token-123"]
    assert [c.request.headers["X-Token"] for c in route.calls] == ["old-token-123", "new-token-1"]


def test_a_second_419_after_renewal_is_an_auth_error_not_a_loop(sb: respx.MockRouter) -> None:
    route = sb.get("/admin/providers").respond(419, json={"code": 419, "message": "Token Expired"})
    tokens = sb_tokens()
    with pytest.raises(AuthError, match="even after renewing") as caught:
        client(tokens).list_providers()
    assert "sbzoom auth login simplybook" in (caught.value.hint or "")
    # bounded: a few renewals (a token may expire again during a back-off), then a clear error
    assert route.call_count == MAX_RENEWALS + 1 and len(tokens.renewed) == MAX_RENEWALS


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
    c = SimplyBookClient(session(log), API, "demo", sb_tokens("tok-very-secret"))
    c.company_info()
    assert route.calls.last.request.headers["X-Company-Login"] == "demo"
    assert route.calls.last.request.headers["X-Token"] == "tok-very-secret"
    assert log and not any("tok-very-secret" in line for line in log)


def test_company_info_ignores_a_time_zone_that_is_not_iana(sb: respx.MockRouter) -> None:
    sb.get("/admin/company/info").respond(json={"name": "Demo", "timezone": "+02:00"})
    assert client().company_info().timezone is None
