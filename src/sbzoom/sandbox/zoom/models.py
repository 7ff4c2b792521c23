"""The Zoom account's records (grants, tokens, codes, meetings, registrants, page cursors) and
how Zoom writes a time."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any


@dataclass
class Grant:
    id: str
    kind: str  # authorization_code | account_credentials
    user_id: str
    scopes: frozenset[str]
    revoked: bool = False


@dataclass
class AccessToken:
    grant_id: str
    expires_at: datetime


@dataclass
class RefreshToken:
    grant_id: str
    used: bool = False
    revoked: bool = False


@dataclass
class AuthCode:
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
class Cursor:
    """Where a ``next_page_token`` continues a list."""

    keys: list[Any]
    offset: int
    expires_at: datetime


def zulu(moment: datetime) -> str:
    """``2026-03-14T15:00:00Z``: how Zoom writes every time it returns."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def next_utc_midnight(moment: datetime) -> datetime:
    day = moment.astimezone(UTC).date() + timedelta(days=1)
    return datetime(day.year, day.month, day.day, tzinfo=UTC)
