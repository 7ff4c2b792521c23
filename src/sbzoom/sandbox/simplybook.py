"""The emulated SimplyBook.me REST API v2 (admin): login with 2FA, refresh rotation, 419 expiry,
``{data, metadata}`` lists (or bare arrays), ``filter[...]``-only booking filters, and booking
edits, cancellation and comments.

Behaviour follows ``docs/simplybook-api-notes.md``. Errors are the flat
``{"code", "message", "data", "message_data"}`` shape.
"""

from __future__ import annotations

import bisect
import secrets
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from sbzoom.sandbox._base import (
    BadRequestBody,
    Clock,
    Request,
    Response,
    Router,
    html_response,
    json_response,
)
from sbzoom.sandbox.data import (
    CLIENTS,
    DEMO_COMPANY,
    DEMO_COMPANY_NAME,
    DEMO_GA_CODE,
    DEMO_SMS_CODE,
    DOMAIN,
    PROVIDERS,
    SB_USERS,
    SERVICES,
    Booking,
    Client,
    DemoData,
    Provider,
    SbUser,
    Service,
    booking_code,
)

T = TypeVar("T")
SESSION_TTL = timedelta(minutes=10)
DEFAULT_ON_PAGE = 10
MAX_ON_PAGE = 100
STATUS_FILTERS = {
    "confirmed": ("confirmed",),
    "pending": ("pending",),
    "confirmed_pending": ("confirmed", "pending"),
    "canceled": ("canceled",),
}
_PUBLIC_ROUTES = ("auth.login", "auth.2fa", "auth.sms", "auth.refresh")


def _error(status: int, message: str, data: Any = None) -> Response:
    return json_response(
        status, {"code": status, "message": message, "data": data or [], "message_data": []}
    )


def _format(moment: datetime) -> str:
    return moment.isoformat(sep=" ", timespec="seconds")


def _parse_datetime(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        return datetime.strptime(value.strip(), "%Y-%m-%d %H:%M:%S")
    except ValueError:
        return None


def _parse_int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value)
    return None


@dataclass
class _Token:
    login: str
    expires_at: datetime
    refresh: str
    revoked: bool = False


@dataclass
class _Refresh:
    login: str
    used: bool = False
    revoked: bool = False


@dataclass
class _Session:
    login: str
    expires_at: datetime


@dataclass
class _Failures:
    count: int = 0
    locked_until: datetime | None = None


@dataclass(frozen=True)
class _Filters:
    date_from: date | None = None
    date_to: date | None = None
    statuses: tuple[str, ...] | None = None
    services: frozenset[int] | None = None
    providers: frozenset[int] | None = None
    client_id: int | None = None
    upcoming_from: datetime | None = None
    search: str = ""


