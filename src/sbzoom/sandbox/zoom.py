"""The emulated Zoom: OAuth (authorization code + PKCE, refresh rotation, S2S, revoke), the REST v2
endpoints sbzoom uses, and the join/start/registration pages the links point to.

Behaviour follows ``docs/zoom-api-notes.md``; where the notes leave a detail open the choice is
written next to the code. Error bodies are ``{"code": int, "message": str}`` on REST and
``{"reason": str, "error": str}`` on the OAuth endpoints.
"""

from __future__ import annotations

import base64
import copy
import hashlib
import re
import secrets
import string
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sbzoom.sandbox._base import (
    BadRequestBody,
    Clock,
    Handler,
    Request,
    Response,
    Router,
    html_response,
    json_response,
    next_utc_midnight,
    no_content,
    zulu,
)
from sbzoom.sandbox.data import (
    ZOOM_ACCOUNT_ID,
    ZOOM_CLIENT_ID,
    ZOOM_CLIENT_SECRET,
    ZOOM_OWNER_ID,
    ZoomUser,
    zoom_users,
)
from sbzoom.sandbox.faults import Faults, zoom_category

AUTH_CODE_TTL = timedelta(minutes=5)
PAGE_TOKEN_TTL = timedelta(minutes=15)
EXPIRED_AFTER = timedelta(days=30)  # a past meeting leaves type=scheduled lists after this
MAX_REGISTRANTS_PER_STATUS_CALL = 30
MAX_PAGE_SIZE = 300
# The demo OAuth app's registered redirect URL: sbzoom's default (`auth login zoom`, --port 8765).
# Other URLs must be registered (SandboxOptions.redirect_uris, `sbzoom sandbox --redirect-uri`,
# POST /_sandbox/zoom/redirect_uris, ZoomService.register_redirect_uri), as in the Marketplace.
DEFAULT_REDIRECT_URI = "http://127.0.0.1:8765/callback"
QPS_MESSAGE = "You have reached the maximum per-second rate limit for this API. Try again later."
_PASSWORD_RE = re.compile(r"^[A-Za-z0-9@\-_*]*$")
_START_TIME_RE = re.compile(
    r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?$"
)
_EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


# -- scopes ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ScopeRule:
    """Scopes that allow one operation: ``admin`` ones for any user, ``own`` ones for yourself."""

    named: str  # the scope a 4700 names: the granular admin one, as for an account-level app
    admin: frozenset[str]
    own: frozenset[str]


def _rule(granular_admin: str, classic: str, *extra_own: str) -> ScopeRule:
    base = granular_admin.removesuffix(":admin")
    return ScopeRule(
        granular_admin,
        frozenset({granular_admin, f"{base}:master", f"{classic}:admin"}),
        frozenset({base, classic, *extra_own}),
    )


SCOPE_RULES: dict[str, ScopeRule] = {
    "users.list": _rule("user:read:list_users:admin", "user:read"),
    "users.get": _rule("user:read:user:admin", "user:read", "user_info:read"),
    "meetings.create": _rule("meeting:write:meeting:admin", "meeting:write"),
    "meetings.list": _rule("meeting:read:list_meetings:admin", "meeting:read"),
    "meeting.get": _rule("meeting:read:meeting:admin", "meeting:read"),
    "meeting.update": _rule("meeting:update:meeting:admin", "meeting:write"),
    "meeting.delete": _rule("meeting:delete:meeting:admin", "meeting:write"),
    "registrants.create": _rule("meeting:write:registrant:admin", "meeting:write"),
    "registrants.list": _rule("meeting:read:list_registrants:admin", "meeting:read"),
    "registrant.get": _rule("meeting:read:registrant:admin", "meeting:read"),
    "registrants.status": _rule("meeting:update:registrant_status:admin", "meeting:write"),
    "registrant.delete": _rule("meeting:delete:registrant:admin", "meeting:write"),
}
# users.list has no user-level variant (zoom-api-notes §1g)
SCOPE_RULES["users.list"] = ScopeRule(
    "user:read:list_users:admin",
    frozenset({"user:read:list_users:admin", "user:read:list_users:master", "user:read:admin"}),
    frozenset(),
)


# -- state -----------------------------------------------------------------------------------------


@dataclass
class _Grant:
    id: str
    kind: str  # authorization_code | account_credentials
    user_id: str
    scopes: frozenset[str]
    revoked: bool = False


@dataclass
class _AccessToken:
    grant_id: str
    expires_at: datetime


@dataclass
class _RefreshToken:
    grant_id: str
    used: bool = False
    revoked: bool = False


@dataclass
class _AuthCode:
    client_id: str
    redirect_uri: str
    challenge: str
    method: str
    expires_at: datetime
    used: bool = False


@dataclass(frozen=True)
class Revocation:
    token_kind: str  # access | refresh
    grant_id: str
    at: datetime


@dataclass
class Registrant:
    id: str
    email: str
    first_name: str
    last_name: str
    status: str  # approved | pending | denied | cancelled
    create_time: datetime
    token: str
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass
class Meeting:
    id: int
    uuid: str
    host_id: str
    host_email: str
    topic: str
    type: int
    start_time: datetime | None
    duration: int
    timezone: str
    agenda: str
    created_at: datetime
    password: str
    encrypted_password: str
    h323_password: str
    registration_token: str
    settings: dict[str, Any]
    tracking_fields: list[Any]
    status: str = "waiting"
    registrants: dict[str, Registrant] = field(default_factory=dict)

    @property
    def registration_enabled(self) -> bool:
        return self.settings.get("approval_type") in (0, 1)

    @property
    def end_time(self) -> datetime | None:
        if self.start_time is None:
            return None
        return self.start_time + timedelta(minutes=self.duration)


@dataclass
class _Cursor:
    keys: list[Any]
    offset: int
    expires_at: datetime


DEFAULT_SETTINGS: dict[str, Any] = {
    "host_video": False,
    "participant_video": False,
    "join_before_host": False,
    "jbh_time": 0,
    "mute_upon_entry": False,
    "watermark": False,
    "use_pmi": False,
    "approval_type": 2,
    "registration_type": 1,
    "audio": "voip",
    "auto_recording": "none",
    "waiting_room": False,
    "registrants_confirmation_email": True,
    "registrants_email_notification": True,
    "meeting_authentication": False,
    "alternative_hosts": "",
    "alternative_hosts_email_notification": True,
    "email_notification": True,
    "allow_multiple_devices": False,
    "private_meeting": False,
    "close_registration": False,
    "encryption_type": "enhanced_encryption",
}


def _error(status: int, code: int, message: str, **extra: Any) -> Response:
    return json_response(status, {"code": code, "message": message, **extra})


