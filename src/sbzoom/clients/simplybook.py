"""SimplyBook.me REST API v2 (``user-api-v2.<domain>``): typed calls over one ``HttpSession``.

    SimplyBookAuth       sign-in calls, no token needed: login, 2FA, SMS request, refresh, logout
    SimplyBookClient     admin calls with ``X-Company-Login`` / ``X-Token``; a ``TokenSource`` hands
                         out the token and renews it when SimplyBook answers 419 "Token Expired"

Errors raised (see ``sbzoom.errors``):

    AuthError      401/419 that one renewal did not cure; 403 (the user lacks the right); every
                   rejected sign-in (wrong password, unknown company, too many attempts, 2FA)
    NotFoundError  a booking id SimplyBook does not know
    ConfigError    bookings asked for while no company time zone is known
    RemoteError    unavailable after retries, or an HTML / non-JSON answer where JSON belongs
    ApiError       any other error answer

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

import functools
import itertools
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any, Protocol, TypeVar
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import httpx

from sbzoom.clients._http import HttpSession, Redactor, response_json
from sbzoom.errors import (
    ApiError,
    AuthError,
    ConfigError,
    NotFoundError,
    RemoteError,
    SignInRejectedError,
)

SERVICE = "SimplyBook"
DEFAULT_DOMAIN = "simplybook.me"
MAX_ON_PAGE = 100
LOGIN_HINT = "Sign in again with 'sbzoom auth login simplybook'."
TOKEN_EXPIRED = 419
MAX_RENEWALS = 3  # token renewals within one call (see SimplyBookClient._request)
T = TypeVar("T")


def api_url_for_domain(domain: str) -> str:
    """``simplybook.it`` → ``https://user-api-v2.simplybook.it`` (the REST v2 host of a region)."""
    return f"https://user-api-v2.{domain.strip().lower().strip('.')}"


# -- entities -----------------------------------------------------------------------------------


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


class TokenSource(Protocol):
    """Hands out the current token, and a new one after SimplyBook rejected ``rejected``."""

    def current(self) -> str: ...
    def renew(self, rejected: str) -> str: ...


class FixedToken:
    """A token that cannot be renewed: for the few calls made right after signing in."""

    def __init__(self, token: str) -> None:
        self._token = token

    def __repr__(self) -> str:
        return "FixedToken(***)"

    def current(self) -> str:
        return self._token

    def renew(self, rejected: str) -> str:
        raise AuthError("SimplyBook rejected the token it had just issued.", LOGIN_HINT)


# -- parsing helpers ----------------------------------------------------------------------------


def _int(value: object) -> int | None:
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
        number = _int(item.get("id")) if isinstance(item, Mapping) else _int(item)
        if number is not None and number not in found:
            found.append(number)
    return tuple(found)


def _bool(value: object, default: bool = False) -> bool:
    if value is None:
        return default
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float):
        return value != 0
    if isinstance(value, str):
        return value.strip().lower() in ("1", "true", "yes", "on", "y")
    return default


def _text(value: object) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    return text or None


def _mapping(value: object) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _valid_zone(name: object) -> str | None:
    text = _text(name)
    if not text or ("/" not in text and text != "UTC"):
        return None
    try:
        ZoneInfo(text)
    except (ZoneInfoNotFoundError, ValueError):
        return None
    return text


def _naive(value: object, what: str) -> datetime:
    text = _text(value)
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
    ident = _int(item.get("id"))
    if ident is None:
        raise ValueError("a provider has no id")
    return Provider(
        id=ident,
        name=_text(item.get("name")) or f"provider {ident}",
        email=_text(item.get("email")),
        qty=max(1, _int(item.get("qty")) or 1),
        is_active=_bool(item.get("is_active"), True),
        is_visible=_bool(item.get("is_visible"), True),
        service_ids=_ids(item.get("services")),
        phone=_text(item.get("phone")),
    )


def parse_service(item: Mapping[str, Any]) -> Service:
    ident = _int(item.get("id"))
    if ident is None:
        raise ValueError("a service has no id")
    return Service(
        id=ident,
        name=_text(item.get("name")) or f"service {ident}",
        duration=_int(item.get("duration")),
        provider_ids=_ids(item.get("providers")),
        limit_booking=_int(item.get("limit_booking")),
        is_active=_bool(item.get("is_active"), True),
        is_visible=_bool(item.get("is_visible"), True),
        min_group_booking=_int(item.get("min_group_booking")),
    )


