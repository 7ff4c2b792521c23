"""Zoom REST API v2 and Zoom OAuth: typed calls over one ``HttpSession``.

    ZoomClient(session, api_url, tokens)
      users         list_users, get_user
      meetings      create_meeting, get_meeting, update_meeting, delete_meeting, list_meetings
      registrants   add_registrant, get_registrant, list_registrants, update_registrant_status,
                    cancel_registrants
    ZoomOAuth(session, oauth_url, client_id, client_secret)
      authorize_url, exchange_code, refresh, account_token, revoke

Every call carries ``Authorization: Bearer`` from a ``TokenSource``. A 401 (Zoom code 124) makes
the client ask the source for a renewed token once and send again; a second 401 is an
``AuthError``. Zoom's error codes become these exceptions (the rest of the tree is in errors.py):

    AuthError
    ├── MissingScopeError        4711 (older: 4700): names the scope(s) the app lacks
    ├── TokenRejectedError       401 / 124 even after renewing the token
    └── TokenRequestError        the OAuth token endpoint said no (invalid_grant, bad client…)
    RateLimitedError
    └── DailyLimitError          429 daily limit: knows the host and when it resets; never retried
    ApiError                     any other 4xx, with Zoom's code and message
    ├── ZoomUserGoneError        1001 (also 1010, 1120): the user is not in the account
    ├── MeetingGoneError         3001, or 300 "not found or has expired" on registrant calls:
    │                            deleted or expired (delete_meeting treats it as done)
    └── HostNotAllowedError      3161: this user may not host or schedule meetings
"""

from __future__ import annotations

import base64
import re
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol
from urllib.parse import quote, urlencode

import httpx

from sbzoom.clients._http import HttpSession, MaybeCommittedError, reset_time, response_json
from sbzoom.clients.zoom_scopes import scope_for
from sbzoom.errors import ApiError, AuthError, MissingScopeError, RateLimitedError, RemoteError

SERVICE = "Zoom"
PAGE_SIZE = 300
REGISTRANT_BATCH = 30  # Zoom's ceiling for one registrant-status call
LOGIN_HINT = "Run 'sbzoom auth login zoom' to sign in again."
SCOPE_HINT = "Add the scope in the Zoom Marketplace app, then run 'sbzoom auth login zoom'."
# Scopes that let an app see every user of the account (granular, sub-account, classic).
ALL_USERS_SCOPES = frozenset(
    {"user:read:list_users:admin", "user:read:list_users:master", "user:read:admin"}
)
USER_GONE_CODES = frozenset({1001, 1010, 1120})
MAX_RENEWALS = 3  # token renewals within one call (see ZoomClient._call)
# Token-endpoint answers after which the stored grant can never work again.
DEAD_GRANT_CODES = frozenset({4735, 4737, 4738, 4740, 4741})
# "Invalid access token, does not contain scopes:[…]": 4711 on today's Zoom, 4700 on older answers.
SCOPE_CODES = frozenset({4700, 4711})
# Field limits of the spec (meetingCreate / meetingRegistrantCreate bodies).
MAX_TOPIC = 200
MAX_AGENDA = 2000
MAX_PASSWORD = 10
MAX_REGISTRANT_NAME = 64
MAX_REGISTRANT_EMAIL = 128


# Zoom counts requests per second per account in categories, each with its own limit (a call
# draws only on its category's budget; devforum.zoom.us/t/123510). The labels below are the
# "Rate Limit Label" of each endpoint in the OpenAPI spec; every other endpoint sbzoom uses is
# Light. Limits per plan (developers.zoom.us/docs/api/rate-limits/): Light 4 | 30 | 80 /s,
# Medium 2 | 20 | 60 /s (Free | Pro | Business+).
_MEDIUM = (
    ("GET", re.compile(r"/users$")),
    ("GET", re.compile(r"/users/[^/]+/meetings$")),
    ("POST", re.compile(r"/users/[^/]+/meetings$")),
    ("GET", re.compile(r"/meetings/[^/]+/registrants$")),
    ("PUT", re.compile(r"/meetings/[^/]+/registrants/status$")),
)
# Light's budget as a share of Medium's: the smallest Light/Medium ratio of Zoom's plans
# (Business+ 80/60; Pro 30/20, Free 4/2). A zoom.max_rps at or under the plan's Medium limit keeps
# Light under that plan's Light limit too, whichever plan it is.
LIGHT_PER_MEDIUM = 4 / 3


