"""Zoom meetings (sandbox/zoom/meetings.py) as the notes describe them: error codes, ids, times,
lists, deletion."""

from __future__ import annotations

import httpx

from sbzoom.sandbox import Sandbox
from sbzoom.sandbox.data import ALICE_EMAIL as ALICE
from sbzoom.sandbox.data import CHLOE_EMAIL as CHLOE  # basic (type 1)
from sbzoom.sandbox.data import FRANK_EMAIL as FRANK  # inactive
from tests.sandbox._helpers import bearer, create_meeting, s2s_token


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


def test_delete_is_204_then_3001(sandbox: Sandbox, http: httpx.Client) -> None:
    token = s2s_token(http, sandbox)
    meeting = create_meeting(http, sandbox, token, ALICE).json()
    url = f"{sandbox.zoom_api_url}/meetings/{meeting['id']}"
    assert http.delete(url, headers=bearer(token)).status_code == 204
    assert http.delete(url, headers=bearer(token)).json()["code"] == 3001
    assert http.get(meeting["join_url"]).status_code == 404
    assert sandbox.zoom.deleted_meeting_ids() == [meeting["id"]]
