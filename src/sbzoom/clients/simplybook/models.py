"""What SimplyBook's answers hold, as typed values, and how the JSON becomes them.

    Tokens, TwoFactorChallenge        a sign-in's outcome (``parse_tokens``)
    CompanyInfo                       the company's login, name, e-mail and time zone
    Provider, Service                 ``parse_provider``, ``parse_service``
    Booking, Client                   ``parse_booking`` (times made aware in the company zone)

SimplyBook is loose about types: ids and counts arrive as ints, strings or floats, flags as
``1``/``"1"``/``true``. The ``as_*`` readers take what comes and say "unknown" (None) otherwise.

Time: SimplyBook sends company-local wall times without an offset ("2025-03-09 02:30:00").
They are made aware with the company's ``ZoneInfo``:

* a wall time that happens twice (autumn fall-back) is the *first* occurrence (``fold=0``),
  unless the booking's ``duration`` only fits the other reading (a 60-minute class at 01:00-02:00
  on fall-back night starts at the second 01:00);
* a wall time that never happens (spring-forward gap) is read with the offset in force before the
  gap and moved forward by the gap: 02:30 on a 02:00→03:00 night becomes 03:30 daylight time,
  which is what calendars show for such a slot.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sbzoom.errors import RemoteError


@dataclass(frozen=True)
class Tokens:
    """A signed-in session. ``repr`` never shows the token or the refresh token."""

    token: str = field(repr=False)
    refresh_token: str = field(repr=False)
    company: str
    login: str
    domain: str | None = None
    user_id: int | None = None
    expires_in: int | None = None  # seconds, when SimplyBook says so (it mostly does not)


@dataclass(frozen=True)
class TwoFactorChallenge:
    """The password was right; SimplyBook now wants a second-factor code for this session."""

    company: str
    login: str
    session_id: str = field(repr=False)
    providers: tuple[str, ...]  # "ga" (authenticator app), "sms"


@dataclass(frozen=True)
class CompanyInfo:
    login: str | None
    name: str | None
    email: str | None
    timezone: str | None  # an IANA name, only when SimplyBook gave a valid one


@dataclass(frozen=True)
class Provider:
    id: int
    name: str
    email: str | None
    qty: int  # how many clients the provider takes in one slot
    is_active: bool
    is_visible: bool
    service_ids: tuple[int, ...]
    phone: str | None = None


@dataclass(frozen=True)
class Service:
    id: int
    name: str
    duration: int | None  # minutes
    provider_ids: tuple[int, ...]
    limit_booking: int | None
    is_active: bool
    is_visible: bool
    min_group_booking: int | None = None

    @property
    def capacity(self) -> int:
        """Clients per slot the service itself allows (``limit_booking``; 1 when unset)."""
        return max(1, self.limit_booking or 1)

    def slot_capacity(self, providers: Iterable[Provider]) -> int:
        """Clients per slot counting the providers that offer it: the largest ``qty`` wins."""
        qty = [p.qty for p in providers if p.id in self.provider_ids or self.id in p.service_ids]
        return max([self.capacity, *qty])

    def is_class(self, providers: Iterable[Provider] = ()) -> bool:
        """Several clients may share a slot: sbzoom treats the service as a group class."""
        return self.slot_capacity(providers) > 1


@dataclass(frozen=True)
class Client:
    id: int | None
    name: str
    email: str | None
    phone: str | None = None


@dataclass(frozen=True)
class Booking:
    id: int
    code: str
    status: str  # confirmed | confirmed_pending | pending | canceled ...
    start: datetime  # aware, in the company time zone
    end: datetime  # aware, in the company time zone
    service_id: int | None
    service_name: str
    provider_id: int | None
    provider_name: str
    client: Client | None
    is_confirmed: bool
    batch_id: int | None = None  # bookings of one group/recurring/multiple batch share it
    batch_type: str | None = None  # recurring | multiple | group
    duration: int | None = None  # minutes, as SimplyBook states it
    location_id: int | None = None
    client_timezone: str | None = None
    record_date: datetime | None = None  # when it was booked, aware
    comment: str | None = None  # only in booking details, not in lists

    @property
    def is_cancelled(self) -> bool:
        return self.status.lower() in ("canceled", "cancelled")

    # Python subtracts two datetimes sharing a tzinfo as wall times, so ``end - start`` across a
    # DST change is off by the shift; compare and subtract these instead.
    @property
    def start_utc(self) -> datetime:
        return self.start.astimezone(UTC)

    @property
    def end_utc(self) -> datetime:
        return self.end.astimezone(UTC)


# -- reading answers ----------------------------------------------------------------------------


def as_int(value: object) -> int | None:
    """Ids and counts arrive as ints, strings or floats; anything else is "unknown"."""
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str):
        text = value.strip()
        if text.lstrip("-").isdigit():
            return int(text)
    return None


def _ids(value: object) -> tuple[int, ...]:
    """``["2", "5"]``, ``[2, 5]``, ``{"2": ...}`` or ``[{"id": 2}]`` → ``(2, 5)``."""
    items: Iterable[object]
    if isinstance(value, Mapping):
        items = value.keys()
    elif isinstance(value, list | tuple):
        items = value
    else:
        return ()
    found: list[int] = []
    for item in items:
        number = as_int(item.get("id")) if isinstance(item, Mapping) else as_int(item)
        if number is not None and number not in found:
            found.append(number)
    return tuple(found)


def as_bool(value: object, default: bool = False) -> bool:
    if value is None:
        return default
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float):
        return value != 0
    if isinstance(value, str):
        return value.strip().lower() in ("1", "true", "yes", "on", "y")
    return default


def as_text(value: object) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    return text or None


def as_mapping(value: object) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def valid_zone(name: object) -> str | None:
    text = as_text(name)
    if not text or ("/" not in text and text != "UTC"):
        return None
    try:
        ZoneInfo(text)
    except (ZoneInfoNotFoundError, ValueError):
        return None
    return text


def _naive(value: object, what: str) -> datetime:
    text = as_text(value)
    if text is None:
        raise ValueError(f"{what} is missing")
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        raise ValueError(f"{what} {text!r} is not a date and time") from None


def _exists(wall: datetime, tz: ZoneInfo) -> bool:
    """False for a wall time inside a spring-forward gap."""
    return wall.replace(tzinfo=tz).astimezone(UTC).astimezone(tz).replace(tzinfo=None) == wall


def _readings(wall: datetime, tz: ZoneInfo) -> list[datetime]:
    """The instants a wall time can mean: one, two (fall-back), or in a gap the shifted one."""
    if wall.tzinfo is not None:  # SimplyBook sent an offset after all: trust it
        return [wall.astimezone(tz)]
    first = wall.replace(tzinfo=tz, fold=0)
    second = wall.replace(tzinfo=tz, fold=1)
    if not _exists(wall, tz):
        return [first.astimezone(UTC).astimezone(tz)]
    if first.utcoffset() != second.utcoffset():
        return [first, second]
    return [first]


def localize(wall: datetime, tz: ZoneInfo) -> datetime:
    """One company wall time as an aware datetime (rules in the module docstring)."""
    return _readings(wall, tz)[0]


def localize_span(
    start: datetime, end: datetime, tz: ZoneInfo, duration_minutes: int | None = None
) -> tuple[datetime, datetime]:
    """A booking's start and end; where DST makes a wall time ambiguous, ``duration`` decides."""
    starts, ends = _readings(start, tz), _readings(end, tz)

    def elapsed(s: datetime, e: datetime) -> timedelta:
        # Same tzinfo on both sides would subtract wall times; through UTC it is real time.
        return e.astimezone(UTC) - s.astimezone(UTC)

    if duration_minutes and (len(starts) > 1 or len(ends) > 1):
        wanted = timedelta(minutes=duration_minutes)
        for s, e in itertools.product(starts, ends):
            if elapsed(s, e) == wanted:
                return s, e
    for s, e in itertools.product(starts, ends):
        if elapsed(s, e) >= timedelta(0):
            return s, e
    return starts[0], ends[0]


