"""SimplyBook sign-in (sandbox/simplybook/auth.py): 419 then refresh with rotation, 401, login
errors and lockout, 2FA and the API user key."""

from __future__ import annotations

import httpx

from sbzoom.sandbox import DEMO_2FA_LOGIN, DEMO_API_USER_KEY, DEMO_GA_CODE, Sandbox
from tests.sandbox._helpers import sb_headers, sb_login
from tests.sandbox_fixture import MakeSandbox


def test_token_expiry_is_419_then_refresh_works_and_rotates(
    sandbox: Sandbox, http: httpx.Client
) -> None:
    tokens = sb_login(http, sandbox).json()
    url = f"{sandbox.simplybook_api_url}/admin/services"
    assert http.get(url, headers=sb_headers(tokens["token"])).status_code == 200
    sandbox.expire_tokens()
    expired = http.get(url, headers=sb_headers(tokens["token"]))
    assert expired.status_code == 419
    assert expired.json() == {
        "code": 419,
        "message": "Token Expired",
        "data": [],
        "message_data": [],
    }
    refresh_url = f"{sandbox.simplybook_api_url}/admin/auth/refresh-token"
    body = {"company": "demo", "refresh_token": tokens["refresh_token"]}
    renewed = http.post(refresh_url, json=body)
    assert renewed.status_code == 200
    assert renewed.json()["refresh_token"] != tokens["refresh_token"]
    assert http.get(url, headers=sb_headers(renewed.json()["token"])).status_code == 200
    reuse = http.post(refresh_url, json=body)
    assert reuse.status_code == 401
    assert sandbox.simplybook.refresh_token_uses()[tokens["refresh_token"]] == 2


def test_missing_or_wrong_token_is_401(sandbox: Sandbox, http: httpx.Client) -> None:
    url = f"{sandbox.simplybook_api_url}/admin/bookings"
    assert http.get(url).status_code == 401
    assert http.get(url, headers=sb_headers("nope")).json()["code"] == 401


def test_login_errors_and_lockout(make_sandbox: MakeSandbox, http: httpx.Client) -> None:
    sandbox = make_sandbox(login_lockout_seconds=60)
    company = http.post(
        f"{sandbox.simplybook_api_url}/admin/auth",
        json={"company": "acme", "login": "admin", "password": "x"},
    )
    assert company.status_code == 400
    assert company.json() == {
        "code": 400,
        "message": "Invalid company",
        "data": [],
        "message_data": [],
    }
    for _ in range(5):
        wrong = sb_login(http, sandbox, password="wrong")
        assert wrong.status_code == 400
        assert "password" in wrong.json()["message"]
    locked = sb_login(http, sandbox)  # even the right password
    assert (locked.status_code, locked.json()["message"]) == (403, "Too many login attempts")
    sandbox.advance_clock(61)
    assert sb_login(http, sandbox).status_code == 200


def test_two_factor_login_and_api_user_key(sandbox: Sandbox, http: httpx.Client) -> None:
    first = sb_login(http, sandbox, login=DEMO_2FA_LOGIN).json()
    assert first["require2fa"] is True
    assert (first["token"], first["refresh_token"]) == ("", "")
    assert first["allowed2fa_providers"] == ["ga", "sms"]
    url = f"{sandbox.simplybook_api_url}/admin/auth/2fa"
    body = {"company": "demo", "session_id": first["auth_session_id"], "type": "ga"}
    assert http.post(url, json={**body, "code": "000000"}).status_code == 400
    done = http.post(url, json={**body, "code": DEMO_GA_CODE}).json()
    assert done["token"] and done["require2fa"] is False
    keyed = sb_login(http, sandbox, login=DEMO_2FA_LOGIN, password=DEMO_API_USER_KEY).json()
    assert keyed["require2fa"] is False and keyed["token"]
