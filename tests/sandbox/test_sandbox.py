"""The Sandbox object (sandbox/sandbox.py): two in one process share nothing."""

from __future__ import annotations

import httpx

from sbzoom.sandbox.data import ALICE_EMAIL as ALICE
from tests.sandbox._helpers import bearer, create_meeting, s2s_token
from tests.sandbox_fixture import MakeSandbox


def test_two_sandboxes_share_nothing(make_sandbox: MakeSandbox, http: httpx.Client) -> None:
    one, two = make_sandbox(), make_sandbox()
    token = s2s_token(http, one)
    assert create_meeting(http, one, token, ALICE).status_code == 201
    assert http.get(f"{two.zoom_api_url}/users/me", headers=bearer(token)).status_code == 401
    one.cancel_booking(1001)
    assert two.simplybook.booking(1001)["status"] == "confirmed"  # type: ignore[index]
    assert len(one.meetings()) == 1 and two.meetings() == []
