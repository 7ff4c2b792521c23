"""SimplyBook sign-in (sandbox/simplybook/auth.py): 419 then refresh with rotation, 401, login
errors and lockout, 2FA and the API user key; the Python API that inspects tokens and acts as the
company's staff (new users, password changes, a lock-out, expires_in on refresh)."""

from __future__ import annotations

import httpx

from sbzoom.sandbox import (
    DEMO_2FA_LOGIN,
    DEMO_API_USER_KEY,
    DEMO_GA_CODE,
    DEMO_LOGIN,
    DEMO_PASSWORD,
    Sandbox,
)
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


def test_token_states_follow_expiry_rotation_and_logout(
    sandbox: Sandbox, http: httpx.Client
) -> None:
    tokens = sb_login(http, sandbox).json()
    simplybook = sandbox.simplybook
    assert simplybook.token_states() == {tokens["token"]: "live"}
    assert simplybook.refresh_token_states() == {tokens["refresh_token"]: "live"}
    simplybook.expire_tokens()
    assert simplybook.token_states()[tokens["token"]] == "expired"
    renewed = http.post(
        f"{sandbox.simplybook_api_url}/admin/auth/refresh-token",
        json={"company": "demo", "refresh_token": tokens["refresh_token"]},
    ).json()
    assert "expires_in" not in renewed  # as live; refresh_expires_in turns it on
    assert simplybook.refresh_token_states()[tokens["refresh_token"]] == "used"
    assert simplybook.token_states()[renewed["token"]] == "live"
    http.post(
        f"{sandbox.simplybook_api_url}/admin/auth/logout",
        headers=sb_headers(renewed["token"]),
        json={"auth_token": renewed["token"]},
    )
    assert simplybook.token_states()[renewed["token"]] == "revoked"
    assert simplybook.refresh_token_states()[renewed["refresh_token"]] == "revoked"


def test_refresh_answers_carry_expires_in_when_switched_on(
    sandbox: Sandbox, http: httpx.Client
) -> None:
    sandbox.simplybook.refresh_expires_in = True
    tokens = sb_login(http, sandbox).json()
    assert "expires_in" not in tokens  # the live sign-in answer never has it
    renewed = http.post(
        f"{sandbox.simplybook_api_url}/admin/auth/refresh-token",
        json={"company": "demo", "refresh_token": tokens["refresh_token"]},
    ).json()
    assert renewed["expires_in"] == 3600


def test_a_password_change_kills_refresh_tokens_and_the_old_password(
    sandbox: Sandbox, http: httpx.Client
) -> None:
    tokens = sb_login(http, sandbox).json()
    sandbox.simplybook.change_password(DEMO_LOGIN, "new-password")
    headers = sb_headers(tokens["token"])
    assert (
        http.get(f"{sandbox.simplybook_api_url}/admin/services", headers=headers).status_code == 200
    )
    refused = http.post(
        f"{sandbox.simplybook_api_url}/admin/auth/refresh-token",
        json={"company": "demo", "refresh_token": tokens["refresh_token"]},
    )
    assert refused.status_code == 401
    assert sb_login(http, sandbox).status_code == 400
    assert sb_login(http, sandbox, password="new-password").status_code == 200


def test_new_users_sign_in_and_lock_out_holds_until_it_ends(
    sandbox: Sandbox, http: httpx.Client
) -> None:
    sandbox.simplybook.add_user("other", "other-password")
    assert sb_login(http, sandbox, login="other", password="other-password").status_code == 200
    two_factor = sandbox.simplybook.add_user("other2fa", "pw", two_factor=True)
    assert two_factor > 2
    assert sb_login(http, sandbox, login="other2fa", password="pw").json()["require2fa"] is True
    sandbox.simplybook.lock_out(DEMO_LOGIN)
    locked = sb_login(http, sandbox, password=DEMO_PASSWORD)  # even the right password
    assert (locked.status_code, locked.json()["message"]) == (403, "Too many login attempts")
    assert sb_login(http, sandbox, login="other", password="other-password").status_code == 200
    sandbox.advance_clock(901)
    assert sb_login(http, sandbox).status_code == 200
