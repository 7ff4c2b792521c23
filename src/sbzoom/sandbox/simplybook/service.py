"""The emulated SimplyBook.me company: its state, the table of the REST v2 (admin) endpoints it
serves, and the Python API tests use to look inside it and to act as its staff and clients.

Behaviour follows ``docs/simplybook-api-notes.md``, one module per endpoint family:

    auth.py      /admin/auth (login, 2fa, sms, refresh-token, logout); the token check
    catalog.py   /admin/providers, /admin/services, /admin/company/info
    bookings.py  /admin/bookings, /admin/bookings/{id}[/comment]
    formats.py   wall times, ids, request bodies, the list shape and its paging

Handlers take this service and the request and raise ``sandbox.errors`` errors to refuse;
``sandbox/server.py`` routes to them and answers errors with the flat ``{"code", "message",
"data", "message_data"}`` shape.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable
from dataclasses import replace
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sbzoom.sandbox.clock import Clock
from sbzoom.sandbox.data import (
    CLIENTS,
    DEMO_COMPANY,
    PROVIDERS,
    SB_USERS,
    SERVICES,
    Booking,
    Client,
    DemoData,
    SbUser,
    booking_code,
)
from sbzoom.sandbox.simplybook import auth, bookings, catalog
from sbzoom.sandbox.simplybook.bookings import Filters
from sbzoom.sandbox.simplybook.formats import as_local
from sbzoom.sandbox.wire import Handler, Request, Response, RouteTable, route

EndpointHandler = Callable[["SimplyBookService", Request, "re.Match[str]"], Response]


class SimplyBookService:
    """One SimplyBook company with its admin users, providers, services, clients and bookings.

    The underscored state is the package's own: the endpoint modules beside this one read and
    change it (under the sandbox's lock); everyone else uses the methods below.
    """

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
        # True: refresh-token answers carry "expires_in" (the live sign-in answer has none; the
        # WordPress plugin reads it from a refresh answer when present: the notes §1.2).
        self.refresh_expires_in = False
        self._lockout = timedelta(seconds=lockout_seconds)
        self._max_failures = max_login_failures
        self._users = {user.login: user for user in SB_USERS}
        self._providers = {p.id: p for p in PROVIDERS}
        self._services = {s.id: s for s in SERVICES}
        self._clients: dict[int, Client] = {c.id: c for c in (*CLIENTS, *demo.extra_clients)}
        self._provider_json = {p.id: catalog.provider_entity(p) for p in PROVIDERS}
        self._service_json = {s.id: catalog.service_entity(s) for s in SERVICES}
        self._client_json = {c.id: catalog.client_entity(c) for c in self._clients.values()}
        self._bookings: dict[int, Booking] = {b.id: b for b in demo.bookings}
        self._dst_booking_ids = demo.dst_booking_ids
        self._dst_transition = demo.dst_transition
        self._sorted: list[Booking] = []
        self._starts: list[datetime] = []
        self._dirty = True
        self._filter_cache: dict[Filters, list[Booking]] = {}
        self._tokens: dict[str, auth.Token] = {}
        self._refresh: dict[str, auth.Refresh] = {}
        self._sessions: dict[str, auth.Session] = {}
        self._failures: dict[tuple[str, str], auth.Failures] = {}
        self._refresh_uses: dict[str, int] = {}
        self._sms_sent = 0
        # Set by the Sandbox: the "API callback URL" sender (create/change/cancel callbacks).
        self.notify: Callable[[int, str], None] | None = None
        self.routes = self._route_table()

    # -- the endpoints (paths relative to /simplybook) -------------------------------------------

    def _route_table(self) -> RouteTable:
        """Route names starting ``auth.`` count as sign-in for fault injection."""
        public, signed_in = self._public, self._signed_in
        return RouteTable(
            [
                route("POST", "/admin/auth", "auth.login", public(auth.login)),
                route("POST", "/admin/auth/2fa", "auth.2fa", public(auth.second_factor)),
                route("GET", "/admin/auth/sms", "auth.sms", public(auth.send_sms)),
                route(
                    "POST", "/admin/auth/refresh-token", "auth.refresh", public(auth.refresh_token)
                ),
                route("POST", "/admin/auth/logout", "auth.logout", signed_in(auth.logout)),
                route(
                    "GET", "/admin/providers", "providers.list", signed_in(catalog.list_providers)
                ),
                route(
                    "GET",
                    r"/admin/providers/(\d+)",
                    "provider.get",
                    signed_in(catalog.get_provider),
                ),
                route("GET", "/admin/services", "services.list", signed_in(catalog.list_services)),
                route(
                    "GET", r"/admin/services/(\d+)", "service.get", signed_in(catalog.get_service)
                ),
                route("GET", "/admin/bookings", "bookings.list", signed_in(bookings.list_bookings)),
                route(
                    "GET", r"/admin/bookings/(\d+)", "booking.get", signed_in(bookings.get_booking)
                ),
                route(
                    "PUT",
                    r"/admin/bookings/(\d+)",
                    "booking.edit",
                    signed_in(bookings.edit_booking),
                ),
                route(
                    "DELETE",
                    r"/admin/bookings/(\d+)",
                    "booking.cancel",
                    signed_in(bookings.cancel_booking),
                ),
                route(
                    "PUT",
                    r"/admin/bookings/(\d+)/comment",
                    "booking.comment",
                    signed_in(bookings.set_comment),
                ),
                route(
                    "GET", "/admin/company/info", "company.info", signed_in(catalog.company_info)
                ),
            ]
        )

    def _public(self, handler: EndpointHandler) -> Handler:
        """A sign-in endpoint: no token needed."""

        def run(request: Request, match: re.Match[str]) -> Response:
            return handler(self, request, match)

        return run

    def _signed_in(self, handler: EndpointHandler) -> Handler:
        """Every other endpoint: the token is checked first (401, or 419 once expired)."""

        def run(request: Request, match: re.Match[str]) -> Response:
            auth.authenticate(self, request)
            return handler(self, request, match)

        return run

    # -- the booking index and the callbacks (the endpoints' and the Python API's) ----------------

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

    def _callback(self, booking_id: int, kind: str) -> None:
        if self.notify is not None:
            self.notify(booking_id, kind)

    # -- inspection and mutation (thread-safe) ---------------------------------------------------

    def bookings(self) -> list[dict[str, Any]]:
        """Every booking as GET /admin/bookings/{id} returns it, sorted by start."""
        with self._lock:
            ordered, _ = self._index()
            return [bookings.details_json(self, b) for b in ordered]

    def booking(self, booking_id: int) -> dict[str, Any] | None:
        with self._lock:
            booking = self._bookings.get(booking_id)
            return bookings.details_json(self, booking) if booking else None

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
            new_start = as_local(start)
            new_end = (
                as_local(end) if end is not None else new_start + (booking.end - booking.start)
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
            begin = as_local(start)
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
            self._client_json[client.id] = catalog.client_entity(client)
            self._changed()
            return client.id

    def refresh_token_uses(self) -> dict[str, int]:
        with self._lock:
            return dict(self._refresh_uses)

    def expire_tokens(self) -> None:
        """Every token issued so far answers 419 from now on (refresh tokens still work)."""
        with self._lock:
            past = self._clock.now() - timedelta(seconds=1)
            for token in self._tokens.values():
                token.expires_at = min(token.expires_at, past)

    def token_states(self) -> dict[str, str]:
        """Every access token issued so far: live, expired, or revoked (signed out)."""
        with self._lock:
            now = self._clock.now()
            states = {}
            for value, token in self._tokens.items():
                expired = now >= token.expires_at
                states[value] = "revoked" if token.revoked else "expired" if expired else "live"
            return states

    def refresh_token_states(self) -> dict[str, str]:
        """Every refresh token issued so far: live, used (rotated), or revoked (signed out, or
        its user's password changed)."""
        with self._lock:
            return {
                value: "revoked" if refresh.revoked else "used" if refresh.used else "live"
                for value, refresh in self._refresh.items()
            }

    def add_user(self, login: str, password: str, *, two_factor: bool = False) -> int:
        """A new admin user of the company; returns its id."""
        with self._lock:
            if login in self._users:
                raise ValueError(f"user {login!r} exists")
            user_id = max((u.id for u in self._users.values()), default=0) + 1
            self._users[login] = SbUser(user_id, login, password, two_factor=two_factor)
            return user_id

    def change_password(self, login: str, password: str) -> None:
        """Someone changes ``login``'s password (in SimplyBook's settings): the user's refresh
        tokens die, so a refresh answers 401 and a new sign-in is needed (the notes §1.2);
        access tokens live on until they expire."""
        with self._lock:
            self._users[login] = replace(self._users[login], password=password)
            for refresh in self._refresh.values():
                if refresh.login == login:
                    refresh.revoked = True

    def lock_out(self, login: str) -> None:
        """As after too many wrong passwords: sign-ins of ``login`` answer 403 "Too many login
        attempts" until the lock-out ends (``lockout_seconds`` on the sandbox clock) or
        ``unlock()``."""
        with self._lock:
            record = self._failures.setdefault((DEMO_COMPANY, login), auth.Failures())
            record.count = max(record.count, self._max_failures)
            record.locked_until = self._clock.now() + self._lockout

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

    def set_info_timezone(self, shown: bool) -> None:
        """Whether /admin/company/info names the company's time zone (``company_info_timezone``)."""
        with self._lock:
            self._info_timezone = shown

    def set_token_ttl(self, seconds: int) -> None:
        with self._lock:
            self._token_ttl = seconds