def rate_category(method: str, path: str) -> str:
    """Zoom's rate-limit category of a REST call ("Light" or "Medium")."""
    method = method.upper()
    if any(method == m and pattern.search(path) for m, pattern in _MEDIUM):
        return "Medium"
    return "Light"


def rate_budgets(max_rps: float) -> dict[str, float]:
    """Per-category budgets for ``zoom.max_rps`` (the Medium ceiling sbzoom keeps under)."""
    return {"Medium": max_rps, "Light": max_rps * LIGHT_PER_MEDIUM}


# -- errors ------------------------------------------------------------------------------------


class TokenRejectedError(AuthError):
    """Zoom refused the access token even after it was renewed."""


class TokenRequestError(AuthError):
    """The OAuth token endpoint refused a grant (``error`` is e.g. ``invalid_grant``)."""

    def __init__(
        self, message: str, hint: str | None = None, *, error: str = "", code: int | None = None
    ) -> None:
        super().__init__(message, hint)
        self.error = error
        self.code = code

    @property
    def grant_is_dead(self) -> bool:
        """The refresh token (or sign-in) is spent or revoked: only a new login helps."""
        return self.error == "invalid_grant" or self.code in DEAD_GRANT_CODES


class DailyLimitError(RateLimitedError):
    """Zoom's daily limit (e.g. 100 meeting creates/updates per host per UTC day) is reached."""

    def __init__(
        self, message: str, hint: str | None = None, *, host: str | None, reset_at: datetime
    ) -> None:
        super().__init__(message, hint, reset_at=reset_at)
        self.host = host


class ZoomUserGoneError(ApiError):
    def __init__(self, message: str, hint: str | None, *, user: str, status: int, code: int):
        super().__init__(message, hint, service=SERVICE, status=status, code=code)
        self.user = user


class MeetingGoneError(ApiError):
    def __init__(
        self,
        message: str,
        hint: str | None,
        *,
        meeting_id: int | None,
        status: int,
        code: int = 3001,
    ):
        super().__init__(message, hint, service=SERVICE, status=status, code=code)
        self.meeting_id = meeting_id


class RegistrantLinkError(ApiError):
    """Zoom registered a class client but gave no personal join link for them."""


class HostNotAllowedError(ApiError):
    def __init__(self, message: str, hint: str | None, *, host: str | None, status: int):
        super().__init__(message, hint, service=SERVICE, status=status, code=3161)
        self.host = host


# -- results -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ZoomUser:
    id: str  # "" for pending users: Zoom gives them no id until they accept
    email: str
    first_name: str = ""
    last_name: str = ""
    type: int = 1  # 1 basic, 2 licensed, 99 none…
    status: str = ""  # active | inactive | pending
    timezone: str = ""
    account_id: str = ""
    role_name: str = ""

    @property
    def name(self) -> str:
        return " ".join(part for part in (self.first_name, self.last_name) if part)

    @property
    def licensed(self) -> bool:
        return self.type == 2


