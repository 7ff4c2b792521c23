"""The one set of test fakes, shared by every test that needs them."""

from __future__ import annotations

import base64
import hashlib
import itertools
from collections import Counter
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx

from sbzoom.clients.http import MaybeCommittedError
from sbzoom.clients.simplybook import Provider, Service
from sbzoom.clients.zoom import MeetingRequest, Registrant, ZoomUser
from sbzoom.core.bookings.model import HostExhaustedError, ZoomMeeting
from sbzoom.errors import MissingScopeError

NOW = datetime(2026, 3, 2, 12, 0, 0, tzinfo=UTC)


class FakeClock:
    """Time that moves only when someone sleeps; every sleep is recorded."""

    def __init__(self, start: datetime = NOW) -> None:
        self.start = start
        self.elapsed = 0.0
        self.sleeps: list[float] = []

    def now(self) -> datetime:
        return self.start + timedelta(seconds=self.elapsed)

    def monotonic(self) -> float:
        return self.elapsed

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.elapsed += seconds


class FakeTokens:
    """A ``TokenSource`` (clients/http): hands out ``token``; each renewal records the token it
    was told was rejected and moves to the next of ``renewals``, keeping the last token once they
    run out (a renewal that yields nothing new)."""

    def __init__(self, token: str, renewals: Iterable[str] = ()) -> None:
        self.token = token
        self.renewals = iter(renewals)
        self.renewed: list[str] = []  # the rejected tokens, one per renewal asked for

    def access_token(self) -> str:
        return self.token

    def renew(self, rejected: str) -> str:
        self.renewed.append(rejected)
        self.token = next(self.renewals, self.token)
        return self.token


class FakeZoom:
    """A Zoom account in memory: meetings and registrants as the linking engine sees them
    (``ZoomOps``), recording every call; and its users (``list_users``, ``get_user``) as
    ``ZoomClient`` has them. ``may_list=False`` is a user-level sign-in, refused the account's user
    list; ``listed`` records the statuses asked for."""

    def __init__(
        self, users: Sequence[ZoomUser] = (), *, me: ZoomUser | None = None, may_list: bool = True
    ) -> None:
        self.users = list(users)
        self.me = me
        self.may_list = may_list
        self.listed: list[str] = []
        self.meetings: dict[int, dict[str, object]] = {}
        self.reg: dict[int, list[Registrant]] = {}
        self.calls: list[tuple[str, object]] = []
        self.ids = itertools.count(81000000001)
        self.exhausted: set[str] = set()
        self.drop_next_create = False

    def list_users(self, status: str = "active") -> list[ZoomUser]:
        self.listed.append(status)
        if not self.may_list:
            raise MissingScopeError(
                "The Zoom app lacks the scope user:read:list_users:admin (GET /users).",
                scopes=["user:read:list_users:admin"],
            )
        return [u for u in self.users if u.status == status]

    def get_user(self, user: str = "me") -> ZoomUser:
        assert user == "me" and self.me is not None, "only 'me' is known"
        return self.me

    def writes(self) -> list[tuple[str, object]]:
        return [c for c in self.calls if c[0] not in ("upcoming", "registrants")]

    def upcoming(self, host_id: str) -> list[ZoomMeeting]:
        self.calls.append(("upcoming", host_id))
        return [
            ZoomMeeting(
                mid,
                str(m["host"]),
                str(m["join_url"]),
                start=datetime.fromisoformat(str(m["start_time"]).replace("Z", "+00:00")),
                duration=int(m["duration"]),  # type: ignore[call-overload]
                topic=str(m["topic"]),
                agenda=str(m["agenda"])[:250],
            )
            for mid, m in self.meetings.items()
            if m["host"] == host_id
        ]

    def create(self, host_id: str, request: MeetingRequest) -> ZoomMeeting:
        self.calls.append(("create", host_id))
        if host_id in self.exhausted:
            raise HostExhaustedError(host_id, datetime(2026, 11, 25, tzinfo=UTC))
        mid = next(self.ids)
        self.meetings[mid] = {
            **request.to_json(),
            "host": host_id,
            "join_url": f"https://zoom.test/j/{mid}",
        }
        if self.drop_next_create:
            self.drop_next_create = False
            raise MaybeCommittedError("no answer")
        return ZoomMeeting(mid, host_id, f"https://zoom.test/j/{mid}", "pw")

    def update(self, meeting_id: int, request: MeetingRequest) -> None:
        self.calls.append(("update", meeting_id))
        self.meetings[meeting_id].update(request.to_json())

    def delete(self, meeting_id: int) -> None:
        self.calls.append(("delete", meeting_id))
        self.meetings.pop(meeting_id, None)

    def registrants(self, meeting_id: int) -> list[Registrant]:
        self.calls.append(("registrants", meeting_id))
        return list(self.reg.get(meeting_id, []))

    def add_registrant(self, meeting_id: int, email: str, first: str, last: str) -> Registrant:
        self.calls.append(("add_registrant", (meeting_id, email)))
        reg = Registrant(
            f"r{len(self.calls)}", email, join_url=f"https://zoom.test/w/{meeting_id}?tk={email}"
        )
        self.reg.setdefault(meeting_id, []).append(reg)
        return reg

    def cancel_registrant(self, meeting_id: int, registrant: Registrant) -> None:
        self.calls.append(("cancel_registrant", (meeting_id, registrant.id)))
        self.reg[meeting_id] = [r for r in self.reg.get(meeting_id, []) if r.id != registrant.id]


