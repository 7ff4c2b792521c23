"""A small in-memory SimplyBook REST v2 for unit tests, behaving as the notes describe.

Tokens expire on demand (``expire_tokens``) and then answer 419; refresh tokens rotate and are
single-use (reuse → 401); five failed logins → 403; 2FA users get an empty token and a session.
Mount it with respx: ``respx_mock.route(host=HOST).mock(side_effect=fake.handle)``.
"""

from __future__ import annotations

import itertools
import json
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import httpx

HOST = "sb.test"
API = f"https://{HOST}"
PASSWORD = "s3cret-password"
CODE = "123456"


@dataclass
class FakeSimplyBook:
    company: str = "demo"
    users: dict[str, str] = field(default_factory=lambda: {"admin": PASSWORD})
    two_factor_users: dict[str, str] = field(default_factory=lambda: {"admin2fa": PASSWORD})
    allowed2fa: list[str] = field(default_factory=lambda: ["ga", "sms"])
    company_timezone: str | None = "America/New_York"
    bookings: list[dict[str, Any]] = field(default_factory=list)
    providers: list[dict[str, Any]] = field(default_factory=list)
    services: list[dict[str, Any]] = field(default_factory=list)
    bare_lists: bool = False
    comments: dict[int, str] = field(default_factory=dict)
    calls: list[tuple[str, str]] = field(default_factory=list)
    requests: list[httpx.Request] = field(default_factory=list)
    live_tokens: set[str] = field(default_factory=set)
    live_refresh: set[str] = field(default_factory=set)
    sessions: dict[str, str] = field(default_factory=dict)
    sms_sent: int = 0
    failed_logins: int = 0
    logged_out: list[str] = field(default_factory=list)
    outage: set[str] = field(default_factory=set)  # paths that cannot be reached
    _serial: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    # -- test controls --

    def expire_tokens(self) -> None:
        self.live_tokens.clear()

    def issue(self, login: str) -> dict[str, Any]:
        n = next(self._serial)
        token, refresh = f"tok-{n:04d}-abcdef", f"ref-{n:04d}-abcdef"
        self.live_tokens.add(token)
        self.live_refresh.add(refresh)
        return {
            "token": token,
            "refresh_token": refresh,
            "company": self.company,
            "login": login,
            "domain": "simplybook.me",
            "require2fa": False,
            "allowed2fa_providers": [],
            "auth_session_id": "",
            "id": 7,
        }

    def paths(self) -> list[str]:
        return [p for _, p in self.calls]

    # -- the server --

    def handle(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        path = urlsplit(str(request.url)).path
        self.calls.append((request.method, path))
        if path in self.outage:
            raise httpx.ConnectError("connection refused", request=request)
        body = json.loads(request.content) if request.content else {}
        if path == "/admin/auth":
            return self._login(body)
        if path == "/admin/auth/2fa":
            session = body.get("session_id", "")
            if session not in self.sessions:
                return _error(400, "Session not found")
            if body.get("code") != CODE:
                return _error(400, "Wrong code")
            return httpx.Response(200, json=self.issue(self.sessions.pop(session)))
        if path == "/admin/auth/sms":
            if request.url.params.get("session_id") not in self.sessions:
                return _error(400, "Session not found")
            self.sms_sent += 1
            return httpx.Response(200, json=True)
        if path == "/admin/auth/refresh-token":
            refresh = body.get("refresh_token")
            if refresh not in self.live_refresh:
                return _error(401, "Refresh token is invalid")
            self.live_refresh.discard(refresh)
            return httpx.Response(200, json=self.issue("admin"))
        if request.headers.get("X-Company-Login") != self.company:
            return _error(401, "Company login is missing")
        token = request.headers.get("X-Token", "")
        if token not in self.live_tokens:
            return _error(419, "Token Expired")
        if path == "/admin/auth/logout":
            self.logged_out.append(token)
            self.live_tokens.discard(token)
            return httpx.Response(200, json=True)
        if path == "/admin/company/info":
            info: dict[str, Any] = {"login": self.company, "name": "Demo Studio", "email": "a@b.c"}
            if self.company_timezone:
                info["timezone"] = self.company_timezone
            return httpx.Response(200, json=info)
        if path in ("/admin/providers", "/admin/services", "/admin/bookings"):
            rows = {
                "/admin/providers": self.providers,
                "/admin/services": self.services,
                "/admin/bookings": self.bookings,
            }[path]
            return self._page(request, rows)
        if path.startswith("/admin/bookings/"):
            parts = path.split("/")
            ident = int(parts[3])
            found = [b for b in self.bookings if int(b["id"]) == ident]
            if not found:
                return _error(404, "Booking not found")
            if parts[-1] == "comment" and request.method == "PUT":
                self.comments[ident] = body["comment"]
                return httpx.Response(200, json={"id": ident})
            return httpx.Response(200, json={**found[0], "comment": self.comments.get(ident, "")})
        return _error(404, "No route")

    def _login(self, body: dict[str, Any]) -> httpx.Response:
        if self.failed_logins >= 5:
            return _error(403, "Too many login attempts")
        if body.get("company") != self.company:
            return _error(400, "Invalid company")
        login, password = body.get("login", ""), body.get("password")
        if self.users.get(login) == password:
            return httpx.Response(200, json=self.issue(login))
        if self.two_factor_users.get(login) == password:
            session = f"sess-{next(self._serial)}-xyz"
            self.sessions[session] = login
            return httpx.Response(
                200,
                json={
                    "token": "",
                    "refresh_token": "",
                    "company": self.company,
                    "login": login,
                    "require2fa": True,
                    "allowed2fa_providers": self.allowed2fa,
                    "auth_session_id": session,
                },
            )
        self.failed_logins += 1
        return _error(400, "Incorrect login or password")

    def _page(self, request: httpx.Request, rows: list[dict[str, Any]]) -> httpx.Response:
        page = int(request.url.params.get("page", "1"))
        on_page = min(int(request.url.params.get("on_page", "10")), 100)
        chunk = rows[(page - 1) * on_page : page * on_page]
        if self.bare_lists:
            return httpx.Response(200, json=chunk)
        pages = max(1, -(-len(rows) // on_page))
        return httpx.Response(
            200,
            json={
                "data": chunk,
                "metadata": {
                    "items_count": len(rows),
                    "pages_count": pages,
                    "page": page,
                    "on_page": on_page,
                },
            },
        )


def _error(status: int, message: str) -> httpx.Response:
    return httpx.Response(
        status, json={"code": status, "message": message, "data": [], "message_data": []}
    )
