"""The pages Zoom's links lead to (sandbox/zoom/pages.py): HTML, as a browser sees them."""

from __future__ import annotations

import httpx

from sbzoom.sandbox import Sandbox
from sbzoom.sandbox.data import ALICE_EMAIL as ALICE
from tests.sandbox._helpers import create_meeting, s2s_token


def test_link_pages_answer_html_and_refuse_what_leads_nowhere(
    sandbox: Sandbox, http: httpx.Client
) -> None:
    token = s2s_token(http, sandbox)
    meeting = create_meeting(http, sandbox, token, ALICE, settings={"approval_type": 0}).json()
    register = http.get(meeting["registration_url"])
    assert register.status_code == 200
    assert register.headers["Content-Type"] == "text/html;charset=UTF-8"
    assert str(meeting["id"]) in register.text
    nowhere = http.get(f"{sandbox.zoom_oauth_url}/j/1")
    assert nowhere.status_code == 404
    assert "<title>Invalid meeting ID</title>" in nowhere.text
    stranger = http.get(f"{sandbox.zoom_oauth_url}/j/{meeting['id']}", params={"tk": "nope"})
    assert stranger.status_code == 404 and "Invalid registration" in stranger.text
    unsigned = http.get(f"{sandbox.zoom_oauth_url}/s/{meeting['id']}", params={"zak": "nope"})
    assert unsigned.status_code == 403 and "Invalid start link" in unsigned.text
    assert http.get(f"{sandbox.zoom_oauth_url}/meeting/register/nope").status_code == 404
    assert {r.service for r in sandbox.requests() if r.route.startswith("web.")} == {"zoom-web"}
