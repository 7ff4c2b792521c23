"""ZoomOAuth: the sign-in URL, the token endpoint's grants and refusals, revoking."""

from __future__ import annotations

import base64
from datetime import timedelta

import httpx
import pytest
import respx

from sbzoom.clients.zoom import TokenRequestError, ZoomOAuth
from sbzoom.errors import ApiError, ExitCode
from tests.fakes import FakeClock
from tests.unit.clients.zoom.wire import OAUTH, form_of

BASIC = "Basic " + base64.b64encode(b"client-1:secret-1234567").decode()
GRANT = {
    "access_token": "new-access-123456",
    "token_type": "bearer",
    "refresh_token": "new-refresh-123456",
    "expires_in": 3599,
    "scope": "user:read:list_users:admin meeting:write:meeting:admin",
    "api_url": "https://eu01api.zoom.us",
}


def test_authorize_url_asks_for_pkce_s256_and_state(oauth: ZoomOAuth) -> None:
    url = httpx.URL(
        oauth.authorize_url(
            redirect_uri="http://127.0.0.1:8765/callback", state="st", code_challenge="ch"
        )
    )
    assert str(url).startswith(f"{OAUTH}/oauth/authorize?")
    assert dict(url.params) == {
        "response_type": "code",
        "client_id": "client-1",
        "redirect_uri": "http://127.0.0.1:8765/callback",
        "state": "st",
        "code_challenge": "ch",
        "code_challenge_method": "S256",
    }


def test_exchange_code(oauth: ZoomOAuth, router: respx.Router, clock: FakeClock) -> None:
    route = router.post(f"{OAUTH}/oauth/token").respond(200, json=GRANT)
    grant = oauth.exchange_code(
        "the-code-1234", redirect_uri="http://127.0.0.1:8765/callback", code_verifier="v" * 50
    )
    sent = route.calls.last.request
    assert sent.headers["Authorization"] == BASIC
    assert sent.headers["Content-Type"] == "application/x-www-form-urlencoded"
    assert form_of(sent) == {
        "grant_type": "authorization_code",
        "code": "the-code-1234",
        "redirect_uri": "http://127.0.0.1:8765/callback",
        "code_verifier": "v" * 50,
    }
    assert grant.access_token == "new-access-123456"
    assert grant.refresh_token == "new-refresh-123456"
    assert grant.expires_at == clock.now() + timedelta(seconds=3599)
    assert grant.api_url == "https://eu01api.zoom.us"
    assert grant.can_list_all_users
    assert "new-access" not in repr(grant) and "new-refresh" not in repr(grant)


def test_refresh(oauth: ZoomOAuth, router: respx.Router) -> None:
    route = router.post(f"{OAUTH}/oauth/token").respond(200, json=GRANT)
    oauth.refresh("old-refresh-123456")
    assert form_of(route.calls.last.request) == {
        "grant_type": "refresh_token",
        "refresh_token": "old-refresh-123456",
    }


def test_refresh_rejected_as_invalid_grant(oauth: ZoomOAuth, router: respx.Router) -> None:
    router.post(f"{OAUTH}/oauth/token").respond(
        400, json={"reason": "Invalid Token!", "error": "invalid_grant"}
    )
    with pytest.raises(TokenRequestError) as caught:
        oauth.refresh("old-refresh-123456")
    assert caught.value.grant_is_dead and caught.value.exit_code == ExitCode.AUTH
    assert "old-refresh-123456" not in caught.value.message


def test_revoked_grant_code_4741_is_dead(oauth: ZoomOAuth, router: respx.Router) -> None:
    router.post(f"{OAUTH}/oauth/token").respond(
        400, json={"code": 4741, "message": "Token has been revoked."}
    )
    with pytest.raises(TokenRequestError) as caught:
        oauth.refresh("old-refresh-123456")
    assert caught.value.grant_is_dead


def test_refresh_whose_answer_is_lost(oauth: ZoomOAuth, router: respx.Router) -> None:
    route = router.post(f"{OAUTH}/oauth/token").mock(side_effect=httpx.ReadError("reset"))
    with pytest.raises(Exception) as caught:
        oauth.refresh("old-refresh-123456")
    assert route.call_count == 1  # a refresh token is spent once sent: never sent twice
    assert "refresh token may be spent" in str(caught.value)


def test_bad_client_credentials(oauth: ZoomOAuth, router: respx.Router) -> None:
    router.post(f"{OAUTH}/oauth/token").respond(
        401, json={"reason": "Invalid client_id or client_secret", "error": "invalid_client"}
    )
    with pytest.raises(TokenRequestError) as caught:
        oauth.account_token("acc-1")
    assert not caught.value.grant_is_dead
    assert "client ID or secret" in caught.value.message


def test_account_token(oauth: ZoomOAuth, router: respx.Router) -> None:
    route = router.post(f"{OAUTH}/oauth/token").respond(
        200, json={"access_token": "s2s-access-123456", "expires_in": 3600, "scope": "a:b"}
    )
    grant = oauth.account_token("acc-1")
    assert form_of(route.calls.last.request) == {
        "grant_type": "account_credentials",
        "account_id": "acc-1",
    }
    assert route.calls.last.request.headers["Authorization"] == BASIC
    assert grant.refresh_token is None and grant.scopes == ("a:b",)


def test_revoke(oauth: ZoomOAuth, router: respx.Router) -> None:
    route = router.post(f"{OAUTH}/oauth/revoke").respond(200, json={"status": "success"})
    oauth.revoke("some-token-123456")
    sent = route.calls.last.request
    assert form_of(sent) == {"token": "some-token-123456"}
    assert sent.headers["Authorization"] == BASIC


def test_revoke_refused(oauth: ZoomOAuth, router: respx.Router) -> None:
    router.post(f"{OAUTH}/oauth/revoke").respond(400, json={"reason": "bad", "error": "x"})
    with pytest.raises(ApiError):
        oauth.revoke("some-token-123456")
