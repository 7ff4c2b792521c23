"""ZoomClient: the requests it sends for users, meetings and registrants; how it reads answers."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import httpx
import pytest
import respx

from sbzoom.clients.http import MaybeCommittedError
from sbzoom.clients.zoom import (
    MeetingGoneError,
    MeetingRequest,
    MeetingSettings,
    Registrant,
    ZoomClient,
)
from sbzoom.errors import ApiError
from tests.unit.clients.zoom.wire import API, BIG_ID, assert_authorised, body_of, query_of

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


def test_create_meeting_for_a_host_named_by_e_mail(zoom: ZoomClient, router: respx.Router) -> None:
    route = router.post(f"{API}/users/ann%40x.test/meetings").respond(201, json=MEETING)
    start = datetime(2026, 3, 10, 8, 0, tzinfo=UTC)
    zoom.create_meeting("ann@x.test", MeetingRequest(topic="T", start_time=start))
    assert body_of(route.calls.last.request) == {
        "topic": "T",
        "start_time": "2026-03-10T08:00:00Z",
        "type": 2,
    }


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
        "r1",
        "cy@x.test",
        first_name="Cy",
        last_name="Dee",
        status="approved",
        join_url="https://zoom.us/w/1?tk=abc",
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


def test_registrant_calls_on_a_gone_meeting_code_300_are_meeting_gone(
    zoom: ZoomClient, router: respx.Router
) -> None:

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
