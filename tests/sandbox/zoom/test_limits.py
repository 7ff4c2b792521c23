"""Zoom's daily create/update limit (sandbox/zoom/limits.py); the per-second ones are in
tests/sandbox/test_faults.py, beside the settings that shape them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx

from sbzoom.sandbox.data import ALICE_EMAIL as ALICE
from sbzoom.sandbox.data import BEN_EMAIL
from tests.sandbox._helpers import bearer, create_meeting, s2s_token
from tests.sandbox_fixture import MakeSandbox


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
    assert create_meeting(http, sandbox, token, BEN_EMAIL).status_code == 201
    sandbox.advance_clock(24 * 3600)
    token = s2s_token(http, sandbox)
    assert create_meeting(http, sandbox, token, ALICE).status_code == 201