class SimplyBookService:
    """One SimplyBook company with its admin users, providers, services, clients and bookings."""

    def __init__(
        self,
        *,
        clock: Clock,
        lock: threading.RLock,
        zone: ZoneInfo,
        demo: DemoData,
        token_ttl: int = 3600,
        bare_lists: bool = False,
        info_timezone: bool = True,
        lockout_seconds: int = 900,
        max_login_failures: int = 5,
    ) -> None:
        self._clock = clock
        self._lock = lock
        self._zone = zone
        self._token_ttl = token_ttl
        self.bare_lists = bare_lists
        self._info_timezone = info_timezone
        # Fault switches for what docs/simplybook-facts.md leaves unknown about real accounts:
        self.comment_endpoint = True  # False: PUT /admin/bookings/{id}/comment answers 405
        self.details_comment = True  # False: booking details carry no "comment" field
        self.html_not_found = False  # True: a missing booking is an HTML 404 page, not JSON
        self.unknown_company_html404 = False  # True: sign-in to an unknown company: HTML 404
        self._lockout = timedelta(seconds=lockout_seconds)
        self._max_failures = max_login_failures
        self._users = {user.login: user for user in SB_USERS}
        self._providers = {p.id: p for p in PROVIDERS}
        self._services = {s.id: s for s in SERVICES}
        self._clients: dict[int, Client] = {c.id: c for c in (*CLIENTS, *demo.extra_clients)}
        self._provider_json = {p.id: self._provider_entity(p) for p in PROVIDERS}
        self._service_json = {s.id: self._service_entity(s) for s in SERVICES}
        self._client_json = {c.id: self._client_entity(c) for c in self._clients.values()}
        self._bookings: dict[int, Booking] = {b.id: b for b in demo.bookings}
        self._dst_booking_ids = demo.dst_booking_ids
        self._dst_transition = demo.dst_transition
        self._sorted: list[Booking] = []
        self._starts: list[datetime] = []
        self._dirty = True
        self._filter_cache: dict[_Filters, list[Booking]] = {}
        self._tokens: dict[str, _Token] = {}
        self._refresh: dict[str, _Refresh] = {}
        self._sessions: dict[str, _Session] = {}
        self._failures: dict[tuple[str, str], _Failures] = {}
        self._refresh_uses: dict[str, int] = {}
        self._sms_sent = 0
        # Set by the Sandbox: the "API callback URL" sender (create/change/cancel callbacks).
        self.notify: Callable[[int, str], None] | None = None
        self.router = Router()
        self._add_routes()

    def _add_routes(self) -> None:
        add = self.router.add
        add("POST", "/admin/auth", "auth.login", self._login)
        add("POST", "/admin/auth/2fa", "auth.2fa", self._second_factor)
        add("GET", "/admin/auth/sms", "auth.sms", self._send_sms)
        add("POST", "/admin/auth/refresh-token", "auth.refresh", self._refresh_token)
        add("POST", "/admin/auth/logout", "auth.logout", self._logout)
        add("GET", "/admin/providers", "providers.list", self._list_providers)
        add("GET", r"/admin/providers/(\d+)", "provider.get", self._get_provider)
        add("GET", "/admin/services", "services.list", self._list_services)
        add("GET", r"/admin/services/(\d+)", "service.get", self._get_service)
        add("GET", "/admin/bookings", "bookings.list", self._list_bookings)
        add("GET", r"/admin/bookings/(\d+)", "booking.get", self._get_booking)
        add("PUT", r"/admin/bookings/(\d+)", "booking.edit", self._edit_booking)
        add("DELETE", r"/admin/bookings/(\d+)", "booking.cancel", self._cancel_booking)
        add("PUT", r"/admin/bookings/(\d+)/comment", "booking.comment", self._set_comment)
        add("GET", "/admin/company/info", "company.info", self._company_info)

    def route_name(self, method: str, path: str) -> str:
        found = self.router.resolve(method, path)
        return found[0].name if found else "unknown"

    def handle(self, request: Request) -> tuple[str, Response]:
        found = self.router.resolve(request.method, request.path)
        if found is None:
            if self.router.path_exists(request.path):
                return "unknown", _error(405, "Method Not Allowed")
            return "unknown", _error(404, "Not Found")
        route, match = found
        with self._lock:
            if route.name not in _PUBLIC_ROUTES:
                denied = self._authenticate(request)
                if denied is not None:
                    return route.name, denied
            return route.name, route.handler(request, match)

    # -- auth ------------------------------------------------------------------------------------

    def _token_entity(self, user: SbUser) -> dict[str, Any]:
        token, refresh = secrets.token_hex(32), secrets.token_hex(32)
        self._tokens[token] = _Token(
            user.login, self._clock.now() + timedelta(seconds=self._token_ttl), refresh
        )
        self._refresh[refresh] = _Refresh(user.login)
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
    def _locked(self, login: str) -> Response | None:
        record = self._failures.get((DEMO_COMPANY, login))
        if record is None or record.locked_until is None:
            return None
        if self._clock.now() < record.locked_until:
            return _error(403, "Too many login attempts")
        del self._failures[(DEMO_COMPANY, login)]
        return None

    def _failed(self, login: str, message: str) -> Response:
        record = self._failures.setdefault((DEMO_COMPANY, login), _Failures())
        record.count += 1
        if record.count >= self._max_failures:
            record.locked_until = self._clock.now() + self._lockout
        return _error(400, message)

    def _login(self, request: Request, match: Any) -> Response:
        try:
            body = request.json_object()
        except BadRequestBody:
            return _error(400, "Invalid request body")
        missing = {
            name: ["Value is required"]
            for name in ("company", "login", "password")
            if not isinstance(body.get(name), str) or not body.get(name)
        }
        if missing:
            return _error(400, "Validation error", missing)
        if body["company"] != DEMO_COMPANY:
            # A live probe answered {"code":400,"message":"Invalid company"}; SimplyBook's own
            # WordPress plugin expects 404 for it, and an HTML 404 page has been seen: a switch.
            if self.unknown_company_html404:
                return html_response(404, "Page not found", "The page you requested was not found.")
            return _error(400, "Invalid company")
        login, password = body["login"], body["password"]
        locked = self._locked(login)
        if locked:
            return locked
        user = self._users.get(login)
        if user is None or not (
            secrets.compare_digest(password, user.password) or password in user.api_user_keys
        ):
            return self._failed(login, "Incorrect login or password")
        self._failures.pop((DEMO_COMPANY, login), None)
        if user.two_factor and password not in user.api_user_keys:
            session = secrets.token_hex(16)
            self._sessions[session] = _Session(login, self._clock.now() + SESSION_TTL)
            return json_response(
                200,
                {
                    "token": "",
                    "company": DEMO_COMPANY,
                    "login": login,
                    "refresh_token": "",
                    "domain": "simplybook.me",
                    "require2fa": True,
                    "allowed2fa_providers": ["ga", "sms"],
                    "auth_session_id": session,
                    "id": user.id,
                },
            )
        return json_response(200, self._token_entity(user))

    def _session(self, company: Any, session_id: Any) -> _Session | Response:
        if company != DEMO_COMPANY:
            return _error(400, "Invalid company")
        session = self._sessions.get(session_id) if isinstance(session_id, str) else None
        if session is None or self._clock.now() >= session.expires_at:
            return _error(400, "Invalid or expired authentication session")
        return session

    def _second_factor(self, request: Request, match: Any) -> Response:
        try:
            body = request.json_object()
        except BadRequestBody:
            return _error(400, "Invalid request body")
        session = self._session(body.get("company"), body.get("session_id"))
        if isinstance(session, Response):
            return session
        locked = self._locked(session.login)
        if locked:
            return locked
        kind = body.get("type")
        expected = {"ga": DEMO_GA_CODE, "sms": DEMO_SMS_CODE}.get(
            kind if isinstance(kind, str) else ""
        )
        if expected is None:
            return _error(400, "Unsupported 2FA type", {"type": ["Allowed: ga, sms"]})
        if str(body.get("code", "")) != expected:
            return self._failed(session.login, "Invalid 2FA code")
        del self._sessions[body["session_id"]]
        self._failures.pop((DEMO_COMPANY, session.login), None)
        return json_response(200, self._token_entity(self._users[session.login]))

    def _send_sms(self, request: Request, match: Any) -> Response:
        session = self._session(request.arg("company"), request.arg("session_id"))
        if isinstance(session, Response):
            return session
        self._sms_sent += 1
        return json_response(200, {"result": True})

    def _refresh_token(self, request: Request, match: Any) -> Response:
        try:
            body = request.json_object()
        except BadRequestBody:
            return _error(400, "Invalid request body")
        value = body.get("refresh_token")
        if not isinstance(value, str):
            return _error(401, "Invalid refresh token")
        self._refresh_uses[value] = self._refresh_uses.get(value, 0) + 1
        refresh = self._refresh.get(value)
        if (
            body.get("company") != DEMO_COMPANY
            or refresh is None
            or refresh.used
            or (refresh.revoked)
        ):
            return _error(401, "Invalid refresh token")
        refresh.used = True
        return json_response(200, self._token_entity(self._users[refresh.login]))

    def _authenticate(self, request: Request) -> Response | None:
        token = self._tokens.get(request.header("x-token") or "")
        if request.header("x-company-login") != DEMO_COMPANY or token is None or token.revoked:
            return _error(401, "Unauthorized")
        if self._clock.now() >= token.expires_at:
            return _error(419, "Token Expired")
        return None

    def _logout(self, request: Request, match: Any) -> Response:
        try:
            body = request.json_object()
        except BadRequestBody:
            body = {}
        value = body.get("auth_token") or request.header("x-token") or ""
        token = self._tokens.get(value)
        if token is not None:
            token.revoked = True
            if token.refresh in self._refresh:
                self._refresh[token.refresh].revoked = True
        return json_response(200, {"result": True})

    # -- lists -----------------------------------------------------------------------------------

    def _listing(
        self, request: Request, items: Sequence[T], render: Callable[[T], dict[str, Any]]
    ) -> Response:
        page = _parse_int(request.arg("page")) or 1
        on_page = _parse_int(request.arg("on_page")) or DEFAULT_ON_PAGE
        on_page = min(max(on_page, 1), MAX_ON_PAGE)
        page = max(page, 1)
        chunk = items[(page - 1) * on_page : page * on_page]
        data = [render(item) for item in chunk]
        if self.bare_lists:
            return json_response(200, data)
        total = len(items)
        return json_response(
            200,
            {
                "data": data,
                "metadata": {
                    "items_count": total,
                    "pages_count": -(-total // on_page),
                    "page": page,
                    "on_page": on_page,
                },
            },
        )

    @staticmethod
    def _provider_entity(provider: Provider) -> dict[str, Any]:
        return {
            "id": provider.id,
            "name": provider.name,
            "qty": provider.qty,
            "email": provider.email,
            "description": provider.description,
            "phone": provider.phone,
            "picture": None,
            "picture_preview": None,
            "color": provider.color,
            "is_active": True,
            "is_visible": True,
            "services": [str(service_id) for service_id in provider.services],
        }

    @staticmethod
    def _service_entity(service: Service) -> dict[str, Any]:
        return {
            "id": service.id,
            "name": service.name,
            "description": service.description,
            "price": service.price,
            "currency": "USD",
            "deposit_price": None,
            "tax_id": None,
            "tax": None,
            "duration": service.duration,
            "buffer_time_after": 0,
            "duration_type": "fixed",
            "recurring_settings": None,
            "picture": None,
            "picture_preview": None,
            "memberships": [],
            "providers": list(service.providers),
            "is_active": True,
            "is_visible": True,
            "limit_booking": service.limit_booking,
            "min_group_booking": service.min_group_booking,
        }

    @staticmethod
    def _client_entity(client: Client) -> dict[str, Any]:
        return {
            "id": client.id,
            "name": client.name,
            "email": client.email,
            "phone": client.phone,
            "address1": "",
            "address2": "",
            "city": client.city,
            "zip": "",
            "country_id": "US",
            "state_id": None,
            "full_address": client.city,
            "can_be_edited": True,
            "is_deleted": False,
            "email_promo_subscribed": False,
            "sms_promo_subscribed": False,
        }

    def _list_providers(self, request: Request, match: Any) -> Response:
        providers = list(self._providers.values())
        service_id = _parse_int(request.arg("filter[service_id]"))
        if service_id is not None:
            providers = [p for p in providers if service_id in p.services]
        return self._listing(request, providers, lambda p: self._provider_json[p.id])

    def _get_provider(self, request: Request, match: Any) -> Response:
        provider = self._provider_json.get(int(match.group(1)))
        return json_response(200, provider) if provider else _error(404, "Provider not found")

    def _list_services(self, request: Request, match: Any) -> Response:
        services = list(self._services.values())
        return self._listing(request, services, lambda s: self._service_json[s.id])

    def _get_service(self, request: Request, match: Any) -> Response:
        service = self._service_json.get(int(match.group(1)))
        return json_response(200, service) if service else _error(404, "Service not found")

    def _company_info(self, request: Request, match: Any) -> Response:
        info: dict[str, Any] = {
            "login": DEMO_COMPANY,
            "name": DEMO_COMPANY_NAME,
            "description": "A demo company served by the sbzoom sandbox.",
            "address1": "1 Demo Plaza",
            "address2": "",
            "city": "New York",
            "zip": "10001",
            "country_id": "US",
            "email": f"studio@{DOMAIN}",
            "phone": "+1 212 555 0100",
            "web": "",
            "currency": "USD",
        }
        if self._info_timezone:
            info["timezone"] = self._zone.key
        return json_response(200, info)

    # -- bookings --------------------------------------------------------------------------------

    def _index(self) -> tuple[list[Booking], list[datetime]]:
        """Bookings sorted by (start, id), rebuilt only after a change."""
        if self._dirty:
            self._sorted = sorted(self._bookings.values(), key=lambda b: (b.start, b.id))
            self._starts = [b.start for b in self._sorted]
            self._filter_cache.clear()
            self._dirty = False
        return self._sorted, self._starts

    def _changed(self) -> None:
        self._dirty = True

    def _booking_json(self, booking: Booking) -> dict[str, Any]:
        offset = booking.start.replace(tzinfo=self._zone).utcoffset() or timedelta(0)
        cancelled = booking.status == "canceled"
        return {
            "id": booking.id,
            "code": booking.code,
            "is_confirmed": booking.is_confirmed,
            "start_datetime": _format(booking.start),
            "end_datetime": _format(booking.end),
            "location_id": None,
            "category_id": None,
            "service_id": booking.service_id,
            "provider_id": booking.provider_id,
            "client_id": booking.client_id,
            "duration": int((booking.end - booking.start).total_seconds() // 60),
            "service": self._service_json[booking.service_id],
            "provider": self._provider_json[booking.provider_id],
            "location": None,
            "category": None,
            "client": self._client_json[booking.client_id],
            "status": booking.status,
            "user_status_id": None,
            "membership_id": None,
            "invoice_id": None,
            "invoice_status": None,
            "invoice_payment_received": False,
            "invoice_number": None,
            "invoice_datetime": None,
            "invoice_payment_processor": None,
            "ticket_code": None,
            "ticket_validation_datetime": None,
            "ticket_is_used": None,
            "testing_status": None,
            "can_be_edited": not cancelled,
            "can_be_canceled": not cancelled,
            "record_date": _format(booking.record_date),
            "client_timezone": self._zone.key,
            "client_time_offset": int(offset.total_seconds()),
            "batch_id": booking.batch_id,
            "batch_type": booking.batch_type,
        }

    def _details_json(self, booking: Booking) -> dict[str, Any]:
        details = {
            **self._booking_json(booking),
            "comment": booking.comment,
            "additional_fields": [],
            "products": [],
            "attributes": [],
            "log": [],
        }
        if not self.details_comment:
            del details["comment"]
        return details

    @staticmethod
    def _ids(request: Request, name: str) -> frozenset[int] | None:
        """``filter[name][]``, ``filter[name][0]`` … or ``filter[name]``; None when absent."""
        prefix = f"filter[{name}]"
        values: list[str] = []
        for key, given in request.query.items():
            if key == prefix or (key.startswith(prefix + "[") and key.endswith("]")):
                values.extend(given)
        if not values:
            return None
        return frozenset(n for n in (_parse_int(v) for v in values) if n is not None)

    def _filters(self, request: Request) -> _Filters | Response:
        bad: dict[str, list[str]] = {}
        dates: dict[str, date | None] = {}
        for name in ("date_from", "date_to", "date"):
            raw = request.arg(f"filter[{name}]")
            dates[name] = None
            if raw:
                try:
                    dates[name] = date.fromisoformat(raw)
                except ValueError:
                    bad[f"filter.{name}"] = ["Invalid date, expected YYYY-MM-DD"]
        status = request.arg("filter[status]")
        statuses = None
        if status:
            statuses = STATUS_FILTERS.get(status)
            if statuses is None:
                bad["filter.status"] = [f"Allowed: {', '.join(STATUS_FILTERS)}"]
        if bad:
            return _error(400, "Validation error", bad)
        date_from, date_to = dates["date_from"], dates["date_to"]
        if dates["date"] is not None:
            date_from = date_to = dates["date"]
        upcoming = None
        if (request.arg("filter[upcoming_only]") or "").lower() in ("1", "true"):
            # to the minute, so repeated pages share one cached result
            now = self._clock.now().astimezone(self._zone).replace(tzinfo=None)
            upcoming = now.replace(second=0, microsecond=0)
        return _Filters(
            date_from=date_from,
            date_to=date_to,
            statuses=statuses,
            services=self._ids(request, "services"),
            providers=self._ids(request, "providers"),
            client_id=_parse_int(request.arg("filter[client_id]")),
            upcoming_from=upcoming,
            search=(request.arg("filter[search]") or "").strip().lower(),
        )

    def _select(self, filters: _Filters) -> list[Booking]:
        ordered, starts = self._index()
        cached = self._filter_cache.get(filters)
        if cached is not None:
            return cached
        low, high = 0, len(ordered)
        if filters.date_from is not None:
            low = bisect.bisect_left(starts, datetime.combine(filters.date_from, time.min))
        if filters.date_to is not None:
            end = datetime.combine(filters.date_to + timedelta(days=1), time.min)
            high = bisect.bisect_left(starts, end)
        if filters.upcoming_from is not None:
            low = max(low, bisect.bisect_left(starts, filters.upcoming_from))
        selected = ordered[low:high]
        if filters.statuses is not None:
            selected = [b for b in selected if b.status in filters.statuses]
        if filters.services is not None:
            selected = [b for b in selected if b.service_id in filters.services]
        if filters.providers is not None:
            selected = [b for b in selected if b.provider_id in filters.providers]
        if filters.client_id is not None:
            selected = [b for b in selected if b.client_id == filters.client_id]
        if filters.search:
            needle = filters.search
            selected = [
                b
                for b in selected
                if needle == b.code
                or needle in self._clients[b.client_id].name.lower()
                or needle in self._clients[b.client_id].email.lower()
            ]
        if len(self._filter_cache) > 32:
            self._filter_cache.clear()
        self._filter_cache[filters] = selected
        return selected

    def _list_bookings(self, request: Request, match: Any) -> Response:
        filters = self._filters(request)
        if isinstance(filters, Response):
            return filters
        return self._listing(request, self._select(filters), self._booking_json)

    def _booking(self, match: Any) -> Booking | Response:
        booking = self._bookings.get(int(match.group(1)))
        if booking:
            return booking
        if self.html_not_found:  # some front ends answer a deleted record with their HTML 404
            return html_response(404, "Page not found", "The page you requested was not found.")
        return _error(404, "Booking not found")

    def _get_booking(self, request: Request, match: Any) -> Response:
        booking = self._booking(match)
        if isinstance(booking, Response):
            return booking
        return json_response(200, self._details_json(booking))

    def _edit_booking(self, request: Request, match: Any) -> Response:
        """A full replace: start, service, provider and client must all be sent again."""
        booking = self._booking(match)
        if isinstance(booking, Response):
            return booking
        try:
            body = request.json_object()
        except BadRequestBody:
            return _error(400, "Invalid request body")
        bad: dict[str, list[str]] = {}
        start = _parse_datetime(body.get("start_datetime"))
        if start is None:
            bad["start_datetime"] = ["Value is required (YYYY-MM-DD HH:MM:SS)"]
        ids = {
            name: _parse_int(body.get(name)) for name in ("service_id", "provider_id", "client_id")
        }
        for name, value in ids.items():
            if value is None:
                bad[name] = ["Value is required"]
        service = self._services.get(ids["service_id"] or 0)
        provider = self._providers.get(ids["provider_id"] or 0)
        if ids["service_id"] is not None and service is None:
            bad["service_id"] = ["Service not found"]
        if ids["provider_id"] is not None and provider is None:
            bad["provider_id"] = ["Provider not found"]
        if ids["client_id"] is not None and ids["client_id"] not in self._clients:
            bad["client_id"] = ["Client not found"]
        if service and provider and service.id not in provider.services:
            bad["provider_id"] = ["Provider is not available for the selected service"]
        end = None
        if body.get("end_datetime") is not None:
            end = _parse_datetime(body.get("end_datetime"))
            if end is None or (start is not None and end <= start):
                bad["end_datetime"] = ["Invalid end date and time"]
        if bad:
            return _error(400, "Validation error", bad)
        if booking.status == "canceled":
            return _error(400, "Booking is canceled and cannot be edited")
        assert start is not None and service is not None and provider is not None
        booking.start = start
        booking.end = end or start + timedelta(minutes=service.duration)
        booking.service_id = service.id
        booking.provider_id = provider.id
        booking.client_id = ids["client_id"] or booking.client_id
        self._changed()
        self._callback(booking.id, "change")
        return json_response(200, self._details_json(booking))

    def _cancel_booking(self, request: Request, match: Any) -> Response:
        booking = self._booking(match)
        if isinstance(booking, Response):
            return booking
        booking.status = "canceled"
        self._changed()
        self._callback(booking.id, "cancel")
        return json_response(200, self._details_json(booking))

    def _set_comment(self, request: Request, match: Any) -> Response:
        if not self.comment_endpoint:
            return _error(405, "Method Not Allowed")
        booking = self._booking(match)
        if isinstance(booking, Response):
            return booking
        try:
            body = request.json_object()
        except BadRequestBody:
            return _error(400, "Invalid request body")
        if not isinstance(body.get("comment"), str):
            return _error(400, "Validation error", {"comment": ["Value is required"]})
        booking.comment = body["comment"]
        return json_response(200, self._details_json(booking))

    # -- inspection and mutation (thread-safe) ---------------------------------------------------

    def bookings(self) -> list[dict[str, Any]]:
        """Every booking as GET /admin/bookings/{id} returns it, sorted by start."""
        with self._lock:
            ordered, _ = self._index()
            return [self._details_json(b) for b in ordered]

    def booking(self, booking_id: int) -> dict[str, Any] | None:
        with self._lock:
            booking = self._bookings.get(booking_id)
            return self._details_json(booking) if booking else None

    def booking_count(self) -> int:
        with self._lock:
            return len(self._bookings)

    def dst_booking_ids(self) -> tuple[int, ...]:
        """Bookings at 10:00 local the day before, of and after the next DST change."""
        return self._dst_booking_ids

    def dst_transition(self) -> date | None:
        return self._dst_transition

    def move_booking(
        self, booking_id: int, start: datetime | str, end: datetime | str | None = None
    ) -> None:
        """Reschedule (company-local wall time); the duration stays unless ``end`` is given."""
        with self._lock:
            booking = self._bookings[booking_id]
            new_start = _as_local(start)
            new_end = (
                _as_local(end) if end is not None else new_start + (booking.end - booking.start)
            )
            booking.start, booking.end = new_start, new_end
            self._changed()
            self._callback(booking_id, "change")

    def cancel_booking(self, booking_id: int) -> None:
        self.set_booking_status(booking_id, "canceled")

    def delete_booking(self, booking_id: int) -> None:
        """Gone for good (an admin deleted it): reads of it answer 404 from now on."""
        with self._lock:
            del self._bookings[booking_id]
            self._changed()

    def set_booking_status(self, booking_id: int, status: str) -> None:
        """confirmed | pending | canceled."""
        with self._lock:
            booking = self._bookings[booking_id]
            booking.status = status
            booking.is_confirmed = status == "confirmed"
            self._changed()
            self._callback(booking_id, "cancel" if status == "canceled" else "change")

    def reassign_booking(self, booking_id: int, provider_id: int) -> None:
        with self._lock:
            if provider_id not in self._providers:
                raise KeyError(f"no provider {provider_id}")
            self._bookings[booking_id].provider_id = provider_id
            self._changed()
            self._callback(booking_id, "change")

    def set_comment(self, booking_id: int, comment: str) -> None:
        with self._lock:
            self._bookings[booking_id].comment = comment

    def add_booking(
        self,
        service_id: int,
        provider_id: int,
        client_id: int,
        start: datetime | str,
        *,
        status: str = "confirmed",
        batch_id: int | None = None,
        batch_type: str | None = None,
    ) -> int:
        """A new booking (company-local start); returns its id."""
        with self._lock:
            booking_id = max(self._bookings, default=1000) + 1
            begin = _as_local(start)
            duration = timedelta(minutes=self._services[service_id].duration)
            record = self._clock.now().astimezone(self._zone).replace(tzinfo=None, microsecond=0)
            self._bookings[booking_id] = Booking(
                booking_id,
                booking_code(booking_id),
                service_id,
                provider_id,
                client_id,
                begin,
                begin + duration,
                record,
                status,
                batch_id,
                batch_type,
                is_confirmed=status == "confirmed",
            )
            self._changed()
            self._callback(booking_id, "create")
            return booking_id

    def add_client(self, name: str, email: str, phone: str = "+15550100999") -> int:
        """A new client (e.g. with a name or e-mail longer than Zoom takes); returns its id."""
        with self._lock:
            client = Client(max(self._clients, default=0) + 1, name, email, phone)
            self._clients[client.id] = client
            self._client_json[client.id] = self._client_entity(client)
            self._changed()
            return client.id

    def _callback(self, booking_id: int, kind: str) -> None:
        if self.notify is not None:
            self.notify(booking_id, kind)

    def refresh_token_uses(self) -> dict[str, int]:
        with self._lock:
            return dict(self._refresh_uses)

    def expire_tokens(self) -> None:
        """Every token issued so far answers 419 from now on (refresh tokens still work)."""
        with self._lock:
            past = self._clock.now() - timedelta(seconds=1)
            for token in self._tokens.values():
                token.expires_at = min(token.expires_at, past)

    def failed_logins(self) -> dict[str, int]:
        with self._lock:
            return {login: record.count for (_, login), record in self._failures.items()}

    def unlock(self) -> None:
        with self._lock:
            self._failures.clear()

    def sms_sent(self) -> int:
        with self._lock:
            return self._sms_sent

    def set_bare_lists(self, bare: bool) -> None:
        with self._lock:
            self.bare_lists = bare

    def set_token_ttl(self, seconds: int) -> None:
        with self._lock:
            self._token_ttl = seconds


def _as_local(value: datetime | str) -> datetime:
    if isinstance(value, str):
        parsed = _parse_datetime(value) or datetime.fromisoformat(value)
    else:
        parsed = value
    if parsed.tzinfo is not None:
        raise ValueError("give company-local wall time without a time zone")
    return parsed.replace(microsecond=0)
