"""SimplyBookAuth over respx: sign-in, two-factor, refresh, logout; FixedToken."""

from __future__ import annotations

import json

import httpx
import pytest
import respx

from sbzoom.clients.simplybook import FixedToken, SimplyBookAuth, Tokens, TwoFactorChallenge
from sbzoom.errors import AuthError, ExitCode, RemoteError
from tests.unit.clients.simplybook.wire import API, session


def test_login_posts_credentials_without_auth_headers_and_hides_tokens(
    sb: respx.MockRouter,
) -> None:
    route = sb.post("/admin/auth").respond(
        json={"token": "tok-abcdef", "refresh_token": "ref-abcdef", "company": "demo",
              "login": "admin", "domain": "simplybook.me", "require2fa": False, "id": "4"}
    )  # fmt: skip
    result = SimplyBookAuth(session(), API).login("demo", "admin", "pw-123456")
    assert isinstance(result, Tokens)
    assert (result.token, result.refresh_token, result.user_id) == ("tok-abcdef", "ref-abcdef", 4)
    sent = route.calls.last.request
    assert json.loads(sent.content) == {
        "company": "demo",
        "login": "admin",
        "password": "pw-123456",
    }
    assert "x-token" not in sent.headers
    assert "tok-abcdef" not in repr(result) and "ref-abcdef" not in repr(result)


def test_two_factor_with_an_authenticator_code(sb: respx.MockRouter) -> None:
    sb.post("/admin/auth").respond(
        json={"token": "", "refresh_token": "", "require2fa": True,
              "allowed2fa_providers": ["ga", "sms"], "auth_session_id": "sess-987654"}
    )  # fmt: skip
    verify = sb.post("/admin/auth/2fa").respond(
        json={"token": "tok-2fa-abc", "refresh_token": "ref-2fa-abc"}
    )
    auth = SimplyBookAuth(session(), API)
    challenge = auth.login("demo", "admin2fa", "pw-123456")
    assert isinstance(challenge, TwoFactorChallenge)
    assert challenge.providers == ("ga", "sms") and "sess-987654" not in repr(challenge)
    tokens = auth.verify_code(challenge, "123456", "ga")
    assert tokens.token == "tok-2fa-abc" and tokens.login == "admin2fa"
    assert json.loads(verify.calls.last.request.content) == {
        "company": "demo",
        "session_id": "sess-987654",
        "code": "123456",
        "type": "ga",
    }


def test_two_factor_by_sms_requests_the_sms_with_company_and_session(sb: respx.MockRouter) -> None:
    sms = sb.get("/admin/auth/sms").respond(json=True)
    sb.post("/admin/auth/2fa").respond(json={"token": "tok-sms-abc", "refresh_token": "r-sms-abc"})
    auth = SimplyBookAuth(session(), API)
    challenge = TwoFactorChallenge("demo", "admin2fa", "sess-1", ("sms",))
    auth.request_sms(challenge)
    assert dict(sms.calls.last.request.url.params) == {"company": "demo", "session_id": "sess-1"}
    assert auth.verify_code(challenge, "654321", "sms").token == "tok-sms-abc"


@pytest.mark.parametrize(
    ("status", "body", "step", "words"),
    [
        (400, {"code": 400, "message": "Incorrect login or password"}, "login",
         ["rejected the login 'admin'", "an API user key also works"]),
        (400, {"code": 400, "message": "Invalid company", "data": []}, "login",
         ["has no company 'demo'", "--domain"]),
        (404, {"code": 404, "message": "Company not found"}, "login",
         ["has no company 'demo'", "--company"]),
        (403, {"code": 403, "message": "Too many login attempts"}, "login",
         ["too many login attempts", "Wait before trying again"]),
        (400, {"code": 400, "message": "Wrong code"}, "2fa",
         ["did not accept the two-factor code", "--code"]),
    ],
)  # fmt: skip
def test_login_errors_are_one_clear_auth_error(
    sb: respx.MockRouter, status: int, body: dict[str, object], step: str, words: list[str]
) -> None:
    route = sb.post(f"/admin/auth{'/2fa' if step == '2fa' else ''}").respond(status, json=body)
    auth = SimplyBookAuth(session(), API)
    with pytest.raises(AuthError) as caught:
        if step == "2fa":
            auth.verify_code(TwoFactorChallenge("demo", "admin", "sess-1", ("ga",)), "000000", "ga")
        else:
            auth.login("demo", "admin", "pw-123456")
    text = f"{caught.value.message} {caught.value.hint}"
    assert all(w in text for w in words), text
    assert caught.value.exit_code == ExitCode.AUTH
    assert route.call_count == 1  # never retried, 403 included
    assert "pw-123456" not in text


def test_an_html_error_page_is_a_remote_error(sb: respx.MockRouter) -> None:
    sb.post("/admin/auth").respond(400, html="<html><body>Bad gateway</body></html>")
    with pytest.raises(RemoteError, match="HTML page") as caught:
        SimplyBookAuth(session(), API).login("demo", "admin", "pw-123456")
    assert caught.value.exit_code == ExitCode.REMOTE


def test_refresh_rotates_and_a_dead_refresh_token_gives_none(sb: respx.MockRouter) -> None:
    route = sb.post("/admin/auth/refresh-token")
    route.side_effect = [
        httpx.Response(200, json={"token": "tok-2-abc", "refresh_token": "ref-2-abc"}),
        httpx.Response(401, json={"code": 401, "message": "Unauthorized"}),
    ]
    auth = SimplyBookAuth(session(), API)
    fresh = auth.refresh("demo", "admin", "ref-1-abc")
    assert fresh is not None and (fresh.token, fresh.refresh_token) == ("tok-2-abc", "ref-2-abc")
    assert json.loads(route.calls[0].request.content) == {
        "company": "demo",
        "refresh_token": "ref-1-abc",
    }
    assert auth.refresh("demo", "admin", "ref-1-abc") is None


def test_logout_sends_the_token(sb: respx.MockRouter) -> None:
    route = sb.post("/admin/auth/logout").respond(json=True)
    assert SimplyBookAuth(session(), API).logout("demo", "tok-xyz-123") is True
    sent = route.calls.last.request
    assert sent.headers["X-Token"] == "tok-xyz-123" and sent.headers["X-Company-Login"] == "demo"
    assert json.loads(sent.content) == {"auth_token": "tok-xyz-123"}


def test_a_fixed_token_cannot_be_renewed() -> None:
    with pytest.raises(AuthError):
        FixedToken("tok").renew("tok")