@dataclass(frozen=True)
class Meeting:
    """A meeting as Zoom describes it. Fields a listing leaves out are empty or None."""

    id: int
    topic: str = ""
    type: int = 2
    start_time: datetime | None = None  # aware, UTC
    duration: int | None = None
    timezone: str = ""
    agenda: str = ""  # cut to 250 characters in listings
    join_url: str = ""
    host_id: str = ""
    host_email: str = ""
    uuid: str = ""
    status: str = ""
    approval_type: int | None = None  # None when the answer did not say (listings)
    registration_url: str = ""
    created_at: datetime | None = None
    password: str = field(default="", repr=False)
    # Logs in as the host and expires about 2 hours after it is fetched: use it, never store it.
    start_url: str = field(default="", repr=False, compare=False)
    settings: Mapping[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @property
    def registration(self) -> bool | None:
        """Whether attendees register (and get their own join link); None when unknown."""
        return None if self.approval_type is None else self.approval_type in (0, 1)


@dataclass(frozen=True)
class Registrant:
    id: str
    email: str
    first_name: str = ""
    last_name: str = ""
    status: str = ""  # approved | pending | denied
    join_url: str = ""  # unique to this registrant
    create_time: datetime | None = None


class RegistrantRef(Protocol):
    """What a registrant-status call needs: ``Registrant`` fits, so does any (id, email) pair."""

    @property
    def id(self) -> str: ...
    @property
    def email(self) -> str: ...


@dataclass(frozen=True)
class MeetingSettings:
    """The ``settings`` fields sbzoom sets; ``extra`` passes any other Zoom setting through."""

    waiting_room: bool | None = None
    join_before_host: bool | None = None
    auto_recording: str | None = None  # none | local | cloud
    approval_type: int | None = None  # 0 auto, 1 manual, 2 no registration
    registrants_email_notification: bool | None = None
    registrants_confirmation_email: bool | None = None
    host_video: bool | None = None
    participant_video: bool | None = None
    mute_upon_entry: bool | None = None
    extra: Mapping[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        body = {k: v for k, v in self.__dict__.items() if k != "extra" and v is not None}
        return {**body, **self.extra}


@dataclass(frozen=True)
class MeetingRequest:
    """A create or update body. ``None`` fields are left out (an update changes only the rest)."""

    topic: str | None = None
    start_time: datetime | None = None  # aware; sent as UTC with Z
    duration: int | None = None
    timezone: str | None = None  # IANA, for Zoom's display and invitations
    agenda: str | None = None
    password: str | None = field(default=None, repr=False)
    default_password: bool | None = None
    type: int | None = None  # 2 (scheduled) when creating and left out
    settings: MeetingSettings | None = None

    def to_json(self) -> dict[str, Any]:
        body: dict[str, Any] = {}
        for key in ("topic", "duration", "timezone", "agenda", "password", "default_password"):
            value = getattr(self, key)
            if value is not None:
                body[key] = value
        if self.type is not None:
            body["type"] = self.type
        if self.start_time is not None:
            body["start_time"] = zoom_time(self.start_time)
        if self.settings is not None:
            body["settings"] = self.settings.to_json()
        return body


@dataclass(frozen=True)
class TokenGrant:
    """What Zoom's token endpoint answered."""

    access_token: str = field(repr=False)
    expires_at: datetime
    refresh_token: str | None = field(default=None, repr=False)
    scopes: tuple[str, ...] = ()
    api_url: str | None = None  # the account's regional base, e.g. https://eu01api.zoom.us
    issued_at: datetime | None = None

    def renew_after(self, margin: timedelta) -> datetime:
        """When to renew: ``margin`` before expiry, but never in the first half of the lifetime
        (a token that lives shorter than the margin would otherwise be renewed on every call)."""
        if self.issued_at is None:
            return self.expires_at - margin
        return self.expires_at - min(margin, (self.expires_at - self.issued_at) / 2)

    @property
    def can_list_all_users(self) -> bool:
        return bool(ALL_USERS_SCOPES & set(self.scopes))


class TokenSource(Protocol):
    def access_token(self) -> str:
        """A token valid for at least the next minute."""
        ...

    def renew(self, rejected: str) -> str:
        """A token other than ``rejected``, which Zoom just refused (refresh or mint anew)."""
        ...


# -- helpers -----------------------------------------------------------------------------------


def zoom_time(value: datetime) -> str:
    """UTC with ``Z``: Zoom then ignores ``timezone`` for the instant and uses it for display."""
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError("Zoom times must be timezone-aware")
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_time(value: object) -> datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=UTC)


def _text(value: object) -> str:
    return "" if value is None else str(value)


def _int(value: object, default: int = 0) -> int:
    try:
        return int(value)  # type: ignore[call-overload, no-any-return]
    except (TypeError, ValueError):
        return default


def _user(data: Mapping[str, Any]) -> ZoomUser:
    return ZoomUser(
        id=_text(data.get("id")),
        email=_text(data.get("email")),
        first_name=_text(data.get("first_name")),
        last_name=_text(data.get("last_name")),
        type=_int(data.get("type"), 1),
        status=_text(data.get("status")),
        timezone=_text(data.get("timezone")),
        account_id=_text(data.get("account_id")),
        role_name=_text(data.get("role_name")),
    )


def _meeting(data: Mapping[str, Any]) -> Meeting:
    settings = data.get("settings")
    settings = settings if isinstance(settings, dict) else {}
    approval = settings.get("approval_type")
    duration = data.get("duration")
    return Meeting(
        id=_int(data.get("id")),
        topic=_text(data.get("topic")),
        type=_int(data.get("type"), 2),
        start_time=parse_time(data.get("start_time")),
        duration=_int(duration) if duration is not None else None,
        timezone=_text(data.get("timezone")),
        agenda=_text(data.get("agenda")),
        join_url=_text(data.get("join_url")),
        host_id=_text(data.get("host_id")),
        host_email=_text(data.get("host_email")),
        uuid=_text(data.get("uuid")),
        status=_text(data.get("status")),
        approval_type=_int(approval) if approval is not None else None,
        registration_url=_text(data.get("registration_url")),
        created_at=parse_time(data.get("created_at")),
        password=_text(data.get("password")),
        start_url=_text(data.get("start_url")),
        settings=settings,
    )


def _registrant(data: Mapping[str, Any]) -> Registrant:
    return Registrant(
        id=_text(data.get("id") or data.get("registrant_id")),
        email=_text(data.get("email")),
        first_name=_text(data.get("first_name")),
        last_name=_text(data.get("last_name")),
        status=_text(data.get("status")),
        join_url=_text(data.get("join_url")),
        create_time=parse_time(data.get("create_time")),
    )


def cut_text(text: str, limit: int) -> str:
    """``text`` in at most ``limit`` characters, cut between characters and without a dangling
    space (Python strings hold whole code points, so a cut never splits one); a combining mark
    left at the cut goes with the character it belongs to."""
    if len(text) <= limit:
        return text
    cut = text[:limit]
    import unicodedata

    while cut and unicodedata.combining(text[len(cut)]):
        cut = cut[:-1]
    return cut.rstrip()


def error_fields(response: httpx.Response) -> tuple[int | None, str]:
    """Zoom's ``{"code", "message"}`` (or OAuth's ``{"error", "reason"}``), tolerating junk."""
    try:
        data = response.json()
    except (ValueError, UnicodeDecodeError):
        return None, response.reason_phrase or f"HTTP {response.status_code}"
    if not isinstance(data, dict):
        return None, f"HTTP {response.status_code}"
    code = data.get("code")
    message = (
        data.get("message")
        or data.get("reason")
        or data.get("error_description")
        or data.get("error")
        or f"HTTP {response.status_code}"
    )
    return (code if isinstance(code, int) else None), str(message)


_SCOPE_LIST = re.compile(r"scopes?\s*:?\s*\[([^\]]*)\]", re.IGNORECASE)
_SCOPE_NAME = re.compile(r"\b[a-z_]+(?::[a-z_]+)+\b")


def missing_scopes(message: str) -> list[str]:
    """The scope names in Zoom's 4700 message ("… does not contain scopes:[a:b, c:d].")."""
    listed = _SCOPE_LIST.search(message)
    text = listed.group(1) if listed else message
    found: list[str] = []
    for name in _SCOPE_NAME.findall(text):
        if name not in found:
            found.append(name)
    return found


def is_daily_limit(response: httpx.Response) -> bool:
    """A 429 that will not lift before 00:00 UTC: never worth retrying."""
    if response.headers.get("X-RateLimit-Type", "").lower().startswith("daily"):
        return True
    _, message = error_fields(response)
    return "daily" in message.lower()


def _next_utc_midnight(now: datetime) -> datetime:
    today = now.astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    return today + timedelta(days=1)


# -- the REST client ---------------------------------------------------------------------------


class ZoomClient:
    """Zoom REST API v2. ``api_url`` ends in ``/v2``; ``tokens`` hands out bearer tokens."""

    def __init__(
        self,
        session: HttpSession,
        api_url: str,
        tokens: TokenSource,
        *,
        user_level: Callable[[], bool] | None = None,
    ) -> None:
        self.session = session
        self.api_url = api_url.rstrip("/")
        self.tokens = tokens
        # Whether the token belongs to a user-level app, which the spec tells to pass `me`
        # instead of its own user id ("For user-level apps, pass the me value…").
        self._user_level = user_level
        self._me: ZoomUser | None = None
        self._me_lock = threading.Lock()

    def _user_segment(self, user: str) -> str:
        """``user`` as a path segment: ``me`` when a user-level app names its own user (looked
        up once with GET /users/me, and only for user-level apps); anyone else as given."""
        if user == "me" or self._user_level is None or not self._user_level():
            return _seg(user)
        with self._me_lock:
            if self._me is None:
                self._me = _user(self._json("GET", "/users/me", user="me"))
            me = self._me
        if user == me.id or (me.email and user.lower() == me.email.lower()):
            return "me"
        return _seg(user)

    def close(self) -> None:
        self.session.client.close()

    # -- users ---------------------------------------------------------------------------------

    def list_users(self, status: str = "active") -> list[ZoomUser]:
        """Every user with ``status`` (active, inactive or pending), across all pages."""
        return [_user(u) for u in self._pages("/users", "users", {"status": status})]

    def get_user(self, user: str = "me") -> ZoomUser:
        """One user by id, e-mail or ``me``."""
        return _user(self._json("GET", f"/users/{self._user_segment(user)}", user=user))

    # -- meetings ------------------------------------------------------------------------------

    def create_meeting(self, host: str, body: MeetingRequest | Mapping[str, Any]) -> Meeting:
        """Schedule a meeting for ``host`` (user id or e-mail).

        Not idempotent: a dropped connection raises ``MaybeCommittedError``; look for the
        meeting (``list_meetings``) before creating again.
        """
        payload = body.to_json() if isinstance(body, MeetingRequest) else dict(body)
        payload.setdefault("type", 2)
        data = self._json(
            "POST",
            f"/users/{self._user_segment(host)}/meetings",
            json_body=payload,
            user=host,
            host=host,
        )
        return _meeting(data)

    def get_meeting(self, meeting_id: int) -> Meeting:
        """The meeting with a freshly issued ``start_url``."""
        return _meeting(self._json("GET", f"/meetings/{int(meeting_id)}", meeting_id=meeting_id))

    def update_meeting(
        self,
        meeting_id: int,
        body: MeetingRequest | Mapping[str, Any],
        *,
        host: str | None = None,
    ) -> None:
        """Change only the fields in ``body``; the id and join links stay the same.

        ``host`` only names the host in a ``DailyLimitError``.
        """
        payload = body.to_json() if isinstance(body, MeetingRequest) else dict(body)
        self._call(
            "PATCH",
            f"/meetings/{int(meeting_id)}",
            json_body=payload,
            meeting_id=meeting_id,
            host=host,
        )

    def delete_meeting(self, meeting_id: int, *, notify_registrants: bool = False) -> bool:
        """Delete the meeting. False when it was already gone (Zoom 3001): the goal is reached."""
        params = {"cancel_meeting_reminder": "true" if notify_registrants else "false"}
        try:
            self._call(
                "DELETE", f"/meetings/{int(meeting_id)}", params=params, meeting_id=meeting_id
            )
        except MeetingGoneError:
            return False
        return True

    def list_meetings(self, host: str, type: str = "upcoming") -> list[Meeting]:
        """The host's scheduled meetings of ``type``, across all pages (agendas cut to 250)."""
        path = f"/users/{self._user_segment(host)}/meetings"
        return [_meeting(m) for m in self._pages(path, "meetings", {"type": type}, user=host)]

    # -- registrants ---------------------------------------------------------------------------

    def add_registrant(
        self,
        meeting_id: int,
        email: str,
        first_name: str,
        last_name: str = "",
        *,
        auto_approve: bool = True,
        language: str | None = None,
    ) -> Registrant:
        """Register one attendee; the result carries their own ``join_url``.

        The spec (meetingRegistrantCreate, 201 ``join_url``): "The API will not return this field
        if the meeting was created with the ``approval_type`` field value of ``1``". Class
        meetings use approval type 1 on purpose (type 0 would let anyone holding the registration
        page sign themselves in), so when the 201 has no link it is read from GET
        ``/meetings/{id}/registrants/{registrantId}``, which returns an approved registrant's
        ``join_url`` whatever the approval type. Never the meeting's own ``join_url``: for a
        registration meeting that leads to Zoom's registration page, not into the meeting.
        """
        if len(email) > MAX_REGISTRANT_EMAIL:
            raise ValueError(f"e-mail longer than Zoom's {MAX_REGISTRANT_EMAIL} characters")
        first_name = cut_text(first_name or email, MAX_REGISTRANT_NAME)
        last_name = cut_text(last_name, MAX_REGISTRANT_NAME)
        body: dict[str, Any] = {"email": email, "first_name": first_name}
        if last_name:
            body["last_name"] = last_name
        if auto_approve:
            body["auto_approve"] = True
        if language:
            body["language"] = language
        data = self._json(
            "POST",
            f"/meetings/{int(meeting_id)}/registrants",
            json_body=body,
            meeting_id=meeting_id,
        )
        made = Registrant(
            id=_text(data.get("registrant_id")),
            email=email,
            first_name=body["first_name"],
            last_name=last_name,
            status="approved" if auto_approve else "pending",
            join_url=_text(data.get("join_url")),
        )
        if made.join_url or not auto_approve:
            return made
        fetched = self.get_registrant(meeting_id, made.id) if made.id else None
        if fetched is None or not fetched.join_url:
            raise RegistrantLinkError(
                f"Zoom registered {email} for meeting {meeting_id} but gave no personal join link"
                f" (registrant status: {fetched.status if fetched else 'unknown'}).",
                "Check the registrant in the Zoom web portal, then run 'sbzoom bookings link' "
                "again.",
                service=SERVICE,
                status=201,
            )
        return replace(made, join_url=fetched.join_url, status=fetched.status or made.status)

    def get_registrant(self, meeting_id: int, registrant_id: str) -> Registrant:
        """One registrant, with their own ``join_url`` once approved."""
        path = f"/meetings/{int(meeting_id)}/registrants/{quote(registrant_id, safe='')}"
        return _registrant(self._json("GET", path, meeting_id=meeting_id))

    def list_registrants(self, meeting_id: int, status: str = "approved") -> list[Registrant]:
        path = f"/meetings/{int(meeting_id)}/registrants"
        rows = self._pages(path, "registrants", {"status": status}, meeting_id=meeting_id)
        return [_registrant(r) for r in rows]

    def update_registrant_status(
        self, meeting_id: int, action: str, registrants: Sequence[RegistrantRef]
    ) -> None:
        """``approve``, ``deny`` or ``cancel`` registrants, 30 per call as Zoom requires."""
        items = [
            {"id": r.id, **({"email": r.email} if r.email else {})} for r in registrants if r.id
        ]
        for start in range(0, len(items), REGISTRANT_BATCH):
            self._call(
                "PUT",
                f"/meetings/{int(meeting_id)}/registrants/status",
                json_body={
                    "action": action,
                    "registrants": items[start : start + REGISTRANT_BATCH],
                },
                meeting_id=meeting_id,
            )

    def cancel_registrants(self, meeting_id: int, registrants: Sequence[RegistrantRef]) -> None:
        self.update_registrant_status(meeting_id, "cancel", registrants)

    # -- plumbing ------------------------------------------------------------------------------

    def _pages(
        self,
        path: str,
        key: str,
        params: Mapping[str, str],
        *,
        user: str | None = None,
        meeting_id: int | None = None,
    ) -> Iterator[Mapping[str, Any]]:
        token = ""
        seen: set[str] = set()
        while True:
            query = {**params, "page_size": str(PAGE_SIZE)}
            if token:
                query["next_page_token"] = token
            data = self._json("GET", path, params=query, user=user, meeting_id=meeting_id)
            rows = data.get(key) or []
            yield from (row for row in rows if isinstance(row, dict))
            token = _text(data.get("next_page_token"))
            if not token or token in seen:  # a server repeating itself must not loop us forever
                return
            seen.add(token)

    def _json(self, method: str, path: str, **kwargs: Any) -> Mapping[str, Any]:
        data = response_json(self._call(method, path, **kwargs), SERVICE)
        if not isinstance(data, dict):
            raise RemoteError(
                f"Zoom answered {method} {path} with JSON that is not an object.",
                "Try again later, or run with --debug to see the answer.",
            )
        return data

    def _call(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, str] | None = None,
        json_body: Any = None,
        user: str | None = None,
        host: str | None = None,
        meeting_id: int | None = None,
    ) -> httpx.Response:
        sent = [""]  # the token of the latest attempt: the one a 401 rejected

        def auth() -> dict[str, str]:
            # Asked on every attempt, so a retry after a long back-off gets a current token.
            sent[0] = self.tokens.access_token()
            self.session.redactor.add(sent[0])
            return {"Authorization": f"Bearer {sent[0]}"}

        # A 401 renews the token and retries, a few times at most: each renewal must yield a new
        # token, and one rejected right after renewal is a real refusal.
        for attempt in range(MAX_RENEWALS + 1):
            response = self.session.send(
                method,
                self.api_url + path,
                auth=auth,
                params=params,
                json_body=json_body,
                final=is_daily_limit,
                category=rate_category(method, path),
            )
            if response.status_code == 401 and attempt < MAX_RENEWALS:
                code, _ = error_fields(response)
                if code not in SCOPE_CODES and self.tokens.renew(sent[0]) != sent[0]:
                    continue
            if response.is_success:
                return response
            raise self._error(method, path, response, user=user, host=host, meeting_id=meeting_id)
        raise AssertionError("unreachable")  # pragma: no cover

    def _error(
        self,
        method: str,
        path: str,
        response: httpx.Response,
        *,
        user: str | None,
        host: str | None,
        meeting_id: int | None,
    ) -> Exception:
        status = response.status_code
        code, raw_message = error_fields(response)
        message = self.session.redactor.scrub(raw_message).rstrip(".")
        if status == 429 or (code == 300 and "in one day" in message.lower()):
            now = self.session.clock.now()
            reset = reset_time(response.headers.get("Retry-After"), now)
            reset = reset or _next_utc_midnight(now)
            if status != 429 or is_daily_limit(response):
                who = f" for host {host or user}" if (host or user) else ""
                return DailyLimitError(
                    f"Zoom's daily limit{who} is reached ({message}).",
                    f"Zoom accepts these requests again after {reset:%Y-%m-%d %H:%M} UTC.",
                    host=host or user,
                    reset_at=reset,
                )
            return RateLimitedError(
                f"Zoom rate limit reached ({message}).",
                "Run the command again later, or lower 'zoom.max_rps'.",
                reset_at=reset,
            )
        if code in SCOPE_CODES:
            scopes = missing_scopes(message)
            if not scopes:  # Zoom did not name it: the scope table knows what this call needs
                needed = scope_for(method, path.split("?", 1)[0])
                scopes = [needed] if needed else []
            named = ", ".join(scopes) if scopes else "a scope this call needs"
            return MissingScopeError(
                f"The Zoom app lacks the scope {named} ({method} {path}).", SCOPE_HINT, scopes
            )
        if status == 401 or code == 124:
            return TokenRejectedError(
                f"Zoom rejected the access token even after renewing it ({message}).", LOGIN_HINT
            )
        if code in USER_GONE_CODES:
            gone = user or host or "the user"
            return ZoomUserGoneError(
                f"Zoom user {gone} does not exist in this Zoom account ({message}).",
                "The mapping is stale: check 'sbzoom zoom users', then 'sbzoom providers map'.",
                user=gone,
                status=status,
                code=code or 0,
            )
        if code == 3001 or (code == 300 and _gone_message(message) and "/meetings/" in path):
            # Registrant endpoints answer a deleted or expired meeting with code 300 ("Meeting
            # {id} is not found or has expired", spec: meetingRegistrants/…Create/…Get).
            return MeetingGoneError(
                f"Zoom meeting {meeting_id} was not found or has expired.",
                None,
                meeting_id=meeting_id,
                status=status,
                code=code,
            )
        if code == 3161:
            return HostNotAllowedError(
                f"Zoom user {host or user or ''} may not host or schedule meetings ({message}).",
                "Enable meetings for that user in Zoom, or map the provider to another user.",
                host=host or user,
                status=status,
            )
        shown = f"code {code}, HTTP {status}" if code is not None else f"HTTP {status}"
        return ApiError(
            f"Zoom refused {method} {path}: {message} ({shown}).",
            "Run with --debug to see the request and the answer.",
            service=SERVICE,
            status=status,
            code=code,
        )


