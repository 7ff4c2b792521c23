"""Zoom OAuth (sandbox/zoom/oauth.py) as the notes describe it: PKCE, state, single-use codes,
strict refresh rotation, the bearer check (124), the redirect allow list."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import httpx

from sbzoom.sandbox import MINIMUM_GRANULAR_SCOPES, ZOOM_ACCOUNT_ID, ZOOM_CLIENT_ID, Sandbox
from tests.sandbox._helpers import (
    CLIENT_AUTH,
    REDIRECT,
    authorize,
    bearer,
    exchange,
    pkce_pair,
    refresh,
    s2s_token,
    user_tokens,
)
from tests.sandbox_fixture import MakeSandbox


def test_s2s_token_has_the_documented_shape_and_no_refresh_token(sandbox: Sandbox) -> None:
    with httpx.Client() as http:
        response = http.post(
            f"{sandbox.zoom_oauth_url}/oauth/token",
            data={
                "grant_type": "account_credentials",
                "account_id": sandbox.env["SBZOOM_ZOOM_ACCOUNT_ID"],
            },
            auth=CLIENT_AUTH,
        )
    body = response.json()
    assert response.status_code == 200
    assert set(body) == {"access_token", "token_type", "expires_in", "scope", "api_url"}
    assert body["token_type"] == "bearer"
    assert body["expires_in"] == 3599
    assert body["api_url"] == sandbox.zoom_oauth_url
    assert set(body["scope"].split()) == set(MINIMUM_GRANULAR_SCOPES)


def test_wrong_client_secret_is_rejected(sandbox: Sandbox) -> None:
    with httpx.Client() as http:
        response = http.post(
            f"{sandbox.zoom_oauth_url}/oauth/token",
            params={"grant_type": "account_credentials", "account_id": ZOOM_ACCOUNT_ID},
            auth=(ZOOM_CLIENT_ID, "wrong"),
        )
    assert response.status_code == 401
    assert response.json()["error"] == "invalid_client"


def test_authorize_redirects_with_code_and_echoed_state(sandbox: Sandbox) -> None:
    _, challenge = pkce_pair()
    with httpx.Client() as http:
        response = http.get(
            f"{sandbox.zoom_oauth_url}/oauth/authorize",
            params={
                "response_type": "code",
                "client_id": ZOOM_CLIENT_ID,
                "redirect_uri": REDIRECT,
                "state": "xyz 123",
                "code_challenge": challenge,
                "code_challenge_method": "S256",
            },
        )
    assert response.status_code == 302
    location = urlsplit(response.headers["Location"])
    assert f"{location.scheme}://{location.netloc}{location.path}" == REDIRECT
    query = parse_qs(location.query)
    assert query["state"] == ["xyz 123"]
    assert query["code"][0]


def test_authorize_rejects_unknown_client_and_unregistered_redirect(sandbox: Sandbox) -> None:
    _, challenge = pkce_pair()
    base = {
        "response_type": "code",
        "client_id": ZOOM_CLIENT_ID,
        "redirect_uri": REDIRECT,
        "code_challenge": challenge,
        "code_challenge_method": "S256",
    }
    with httpx.Client() as http:
        url = f"{sandbox.zoom_oauth_url}/oauth/authorize"
        assert http.get(url, params={**base, "client_id": "nope"}).status_code == 400
        evil = {**base, "redirect_uri": "https://evil.example/cb"}
        assert http.get(url, params=evil).status_code == 400
        # Exact, as Zoom compares: another loopback port is not the registered URL.
        other_port = {**base, "redirect_uri": "http://127.0.0.1:8766/callback"}
        refused = http.get(url, params=other_port)
        assert refused.status_code == 400 and "4709" in refused.text
        missing = {k: v for k, v in base.items() if not k.startswith("code_challenge")}
        response = http.get(url, params={**missing, "state": "s"})
    assert response.status_code == 302
    assert parse_qs(urlsplit(response.headers["Location"]).query)["error"] == ["invalid_request"]


def test_pkce_mismatch_is_invalid_grant_and_the_code_is_spent(sandbox: Sandbox) -> None:
    verifier, challenge = pkce_pair()
    with httpx.Client() as http:
        code = authorize(http, sandbox, challenge)
        wrong = exchange(http, sandbox, code, verifier + "x")
        again = exchange(http, sandbox, code, verifier)
    assert wrong.status_code == 400
    assert wrong.json() == {"reason": "Invalid Token!", "error": "invalid_grant"}
    assert again.status_code == 400
    assert again.json()["error"] == "invalid_grant"
    assert sandbox.invalid_grant_count() == 2


def test_code_exchange_checks_redirect_uri_and_is_single_use(sandbox: Sandbox) -> None:
    verifier, challenge = pkce_pair()
    with httpx.Client() as http:
        code = authorize(http, sandbox, challenge)
        mismatch = http.post(
            f"{sandbox.zoom_oauth_url}/oauth/token",
            data={
                "grant_type": "authorization_code",
                "code": code,
                "code_verifier": verifier,
                "redirect_uri": "http://127.0.0.1:9999/callback",
            },
            auth=CLIENT_AUTH,
        )
        assert mismatch.status_code == 400
        assert mismatch.json()["error"] == "invalid_grant"
        code = authorize(http, sandbox, challenge)
        first = exchange(http, sandbox, code, verifier)
        second = exchange(http, sandbox, code, verifier)
    assert first.status_code == 200
    assert {"access_token", "refresh_token", "expires_in", "scope", "api_url"} <= set(first.json())
    assert second.status_code == 400


def test_code_expires_after_five_minutes(sandbox: Sandbox) -> None:
    verifier, challenge = pkce_pair()
    with httpx.Client() as http:
        code = authorize(http, sandbox, challenge)
        sandbox.advance_clock(301)
        response = exchange(http, sandbox, code, verifier)
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_grant"


def test_refresh_rotates_and_reuse_is_invalid_grant(sandbox: Sandbox) -> None:
    with httpx.Client() as http:
        tokens = user_tokens(http, sandbox)
        first = refresh(http, sandbox, tokens["refresh_token"])
        reuse = refresh(http, sandbox, tokens["refresh_token"])
        newest = refresh(http, sandbox, first.json()["refresh_token"])
    assert first.status_code == 200
    assert first.json()["refresh_token"] != tokens["refresh_token"]
    assert reuse.status_code == 400
    assert reuse.json() == {"reason": "Invalid Token!", "error": "invalid_grant"}
    assert newest.status_code == 200
    assert sandbox.refresh_token_uses()[tokens["refresh_token"]] == 2
    assert sandbox.invalid_grant_count() == 1


def test_reauthorizing_kills_the_older_refresh_token(sandbox: Sandbox) -> None:
    with httpx.Client() as http:
        old = user_tokens(http, sandbox)
        new = user_tokens(http, sandbox)
        assert refresh(http, sandbox, old["refresh_token"]).status_code == 400
        assert refresh(http, sandbox, new["refresh_token"]).status_code == 200


def test_expired_and_revoked_access_tokens_answer_124(sandbox: Sandbox) -> None:
    with httpx.Client() as http:
        tokens = user_tokens(http, sandbox)
        me = f"{sandbox.zoom_api_url}/users/me"
        assert http.get(me, headers=bearer(tokens["access_token"])).status_code == 200
        assert http.get(me).json() == {"code": 124, "message": "Invalid access token."}
        sandbox.expire_tokens()
        expired = http.get(me, headers=bearer(tokens["access_token"]))
        assert expired.status_code == 401
        assert expired.json() == {"code": 124, "message": "Access token is expired."}
        renewed = refresh(http, sandbox, tokens["refresh_token"]).json()
        assert http.get(me, headers=bearer(renewed["access_token"])).status_code == 200
        revoked = http.post(
            f"{sandbox.zoom_oauth_url}/oauth/revoke",
            data={"token": renewed["access_token"]},
            auth=CLIENT_AUTH,
        )
        assert revoked.json() == {"status": "success"}
        after = http.get(me, headers=bearer(renewed["access_token"]))
        assert after.json()["code"] == 124
        assert refresh(http, sandbox, renewed["refresh_token"]).json()["error"] == "invalid_grant"
    assert [r.token_kind for r in sandbox.revocations()] == ["access"]


def test_token_ttl_option_shortens_access_tokens(make_sandbox: MakeSandbox) -> None:
    sandbox = make_sandbox(token_ttl=60)
    with httpx.Client() as http:
        token = s2s_token(http, sandbox)
        sandbox.advance_clock(61)
        response = http.get(f"{sandbox.zoom_api_url}/users/me", headers=bearer(token))
    assert response.json()["message"] == "Access token is expired."


def test_redirect_urls_registered_at_run_time_are_accepted_exactly(sandbox: Sandbox) -> None:
    _, challenge = pkce_pair()
    extra = "http://127.0.0.1:40123/callback"
    params = {
        "response_type": "code",
        "client_id": ZOOM_CLIENT_ID,
        "redirect_uri": extra,
        "state": "s",
        "code_challenge": challenge,
        "code_challenge_method": "S256",
    }
    with httpx.Client() as http:
        url = f"{sandbox.zoom_oauth_url}/oauth/authorize"
        assert http.get(url, params=params).status_code == 400
        control = f"{sandbox.url}/_sandbox/zoom/redirect_uris"
        assert http.post(control, json={"url": extra}).status_code == 400
        registered = http.post(control, json={"uri": extra})
        assert registered.status_code == 200
        assert registered.json()["redirect_uris"] == [REDIRECT, extra]
        assert http.get(url, params=params).status_code == 302
        trailing = {**params, "redirect_uri": extra + "/"}
        assert http.get(url, params=trailing).status_code == 400
