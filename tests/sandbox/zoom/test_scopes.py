"""Scopes (sandbox/zoom/scopes.py): a missing one is 4711 naming it; user-level scopes act only
for the token's owner."""

from __future__ import annotations

import httpx

from sbzoom.sandbox import Sandbox
from sbzoom.sandbox.data import ALICE_EMAIL as ALICE
from tests.sandbox._helpers import bearer, create_meeting, s2s_token


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