class FakeComments:
    """Booking comments in SimplyBook as the engine reads and writes them (``CommentOps``)."""

    def __init__(self) -> None:
        self.comments: dict[str, str] = {}

    def get_comment(self, booking_id: str) -> str:
        return self.comments.get(booking_id, "")

    def set_comment(self, booking_id: str, text: str) -> None:
        self.comments[booking_id] = text


class FakeCatalog:
    """SimplyBook's providers and services, in memory: the catalog calls of ``SimplyBookClient``."""

    def __init__(
        self, providers: Sequence[Provider] = (), services: Sequence[Service] = ()
    ) -> None:
        self.providers = list(providers)
        self.services = list(services)

    def list_providers(self) -> list[Provider]:
        return list(self.providers)

    def list_services(self) -> list[Service]:
        return list(self.services)


class FakeZoomApi:
    """Just enough of Zoom's OAuth and REST API to sign in and list users, as an
    ``httpx.MockTransport`` handler (``handle``): rotating refresh tokens, the PKCE check,
    revocation. (``FakeZoom`` is Zoom as the linking engine sees it, one level up.)"""

    CLIENT_ID = "client-abc"
    CLIENT_SECRET = "client-secret-0123456789"

    def __init__(self, clock: FakeClock) -> None:
        self.clock = clock
        self.counter = 0
        self.codes: dict[str, str] = {}  # code -> code_challenge
        self.access: dict[str, float] = {}  # token -> expiry (fake monotonic seconds)
        self.refresh: set[str] = set()  # refresh tokens that are still valid
        self.refresh_uses: Counter[str] = Counter()
        self.grants: Counter[str] = Counter()
        self.invalid_grants = 0
        self.revoked: list[str] = []
        self.scope = "user:read:list_users:admin user:read:user:admin meeting:write:meeting:admin"
        self.ttl = 3599
        self.me_status = 200
        self.revoke_status = 200
        self.requests: list[httpx.Request] = []
        self.issued: list[str] = []  # every secret value this fake ever handed out

    def authorize(self, url: str) -> tuple[str, str]:
        """What a browser does: Zoom approves, and redirects back with a code and the state."""
        query = {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}
        assert query["code_challenge_method"] == "S256"
        self.counter += 1
        code = f"authcode-{self.counter}-xyz"
        self.codes[code] = query["code_challenge"]
        self.issued.append(code)
        return query["redirect_uri"], f"code={code}&state={query['state']}"

    def _issue(self, refresh: bool) -> dict[str, Any]:
        self.counter += 1
        access = f"access-{self.counter}-0123456789"
        self.access[access] = self.clock.monotonic() + self.ttl
        body: dict[str, Any] = {
            "access_token": access,
            "token_type": "bearer",
            "expires_in": self.ttl,
            "scope": self.scope,
            "api_url": "https://api.zoom.test",
        }
        self.issued.append(access)
        if refresh:
            token = f"refresh-{self.counter}-0123456789"
            self.refresh.add(token)
            self.issued.append(token)
            body["refresh_token"] = token
        return body

    def expire_all(self) -> None:
        self.access.clear()

    def handle(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        path = request.url.path
        if path == "/oauth/token":
            return self._token(request)
        if path == "/oauth/revoke":
            form = {k: v[0] for k, v in parse_qs(request.content.decode()).items()}
            if self.revoke_status != 200:
                return httpx.Response(self.revoke_status, json={"error": "server_error"})
            self.revoked.append(form["token"])
            self.refresh.discard(form["token"])
            self.access.pop(form["token"], None)
            return httpx.Response(200, json={"status": "success"})
        token = request.headers.get("Authorization", "").removeprefix("Bearer ")
        if self.access.get(token, -1) < self.clock.monotonic():
            return httpx.Response(401, json={"code": 124, "message": "Invalid access token."})
        if path == "/v2/users/me":
            if self.me_status == 4700:
                return httpx.Response(
                    400,
                    json={"code": 4700, "message": "does not contain scopes:[user:read:user]"},
                )
            return httpx.Response(
                200, json={"id": "u1", "email": "ann@x.test", "account_id": "acc-9", "type": 2}
            )
        if path == "/v2/users":
            status = request.url.params.get("status", "active")
            users = {
                "active": [
                    {
                        "id": "u1",
                        "email": "ann@x.test",
                        "first_name": "Ann",
                        "type": 2,
                        "status": "active",
                    },
                    {
                        "id": "u2",
                        "email": "bo@x.test",
                        "first_name": "Bo",
                        "type": 1,
                        "status": "active",
                    },
                ],
                "inactive": [],
                "pending": [{"email": "new@x.test", "type": 1, "status": "pending"}],
            }[status]
            return httpx.Response(200, json={"next_page_token": "", "users": users})
        return httpx.Response(404, json={"code": 404, "message": "no such path"})

    def _token(self, request: httpx.Request) -> httpx.Response:
        basic = base64.b64encode(f"{self.CLIENT_ID}:{self.CLIENT_SECRET}".encode()).decode()
        if request.headers.get("Authorization") != f"Basic {basic}":
            return httpx.Response(401, json={"reason": "Invalid client", "error": "invalid_client"})
        form = {k: v[0] for k, v in parse_qs(request.content.decode()).items()}
        grant = form["grant_type"]
        self.grants[grant] += 1
        if grant == "authorization_code":
            challenge = self.codes.pop(form["code"], None)
            digest = hashlib.sha256(form["code_verifier"].encode()).digest()
            if challenge != base64.urlsafe_b64encode(digest).rstrip(b"=").decode():
                return httpx.Response(
                    400, json={"reason": "Invalid Token!", "error": "invalid_grant"}
                )
            return httpx.Response(200, json=self._issue(refresh=True))
        if grant == "refresh_token":
            token = form["refresh_token"]
            self.refresh_uses[token] += 1
            if token not in self.refresh:
                self.invalid_grants += 1
                return httpx.Response(
                    400, json={"reason": "Invalid Token!", "error": "invalid_grant"}
                )
            self.refresh.discard(token)  # rotation: single use
            return httpx.Response(200, json=self._issue(refresh=True))
        if grant == "account_credentials":
            return httpx.Response(200, json=self._issue(refresh=False))
        return httpx.Response(400, json={"error": "unsupported_grant_type"})