def parse_provider(item: Mapping[str, Any]) -> Provider:
    ident = as_int(item.get("id"))
    if ident is None:
        raise ValueError("a provider has no id")
    return Provider(
        id=ident,
        name=as_text(item.get("name")) or f"provider {ident}",
        email=as_text(item.get("email")),
        qty=max(1, as_int(item.get("qty")) or 1),
        is_active=as_bool(item.get("is_active"), True),
        is_visible=as_bool(item.get("is_visible"), True),
        service_ids=_ids(item.get("services")),
        phone=as_text(item.get("phone")),
    )


def parse_service(item: Mapping[str, Any]) -> Service:
    ident = as_int(item.get("id"))
    if ident is None:
        raise ValueError("a service has no id")
    return Service(
        id=ident,
        name=as_text(item.get("name")) or f"service {ident}",
        duration=as_int(item.get("duration")),
        provider_ids=_ids(item.get("providers")),
        limit_booking=as_int(item.get("limit_booking")),
        is_active=as_bool(item.get("is_active"), True),
        is_visible=as_bool(item.get("is_visible"), True),
        min_group_booking=as_int(item.get("min_group_booking")),
    )


def parse_booking(item: Mapping[str, Any], tz: ZoneInfo) -> Booking:
    ident = as_int(item.get("id"))
    if ident is None:
        raise ValueError("a booking has no id")
    service, provider = as_mapping(item.get("service")), as_mapping(item.get("provider"))
    client = as_mapping(item.get("client"))
    duration = as_int(item.get("duration"))
    start_wall = _naive(item.get("start_datetime"), f"booking {ident}: start_datetime")
    end_raw = item.get("end_datetime")
    if as_text(end_raw) is None and duration:
        end_wall = start_wall + timedelta(minutes=duration)
    else:
        end_wall = _naive(end_raw, f"booking {ident}: end_datetime")
    start, end = localize_span(start_wall, end_wall, tz, duration)
    record = as_text(item.get("record_date"))
    client_id = as_int(item.get("client_id")) or as_int(client.get("id"))
    client_name = as_text(client.get("name")) or as_text(item.get("client_name"))
    client_email = as_text(client.get("email")) or as_text(item.get("client_email"))
    has_client = client_id is not None or client_name or client_email
    batch_id = as_int(item.get("batch_id"))
    return Booking(
        id=ident,
        code=as_text(item.get("code")) or str(ident),
        status=as_text(item.get("status")) or "",
        start=start,
        end=end,
        service_id=as_int(item.get("service_id")) or as_int(service.get("id")),
        service_name=as_text(service.get("name")) or as_text(item.get("service_name")) or "",
        provider_id=as_int(item.get("provider_id")) or as_int(provider.get("id")),
        provider_name=as_text(provider.get("name")) or as_text(item.get("provider_name")) or "",
        client=Client(
            id=client_id,
            name=client_name or "",
            email=client_email,
            phone=as_text(client.get("phone")) or as_text(item.get("client_phone")),
        )
        if has_client
        else None,
        is_confirmed=as_bool(item.get("is_confirmed")),
        batch_id=batch_id or None,  # 0 means "no batch"
        batch_type=as_text(item.get("batch_type")),
        duration=duration,
        location_id=as_int(item.get("location_id")) or None,
        client_timezone=as_text(item.get("client_timezone")),
        record_date=localize(_naive(record, "record_date"), tz) if record else None,
        comment=(as_text(item.get("comment")) or "") if "comment" in item else None,
    )


def parse_tokens(body: Mapping[str, Any], company: str, login: str) -> Tokens:
    token, refresh = as_text(body.get("token")), as_text(body.get("refresh_token"))
    if not token:
        raise RemoteError(
            "SimplyBook's sign-in answer held no token.",
            "Try again; if it persists, run with --debug and report what it prints.",
        )
    return Tokens(
        token=token,
        refresh_token=refresh or "",
        company=as_text(body.get("company")) or company,
        login=as_text(body.get("login")) or login,
        domain=as_text(body.get("domain")),
        user_id=as_int(body.get("id")),
        expires_in=as_int(body.get("expires_in")),
    )
