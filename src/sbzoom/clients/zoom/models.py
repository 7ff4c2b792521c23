"""What Zoom's answers and requests hold, as typed values, and how the JSON becomes them.

    ZoomUser, Meeting, Registrant     read from answers (``parse_user``, ``parse_meeting``,
                                      ``parse_registrant``): fields an answer leaves out are empty
    MeetingRequest, MeetingSettings   a create or update body; ``to_json`` is the wire form
    TokenGrant                        what the OAuth token endpoint answered
    RegistrantRef                     what a registrant-status call needs of a registrant

Times are aware; ``zoom_time`` writes one as Zoom wants it (UTC, ending in Z).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

# Scopes that let an app see every user of the account (granular, sub-account, classic).
ALL_USERS_SCOPES = frozenset(
    {"user:read:list_users:admin", "user:read:list_users:master", "user:read:admin"}
)
# Field limits of the spec (meetingCreate / meetingRegistrantCreate bodies).
MAX_TOPIC = 200
MAX_AGENDA = 2000
MAX_PASSWORD = 10
MAX_REGISTRANT_NAME = 64
MAX_REGISTRANT_EMAIL = 128


@dataclass(frozen=True)
class ZoomUser:
    """A user of the Zoom account: who can host meetings (``licensed`` users without limits)."""

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
    """Someone registered for a meeting, with their own ``join_url`` once approved.

    Only ``id`` and ``email`` are positional, so ``Registrant(id, email, join_url)`` cannot put the
    link where the first name belongs.
    """

    id: str
    email: str
    first_name: str = field(default="", kw_only=True)
    last_name: str = field(default="", kw_only=True)
    status: str = field(default="", kw_only=True)  # approved | pending | denied
    join_url: str = field(default="", kw_only=True)  # unique to this registrant
    create_time: datetime | None = field(default=None, kw_only=True)


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


# -- reading answers ---------------------------------------------------------------------------


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


def as_text(value: object) -> str:
    """A field as text; "" when the answer left it out."""
    return "" if value is None else str(value)


def as_int(value: object, default: int = 0) -> int:
    """A field as an int; ``default`` when it is missing or not a number."""
    try:
        return int(value)  # type: ignore[call-overload, no-any-return]
    except (TypeError, ValueError):
        return default


def parse_user(data: Mapping[str, Any]) -> ZoomUser:
    return ZoomUser(
        id=as_text(data.get("id")),
        email=as_text(data.get("email")),
        first_name=as_text(data.get("first_name")),
        last_name=as_text(data.get("last_name")),
        type=as_int(data.get("type"), 1),
        status=as_text(data.get("status")),
        timezone=as_text(data.get("timezone")),
        account_id=as_text(data.get("account_id")),
        role_name=as_text(data.get("role_name")),
    )


def parse_meeting(data: Mapping[str, Any]) -> Meeting:
    settings = data.get("settings")
    settings = settings if isinstance(settings, dict) else {}
    approval = settings.get("approval_type")
    duration = data.get("duration")
    return Meeting(
        id=as_int(data.get("id")),
        topic=as_text(data.get("topic")),
        type=as_int(data.get("type"), 2),
        start_time=parse_time(data.get("start_time")),
        duration=as_int(duration) if duration is not None else None,
        timezone=as_text(data.get("timezone")),
        agenda=as_text(data.get("agenda")),
        join_url=as_text(data.get("join_url")),
        host_id=as_text(data.get("host_id")),
        host_email=as_text(data.get("host_email")),
        uuid=as_text(data.get("uuid")),
        status=as_text(data.get("status")),
        approval_type=as_int(approval) if approval is not None else None,
        registration_url=as_text(data.get("registration_url")),
        created_at=parse_time(data.get("created_at")),
        password=as_text(data.get("password")),
        start_url=as_text(data.get("start_url")),
        settings=settings,
    )


def parse_registrant(data: Mapping[str, Any]) -> Registrant:
    return Registrant(
        id=as_text(data.get("id") or data.get("registrant_id")),
        email=as_text(data.get("email")),
        first_name=as_text(data.get("first_name")),
        last_name=as_text(data.get("last_name")),
        status=as_text(data.get("status")),
        join_url=as_text(data.get("join_url")),
        create_time=parse_time(data.get("create_time")),
    )


def cut_text(text: str, limit: int) -> str:
    """``text`` in at most ``limit`` characters, cut between characters and without a dangling
    space (Python strings hold whole code points, so a cut never splits one); a combining mark
    left at the cut goes with the character it belongs to."""
    if len(text) <= limit:
        return text
    cut = text[:limit]
    while cut and unicodedata.combining(text[len(cut)]):
        cut = cut[:-1]
    return cut.rstrip()