def _validation(*fields_: str) -> Response:
    errors = [{"field": name, "message": "Invalid field."} for name in fields_]
    return _error(400, 300, "Validation Failed.", errors=errors)


def _oauth_error(status: int, reason: str, error: str) -> Response:
    return json_response(status, {"reason": reason, "error": error})


def _random_digits(length: int) -> str:
    return "".join(secrets.choice(string.digits) for _ in range(length))


def _page_size(request: Request) -> int | Response:
    raw = request.arg("page_size")
    if raw is None or raw == "":
        return 30
    try:
        size = int(raw)
    except ValueError:
        return _validation("page_size")
    return max(1, min(size, MAX_PAGE_SIZE))


class ZoomService:
    """One Zoom account with its OAuth app, users, meetings and registrants."""

    def __init__(
        self,
        *,
        base_url: str,
        clock: Clock,
        faults: Faults,
        lock: threading.RLock,
        token_ttl: int = 3599,
        daily_limit: int = 100,
        scopes: Iterable[str] = (),
        redirect_uris: Iterable[str] = (),
        require_pkce: bool = True,
        start_url_ttl: int = 7200,
    ) -> None:
        self.base_url = base_url  # http://127.0.0.1:P/zoom
        self._clock = clock
        self._faults = faults
        self._lock = lock
        self._token_ttl = token_ttl
        self._daily_limit = daily_limit
        self._scopes = frozenset(scopes)
        # The demo app's allow list: sbzoom's default redirect URL plus what the sandbox was told.
        self._redirect_uris = tuple(dict.fromkeys((DEFAULT_REDIRECT_URI, *redirect_uris)))
        self.legacy_scope_code = False  # True: a missing scope is code 4700, as older Zoom said
        # True: a user-level token naming its own user id instead of `me` is refused, as the
        # spec tells user-level apps to pass `me` (whether Zoom enforces it is not documented).
        self.user_level_requires_me = False
        self._require_pkce = require_pkce
        self._start_url_ttl = timedelta(seconds=start_url_ttl)
        self._users = zoom_users()
        self._meetings: dict[int, Meeting] = {}
        self._deleted: list[int] = []
        self._grants: dict[str, _Grant] = {}
        self._access: dict[str, _AccessToken] = {}
        self._refresh: dict[str, _RefreshToken] = {}
        self._codes: dict[str, _AuthCode] = {}
        self._zaks: dict[str, tuple[int, datetime]] = {}
        self._cursors: dict[str, _Cursor] = {}
        self._daily: dict[tuple[str, str], int] = {}
        self._refresh_uses: dict[str, int] = {}
        self._invalid_grants = 0
        self._revocations: list[Revocation] = []
        # Set by the Sandbox: (event, meeting object, operator, old object) -> a webhook.
        self.webhook: Callable[[str, dict[str, Any], str, dict[str, Any] | None], None] | None = (
            None
        )
        self.router = Router()
        self._add_routes()

    # -- routing ---------------------------------------------------------------------------------

    def _add_routes(self) -> None:
        add = self.router.add
        add("GET", "/oauth/authorize", "oauth.authorize", self._authorize)
        add("POST", "/oauth/token", "oauth.token", self._token)
        add("POST", "/oauth/revoke", "oauth.revoke", self._revoke)
        add("GET", r"/j/(\d+)", "web.join", self._join_page)
        add("GET", r"/s/(\d+)", "web.start", self._start_page)
        add("GET", r"/meeting/register/([\w-]+)", "web.register", self._register_page)
        rest = self._rest
        add("GET", "/v2/users", "users.list", rest(self._list_users))
        add("GET", "/v2/users/([^/]+)", "users.get", rest(self._get_user))
        add("POST", "/v2/users/([^/]+)/meetings", "meetings.create", rest(self._create_meeting))
        add("GET", "/v2/users/([^/]+)/meetings", "meetings.list", rest(self._list_meetings))
        add("GET", "/v2/meetings/([^/]+)", "meeting.get", rest(self._get_meeting))
        add("PATCH", "/v2/meetings/([^/]+)", "meeting.update", rest(self._update_meeting))
        add("DELETE", "/v2/meetings/([^/]+)", "meeting.delete", rest(self._delete_meeting))
        add(
            "POST",
            "/v2/meetings/([^/]+)/registrants",
            "registrants.create",
            rest(self._add_registrant),
        )
        add(
            "GET",
            "/v2/meetings/([^/]+)/registrants",
            "registrants.list",
            rest(self._list_registrants),
        )
        add(
            "PUT",
            "/v2/meetings/([^/]+)/registrants/status",
            "registrants.status",
            rest(self._registrant_status),
        )
        add(
            "GET",
            "/v2/meetings/([^/]+)/registrants/([^/]+)",
            "registrant.get",
            rest(self._get_registrant),
        )
        add(
            "DELETE",
            "/v2/meetings/([^/]+)/registrants/([^/]+)",
            "registrant.delete",
            rest(self._delete_registrant),
        )

    def handle(self, request: Request) -> tuple[str, Response]:
        """Answer a request whose path is relative to ``/zoom``; returns (route name, response)."""
        found = self.router.resolve(request.method, request.path)
        if found is None:
            if self.router.path_exists(request.path):
                return "unknown", _error(405, 405, "Method Not Allowed")
            return "unknown", _error(404, 404, "Not Found")
        route, match = found
        if route.name.startswith("web.") or route.name.startswith("oauth."):
            with self._lock:
                return route.name, route.handler(request, match)
        if not self._faults.admit_zoom(route.name):
            return route.name, self.qps_429(route.name)
        with self._lock:
            return route.name, route.handler(request, match)

    def route_name(self, method: str, path: str) -> str:
        found = self.router.resolve(method, path)
        return found[0].name if found else "unknown"

    @staticmethod
    def qps_429(route: str) -> Response:
        category = zoom_category(route)
        return json_response(
            429,
            {"code": 429, "message": QPS_MESSAGE},
            {"X-RateLimit-Type": "QPS", "X-RateLimit-Category": category, "Retry-After": "1"},
        )

    def _rest(self, handler: Callable[[Request, re.Match[str], _Grant], Response]) -> Handler:
        def run(request: Request, match: re.Match[str]) -> Response:
            grant = self._authenticate(request)
            if isinstance(grant, Response):
                return grant
            return handler(request, match, grant)

        return run

    # -- OAuth -----------------------------------------------------------------------------------

    def _redirect_allowed(self, uri: str) -> bool:
        # Zoom compares the redirect URL with the app's allow list exactly, port included.
        with self._lock:
            return uri in self._redirect_uris

    def register_redirect_uri(self, uri: str) -> None:
        """Add ``uri`` to the demo OAuth app's redirect allow list (as in the Marketplace)."""
        with self._lock:
            if uri not in self._redirect_uris:
                self._redirect_uris = (*self._redirect_uris, uri)

    @property
    def redirect_uris(self) -> tuple[str, ...]:
        with self._lock:
            return self._redirect_uris

    def _authorize(self, request: Request, match: re.Match[str]) -> Response:
        client_id = request.arg("client_id") or ""
        redirect_uri = request.arg("redirect_uri") or ""
        if client_id != ZOOM_CLIENT_ID:
            return _oauth_error(400, f"Invalid client_id: {client_id}", "invalid_client")
        if not self._redirect_allowed(redirect_uri):
            return _oauth_error(
                400, "Invalid redirect: redirect_uri mismatch (4709)", "invalid_request"
            )
        state = request.arg("state")

        def back(values: dict[str, str]) -> Response:
            if state is not None:
                values["state"] = state
            sep = "&" if "?" in redirect_uri else "?"
            return Response(302, b"", {"Location": f"{redirect_uri}{sep}{urlencode(values)}"})

        if request.arg("response_type") != "code":
            return back({"error": "unsupported_response_type"})
        challenge = request.arg("code_challenge") or ""
        method = request.arg("code_challenge_method") or "plain"  # Zoom's default when omitted
        if method not in ("S256", "plain"):
            return back(
                {
                    "error": "invalid_request",
                    "error_description": "code_challenge_method must be S256 or plain",
                }
            )
        if self._require_pkce and not challenge:
            return back(
                {"error": "invalid_request", "error_description": "code_challenge required"}
            )
        code = secrets.token_urlsafe(24)
        self._codes[code] = _AuthCode(
            client_id, redirect_uri, challenge, method, self._clock.now() + AUTH_CODE_TTL
        )
        return back({"code": code})

    def _client_ok(self, request: Request) -> bool:
        header = request.header("authorization") or ""
        scheme, _, value = header.partition(" ")
        if scheme.lower() != "basic":
            return False
        try:
            decoded = base64.b64decode(value.strip(), validate=True).decode()
        except (ValueError, UnicodeDecodeError):
            return False
        client_id, _, secret = decoded.partition(":")
        return secrets.compare_digest(client_id, ZOOM_CLIENT_ID) and secrets.compare_digest(
            secret, ZOOM_CLIENT_SECRET
        )

    def _invalid_grant(self, reason: str = "Invalid Token!") -> Response:
        self._invalid_grants += 1
        return _oauth_error(400, reason, "invalid_grant")

    def _token(self, request: Request, match: re.Match[str]) -> Response:
        if not self._client_ok(request):
            return _oauth_error(401, "Invalid client_id or client_secret", "invalid_client")
        form = request.form()
        grant_type = form.get("grant_type", "")
        if not grant_type:
            return _oauth_error(400, "Missing grant type", "invalid_request")
        if grant_type == "authorization_code":
            return self._exchange_code(form)
        if grant_type == "refresh_token":
            return self._rotate(form.get("refresh_token", ""))
        if grant_type == "account_credentials":
            if form.get("account_id") != ZOOM_ACCOUNT_ID:
                return _oauth_error(400, "Invalid account_id", "invalid_request")
            grant = self._new_grant("account_credentials")
            return self._token_response(grant, refresh=False)
        return _oauth_error(400, "unsupported grant type", "unsupported_grant_type")

    def _exchange_code(self, form: dict[str, str]) -> Response:
        code = self._codes.get(form.get("code", ""))
        if code is None or code.used or code.client_id != ZOOM_CLIENT_ID:
            return self._invalid_grant(f"Invalid authorization code {form.get('code', '')}")
        code.used = True  # single use, whatever the outcome
        if self._clock.now() >= code.expires_at:
            return self._invalid_grant("Authorization code is expired")
        if form.get("redirect_uri", "") != code.redirect_uri:
            return self._invalid_grant("Redirect URI mismatch.")
        verifier = form.get("code_verifier", "")
        if code.challenge:
            if code.method == "S256":
                digest = hashlib.sha256(verifier.encode()).digest()
                expected = base64.urlsafe_b64encode(digest).decode().rstrip("=")
            else:
                expected = verifier
            if not verifier or not secrets.compare_digest(expected, code.challenge):
                return self._invalid_grant()
        # The last authorization wins: refresh tokens of earlier ones stop working (4741).
        for grant in self._grants.values():
            if grant.kind == "authorization_code" and grant.user_id == ZOOM_OWNER_ID:
                for refresh in self._refresh.values():
                    if refresh.grant_id == grant.id:
                        refresh.revoked = True
        grant = self._new_grant("authorization_code")
        return self._token_response(grant, refresh=True)

    def _rotate(self, value: str) -> Response:
        self._refresh_uses[value] = self._refresh_uses.get(value, 0) + 1
        refresh = self._refresh.get(value)
        if refresh is None or refresh.used or refresh.revoked:
            return self._invalid_grant()
        grant = self._grants[refresh.grant_id]
        if grant.revoked:
            return self._invalid_grant()
        refresh.used = True
        return self._token_response(grant, refresh=True)

    def _new_grant(self, kind: str) -> _Grant:
        grant = _Grant(secrets.token_hex(8), kind, ZOOM_OWNER_ID, self._scopes)
        self._grants[grant.id] = grant
        return grant

    def _token_response(self, grant: _Grant, *, refresh: bool) -> Response:
        access = secrets.token_urlsafe(48)
        self._access[access] = _AccessToken(
            grant.id, self._clock.now() + timedelta(seconds=self._token_ttl)
        )
        body: dict[str, Any] = {"access_token": access, "token_type": "bearer"}
        if refresh:
            value = secrets.token_urlsafe(48)
            self._refresh[value] = _RefreshToken(grant.id)
            body["refresh_token"] = value
        body.update(
            expires_in=self._token_ttl,
            scope=" ".join(sorted(grant.scopes)),
            api_url=self.base_url,
        )
        return json_response(200, body)

    def _revoke(self, request: Request, match: re.Match[str]) -> Response:
        if not self._client_ok(request):
            return _oauth_error(401, "Invalid client_id or client_secret", "invalid_client")
        token = request.form().get("token", "")
        if token in self._access:
            kind, grant_id = "access", self._access[token].grant_id
        elif token in self._refresh:
            kind, grant_id = "refresh", self._refresh[token].grant_id
        else:
            return _oauth_error(400, "Invalid Token!", "invalid_request")
        self._grants[grant_id].revoked = True
        for refresh in self._refresh.values():
            if refresh.grant_id == grant_id:
                refresh.revoked = True
        self._revocations.append(Revocation(kind, grant_id, self._clock.now()))
        return json_response(200, {"status": "success"})

    def _authenticate(self, request: Request) -> _Grant | Response:
        header = request.header("authorization") or ""
        scheme, _, value = header.partition(" ")
        token = self._access.get(value.strip()) if scheme.lower() == "bearer" else None
        if token is None or self._grants[token.grant_id].revoked:
            return _error(401, 124, "Invalid access token.")
        if self._clock.now() >= token.expires_at:
            return _error(401, 124, "Access token is expired.")
        return self._grants[token.grant_id]

    def _scope_error(self, rule: ScopeRule) -> Response:
        # Today's Zoom answers 4711; older answers (and some docs) say 4700 for the same thing.
        code = 4700 if self.legacy_scope_code else 4711
        return _error(400, code, f"Invalid access token, does not contain scopes:[{rule.named}].")

    def _has_any_scope(self, grant: _Grant, route: str) -> Response | None:
        rule = SCOPE_RULES[route]
        if grant.scopes & (rule.admin | rule.own):
            return None
        return self._scope_error(rule)

    def _may_act_for(
        self, grant: _Grant, route: str, user_id: str | None, ref: str = "me"
    ) -> Response | None:
        rule = SCOPE_RULES[route]
        if grant.scopes & rule.admin:
            return None
        if grant.scopes & rule.own and user_id == grant.user_id:
            if self.user_level_requires_me and ref != "me":
                return _error(
                    400, 1001, "For user-level apps, pass the 'me' value instead of the userId."
                )
            return None
        return self._scope_error(rule)

    # -- users -----------------------------------------------------------------------------------

    def _find_user(self, ref: str, grant: _Grant) -> ZoomUser | None:
        if ref == "me":
            ref = grant.user_id
        for user in self._users:
            if user.id is not None and (user.id == ref or user.email.lower() == ref.lower()):
                return user
        return None

    def _user_json(self, user: ZoomUser, *, full: bool = False) -> dict[str, Any]:
        data: dict[str, Any] = {}
        if user.id is not None:
            data["id"] = user.id
        data.update(
            first_name=user.first_name,
            last_name=user.last_name,
            display_name=f"{user.first_name} {user.last_name}",
            email=user.email,
            type=user.type,
        )
        if user.status != "pending":
            data.update(
                pmi=user.pmi, verified=1, last_login_time=zulu(user.created_at + timedelta(days=30))
            )
        data.update(
            timezone=user.timezone,
            dept="",
            created_at=zulu(user.created_at),
            user_created_at=zulu(user.created_at),
            language="en-US",
            status=user.status,
            role_id=user.role_id,
        )
        if full:
            data.update(
                role_name=user.role_name,
                account_id=ZOOM_ACCOUNT_ID,
                account_number=81000000,
                use_pmi=False,
                personal_meeting_url=f"{self.base_url}/j/{user.pmi}",
                phone_number="",
                cms_user_id="",
                group_ids=[],
                im_group_ids=[],
                login_types=[100],
                cluster="sbx01",
            )
        return data

    def _list_users(self, request: Request, match: re.Match[str], grant: _Grant) -> Response:
        denied = self._has_any_scope(grant, "users.list")
        if denied:
            return denied
        size = _page_size(request)
        if isinstance(size, Response):
            return size
        status = request.arg("status") or "active"
        if status not in ("active", "inactive", "pending"):
            return _validation("status")
        keys = [index for index, user in enumerate(self._users) if user.status == status]
        page = self._page(request, keys, size)
        if isinstance(page, Response):
            return page
        chunk, token, total = page
        return json_response(
            200,
            {
                "page_count": max(1, -(-total // size)),
                "page_number": 1,
                "page_size": size,
                "total_records": total,
                "next_page_token": token,
                "users": [self._user_json(self._users[i]) for i in chunk],
            },
        )

    def _get_user(self, request: Request, match: re.Match[str], grant: _Grant) -> Response:
        denied = self._has_any_scope(grant, "users.get")
        if denied:
            return denied
        user = self._find_user(match.group(1), grant)
        if user is None:
            return _error(404, 1001, f"User does not exist: {match.group(1)}.")
        denied = self._may_act_for(grant, "users.get", user.id)
        if denied:
            return denied
        return json_response(200, self._user_json(user, full=True))

    def _page(
        self, request: Request, keys: list[Any], size: int
    ) -> tuple[list[Any], str, int] | Response:
        """One page of ``keys`` plus the next_page_token ('' on the last page) and the total."""
        now = self._clock.now()
        token = request.arg("next_page_token") or ""
        if token:
            cursor = self._cursors.pop(token, None)
            if cursor is None or now >= cursor.expires_at:
                return _error(400, 300, "The next page token is invalid or expired.")
            keys, offset = cursor.keys, cursor.offset
        else:
            offset = 0
        chunk = keys[offset : offset + size]
        following = ""
        if offset + size < len(keys):
            following = secrets.token_urlsafe(24)
            self._cursors[following] = _Cursor(keys, offset + size, now + PAGE_TOKEN_TTL)
        return chunk, following, len(keys)

    # -- meetings --------------------------------------------------------------------------------

    def _can_host(self, user: ZoomUser) -> Response | None:
        if user.status != "active" or not user.can_schedule:
            return _error(
                400,
                3161,
                "Meeting hosting and scheduling capabilities are not allowed "
                "for your user account.",
            )
        return None

    def _count_create_update(self, host: ZoomUser) -> Response | None:
        """The per-host daily create+update limit; None when this request may go ahead."""
        now = self._clock.now()
        key = (host.id or "", now.date().isoformat())
        used = self._daily.get(key, 0)
        if used >= self._daily_limit:
            reset = zulu(next_utc_midnight(now))
            message = (
                f"You have exceeded the daily rate limit ({self._daily_limit}) of Meeting "
                "Create/Update API requests permitted for this particular user. You may resume "
                "these requests at GMT 00:00:00."
            )
            return json_response(
                429,
                {"code": 429, "message": message},
                {
                    "X-RateLimit-Type": "Daily-limit",
                    "X-RateLimit-Category": "Light",
                    "X-RateLimit-Limit": str(self._daily_limit),
                    "X-RateLimit-Remaining": "0",
                    "Retry-After": reset,
                },
            )
        self._daily[key] = used + 1
        return None

    def _parse_fields(self, body: dict[str, Any], default_zone: str) -> dict[str, Any] | Response:
        """Validated meeting fields from a create or update body (only the keys present)."""
        bad: list[str] = []
        out: dict[str, Any] = {}
        if "topic" in body:
            if not isinstance(body["topic"], str) or len(body["topic"]) > 200:
                bad.append("topic")
            else:
                out["topic"] = body["topic"]
        if "type" in body:
            if body["type"] not in (1, 2, 3, 8) or isinstance(body["type"], bool):
                bad.append("type")
            else:
                out["type"] = body["type"]
        zone_name = default_zone
        if body.get("timezone"):
            try:
                ZoneInfo(str(body["timezone"]))
                zone_name = out["timezone"] = str(body["timezone"])
            except (ZoneInfoNotFoundError, ValueError):
                bad.append("timezone")
        if body.get("start_time"):
            parsed = self._parse_start(body["start_time"], zone_name)
            if parsed is None:
                bad.append("start_time")
            else:
                out["start_time"] = parsed
        if "duration" in body:
            duration = body["duration"]
            if isinstance(duration, str) and duration.isdigit():
                duration = int(duration)
            if not isinstance(duration, int) or isinstance(duration, bool) or duration < 0:
                bad.append("duration")
            else:
                out["duration"] = duration
        if "agenda" in body:
            if not isinstance(body["agenda"], str) or len(body["agenda"]) > 2000:
                bad.append("agenda")
            else:
                out["agenda"] = body["agenda"]
        if "password" in body:
            password = body["password"]
            if (
                not isinstance(password, str)
                or len(password) > 10
                or not _PASSWORD_RE.match(password)
            ):
                bad.append("password")
            else:
                out["password"] = password
        if "settings" in body:
            settings = body["settings"]
            if not isinstance(settings, dict):
                bad.append("settings")
            elif "approval_type" in settings and settings["approval_type"] not in (0, 1, 2):
                bad.append("settings.approval_type")
            elif "jbh_time" in settings and settings["jbh_time"] not in (0, 5, 10):
                bad.append("settings.jbh_time")
            else:
                out["settings"] = settings
        if "tracking_fields" in body:
            if not isinstance(body["tracking_fields"], list):
                bad.append("tracking_fields")
            else:
                out["tracking_fields"] = body["tracking_fields"]
        if bad:
            return _validation(*bad)
        return out

    @staticmethod
    def _parse_start(value: Any, zone_name: str) -> datetime | None:
        """``…Z`` is UTC; without ``Z`` it is local time in ``timezone`` (Zoom's two forms).

        An explicit offset (``+02:00``) is accepted as well and honoured.
        """
        if not isinstance(value, str) or not _START_TIME_RE.match(value.strip()):
            return None
        text = value.strip()
        try:
            if text.endswith("Z"):
                return datetime.fromisoformat(text[:-1]).replace(tzinfo=UTC)
            moment = datetime.fromisoformat(text)
        except ValueError:
            return None
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=ZoneInfo(zone_name))
        return moment.astimezone(UTC).replace(microsecond=0)

    def _new_meeting_id(self) -> int:
        while True:
            meeting_id = 10_000_000_000 + secrets.randbelow(89_999_999_999)
            if meeting_id not in self._meetings and meeting_id not in self._deleted:
                return meeting_id

    def _issue_start_url(self, meeting: Meeting) -> str:
        zak = secrets.token_urlsafe(32)
        self._zaks[zak] = (meeting.id, self._clock.now())
        return f"{self.base_url}/s/{meeting.id}?zak={zak}"

    def _join_url(self, meeting: Meeting) -> str:
        return f"{self.base_url}/j/{meeting.id}?pwd={meeting.encrypted_password}"

    def _registrant_url(self, meeting: Meeting, registrant: Registrant) -> str:
        return f"{self.base_url}/j/{meeting.id}?tk={registrant.token}"

    def _meeting_json(self, meeting: Meeting, *, start_url: bool = True) -> dict[str, Any]:
        data: dict[str, Any] = {
            "uuid": meeting.uuid,
            "id": meeting.id,
            "host_id": meeting.host_id,
            "host_email": meeting.host_email,
            "assistant_id": "",
            "topic": meeting.topic,
            "type": meeting.type,
            "status": meeting.status,
        }
        if meeting.start_time is not None and meeting.type in (2, 8):
            data["start_time"] = zulu(meeting.start_time)
        data.update(
            duration=meeting.duration,
            timezone=meeting.timezone,
            agenda=meeting.agenda,
            created_at=zulu(meeting.created_at),
        )
        if start_url:
            data["start_url"] = self._issue_start_url(meeting)
        data.update(
            join_url=self._join_url(meeting),
            password=meeting.password,
            h323_password=meeting.h323_password,
            pstn_password=meeting.h323_password,
            encrypted_password=meeting.encrypted_password,
            settings=copy.deepcopy(meeting.settings),
            pre_schedule=False,
        )
        if meeting.registration_enabled:
            data["registration_url"] = (
                f"{self.base_url}/meeting/register/{meeting.registration_token}"
            )
        if meeting.tracking_fields:
            data["tracking_fields"] = copy.deepcopy(meeting.tracking_fields)
        return data

    def _body(self, request: Request) -> dict[str, Any] | Response:
        try:
            return request.json_object()
        except BadRequestBody:
            return _error(400, 300, "Request Body should be a valid JSON object.")

    def _create_meeting(self, request: Request, match: re.Match[str], grant: _Grant) -> Response:
        denied = self._has_any_scope(grant, "meetings.create")
        if denied:
            return denied
        ref = match.group(1)
        host = self._find_user(ref, grant)
        if host is None or host.id is None:
            return _error(404, 1001, f"User {ref} not exist or not belong to this account.")
        denied = self._may_act_for(grant, "meetings.create", host.id, ref) or self._can_host(host)
        if denied:
            return denied
        body = self._body(request)
        if isinstance(body, Response):
            return body
        fields_ = self._parse_fields(body, host.timezone)
        if isinstance(fields_, Response):
            return fields_
        limited = self._count_create_update(host)
        if limited:
            return limited
        now = self._clock.now().replace(microsecond=0)
        settings = {**DEFAULT_SETTINGS, **fields_.get("settings", {})}
        if settings.get("waiting_room"):
            settings["join_before_host"] = False  # the waiting room silently wins
        meeting_type = fields_.get("type", 2)
        meeting = Meeting(
            id=self._new_meeting_id(),
            uuid=base64.b64encode(secrets.token_bytes(16)).decode(),
            host_id=host.id,
            host_email=host.email,
            topic=fields_.get("topic", "Zoom Meeting"),
            type=meeting_type,
            start_time=fields_.get("start_time", now) if meeting_type != 3 else None,
            duration=fields_.get("duration", 60),
            timezone=fields_.get("timezone", host.timezone),
            agenda=fields_.get("agenda", ""),
            created_at=now,
            password=fields_.get(
                "password",
                "".join(secrets.choice(string.ascii_letters + string.digits) for _ in range(6)),
            ),
            encrypted_password=secrets.token_urlsafe(24),
            h323_password=_random_digits(6),
            registration_token=secrets.token_urlsafe(16),
            settings=settings,
            tracking_fields=fields_.get("tracking_fields", []),
        )
        self._meetings[meeting.id] = meeting
        response = json_response(201, self._meeting_json(meeting))
        response.headers["Location"] = f"{self.base_url}/v2/meetings/{meeting.id}"
        response.drop = self._faults.drop_this_create("meetings.create")
        return response

    def _meeting_for(self, raw_id: str, grant: _Grant, route: str) -> Meeting | Response:
        denied = self._has_any_scope(grant, route)
        if denied:
            return denied
        meeting = self._meetings.get(int(raw_id)) if raw_id.isdigit() else None
        if meeting is None:
            if route.startswith("registrant"):
                # The spec lists code 300 for the registrant operations ("Meeting {id} is not
                # found or has expired"), not 3001 as the meeting operations answer.
                return _error(400, 300, f"Meeting {raw_id} is not found or has expired.")
            return _error(404, 3001, f"Meeting {raw_id} is not found or has expired.")
        denied = self._may_act_for(grant, route, meeting.host_id)
        return denied or meeting

    def _host_of(self, meeting: Meeting) -> ZoomUser:
        return next(user for user in self._users if user.id == meeting.host_id)

    def _get_meeting(self, request: Request, match: re.Match[str], grant: _Grant) -> Response:
        meeting = self._meeting_for(match.group(1), grant, "meeting.get")
        if isinstance(meeting, Response):
            return meeting
        return json_response(200, self._meeting_json(meeting))

    def _update_meeting(self, request: Request, match: re.Match[str], grant: _Grant) -> Response:
        meeting = self._meeting_for(match.group(1), grant, "meeting.update")
        if isinstance(meeting, Response):
            return meeting
        host = self._host_of(meeting)
        denied = self._can_host(host)
        if denied:
            return denied
        body = self._body(request)
        if isinstance(body, Response):
            return body
        fields_ = self._parse_fields(body, meeting.timezone)
        if isinstance(fields_, Response):
            return fields_
        limited = self._count_create_update(host)
        if limited:
            return limited
        before = self._watched(meeting)
        for name in (
            "topic",
            "type",
            "duration",
            "timezone",
            "agenda",
            "password",
            "tracking_fields",
        ):
            if name in fields_:
                setattr(meeting, name, fields_[name])
        start = fields_.get("start_time")
        if start is not None and start > self._clock.now():  # a past start_time is ignored
            meeting.start_time = start
        if "settings" in fields_:
            meeting.settings.update(fields_["settings"])
            if meeting.settings.get("waiting_room"):
                meeting.settings["join_before_host"] = False
        self._updated(meeting, before, self._operator(grant))
        return no_content()

    def _delete_meeting(self, request: Request, match: re.Match[str], grant: _Grant) -> Response:
        meeting = self._meeting_for(match.group(1), grant, "meeting.delete")
        if isinstance(meeting, Response):
            return meeting
        if meeting.status == "started":
            return _error(400, 3002, f"Meeting {meeting.id} is in progress and cannot be deleted.")
        del self._meetings[meeting.id]
        self._deleted.append(meeting.id)
        self._gone(meeting, self._operator(grant))
        return no_content()

    def _list_meetings(self, request: Request, match: re.Match[str], grant: _Grant) -> Response:
        denied = self._has_any_scope(grant, "meetings.list")
        if denied:
            return denied
        ref = match.group(1)
        host = self._find_user(ref, grant)
        if host is None or host.id is None:
            return _error(404, 1001, f"User {ref} not exist or not belong to this account.")
        denied = self._may_act_for(grant, "meetings.list", host.id, ref)
        if denied:
            return denied
        size = _page_size(request)
        if isinstance(size, Response):
            return size
        kind = request.arg("type") or "scheduled"
        now = self._clock.now()
        mine = [m for m in self._meetings.values() if m.host_id == host.id and m.type != 1]

        def keep(meeting: Meeting) -> bool:
            end = meeting.end_time
            if kind == "scheduled":
                return end is None or end + EXPIRED_AFTER > now
            if kind in ("upcoming", "upcoming_meetings"):
                return end is None or end > now
            if kind == "live":
                return meeting.status == "started"
            return end is not None and end <= now  # previous_meetings

        if kind not in ("scheduled", "upcoming", "upcoming_meetings", "live", "previous_meetings"):
            return _validation("type")
        far = datetime.max.replace(tzinfo=UTC)
        chosen = sorted((m for m in mine if keep(m)), key=lambda m: (m.start_time or far, m.id))
        page = self._page(request, [m.id for m in chosen], size)
        if isinstance(page, Response):
            return page
        ids, token, total = page
        items = []
        for meeting_id in ids:
            meeting = self._meetings.get(meeting_id)
            if meeting is None:
                continue  # deleted since the first page
            item: dict[str, Any] = {
                "uuid": meeting.uuid,
                "id": meeting.id,
                "host_id": meeting.host_id,
                "topic": meeting.topic,
                "type": meeting.type,
            }
            if meeting.start_time is not None:
                item["start_time"] = zulu(meeting.start_time)
            item.update(
                duration=meeting.duration,
                timezone=meeting.timezone,
                agenda=meeting.agenda[:250],
                created_at=zulu(meeting.created_at),
                join_url=self._join_url(meeting),
            )
            items.append(item)
        return json_response(
            200,
            {
                "page_count": max(1, -(-total // size)),
                "page_number": 1,
                "page_size": size,
                "total_records": total,
                "next_page_token": token,
                "meetings": items,
            },
        )

    # -- registrants -----------------------------------------------------------------------------

    def _registrant_json(self, meeting: Meeting, registrant: Registrant) -> dict[str, Any]:
        data: dict[str, Any] = {
            "id": registrant.id,
            "email": registrant.email,
            "first_name": registrant.first_name,
            "last_name": registrant.last_name,
            **registrant.extra,
            "status": "denied" if registrant.status == "cancelled" else registrant.status,
            "create_time": zulu(registrant.create_time),
        }
        if registrant.status == "approved":
            data["join_url"] = self._registrant_url(meeting, registrant)
        return data

    def _add_registrant(self, request: Request, match: re.Match[str], grant: _Grant) -> Response:
        meeting = self._meeting_for(match.group(1), grant, "registrants.create")
        if isinstance(meeting, Response):
            return meeting
        host = self._host_of(meeting)
        if host.type != 2:
            return _error(400, 200, f"Only available for paid users: {host.email}.")
        denied = self._can_host(host)
        if denied:
            return denied
        if not meeting.registration_enabled:
            return _error(
                404, 404, f"Registration has not been enabled for this meeting: {meeting.id}."
            )
        body = self._body(request)
        if isinstance(body, Response):
            return body
        email, first_name = body.get("email"), body.get("first_name")
        bad = []
        if not isinstance(email, str) or not _EMAIL_RE.match(email) or len(email) > 128:
            bad.append("email")
        if not isinstance(first_name, str) or not first_name.strip() or len(first_name) > 64:
            bad.append("first_name")
        last_name = body.get("last_name")
        if last_name is not None and (not isinstance(last_name, str) or len(last_name) > 64):
            bad.append("last_name")  # spec: first_name, last_name maxLength 64; email 128
        if bad:
            return _validation(*bad)
        assert isinstance(email, str) and isinstance(first_name, str)
        existing = next(
            (
                r
                for r in meeting.registrants.values()
                if r.email.lower() == email.lower() and r.status in ("approved", "pending")
            ),
            None,
        )
        registrant = existing
        if registrant is None:
            approved = (
                meeting.settings.get("approval_type") == 0 or body.get("auto_approve") is True
            )
            extra: dict[str, Any] = {
                key: body[key]
                for key in (
                    "address",
                    "city",
                    "country",
                    "zip",
                    "state",
                    "phone",
                    "comments",
                    "org",
                    "job_title",
                    "language",
                    "custom_questions",
                )
                if key in body
            }
            registrant = Registrant(
                id=secrets.token_urlsafe(16),
                email=email,
                first_name=first_name,
                last_name=str(body.get("last_name") or ""),
                status="approved" if approved else "pending",
                create_time=self._clock.now().replace(microsecond=0),
                token=secrets.token_urlsafe(32),
                extra=extra,
            )
            meeting.registrants[registrant.id] = registrant
        data: dict[str, Any] = {
            "id": meeting.id,
            "registrant_id": registrant.id,
            "topic": meeting.topic,
            "occurrences": [],
        }
        if meeting.start_time is not None:
            data["start_time"] = zulu(meeting.start_time)
        # Spec (meetingRegistrantCreate 201, join_url): "The API will not return this field if
        # the meeting was created with the approval_type field value of 1", auto_approve or not.
        # GET /meetings/{id}/registrants/{registrantId} and the registrant list carry it.
        if registrant.status == "approved" and meeting.settings.get("approval_type") != 1:
            data["join_url"] = self._registrant_url(meeting, registrant)
        return json_response(201, data)

    def _list_registrants(self, request: Request, match: re.Match[str], grant: _Grant) -> Response:
        meeting = self._meeting_for(match.group(1), grant, "registrants.list")
        if isinstance(meeting, Response):
            return meeting
        if not meeting.registration_enabled:
            return _error(
                400, 300, f"This meeting has not set registration as required: {meeting.id}."
            )
        size = _page_size(request)
        if isinstance(size, Response):
            return size
        wanted = request.arg("status") or "approved"
        if wanted not in ("approved", "pending", "denied"):
            return _validation("status")
        statuses = ("denied", "cancelled") if wanted == "denied" else (wanted,)
        keys = [r.id for r in meeting.registrants.values() if r.status in statuses]
        page = self._page(request, keys, size)
        if isinstance(page, Response):
            return page
        ids, token, total = page
        registrants = [
            self._registrant_json(meeting, meeting.registrants[i])
            for i in ids
            if i in meeting.registrants
        ]
        return json_response(
            200,
            {
                "page_count": max(1, -(-total // size)),
                "page_number": 1,
                "page_size": size,
                "total_records": total,
                "next_page_token": token,
                "registrants": registrants,
            },
        )

    def _registrant_status(self, request: Request, match: re.Match[str], grant: _Grant) -> Response:
        meeting = self._meeting_for(match.group(1), grant, "registrants.status")
        if isinstance(meeting, Response):
            return meeting
        if not meeting.registration_enabled:
            return _error(
                400, 300, f"This meeting has not set registration as required: {meeting.id}."
            )
        body = self._body(request)
        if isinstance(body, Response):
            return body
        action, entries = body.get("action"), body.get("registrants")
        if action not in ("approve", "cancel", "deny"):
            return _validation("action")
        if (
            not isinstance(entries, list)
            or len(entries) > MAX_REGISTRANTS_PER_STATUS_CALL
            or not all(isinstance(entry, dict) for entry in entries)
        ):
            return _validation("registrants")
        for entry in entries:
            for registrant in meeting.registrants.values():
                matches = entry.get("id") == registrant.id or (
                    isinstance(entry.get("email"), str)
                    and entry["email"].lower() == registrant.email.lower()
                )
                if not matches:
                    continue
                if action == "approve" and registrant.status in ("pending", "denied"):
                    registrant.status = "approved"
                elif action == "cancel" and registrant.status == "approved":
                    registrant.status = "cancelled"
                elif action == "deny" and registrant.status == "pending":
                    registrant.status = "denied"
        return no_content()

    def _get_registrant(self, request: Request, match: re.Match[str], grant: _Grant) -> Response:
        meeting = self._meeting_for(match.group(1), grant, "registrant.get")
        if isinstance(meeting, Response):
            return meeting
        registrant = meeting.registrants.get(match.group(2))
        if registrant is None:
            return _error(404, 3000, f"Registrant {match.group(2)} was not found.")
        return json_response(200, self._registrant_json(meeting, registrant))

    def _delete_registrant(self, request: Request, match: re.Match[str], grant: _Grant) -> Response:
        meeting = self._meeting_for(match.group(1), grant, "registrant.delete")
        if isinstance(meeting, Response):
            return meeting
        if self._host_of(meeting).type != 2:
            return _error(400, 200, f"Only available for paid users: {meeting.host_email}.")
        if not meeting.registration_enabled:
            return _error(
                404, 404, f"Registration has not been enabled for this meeting: {meeting.id}."
            )
        if meeting.registrants.pop(match.group(2), None) is None:
            return _error(400, 3000, f"Registrant {match.group(2)} was not found.")
        return no_content()

    # -- pages the links lead to -------------------------------------------------------------------

    def _join_page(self, request: Request, match: re.Match[str]) -> Response:
        meeting = self._meetings.get(int(match.group(1)))
        if meeting is None:
            return html_response(404, "Invalid meeting ID", "This meeting link is not valid.")
        token = request.arg("tk")
        if token:
            for registrant in meeting.registrants.values():
                if secrets.compare_digest(registrant.token, token):
                    if registrant.status == "approved":
                        return html_response(
                            200,
                            f"Join meeting {meeting.id}",
                            f"Joining as {registrant.first_name}.",
                        )
                    break
            return html_response(404, "Invalid registration", "This registration is not valid.")
        if meeting.registration_enabled:
            location = f"{self.base_url}/meeting/register/{meeting.registration_token}"
            return Response(302, b"", {"Location": location})
        return html_response(200, f"Join meeting {meeting.id}", meeting.topic)

    def _start_page(self, request: Request, match: re.Match[str]) -> Response:
        meeting = self._meetings.get(int(match.group(1)))
        if meeting is None:
            return html_response(404, "Invalid meeting ID", "This meeting link is not valid.")
        issued = self._zaks.get(request.arg("zak") or "")
        if issued is None or issued[0] != meeting.id:
            return html_response(403, "Invalid start link", "Sign in to start this meeting.")
        if self._clock.now() >= issued[1] + self._start_url_ttl:
            return html_response(403, "Start link expired", "This start link has expired.")
        return html_response(200, f"Start meeting {meeting.id}", meeting.topic)

    def _register_page(self, request: Request, match: re.Match[str]) -> Response:
        for meeting in self._meetings.values():
            if meeting.registration_token == match.group(1) and meeting.registration_enabled:
                return html_response(200, f"Register for {meeting.topic}", str(meeting.id))
        return html_response(404, "Invalid registration link")

    # -- webhooks (Zoom notifies every change, the API's own included) --------------------------

    def _operator(self, grant: _Grant) -> str:
        user = next((u for u in self._users if u.id == grant.user_id), None)
        return user.email if user and user.email else grant.user_id

    @staticmethod
    def _watched(meeting: Meeting) -> dict[str, Any]:
        return {
            "start_time": zulu(meeting.start_time) if meeting.start_time else None,
            "duration": meeting.duration,
            "topic": meeting.topic,
            "timezone": meeting.timezone,
        }

    def _updated(self, meeting: Meeting, before: dict[str, Any], operator: str) -> None:
        after = self._watched(meeting)
        changed = {k: v for k, v in after.items() if before[k] != v}
        if self.webhook is None or not changed:
            return
        obj = {"id": meeting.id, "uuid": meeting.uuid, "host_id": meeting.host_id, **changed}
        old = {"id": meeting.id, "uuid": meeting.uuid, **{k: before[k] for k in changed}}
        self.webhook("meeting.updated", obj, operator, old)

    def _gone(self, meeting: Meeting, operator: str) -> None:
        if self.webhook is None:
            return
        obj = {
            "id": meeting.id,
            "uuid": meeting.uuid,
            "host_id": meeting.host_id,
            "topic": meeting.topic,
            "type": meeting.type,
            "start_time": zulu(meeting.start_time) if meeting.start_time else None,
            "timezone": meeting.timezone,
            "duration": meeting.duration,
        }
        self.webhook("meeting.deleted", obj, operator, None)

    def web_delete_meeting(self, meeting_id: int, operator: str | None = None) -> None:
        """Someone deletes the meeting in Zoom's web portal (not through the API)."""
        with self._lock:
            meeting = self._meetings.pop(meeting_id)
            self._deleted.append(meeting_id)
            self._gone(meeting, operator or meeting.host_email)

    def web_move_meeting(
        self,
        meeting_id: int,
        start: datetime,
        duration: int | None = None,
        operator: str | None = None,
    ) -> None:
        """Someone changes the meeting's time in Zoom's web portal."""
        with self._lock:
            meeting = self._meetings[meeting_id]
            before = self._watched(meeting)
            meeting.start_time = start.astimezone(UTC)
            if duration is not None:
                meeting.duration = duration
            self._updated(meeting, before, operator or meeting.host_email)

    # -- inspection and mutation (thread-safe) ---------------------------------------------------

    def meetings(self) -> list[dict[str, Any]]:
        """Every existing meeting as GET returns it (without start_url), plus its registrants."""
        with self._lock:
            return [self._inspect(m) for m in self._meetings.values()]

    def meeting(self, meeting_id: int) -> dict[str, Any] | None:
        with self._lock:
            meeting = self._meetings.get(meeting_id)
            return self._inspect(meeting) if meeting else None

    def _inspect(self, meeting: Meeting) -> dict[str, Any]:
        data = self._meeting_json(meeting, start_url=False)
        data["registrants"] = self._registrants_of(meeting)
        return data

    def _registrants_of(self, meeting: Meeting) -> list[dict[str, Any]]:
        out = []
        for registrant in meeting.registrants.values():
            item = self._registrant_json(meeting, registrant)
            item["status"] = registrant.status  # approved | pending | denied | cancelled
            item["join_url"] = self._registrant_url(meeting, registrant)
            out.append(item)
        return out

    def registrants(self, meeting_id: int) -> list[dict[str, Any]]:
        """All registrants of a meeting with their real status, cancelled ones included."""
        with self._lock:
            meeting = self._meetings.get(meeting_id)
            return self._registrants_of(meeting) if meeting else []

    def deleted_meeting_ids(self) -> list[int]:
        with self._lock:
            return list(self._deleted)

    def users(self) -> list[dict[str, Any]]:
        with self._lock:
            return [self._user_json(user, full=True) for user in self._users]

    def set_user(
        self,
        user: str,
        *,
        can_schedule: bool | None = None,
        status: str | None = None,
        type: int | None = None,
    ) -> None:
        """Change a Zoom user (by id or email): scheduling allowed, status, licence type."""
        with self._lock:
            found = next(u for u in self._users if user in (u.id, u.email))
            if can_schedule is not None:
                found.can_schedule = can_schedule
            if status is not None:
                found.status = status
            if type is not None:
                found.type = type

    def set_meeting_status(self, meeting_id: int, status: str) -> None:
        """``started`` makes DELETE answer 3002, as for a meeting in progress."""
        with self._lock:
            self._meetings[meeting_id].status = status

    def refresh_token_uses(self) -> dict[str, int]:
        """How often each refresh token was presented (more than 1 means a reuse)."""
        with self._lock:
            return dict(self._refresh_uses)

    def invalid_grant_count(self) -> int:
        with self._lock:
            return self._invalid_grants

    def revocations(self) -> list[Revocation]:
        with self._lock:
            return list(self._revocations)

    def tokens_issued(self) -> int:
        with self._lock:
            return len(self._access)

    def create_update_counts(self) -> dict[tuple[str, str], int]:
        """Creates+updates per (host user id, UTC date ISO) counted against the daily limit."""
        with self._lock:
            return dict(self._daily)

    def set_daily_limit(self, limit: int) -> None:
        with self._lock:
            self._daily_limit = limit

    def scopes(self) -> frozenset[str]:
        with self._lock:
            return self._scopes

    def set_scopes(self, scopes: Iterable[str], *, existing_tokens: bool = True) -> None:
        """Scopes granted from now on; ``existing_tokens`` also changes tokens already issued."""
        with self._lock:
            self._scopes = frozenset(scopes)
            if existing_tokens:
                for grant in self._grants.values():
                    grant.scopes = self._scopes

    def expire_tokens(self) -> None:
        """Every access token issued so far is expired from now on (refresh tokens still work)."""
        with self._lock:
            past = self._clock.now() - timedelta(seconds=1)
            for token in self._access.values():
                token.expires_at = min(token.expires_at, past)