def _gone_message(message: str) -> bool:
    text = message.lower()
    return "not found" in text or "expired" in text or "not valid" in text


def _seg(value: str) -> str:
    """A user id or e-mail as one path segment."""
    return quote(value, safe="@")


# -- OAuth -------------------------------------------------------------------------------------


class ZoomOAuth:
    """Zoom's OAuth endpoints (``<oauth_url>/oauth/...``) for one app's client id and secret."""

    def __init__(
        self, session: HttpSession, oauth_url: str, client_id: str, client_secret: str
    ) -> None:
        self.session = session
        self.oauth_url = oauth_url.rstrip("/")
        self.client_id = client_id
        self._secret = client_secret
        session.redactor.add_basic(client_id, client_secret)

    def close(self) -> None:
        self.session.client.close()

    def _headers(self) -> dict[str, str]:
        pair = base64.b64encode(f"{self.client_id}:{self._secret}".encode()).decode("ascii")
        return {"Authorization": f"Basic {pair}"}

    def authorize_url(self, *, redirect_uri: str, state: str, code_challenge: str) -> str:
        query = {
            "response_type": "code",
            "client_id": self.client_id,
            "redirect_uri": redirect_uri,
            "state": state,
            "code_challenge": code_challenge,
            "code_challenge_method": "S256",
        }
        return f"{self.oauth_url}/oauth/authorize?{urlencode(query)}"

    def exchange_code(self, code: str, *, redirect_uri: str, code_verifier: str) -> TokenGrant:
        self.session.redactor.add(code, code_verifier)
        form = {
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": redirect_uri,
            "code_verifier": code_verifier,
        }
        return self._token(form, idempotent=False, what="exchange the sign-in code")

    def refresh(self, refresh_token: str) -> TokenGrant:
        """A new grant; Zoom rotates refresh tokens, so the old one is spent from now on."""
        self.session.redactor.add(refresh_token)
        form = {"grant_type": "refresh_token", "refresh_token": refresh_token}
        try:
            return self._token(form, idempotent=False, what="refresh the access token")
        except MaybeCommittedError:
            raise RemoteError(
                "Zoom did not answer the token refresh; the stored refresh token may be spent.",
                "Run the command again; if it asks you to sign in, run 'sbzoom auth login zoom'.",
            ) from None

    def account_token(self, account_id: str) -> TokenGrant:
        """Server-to-Server OAuth: a fresh token for the account (there is no refresh token)."""
        form = {"grant_type": "account_credentials", "account_id": account_id}
        return self._token(form, idempotent=True, what="get a Server-to-Server token")

    def revoke(self, token: str) -> None:
        self.session.redactor.add(token)
        response = self.session.send(
            "POST",
            f"{self.oauth_url}/oauth/revoke",
            headers=self._headers(),
            form={"token": token},
            idempotent=True,
        )
        if not response.is_success:
            code, message = error_fields(response)
            raise ApiError(
                f"Zoom did not revoke the token: {self.session.redactor.scrub(message)} "
                f"(HTTP {response.status_code}).",
                service=SERVICE,
                status=response.status_code,
                code=code,
            )

    def _token(self, form: Mapping[str, str], *, idempotent: bool, what: str) -> TokenGrant:
        response = self.session.send(
            "POST",
            f"{self.oauth_url}/oauth/token",
            headers=self._headers(),
            form=form,
            idempotent=idempotent,
        )
        if not response.is_success:
            raise self._token_error(response, what)
        data = response_json(response, SERVICE)
        token = data.get("access_token") if isinstance(data, dict) else None
        if not isinstance(token, str) or not token:
            raise RemoteError(
                f"Zoom's token endpoint answered without an access token (trying to {what}).",
                "Try again later, or run with --debug to see the answer.",
            )
        refresh = data.get("refresh_token") or None
        self.session.redactor.add(token, refresh)
        expires_in = _int(data.get("expires_in"), 3599)
        now = self.session.clock.now()
        return TokenGrant(
            access_token=token,
            refresh_token=refresh,
            expires_at=now + timedelta(seconds=expires_in),
            scopes=tuple(_text(data.get("scope")).split()),
            api_url=_text(data.get("api_url")) or None,
            issued_at=now,
        )

    def _token_error(self, response: httpx.Response, what: str) -> TokenRequestError:
        code, message = error_fields(response)
        error = ""
        try:
            data = response.json()
            if isinstance(data, dict):
                error = _text(data.get("error"))
        except (ValueError, UnicodeDecodeError):
            pass
        message = self.session.redactor.scrub(message).rstrip(".")
        if error == "invalid_client" or code in (4702, 4704) or response.status_code == 401:
            return TokenRequestError(
                f"Zoom rejected the app's client ID or secret ({message}).",
                "Check the client ID and secret on the app's 'App Credentials' page, then run "
                "'sbzoom auth login zoom' again.",
                error=error or "invalid_client",
                code=code,
            )
        detail = f"{error}: {message}" if error and error != message else message
        if code == 4709 or "redirect" in message.lower():
            return TokenRequestError(
                f"Zoom refused the sign-in's redirect URL ({detail}).",
                "The redirect URL must match the Zoom app's Redirect URL and OAuth allow list "
                "exactly, port included: add the URL 'sbzoom auth login zoom' printed, or pass "
                "--port with the registered port.",
                error=error,
                code=code,
            )
        return TokenRequestError(
            f"Zoom refused to {what} ({detail}).", LOGIN_HINT, error=error, code=code
        )
