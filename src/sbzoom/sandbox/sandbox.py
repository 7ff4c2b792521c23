"""The Sandbox: one emulator of Zoom and SimplyBook on 127.0.0.1, with its options, its start and
stop, and the Python API tests drive it with (inspection and the changes people make).

``Sandbox`` owns everything (the two services, the clock, the faults and rate limits, the
request log, the outgoing callbacks and webhooks, the SMTP server) and hands it to the router
(``server.py``); two sandboxes in one process share nothing.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, replace
from datetime import date, datetime
from types import TracebackType
from typing import Any
from zoneinfo import ZoneInfo

from sbzoom.sandbox.clock import Clock
from sbzoom.sandbox.control import control_routes, settings_routes
from sbzoom.sandbox.data import (
    DEMO_COMPANY,
    DEMO_LOGIN,
    DEMO_PASSWORD,
    MINIMUM_GRANULAR_SCOPES,
    ZOOM_ACCOUNT_ID,
    ZOOM_CLIENT_ID,
    ZOOM_CLIENT_SECRET,
    build_bookings,
)
from sbzoom.sandbox.events import (
    DEFAULT_TIME_SCALE,
    Delivery,
    SimplyBookCallbacks,
    ZoomWebhooks,
)
from sbzoom.sandbox.faults import Faults, FaultSettings
from sbzoom.sandbox.mail import SMTP_PASSWORD, MailBox
from sbzoom.sandbox.recording import ExchangeListener, RequestLog, RequestRecord
from sbzoom.sandbox.server import HOST, HttpServer, Router
from sbzoom.sandbox.simplybook import SimplyBookService
from sbzoom.sandbox.zoom import Revocation, ZoomService


@dataclass(frozen=True)
class SandboxOptions:
    """Everything a sandbox can be started with; ``Sandbox(**fields)`` takes the same names."""

    port: int = 0  # 0 picks a free port
    seed: int = 0  # faults and generated bookings
    bookings: int = 0  # extra generated bookings over the next 4 weeks (benchmarks)
    bare_lists: bool = False  # SimplyBook lists as bare arrays (the spec's shape)
    latency_ms: float = 0.0
    error_rate: float = 0.0
    rate_429: float = 0.0
    zoom_rps_limit: float | None = None
    zoom_plan: str = "pro"  # Zoom's per-category limits: free | pro | business | none
    drop_create_rate: float = 0.0
    drop_next_creates: int = 0
    faults_on_auth: bool = False
    daily_limit: int = 100  # Zoom meeting create+update per host per UTC day
    token_ttl: int | None = None  # sets both access-token lifetimes below when given
    zoom_token_ttl: int = 3599
    simplybook_token_ttl: int = 3600
    zoom_scopes: tuple[str, ...] = MINIMUM_GRANULAR_SCOPES
    company_timezone: str = "America/New_York"
    company_info_timezone: bool = True  # False: /admin/company/info has no "timezone"
    login_lockout_seconds: int = 900
    max_login_failures: int = 5
    # OAuth redirect URLs registered besides sbzoom's default http://127.0.0.1:8765/callback;
    # every other URL is refused, exactly as Zoom compares (port included).
    redirect_uris: tuple[str, ...] = ()
    require_pkce: bool = True
    start_url_ttl: int = 7200
    request_log_size: int = 200_000
    mail: bool = True  # run the SMTP server (sandbox/mail.py) beside the HTTP one
    # Outgoing notifications (sandbox/events.py): SimplyBook's API callback URL, Zoom's event
    # subscription endpoint (validated when set) and its secret token (made when not given),
    # and how much faster than real time the retry schedules run.
    callback_url: str | None = None
    zoom_webhook_url: str | None = None
    zoom_webhook_secret: str | None = None
    event_time_scale: float = DEFAULT_TIME_SCALE


class Sandbox:
    """A running (after ``start()``) emulator of the Zoom and SimplyBook endpoints sbzoom uses.

    ``Sandbox(port=0, error_rate=0.1)`` or ``Sandbox(SandboxOptions(...))``; use it as a context
    manager or call ``start()`` and ``stop()``.
    """

    def __init__(self, options: SandboxOptions | None = None, **overrides: Any) -> None:
        self.options = replace(options or SandboxOptions(), **overrides)
        self.clock = Clock()
        self.faults = Faults(
            FaultSettings(
                latency_ms=self.options.latency_ms,
                error_rate=self.options.error_rate,
                rate_429=self.options.rate_429,
                zoom_rps_limit=self.options.zoom_rps_limit,
                zoom_plan=self.options.zoom_plan,
                drop_create_rate=self.options.drop_create_rate,
                faults_on_auth=self.options.faults_on_auth,
                seed=self.options.seed,
            ),
            drop_next_creates=self.options.drop_next_creates,
        )
        self._lock = threading.RLock()  # every emulated endpoint runs holding it
        self.log = RequestLog(self.options.request_log_size)
        self._server: HttpServer | None = None
        self._thread: threading.Thread | None = None
        self.zone = ZoneInfo(self.options.company_timezone)
        self.started_at = self.clock.now()
        zoom_ttl, simplybook_ttl = self.options.zoom_token_ttl, self.options.simplybook_token_ttl
        if self.options.token_ttl is not None:
            zoom_ttl = simplybook_ttl = self.options.token_ttl
        # Bound after start(); the base URL is known only then.
        self.zoom = ZoomService(
            base_url="",
            clock=self.clock,
            faults=self.faults,
            lock=self._lock,
            token_ttl=zoom_ttl,
            daily_limit=self.options.daily_limit,
            scopes=self.options.zoom_scopes,
            redirect_uris=self.options.redirect_uris,
            require_pkce=self.options.require_pkce,
            start_url_ttl=self.options.start_url_ttl,
        )
        demo = build_bookings(self.started_at, self.zone, self.options.bookings, self.options.seed)
        self.mail = MailBox()
        self.simplybook = SimplyBookService(
            clock=self.clock,
            lock=self._lock,
            zone=self.zone,
            demo=demo,
            token_ttl=simplybook_ttl,
            bare_lists=self.options.bare_lists,
            info_timezone=self.options.company_info_timezone,
            lockout_seconds=self.options.login_lockout_seconds,
            max_login_failures=self.options.max_login_failures,
        )
        self.callbacks = SimplyBookCallbacks(DEMO_COMPANY, self.options.event_time_scale)
        self.callbacks.url = self.options.callback_url
        self.simplybook.notify = self.callbacks.notify
        self.webhooks = ZoomWebhooks(
            ZOOM_ACCOUNT_ID, self.options.zoom_webhook_secret, self.options.event_time_scale
        )
        self.zoom.webhook = self.webhooks.emit
        self.router = Router(
            zoom=self.zoom.routes,
            simplybook=self.simplybook.routes,
            control=control_routes(self),
            settings=settings_routes(self),
            faults=self.faults,
            lock=self._lock,
            log=self.log,
            clock=self.clock,
        )

    # -- lifecycle -------------------------------------------------------------------------------

    def start(self) -> Sandbox:
        if self._server is not None:
            return self
        self._server = HttpServer(self.options.port, self.router.dispatch)
        self.zoom.base_url = f"{self.url}/zoom"
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.02},
            daemon=True,
            name="sbzoom-sandbox",
        )
        self._thread.start()
        if self.options.zoom_webhook_url:
            self.webhooks.subscribe(self.options.zoom_webhook_url)
        if self.options.mail:
            try:
                self.mail.start()
            except BaseException:
                self.stop()
                raise
        return self

    def stop(self) -> None:
        self.mail.stop()
        server, self._server = self._server, None
        if server is None:
            return
        server.shutdown()
        server.server_close()
        server.close_connections(timeout=2.0)
        if self._thread is not None:
            self._thread.join()
            self._thread = None
        self.callbacks.close()
        self.webhooks.close()

    def __enter__(self) -> Sandbox:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    @property
    def running(self) -> bool:
        return self._server is not None

    @property
    def port(self) -> int:
        if self._server is None:
            raise RuntimeError("the sandbox is not running; call start() first")
        return int(self._server.server_address[1])

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.port}"

    @property
    def zoom_oauth_url(self) -> str:
        return f"{self.url}/zoom"

    @property
    def zoom_api_url(self) -> str:
        return f"{self.url}/zoom/v2"

    @property
    def simplybook_api_url(self) -> str:
        return f"{self.url}/simplybook"

    @property
    def env(self) -> dict[str, str]:
        """The SBZOOM_* variables that point sbzoom at this sandbox (``smtp_settings``: the mail
        server's config keys, which are settings, not variables), and the Zoom app's webhook
        secret token for ``sbzoom listen``, as an admin copies it from the app's page."""
        mail = (
            {"SBZOOM_SMTP_PASSWORD": SMTP_PASSWORD, "SBZOOM_SANDBOX_URL": self.url}
            if self.options.mail
            else {"SBZOOM_SANDBOX_URL": self.url}
        )
        return {
            "SBZOOM_ZOOM_API_URL": self.zoom_api_url,
            "SBZOOM_ZOOM_OAUTH_URL": self.zoom_oauth_url,
            "SBZOOM_SIMPLYBOOK_API_URL": self.simplybook_api_url,
            "SBZOOM_ZOOM_ACCOUNT_ID": ZOOM_ACCOUNT_ID,
            "SBZOOM_ZOOM_CLIENT_ID": ZOOM_CLIENT_ID,
            "SBZOOM_ZOOM_CLIENT_SECRET": ZOOM_CLIENT_SECRET,
            "SBZOOM_SIMPLYBOOK_COMPANY": DEMO_COMPANY,
            "SBZOOM_SIMPLYBOOK_LOGIN": DEMO_LOGIN,
            "SBZOOM_SIMPLYBOOK_PASSWORD": DEMO_PASSWORD,
            "SBZOOM_ZOOM_WEBHOOK_SECRET": self.webhooks.secret,
            **mail,
        }

    @property
    def smtp_settings(self) -> dict[str, str]:
        """``smtp.*`` config keys for the sandbox's SMTP server (empty without one)."""
        return self.mail.settings if self.options.mail else {}

    # -- inspection (thread-safe) ----------------------------------------------------------------

    def requests(self, service: str | None = None) -> list[RequestRecord]:
        """The request log, oldest first; ``service`` narrows it (zoom, zoom-oauth, simplybook…)."""
        return [r for r in self.log.records() if service is None or r.service == service]

    def add_listener(self, listener: ExchangeListener) -> None:
        """Call ``listener`` with every exchange from now on (from the connection threads)."""
        self.log.add_listener(listener)

    def remove_listener(self, listener: ExchangeListener) -> None:
        self.log.remove_listener(listener)

    def clear_requests(self) -> None:
        self.log.clear()

    def qps_429_count(self) -> int:
        """Requests refused by the real ``zoom_rps_limit`` ceiling."""
        return self.faults.qps_429_count

    def refresh_token_uses(self) -> dict[str, int]:
        """Zoom refresh tokens, each with how often it was presented."""
        return self.zoom.refresh_token_uses()

    def invalid_grant_count(self) -> int:
        return self.zoom.invalid_grant_count()

    def revocations(self) -> list[Revocation]:
        return self.zoom.revocations()

    def meetings(self) -> list[dict[str, Any]]:
        return self.zoom.meetings()

    def registrants(self, meeting_id: int) -> list[dict[str, Any]]:
        return self.zoom.registrants(meeting_id)

    def dst_booking_ids(self) -> tuple[int, ...]:
        return self.simplybook.dst_booking_ids()

    def dst_transition(self) -> date | None:
        return self.simplybook.dst_transition()

    # -- mutation (thread-safe) ------------------------------------------------------------------

    def move_booking(
        self, booking_id: int, start: datetime | str, end: datetime | str | None = None
    ) -> None:
        self.simplybook.move_booking(booking_id, start, end)

    def cancel_booking(self, booking_id: int) -> None:
        self.simplybook.cancel_booking(booking_id)

    def reassign_booking(self, booking_id: int, provider_id: int) -> None:
        self.simplybook.reassign_booking(booking_id, provider_id)

    def expire_tokens(self) -> None:
        """Expire every Zoom and SimplyBook access token issued so far."""
        self.zoom.expire_tokens()
        self.simplybook.expire_tokens()

    def set_zoom_scopes(
        self, scopes: tuple[str, ...] | list[str], *, existing_tokens: bool = True
    ) -> None:
        self.zoom.set_scopes(scopes, existing_tokens=existing_tokens)

    def set_clock_offset(self, seconds: float) -> None:
        """Shift the sandbox's clock (token, code, start_url and page-token expiry; daily limit)."""
        self.clock.set_offset(seconds)

    def advance_clock(self, seconds: float) -> None:
        self.clock.advance(seconds)

    def register_redirect_uri(self, uri: str) -> None:
        """Add an OAuth redirect URL to the demo Zoom app's allow list (e.g. a test's port)."""
        self.zoom.register_redirect_uri(uri)

    def configure_faults(self, **changes: Any) -> FaultSettings:
        """Change fault settings while running, e.g. ``configure_faults(error_rate=0.5)``."""
        return self.faults.configure(**changes)

    def drop_next_creates(self, count: int = 1) -> None:
        self.faults.drop_next_creates(count)

    # -- outgoing notifications ------------------------------------------------------------------

    def set_callback_url(self, url: str | None) -> None:
        """SimplyBook's Custom Features → API → Callback URL (None turns callbacks off)."""
        self.callbacks.url = url

    def subscribe_zoom_webhook(self, url: str) -> bool:
        """Save the Zoom app's event endpoint; Zoom validates it first (False: not saved)."""
        return self.webhooks.subscribe(url)

    def add_booking(
        self, service_id: int, provider_id: int, client_id: int, start: datetime | str
    ) -> int:
        """A client books (company-local start): the callback URL hears ``create``."""
        return self.simplybook.add_booking(service_id, provider_id, client_id, start)

    def delete_meeting_in_zoom(self, meeting_id: int) -> None:
        """Someone deletes the meeting in Zoom's web portal: ``meeting.deleted`` follows."""
        self.zoom.web_delete_meeting(meeting_id)

    def move_meeting_in_zoom(self, meeting_id: int, start: datetime) -> None:
        """Someone moves the meeting in Zoom's web portal: ``meeting.updated`` follows."""
        self.zoom.web_move_meeting(meeting_id, start)

    def deliveries(self) -> list[Delivery]:
        """Every callback and webhook delivery attempt so far, oldest first."""
        return sorted(
            [*self.callbacks.deliveries(), *self.webhooks.deliveries()], key=lambda d: d.at
        )

    def wait_notifications(self, timeout: float = 10.0) -> bool:
        """Until every pending callback and webhook (retries included) is delivered."""
        return self.callbacks.wait_idle(timeout) and self.webhooks.wait_idle(timeout)
