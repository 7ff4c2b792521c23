"""Zoom REST v2 as the notes describe it: error codes, ids, times, lists, limits, registrants."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from sbzoom.sandbox import Sandbox
from tests.sandbox_fixture import MakeSandbox

from ._helpers import bearer, create_meeting, s2s_token

ALICE = "alice.romero@sbzoom-demo.example"  # licensed
CHLOE = "chloe.park@sbzoom-demo.example"  # basic (type 1)
FRANK = "frank.inactive@sbzoom-demo.example"  # inactive


@pytest.fixture
def http() -> Iterator[httpx.Client]:
    with httpx.Client() as client:
        yield client


def test_users_list_hides_pending_ids_and_filters_by_status(
    sandbox: Sandbox, http: httpx.Client
) -> None:
    token = s2s_token(http, sandbox)
    active = http.get(f"{sandbox.zoom_api_url}/users", headers=bearer(token)).json()
    assert {u["email"].split("@")[0] for u in active["users"]} == {
        "owner",
        "alice.romero",
        "ben.okafor",
        "chloe.park",
    }
    assert active["next_page_token"] == ""
    pending = http.get(
        f"{sandbox.zoom_api_url}/users", params={"status": "pending"}, headers=bearer(token)
    ).json()["users"]
    assert len(pending) == 1
    assert "id" not in pending[0]
    first = http.get(
        f"{sandbox.zoom_api_url}/users", params={"page_size": 3}, headers=bearer(token)
    ).json()
    second = http.get(
        f"{sandbox.zoom_api_url}/users",
        params={"page_size": 3, "next_page_token": first["next_page_token"]},
        headers=bearer(token),
    ).json()
    assert len(first["users"]) == 3
    assert len(second["users"]) == 1
    assert second["next_page_token"] == ""
    assert first["total_records"] == 4


def test_zoom_error_codes(sandbox: Sandbox, http: httpx.Client) -> None:
    token = s2s_token(http, sandbox)
    api = sandbox.zoom_api_url
    missing_user = http.get(f"{api}/users/nobody@example.com", headers=bearer(token))
    assert (missing_user.status_code, missing_user.json()["code"]) == (404, 1001)
    missing_meeting = http.get(f"{api}/meetings/12345678901", headers=bearer(token))
    assert (missing_meeting.status_code, missing_meeting.json()["code"]) == (404, 3001)
    inactive = create_meeting(http, sandbox, token, FRANK)
    assert (inactive.status_code, inactive.json()["code"]) == (400, 3161)
    sandbox.zoom.set_user(ALICE, can_schedule=False)
    flagged = create_meeting(http, sandbox, token, ALICE)
    assert flagged.json()["code"] == 3161
    bad = create_meeting(http, sandbox, token, CHLOE, agenda="x" * 2001)
    assert (bad.status_code, bad.json()["code"]) == (400, 300)
    assert bad.json()["errors"][0]["field"] == "agenda"


def test_missing_scope_is_4711_naming_the_scope(sandbox: Sandbox, http: httpx.Client) -> None:
    sandbox.set_zoom_scopes(
        [s for s in sandbox.zoom.scopes() if s != "meeting:update:meeting:admin"]
    )
    token = s2s_token(http, sandbox)
    meeting = create_meeting(http, sandbox, token, ALICE).json()
    response = http.patch(
        f"{sandbox.zoom_api_url}/meetings/{meeting['id']}",
        json={"topic": "new"},
        headers=bearer(token),
    )
    assert response.status_code == 400
    assert response.json() == {
        "code": 4711,
        "message": "Invalid access token, does not contain scopes:[meeting:update:meeting:admin].",
    }
    sandbox.zoom.legacy_scope_code = True  # older Zoom answers said 4700
    again = http.patch(
        f"{sandbox.zoom_api_url}/meetings/{meeting['id']}", json={}, headers=bearer(token)
    )
    assert again.json()["code"] == 4700


def test_user_level_scope_only_acts_for_the_token_owner(
    sandbox: Sandbox, http: httpx.Client
) -> None:
    sandbox.set_zoom_scopes(["meeting:write:meeting", "user:read:user"])
    token = s2s_token(http, sandbox)
    assert create_meeting(http, sandbox, token, "me").status_code == 201
    other = create_meeting(http, sandbox, token, ALICE)
    assert other.json()["code"] == 4711
    assert "meeting:write:meeting:admin" in other.json()["message"]


def test_meeting_ids_start_times_and_fresh_start_urls(sandbox: Sandbox, http: httpx.Client) -> None:
    token = s2s_token(http, sandbox)
    utc = create_meeting(http, sandbox, token, ALICE, start_time="2030-01-15T15:00:00Z").json()
    local = create_meeting(
        http, sandbox, token, ALICE, start_time="2030-07-15T10:00:00", timezone="America/New_York"
    ).json()
    assert utc["id"] > 2**32 and len(str(utc["id"])) == 11
    assert utc["start_time"] == "2030-01-15T15:00:00Z"
    assert local["start_time"] == "2030-07-15T14:00:00Z"  # EDT: UTC-4
    assert "zak=" in utc["start_url"]
    again = http.get(f"{sandbox.zoom_api_url}/meetings/{utc['id']}", headers=bearer(token)).json()
    assert again["start_url"] != utc["start_url"]
    assert http.get(again["start_url"]).status_code == 200
    sandbox.advance_clock(2 * 3600 + 1)
    assert http.get(again["start_url"]).status_code == 403


def test_patch_keeps_id_and_join_url_and_ignores_a_past_start(
    sandbox: Sandbox, http: httpx.Client
) -> None:
    token = s2s_token(http, sandbox)
    meeting = create_meeting(http, sandbox, token, ALICE).json()
    url = f"{sandbox.zoom_api_url}/meetings/{meeting['id']}"
    patched = http.patch(
        url, json={"start_time": "2030-02-01T09:30:00", "topic": "Moved"}, headers=bearer(token)
    )
    assert patched.status_code == 204
    assert patched.content == b""
    after = http.get(url, headers=bearer(token)).json()
    assert (after["id"], after["join_url"]) == (meeting["id"], meeting["join_url"])
    assert after["start_time"] == "2030-02-01T14:30:00Z"  # local in the meeting's zone (EST)
    http.patch(url, json={"start_time": "2001-01-01T00:00:00Z"}, headers=bearer(token))
    assert http.get(url, headers=bearer(token)).json()["start_time"] == "2030-02-01T14:30:00Z"


def test_list_truncates_agenda_omits_start_url_and_pages(
    sandbox: Sandbox, http: httpx.Client
) -> None:
    token = s2s_token(http, sandbox)
    for day in range(1, 6):
        create_meeting(
            http,
            sandbox,
            token,
            ALICE,
            agenda="sbzoom:booking=1 " + "a" * 1000,
            start_time=f"2030-03-0{day}T15:00:00Z",
        )
    url = f"{sandbox.zoom_api_url}/users/{ALICE}/meetings"
    first = http.get(url, params={"type": "upcoming", "page_size": 3}, headers=bearer(token)).json()
    assert first["total_records"] == 5
    assert len(first["meetings"]) == 3
    item = first["meetings"][0]
    assert len(item["agenda"]) == 250
    assert "start_url" not in item and "settings" not in item
    rest = http.get(
        url,
        params={"type": "upcoming", "page_size": 3, "next_page_token": first["next_page_token"]},
        headers=bearer(token),
    ).json()
    assert len(rest["meetings"]) == 2
    assert rest["next_page_token"] == ""
    full = http.get(f"{sandbox.zoom_api_url}/meetings/{item['id']}", headers=bearer(token))
    assert len(full.json()["agenda"]) > 1000


def test_daily_create_update_limit_answers_429_until_utc_midnight(
    make_sandbox: MakeSandbox, http: httpx.Client
) -> None:
    sandbox = make_sandbox(daily_limit=3)
    token = s2s_token(http, sandbox)
    meeting = create_meeting(http, sandbox, token, ALICE).json()
    create_meeting(http, sandbox, token, ALICE)
    http.patch(
        f"{sandbox.zoom_api_url}/meetings/{meeting['id']}",
        json={"topic": "x"},
        headers=bearer(token),
    )
    limited = create_meeting(http, sandbox, token, ALICE)
    assert limited.status_code == 429
    assert limited.json() == {
        "code": 429,
        "message": "You have exceeded the daily rate limit (3) of Meeting Create/Update API "
        "requests permitted for this particular user. You may resume these requests at GMT "
        "00:00:00.",
    }
    assert limited.headers["X-RateLimit-Type"] == "Daily-limit"
    tomorrow = (datetime.now(UTC) + timedelta(days=1)).date()
    assert limited.headers["Retry-After"] == f"{tomorrow.isoformat()}T00:00:00Z"
    assert create_meeting(http, sandbox, token, "ben.okafor@sbzoom-demo.example").status_code == 201
    sandbox.advance_clock(24 * 3600)
    token = s2s_token(http, sandbox)
    assert create_meeting(http, sandbox, token, ALICE).status_code == 201


def test_registrants_get_unique_checkable_links(sandbox: Sandbox, http: httpx.Client) -> None:
    token = s2s_token(http, sandbox)
    meeting = create_meeting(
        http,
        sandbox,
        token,
        ALICE,
        settings={"approval_type": 1, "registrants_email_notification": False},
    ).json()
    url = f"{sandbox.zoom_api_url}/meetings/{meeting['id']}/registrants"
    links = []
    for name in ("tom", "lena", "noah"):
        added = http.post(
            url,
            json={"email": f"{name}@client.example", "first_name": name, "auto_approve": True},
            headers=bearer(token),
        )
        assert added.status_code == 201
        # Spec: the 201 has no join_url for approval_type 1; GET of the registrant has it.
        assert "join_url" not in added.json()
        one = http.get(f"{url}/{added.json()['registrant_id']}", headers=bearer(token))
        links.append(one.json()["join_url"])
    assert len(set(links)) == 3
    assert all(f"/zoom/j/{meeting['id']}?tk=" in link for link in links)
    assert all(http.get(link).status_code == 200 for link in links)
    plain = http.get(meeting["join_url"])
    assert plain.status_code == 302
    assert "/zoom/meeting/register/" in plain.headers["Location"]
    pending = http.post(
        url, json={"email": "x@client.example", "first_name": "X"}, headers=bearer(token)
    )
    assert "join_url" not in pending.json()  # approval_type 1 without auto_approve
    still = http.get(f"{url}/{pending.json()['registrant_id']}", headers=bearer(token)).json()
    assert still["status"] == "pending" and "join_url" not in still
    listed = http.get(url, headers=bearer(token)).json()
    tom = next(r for r in listed["registrants"] if r["email"] == "tom@client.example")
    cancel = http.put(
        f"{url}/status",
        json={"action": "cancel", "registrants": [{"id": tom["id"]}]},
        headers=bearer(token),
    )
    assert cancel.status_code == 204
    assert http.get(links[0]).status_code == 404
    assert http.get(links[1]).status_code == 200
    statuses = {r["email"]: r["status"] for r in sandbox.registrants(meeting["id"])}
    assert statuses["tom@client.example"] == "cancelled"
    too_many = http.put(
        f"{url}/status",
        json={"action": "cancel", "registrants": [{"id": str(i)} for i in range(31)]},
        headers=bearer(token),
    )
    assert (too_many.status_code, too_many.json()["code"]) == (400, 300)
    http.delete(f"{sandbox.zoom_api_url}/meetings/{meeting['id']}", headers=bearer(token))
    assert http.get(links[1]).status_code == 404


def test_registration_rules(sandbox: Sandbox, http: httpx.Client) -> None:
    token = s2s_token(http, sandbox)
    basic = create_meeting(http, sandbox, token, CHLOE, settings={"approval_type": 0}).json()
    body = {"email": "a@client.example", "first_name": "A"}
    unpaid = http.post(
        f"{sandbox.zoom_api_url}/meetings/{basic['id']}/registrants",
        json=body,
        headers=bearer(token),
    )
    assert (unpaid.status_code, unpaid.json()["code"]) == (400, 200)
    assert unpaid.json()["message"].startswith("Only available for paid users")
    plain = create_meeting(http, sandbox, token, ALICE).json()
    closed = http.post(
        f"{sandbox.zoom_api_url}/meetings/{plain['id']}/registrants",
        json=body,
        headers=bearer(token),
    )
    assert closed.status_code == 404
    assert closed.json()["message"].startswith("Registration has not been enabled")
    assert http.get(plain["join_url"]).status_code == 200


def test_delete_is_204_then_3001(sandbox: Sandbox, http: httpx.Client) -> None:
    token = s2s_token(http, sandbox)
    meeting = create_meeting(http, sandbox, token, ALICE).json()
    url = f"{sandbox.zoom_api_url}/meetings/{meeting['id']}"
    assert http.delete(url, headers=bearer(token)).status_code == 204
    assert http.delete(url, headers=bearer(token)).json()["code"] == 3001
    assert http.get(meeting["join_url"]).status_code == 404
    assert sandbox.zoom.deleted_meeting_ids() == [meeting["id"]]
