"""The emulated Zoom account: its state, the table of the endpoints it serves, and the Python API
tests use to look inside it and to act as a person in Zoom's web portal would.

Behaviour follows ``docs/zoom-api-notes.md``; where the notes leave a detail open the choice is
written next to the code, in the module of the endpoint family:

    oauth.py        /oauth/authorize, /oauth/token, /oauth/revoke; the bearer-token check
    users.py        GET /v2/users, GET /v2/users/{userId}
    meetings.py     /v2/users/{userId}/meetings, /v2/meetings/{meetingId}; webhooks on change
    registrants.py  /v2/meetings/{meetingId}/registrants[/status|/{registrantId}]
    pages.py        the join, start and registration pages the links lead to
    scopes.py       which scopes allow which operation
    limits.py       the QPS 429 and the daily create/update limit
    paging.py       page_size and next_page_token
    models.py       the records: grants, tokens, meetings, registrants

Handlers take this service and the request (REST ones also the caller's grant) and raise
``sandbox.errors`` errors to refuse; ``sandbox/server.py`` routes to them and answers errors.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Iterable
from datetime import UTC, datetime, timedelta
from typing import Any

from sbzoom.sandbox.clock import Clock
from sbzoom.sandbox.data import ZoomUser, zoom_users
from sbzoom.sandbox.faults import Faults
from sbzoom.sandbox.wire import Handler, Request, Response, RouteTable, route
from sbzoom.sandbox.zoom import meetings, oauth, pages, registrants, users
from sbzoom.sandbox.zoom.models import (
    AccessToken,
    AuthCode,
    Cursor,
    Grant,
    Meeting,
    RefreshToken,
    Revocation,
)

# The demo OAuth app's registered redirect URL: sbzoom's default (`auth login zoom`, --port 8765).
# Other URLs must be registered (SandboxOptions.redirect_uris, `sbzoom sandbox --redirect-uri`,
# POST /_sandbox/zoom/redirect_uris, ZoomService.register_redirect_uri), as in the Marketplace.
DEFAULT_REDIRECT_URI = "http://127.0.0.1:8765/callback"

PageHandler = Callable[["ZoomService", Request, "re.Match[str]"], Response]
RestHandler = Callable[["ZoomService", Request, "re.Match[str]", Grant], Response]


class ZoomService:
    """One Zoom account with its OAuth app, users, meetings and registrants.

    The underscored state is the package's own: the endpoint modules beside this one read and
    change it (under the sandbox's lock); everyone else uses the methods below.
    """

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
        self._users: list[ZoomUser] = zoom_users()
        self._meetings: dict[int, Meeting] = {}
        self._deleted: list[int] = []
        self._grants: dict[str, Grant] = {}
        self._access: dict[str, AccessToken] = {}
        self._refresh: dict[str, RefreshToken] = {}
        self._codes: dict[str, AuthCode] = {}
        self._zaks: dict[str, tuple[int, datetime]] = {}  # start-link zak -> (meeting, issued)
        self._cursors: dict[str, Cursor] = {}
        self._daily: dict[tuple[str, str], int] = {}  # (host id, UTC date) -> creates+updates
        self._refresh_uses: dict[str, int] = {}
        self._invalid_grants = 0
        self._revocations: list[Revocation] = []
        # Set by the Sandbox: (event, meeting object, operator, old object) -> a webhook.
        self.webhook: Callable[[str, dict[str, Any], str, dict[str, Any] | None], None] | None = (
            None
        )
        self.routes = self._route_table()

    # -- the endpoints (paths relative to /zoom) -------------------------------------------------

    def _route_table(self) -> RouteTable:
        """Route names starting ``oauth.`` or ``web.`` are not REST: no bearer token, no QPS."""
        page, rest = self._page, self._rest
        return RouteTable(
            [
                route("GET", "/oauth/authorize", "oauth.authorize", page(oauth.authorize)),
                route("POST", "/oauth/token", "oauth.token", page(oauth.issue_token)),
                route("POST", "/oauth/revoke", "oauth.revoke", page(oauth.revoke_token)),
                route("GET", r"/j/(\d+)", "web.join", page(pages.join_page)),
                route("GET", r"/s/(\d+)", "web.start", page(pages.start_page)),
                route(
                    "GET", r"/meeting/register/([\w-]+)", "web.register", page(pages.register_page)
                ),
                route("GET", "/v2/users", "users.list", rest(users.list_users)),
                route("GET", "/v2/users/([^/]+)", "users.get", rest(users.get_user)),
                route(
                    "POST",
                    "/v2/users/([^/]+)/meetings",
                    "meetings.create",
                    rest(meetings.create_meeting),
                ),
                route(
                    "GET",
                    "/v2/users/([^/]+)/meetings",
                    "meetings.list",
                    rest(meetings.list_meetings),
                ),
                route("GET", "/v2/meetings/([^/]+)", "meeting.get", rest(meetings.get_meeting)),
                route(
                    "PATCH", "/v2/meetings/([^/]+)", "meeting.update", rest(meetings.update_meeting)
                ),
                route(
                    "DELETE",
                    "/v2/meetings/([^/]+)",
                    "meeting.delete",
                    rest(meetings.delete_meeting),
                ),
                route(
                    "POST",
                    "/v2/meetings/([^/]+)/registrants",
                    "registrants.create",
                    rest(registrants.add_registrant),
                ),
                route(
                    "GET",
                    "/v2/meetings/([^/]+)/registrants",
                    "registrants.list",
                    rest(registrants.list_registrants),
                ),
                route(
                    "PUT",
                    "/v2/meetings/([^/]+)/registrants/status",
                    "registrants.status",
                    rest(registrants.update_status),
                ),
                route(
                    "GET",
                    "/v2/meetings/([^/]+)/registrants/([^/]+)",
                    "registrant.get",
                    rest(registrants.get_registrant),
                ),
                route(
                    "DELETE",
                    "/v2/meetings/([^/]+)/registrants/([^/]+)",
                    "registrant.delete",
                    rest(registrants.delete_registrant),
                ),
            ]
        )

    def _page(self, handler: PageHandler) -> Handler:
        """An OAuth endpoint or a web page: no bearer token."""

        def run(request: Request, match: re.Match[str]) -> Response:
            return handler(self, request, match)

        return run

    def _rest(self, handler: RestHandler) -> Handler:
        """A REST endpoint: the bearer token is checked first (124), its grant handed on."""

        def run(request: Request, match: re.Match[str]) -> Response:
            return handler(self, request, match, oauth.authenticate(self, request))

        return run

    # -- the OAuth app's redirect allow list -----------------------------------------------------

    def redirect_allowed(self, uri: str) -> bool:
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

    # -- what people do in Zoom's web portal (webhooks follow) -----------------------------------

    def web_delete_meeting(self, meeting_id: int, operator: str | None = None) -> None:
        """Someone deletes the meeting in Zoom's web portal (not through the API)."""
        with self._lock:
            meeting = self._meetings.pop(meeting_id)
            self._deleted.append(meeting_id)
            meetings.notify_deleted(self, meeting, operator or meeting.host_email)

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
            before = meetings.watched(meeting)
            meeting.start_time = start.astimezone(UTC)
            if duration is not None:
                meeting.duration = duration
            meetings.notify_updated(self, meeting, before, operator or meeting.host_email)

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
        data = meetings.meeting_json(self, meeting, start_url=False)
        data["registrants"] = self._registrants_of(meeting)
        return data

    def _registrants_of(self, meeting: Meeting) -> list[dict[str, Any]]:
        out = []
        for registrant in meeting.registrants.values():
            item = registrants.registrant_json(self, meeting, registrant)
            item["status"] = registrant.status  # approved | pending | denied | cancelled
            item["join_url"] = registrants.registrant_url(self, meeting, registrant)
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
            return [users.user_json(self, user, full=True) for user in self._users]

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