def parse_booking(item: Mapping[str, Any], tz: ZoneInfo) -> Booking:
    ident = _int(item.get("id"))
    if ident is None:
        raise ValueError("a booking has no id")
    service, provider = _mapping(item.get("service")), _mapping(item.get("provider"))
    client = _mapping(item.get("client"))
    duration = _int(item.get("duration"))
    start_wall = _naive(item.get("start_datetime"), f"booking {ident}: start_datetime")
    end_raw = item.get("end_datetime")
    if _text(end_raw) is None and duration:
        end_wall = start_wall + timedelta(minutes=duration)
    else:
        end_wall = _naive(end_raw, f"booking {ident}: end_datetime")
    start, end = localize_span(start_wall, end_wall, tz, duration)
    record = _text(item.get("record_date"))
    client_id = _int(item.get("client_id")) or _int(client.get("id"))
    client_name = _text(client.get("name")) or _text(item.get("client_name"))
    client_email = _text(client.get("email")) or _text(item.get("client_email"))
    has_client = client_id is not None or client_name or client_email
    batch_id = _int(item.get("batch_id"))
    return Booking(
        id=ident,
        code=_text(item.get("code")) or str(ident),
        status=_text(item.get("status")) or "",
        start=start,
        end=end,
        service_id=_int(item.get("service_id")) or _int(service.get("id")),
        service_name=_text(service.get("name")) or _text(item.get("service_name")) or "",
        provider_id=_int(item.get("provider_id")) or _int(provider.get("id")),
        provider_name=_text(provider.get("name")) or _text(item.get("provider_name")) or "",
        client=Client(
            id=client_id,
            name=client_name or "",
            email=client_email,
            phone=_text(client.get("phone")) or _text(item.get("client_phone")),
        )
        if has_client
        else None,
        is_confirmed=_bool(item.get("is_confirmed")),
        batch_id=batch_id or None,  # 0 means "no batch"
        batch_type=_text(item.get("batch_type")),
        duration=duration,
        location_id=_int(item.get("location_id")) or None,
        client_timezone=_text(item.get("client_timezone")),
        record_date=localize(_naive(record, "record_date"), tz) if record else None,
        comment=(_text(item.get("comment")) or "") if "comment" in item else None,
    )


def parse_tokens(body: Mapping[str, Any], company: str, login: str) -> Tokens:
    token, refresh = _text(body.get("token")), _text(body.get("refresh_token"))
    if not token:
        raise RemoteError(
            "SimplyBook's sign-in answer held no token.",
            "Try again; if it persists, run with --debug and report what it prints.",
        )
    return Tokens(
        token=token,
        refresh_token=refresh or "",
        company=_text(body.get("company")) or company,
        login=_text(body.get("login")) or login,
        domain=_text(body.get("domain")),
        user_id=_int(body.get("id")),
        expires_in=_int(body.get("expires_in")),
    )


def _rows(body: object) -> tuple[list[Any], Mapping[str, Any] | None]:
    """A list page as (items, metadata): ``{data, metadata}`` live, a bare array per the spec."""
    if isinstance(body, list):
        return body, None
    if isinstance(body, Mapping):
        data = body.get("data")
        if isinstance(data, list):
            return data, _mapping(body.get("metadata")) or None
        if isinstance(data, Mapping):
            return list(data.values()), _mapping(body.get("metadata")) or None
    raise RemoteError(
        "SimplyBook answered a list request with something that is not a list.",
        "Check the API URL (it must be the REST v2 host user-api-v2.<domain>).",
    )


def _error_details(response: httpx.Response, redactor: Redactor) -> tuple[str, int | None]:
    """SimplyBook's ``{"code", "message"}``, scrubbed of known secrets; ("", None) when the error
    is not JSON (an HTML 404 page for an unknown company, a proxy's 502 page): callers decide by
    the HTTP status first, so such a page still means what its status says."""
    try:
        body = response.json()
    except (ValueError, UnicodeDecodeError):
        return "", None
    if isinstance(body, Mapping):
        message = _text(body.get("message")) or _text(body.get("error")) or ""
        return redactor.scrub(message[:300]), _int(body.get("code"))
    return "", None


