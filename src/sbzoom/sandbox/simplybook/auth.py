"""SimplyBook sign-in: ``POST /admin/auth`` (login, or the first step of 2FA), ``/admin/auth/2fa``,
``GET /admin/auth/sms``, ``/admin/auth/refresh-token`` (strict rotation), ``/admin/auth/logout``,
the lock-out after wrong passwords, and the token check every other call goes through (401,
or 419 once the token expired).
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from sbzoom.sandbox.data import DEMO_COMPANY, DEMO_GA_CODE, DEMO_SMS_CODE, SbUser
from sbzoom.sandbox.errors import HtmlPageError, SimplyBookApiError
from sbzoom.sandbox.simplybook.formats import request_body
from sbzoom.sandbox.wire import BadRequestBody, Request, Response, json_response

if TYPE_CHECKING:
    from sbzoom.sandbox.simplybook.service import SimplyBookService

SESSION_TTL = timedelta(minutes=10)  # a 2FA session, from the password step to the code


@dataclass
class Token:
    login: str
    expires_at: datetime
    refresh: str
    revoked: bool = False


@dataclass
class Refresh:
    login: str
    used: bool = False
    revoked: bool = False


@dataclass
class Session:
    """A 2FA sign-in between the password and the code."""

    login: str
    expires_at: datetime


@dataclass
class Failures:
    count: int = 0
    locked_until: datetime | None = None


def _token_entity(simplybook: SimplyBookService, user: SbUser) -> dict[str, Any]:
    token, refresh = secrets.token_hex(32), secrets.token_hex(32)
    simplybook._tokens[token] = Token(
        user.login, simplybook._clock.now() + timedelta(seconds=simplybook._token_ttl), refresh
    )
    simplybook._refresh[refresh] = Refresh(user.login)
    return {
        "token": token,
        "company": DEMO_COMPANY,
        "login": user.login,
        "refresh_token": refresh,
        "domain": "simplybook.me",
        "require2fa": False,
        "allowed2fa_providers": [],
        "auth_session_id": None,
        "id": user.id,
    }


# Lock-out after wrong passwords. What is known of the real SimplyBook (searched Nov 2026:
# help.simplybook.me, the WordPress plugin, the MCP client; see simplybook-api-notes.md §5):
# /admin/auth answers 403 "Too many login attempts" once a login has failed too often, and
# while it lasts the right password is refused too. Neither the number of failures nor the
# duration is published, nor whether the count is per login or per client address. The
# sandbox locks per login after ``max_login_failures`` (5) wrong passwords or 2FA codes for
# ``lockout_seconds`` (900), refusing the right password meanwhile; sbzoom must cope with any
# numbers, so it never retries a refused sign-in (store/rejections.py).
def _refuse_if_locked(simplybook: SimplyBookService, login: str) -> None:
    record = simplybook._failures.get((DEMO_COMPANY, login))
    if record is None or record.locked_until is None:
        return
    if simplybook._clock.now() < record.locked_until:
        raise SimplyBookApiError(403, "Too many login attempts")
    del simplybook._failures[(DEMO_COMPANY, login)]


def _failed(simplybook: SimplyBookService, login: str, message: str) -> SimplyBookApiError:
    record = simplybook._failures.setdefault((DEMO_COMPANY, login), Failures())
    record.count += 1
    if record.count >= simplybook._max_failures:
        record.locked_until = simplybook._clock.now() + simplybook._lockout
    return SimplyBookApiError(400, message)


def login(simplybook: SimplyBookService, request: Request, match: re.Match[str]) -> Response:
    body = request_body(request)
    missing = {
        name: ["Value is required"]
        for name in ("company", "login", "password")
        if not isinstance(body.get(name), str) or not body.get(name)
    }
    if missing:
        raise SimplyBookApiError(400, "Validation error", missing)
    if body["company"] != DEMO_COMPANY:
        # A live probe answered {"code":400,"message":"Invalid company"}; SimplyBook's own
        # WordPress plugin expects 404 for it, and an HTML 404 page has been seen: a switch.
        if simplybook.unknown_company_html404:
            raise HtmlPageError(404, "Page not found", "The page you requested was not found.")
        raise SimplyBookApiError(400, "Invalid company")
    name, password = body["login"], body["password"]
    _refuse_if_locked(simplybook, name)
    user = simplybook._users.get(name)
    if user is None or not (
        secrets.compare_digest(password, user.password) or password in user.api_user_keys
    ):
        raise _failed(simplybook, name, "Incorrect login or password")
    simplybook._failures.pop((DEMO_COMPANY, name), None)
    if user.two_factor and password not in user.api_user_keys:
        session = secrets.token_hex(16)
        simplybook._sessions[session] = Session(name, simplybook._clock.now() + SESSION_TTL)
        return json_response(
            200,
            {
                "token": "",
                "company": DEMO_COMPANY,
                "login": name,
                "refresh_token": "",
                "domain": "simplybook.me",
                "require2fa": True,
                "allowed2fa_providers": ["ga", "sms"],
                "auth_session_id": session,
                "id": user.id,
            },
        )
    return json_response(200, _token_entity(simplybook, user))


def _session(simplybook: SimplyBookService, company: Any, session_id: Any) -> Session:
    if company != DEMO_COMPANY:
        raise SimplyBookApiError(400, "Invalid company")
    session = simplybook._sessions.get(session_id) if isinstance(session_id, str) else None
    if session is None or simplybook._clock.now() >= session.expires_at:
        raise SimplyBookApiError(400, "Invalid or expired authentication session")
    return session


def second_factor(
    simplybook: SimplyBookService, request: Request, match: re.Match[str]
) -> Response:
    body = request_body(request)
    session = _session(simplybook, body.get("company"), body.get("session_id"))
    _refuse_if_locked(simplybook, session.login)
    kind = body.get("type")
    expected = {"ga": DEMO_GA_CODE, "sms": DEMO_SMS_CODE}.get(kind if isinstance(kind, str) else "")
    if expected is None:
        raise SimplyBookApiError(400, "Unsupported 2FA type", {"type": ["Allowed: ga, sms"]})
    if str(body.get("code", "")) != expected:
        raise _failed(simplybook, session.login, "Invalid 2FA code")
    del simplybook._sessions[body["session_id"]]
    simplybook._failures.pop((DEMO_COMPANY, session.login), None)
    return json_response(200, _token_entity(simplybook, simplybook._users[session.login]))


def send_sms(simplybook: SimplyBookService, request: Request, match: re.Match[str]) -> Response:
    _session(simplybook, request.arg("company"), request.arg("session_id"))
    simplybook._sms_sent += 1
    return json_response(200, {"result": True})


def refresh_token(
    simplybook: SimplyBookService, request: Request, match: re.Match[str]
) -> Response:
    body = request_body(request)
    value = body.get("refresh_token")
    if not isinstance(value, str):
        raise SimplyBookApiError(401, "Invalid refresh token")
    simplybook._refresh_uses[value] = simplybook._refresh_uses.get(value, 0) + 1
    refresh = simplybook._refresh.get(value)
    if body.get("company") != DEMO_COMPANY or refresh is None or refresh.used or refresh.revoked:
        raise SimplyBookApiError(401, "Invalid refresh token")
    refresh.used = True
    entity = _token_entity(simplybook, simplybook._users[refresh.login])
    if simplybook.refresh_expires_in:
        entity["expires_in"] = simplybook._token_ttl
    return json_response(200, entity)


def authenticate(simplybook: SimplyBookService, request: Request) -> None:
    """The request's ``X-Company-Login`` and ``X-Token`` name a live token (401; 419 expired)."""
    token = simplybook._tokens.get(request.header("x-token") or "")
    if request.header("x-company-login") != DEMO_COMPANY or token is None or token.revoked:
        raise SimplyBookApiError(401, "Unauthorized")
    if simplybook._clock.now() >= token.expires_at:
        raise SimplyBookApiError(419, "Token Expired")


def logout(simplybook: SimplyBookService, request: Request, match: re.Match[str]) -> Response:
    try:
        body = request.json_object()
    except BadRequestBody:
        body = {}
    value = body.get("auth_token") or request.header("x-token") or ""
    token = simplybook._tokens.get(value)
    if token is not None:
        token.revoked = True
        if token.refresh in simplybook._refresh:
            simplybook._refresh[token.refresh].revoked = True
    return json_response(200, {"result": True})