# -- sign-in calls ------------------------------------------------------------------------------


class SimplyBookAuth:
    """``/admin/auth*``: answers become ``Tokens``, a ``TwoFactorChallenge`` or an AuthError."""

    def __init__(self, session: HttpSession, api_url: str) -> None:
        self.session = session
        self.api_url = api_url.rstrip("/")

    def _url(self, path: str) -> str:
        return f"{self.api_url}{path}"

    def _remember(self, *secrets: str | None) -> None:
        self.session.redactor.add(*secrets)

    def login(self, company: str, login: str, password: str) -> Tokens | TwoFactorChallenge:
        self._remember(password)
        response = self.session.send(
            "POST",
            self._url("/admin/auth"),
            idempotent=True,  # signing in twice is harmless; a 502 here changed nothing to keep
            json_body={"company": company, "login": login, "password": password},
        )
        body = self._signed_in(response, company, login, step="login")
        if _bool(body.get("require2fa")):
            session_id = _text(body.get("auth_session_id"))
            if not session_id:
                raise RemoteError(
                    "SimplyBook asked for a two-factor code but sent no session to use it with.",
                    "Try again, or use an API user key as the password.",
                )
            self._remember(session_id)
            providers = body.get("allowed2fa_providers")
            names = tuple(str(p) for p in providers) if isinstance(providers, list) else ()
            return TwoFactorChallenge(company, login, session_id, names)
        return self._tokens(body, company, login)

    def request_sms(self, challenge: TwoFactorChallenge) -> None:
        response = self.session.send(
            "GET",
            self._url("/admin/auth/sms"),
            params={"company": challenge.company, "session_id": challenge.session_id},
        )
        if response.is_success:
            return
        message, _ = _error_details(response, self.session.redactor)
        raise AuthError(
            f"SimplyBook could not send the two-factor SMS{_suffix(message)}.",
            "Use --code-type ga with your authenticator app, or an API user key as the password.",
        )

    def verify_code(self, challenge: TwoFactorChallenge, code: str, code_type: str) -> Tokens:
        self._remember(code)
        response = self.session.send(
            "POST",
            self._url("/admin/auth/2fa"),
            json_body={
                "company": challenge.company,
                "session_id": challenge.session_id,
                "code": code,
                "type": code_type,
            },
        )
        body = self._signed_in(response, challenge.company, challenge.login, step="2fa")
        return self._tokens(body, challenge.company, challenge.login)

    def refresh(self, company: str, login: str, refresh_token: str) -> Tokens | None:
        """New tokens, or ``None`` when SimplyBook no longer accepts the refresh token (401)."""
        self._remember(refresh_token)
        response = self.session.send(
            "POST",
            self._url("/admin/auth/refresh-token"),
            json_body={"company": company, "refresh_token": refresh_token},
        )
        if response.status_code in (400, 401, 403, 404, TOKEN_EXPIRED):
            _error_details(
                response, self.session.redactor
            )  # an HTML page here is an outage, not a dead token
            return None
        if not response.is_success:
            message, code = _error_details(response, self.session.redactor)
            raise ApiError(
                f"SimplyBook could not renew the sign-in{_suffix(message)} "
                f"(HTTP {response.status_code}).",
                LOGIN_HINT,
                service=SERVICE,
                status=response.status_code,
                code=code,
            )
        tokens = self._tokens(_mapping(response_json(response, SERVICE)), company, login)
        if not tokens.refresh_token:  # not rotated this time: the old one stays valid
            tokens = Tokens(
                tokens.token, refresh_token, tokens.company, tokens.login, tokens.domain,
                tokens.user_id, tokens.expires_in,
            )  # fmt: skip
        return tokens

    def logout(self, company: str, token: str) -> bool:
        """Ends the server session; ``True`` when SimplyBook confirmed it."""
        self._remember(token)
        response = self.session.send(
            "POST",
            self._url("/admin/auth/logout"),
            headers={"X-Company-Login": company, "X-Token": token},
            json_body={"auth_token": token},
        )
        return response.is_success

    def _tokens(self, body: Mapping[str, Any], company: str, login: str) -> Tokens:
        tokens = parse_tokens(body, company, login)
        self._remember(tokens.token, tokens.refresh_token)
        return tokens

    def _signed_in(
        self, response: httpx.Response, company: str, login: str, *, step: str
    ) -> Mapping[str, Any]:
        status = response.status_code
        if response.is_success:
            return _mapping(response_json(response, SERVICE))
        message, _ = _error_details(response, self.session.redactor)
        where = f"company '{company}' at {self.api_url}"
        if status == 404:
            # By status first: SimplyBook answers an unknown company with an HTML 404 page.
            domain = urlsplit(self.api_url).hostname or self.api_url
            raise AuthError(
                f"SimplyBook has no {where}{_suffix(message)}.",
                f"Check the company login '{company}' (as in https://{company}.simplybook.me) "
                f"and the domain ({domain.removeprefix('user-api-v2.')}): pass --company, or "
                "--domain for a company on another regional host (e.g. simplybook.it).",
            )
        if not message and status not in (401, 403):
            response_json(response, SERVICE)  # an HTML page where JSON belongs: a RemoteError
        if status == 403:
            raise SignInRejectedError(
                f"SimplyBook refused the sign-in: too many login attempts{_suffix(message)}.",
                "Wait before trying again (a few minutes at least), and check the password "
                "first; sbzoom does not retry this by itself.",
                locked=True,
            )
        if status == 400 and "company" in message.lower():
            raise AuthError(
                f"SimplyBook has no {where}{_suffix(message)}.",
                "Check --company (the company login, as in https://<company>.simplybook.me), or "
                "pass --domain for a company on another regional host (e.g. simplybook.it).",
            )
        if step == "2fa" and status in (400, 401):
            raise AuthError(
                f"SimplyBook did not accept the two-factor code{_suffix(message)}.",
                "Run the command again with a fresh code (--code), or use an API user key as the "
                "password.",
            )
        if status in (400, 401):
            raise SignInRejectedError(
                f"SimplyBook rejected the login '{login}' or its password for {where}"
                f"{_suffix(message)}.",
                "Check --login and the password; an API user key also works as the password.",
            )
        raise ApiError(
            f"SimplyBook answered the sign-in with HTTP {status}{_suffix(message)}.",
            "Try again later; run with --debug to see the exchange.",
            service=SERVICE,
            status=status,
        )


def _suffix(message: str) -> str:
    return f" ({message.rstrip('.')})" if message else ""


class EndpointMissingError(ApiError):
    """The company's API answers 404/405 for an endpoint itself (not for a missing record)."""


# -- admin calls --------------------------------------------------------------------------------


class SimplyBookClient:
    """Admin REST calls for one company. Lists follow every page; bookings stream page by page."""

    def __init__(
        self,
        session: HttpSession,
        api_url: str,
        company: str,
        tokens: TokenSource,
        timezone: Callable[[], ZoneInfo] | ZoneInfo | None = None,
    ) -> None:
        self.session = session
        self.api_url = api_url.rstrip("/")
        self.company = company
        self.tokens = tokens
        self.auth = SimplyBookAuth(session, self.api_url)
        self._timezone = timezone

    def __repr__(self) -> str:
        return f"SimplyBookClient(company={self.company!r}, api_url={self.api_url!r})"

    def close(self) -> None:
        self.session.client.close()

    @property
    def timezone(self) -> ZoneInfo:
        """The company time zone that turns SimplyBook's wall times into aware datetimes."""
        zone = self._timezone() if callable(self._timezone) else self._timezone
        if zone is None:
            raise ConfigError(
                "The SimplyBook company's time zone is not known, so booking times cannot be read.",
                "Set it with 'sbzoom config set simplybook.timezone Europe/Copenhagen' (your "
                "company's IANA zone), or sign in again with --timezone.",
            )
        return zone

    # -- transport --

    def _request(
        self,
        method: str,
        path: str,
        *,
        what: str,
        params: list[tuple[str, Any]] | None = None,
        json_body: Any = None,
        not_found: str | None = None,
    ) -> httpx.Response:
        """One admin call; a 401/419 renews the token once and retries, never more."""
        sent = [""]  # the token of the latest attempt: the one a 401/419 rejected

        def auth() -> dict[str, str]:
            # Asked on every attempt, so a retry after a long back-off gets a current token.
            sent[0] = self.tokens.current()
            self.session.redactor.add(sent[0])
            return {"X-Company-Login": self.company, "X-Token": sent[0]}

        response = self._send(method, path, auth, params, json_body)
        # A token can expire again while a retry backs off (a slow run): renew as long as each
        # renewal yields a new token, up to MAX_RENEWALS; rejected right after renewal is final.
        renewals = 0
        while response.status_code in (401, TOKEN_EXPIRED):
            rejected = sent[0]
            if renewals >= MAX_RENEWALS or self.tokens.renew(rejected) == rejected:
                raise AuthError(
                    f"SimplyBook rejected sbzoom's sign-in for company '{self.company}' even "
                    "after renewing it.",
                    LOGIN_HINT,
                )
            renewals += 1
            response = self._send(method, path, auth, params, json_body)
        if response.is_success:
            return response
        message, code = _error_details(response, self.session.redactor)
        status = response.status_code
        if status == 404 and not_found:  # by status first: the body may be an HTML page
            raise NotFoundError(not_found)
        if status in (404, 405) and path.endswith("/comment"):
            raise EndpointMissingError(
                f"SimplyBook has no booking-comment endpoint here (HTTP {status} on {path}).",
                "Turn write-back off with 'sbzoom config set write_back none'.",
                service=SERVICE,
                status=status,
                code=code,
            )
        if status == 403:
            raise AuthError(
                f"SimplyBook refused to {what}{_suffix(message)}.",
                "The signed-in SimplyBook user lacks the right for this; sign in as a company "
                "admin with 'sbzoom auth login simplybook'.",
            )
        raise ApiError(
            f"SimplyBook could not {what}{_suffix(message)} (HTTP {status}).",
            "Run with --debug to see the exchange.",
            service=SERVICE,
            status=status,
            code=code,
        )

    def _send(
        self,
        method: str,
        path: str,
        auth: Callable[[], dict[str, str]],
        params: list[tuple[str, Any]] | None,
        json_body: Any,
    ) -> httpx.Response:
        return self.session.send(
            method, f"{self.api_url}{path}", auth=auth, params=params, json_body=json_body
        )

    def _json(self, method: str, path: str, *, what: str, **kwargs: Any) -> Any:
        return response_json(self._request(method, path, what=what, **kwargs), SERVICE)

    def _pages(
        self, path: str, params: list[tuple[str, Any]], *, what: str, on_page: int
    ) -> Iterator[list[Any]]:
        """Each page's items, first to last. With metadata: up to ``pages_count``. Bare lists
        carry no count: go on while pages come back as full as the first one, and stop when a
        page repeats the previous one (a server that ignores ``page``)."""
        on_page = max(1, min(on_page, MAX_ON_PAGE))
        page, full, previous = 1, 0, None
        while True:
            body = self._json(
                "GET", path, what=what, params=[*params, ("page", page), ("on_page", on_page)]
            )
            items, metadata = _rows(body)
            if not items or items == previous:
                return
            yield items
            if metadata is not None and _int(metadata.get("pages_count")) is not None:
                if page >= (_int(metadata.get("pages_count")) or 0):
                    return
            else:
                full = full or len(items)
                if len(items) > on_page or len(items) < full:
                    return
            previous, page = items, page + 1

    def _parse_all(
        self, items: Iterable[Any], parse: Callable[[Mapping[str, Any]], T], what: str
    ) -> Iterator[T]:
        for item in items:
            if not isinstance(item, Mapping):
                raise RemoteError(f"SimplyBook sent a {what} that is not an object.")
            try:
                yield parse(item)
            except ValueError as exc:
                raise ApiError(
                    f"SimplyBook sent a {what} sbzoom cannot read: {exc}.",
                    "Run with --debug to see the answer, and report it.",
                    service=SERVICE,
                ) from None

    # -- public calls --

    def company_info(self) -> CompanyInfo:
        body = _mapping(self._json("GET", "/admin/company/info", what="read the company info"))
        if isinstance(body.get("data"), Mapping):
            body = body["data"]
        zone = body.get("timezone") or body.get("time_zone")
        return CompanyInfo(
            login=_text(body.get("login")),
            name=_text(body.get("name")),
            email=_text(body.get("email")),
            timezone=_valid_zone(zone),
        )

    def list_providers(self, *, on_page: int = MAX_ON_PAGE) -> list[Provider]:
        what = "list the providers"
        pages = self._pages("/admin/providers", [], what=what, on_page=on_page)
        return [p for page in pages for p in self._parse_all(page, parse_provider, "provider")]

    def list_services(self, *, on_page: int = MAX_ON_PAGE) -> list[Service]:
        what = "list the services"
        pages = self._pages("/admin/services", [], what=what, on_page=on_page)
        return [s for page in pages for s in self._parse_all(page, parse_service, "service")]

    def iter_bookings(
        self,
        *,
        date_from: date | None = None,
        date_to: date | None = None,
        status: str | None = None,
        services: Iterable[int] = (),
        providers: Iterable[int] = (),
        upcoming_only: bool = False,
        on_page: int = MAX_ON_PAGE,
    ) -> Iterator[Booking]:
        """Bookings matching the filters, fetched one page at a time as the caller iterates.

        Dates compare the appointment date in the company's calendar (both ends included).
        """
        params = booking_filters(
            date_from=date_from,
            date_to=date_to,
            status=status,
            services=services,
            providers=providers,
            upcoming_only=upcoming_only,
        )
        pages = self._pages("/admin/bookings", params, what="list bookings", on_page=on_page)
        first = next(pages, None)
        if first is None:
            return  # nothing to read, so no time zone needed
        parse = functools.partial(parse_booking, tz=self.timezone)
        for page in itertools.chain([first], pages):
            yield from self._parse_all(page, parse, "booking")

    def list_bookings(self, **filters: Any) -> list[Booking]:
        return list(self.iter_bookings(**filters))

    def get_booking(self, booking_id: int) -> Booking:
        """One booking with its details, including the comment."""
        body = _mapping(
            self._json(
                "GET",
                f"/admin/bookings/{int(booking_id)}",
                what=f"read booking {booking_id}",
                not_found=f"SimplyBook has no booking {booking_id}.",
            )
        )
        if isinstance(body.get("data"), Mapping) and "id" not in body:
            body = body["data"]
        parse = functools.partial(parse_booking, tz=self.timezone)
        return next(self._parse_all([body], parse, "booking"))

    def set_booking_comment(self, booking_id: int, comment: str) -> None:
        """PUT ``/admin/bookings/{id}/comment`` ``{"comment": …}`` (docs/simplybook-facts.md).
        A 404/405 here is the endpoint missing (the booking was just read): EndpointMissingError.
        """
        self._request(
            "PUT",
            f"/admin/bookings/{int(booking_id)}/comment",
            what=f"write the comment of booking {booking_id}",
            json_body={"comment": comment},
        )

    def logout(self) -> bool:
        return self.auth.logout(self.company, self.tokens.current())


def booking_filters(
    *,
    date_from: date | None = None,
    date_to: date | None = None,
    status: str | None = None,
    services: Iterable[int] = (),
    providers: Iterable[int] = (),
    upcoming_only: bool = False,
) -> list[tuple[str, Any]]:
    """Query parameters for ``GET /admin/bookings``. Only ``filter[...]`` names work: SimplyBook
    silently ignores unprefixed ones and returns everything."""
    params: list[tuple[str, Any]] = []
    if date_from is not None:
        params.append(("filter[date_from]", f"{date_from:%Y-%m-%d}"))
    if date_to is not None:
        params.append(("filter[date_to]", f"{date_to:%Y-%m-%d}"))
    if status:
        params.append(("filter[status]", status))
    params += [("filter[services][]", int(s)) for s in services]
    params += [("filter[providers][]", int(p)) for p in providers]
    if upcoming_only:
        params.append(("filter[upcoming_only]", 1))
    return params
