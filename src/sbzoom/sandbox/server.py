"""The sandbox server: one ThreadingHTTPServer on 127.0.0.1 serving ``/zoom`` and ``/simplybook``.

``Sandbox`` owns everything (services, clock, faults, request log); two sandboxes in one process
share nothing.
"""

from __future__ import annotations

import contextlib
import json
import shlex
import signal
import socket
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo

from sbzoom.sandbox._base import Clock, Request, Response, json_response
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
from sbzoom.sandbox.faults import Faults, FaultSettings, InjectedFault
from sbzoom.sandbox.mail import SMTP_PASSWORD, MailBox
from sbzoom.sandbox.simplybook import SimplyBookService
from sbzoom.sandbox.zoom import Revocation, ZoomService

HOST = "127.0.0.1"
_PROXY_PAGE = (
    "<html>\r\n<head><title>{status} {text}</title></head>\r\n<body>\r\n"
    "<center><h1>{status} {text}</h1></center>\r\n<hr><center>nginx</center>\r\n"
    "</body>\r\n</html>\r\n"
)
_STATUS_TEXT = {502: "Bad Gateway", 503: "Service Temporarily Unavailable"}


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


@dataclass(frozen=True)
class RequestRecord:
    service: str  # zoom | zoom-oauth | zoom-web | simplybook | unknown
    method: str
    path: str  # as requested, without the query
    query: str
    route: str  # e.g. meetings.create, bookings.list
    status: int  # 0 when the connection was dropped without a response
    at: datetime
    fault: str | None = None  # error | 429 | qps | dropped
    query_params: dict[str, list[str]] = field(default_factory=dict, compare=False)


@dataclass(frozen=True)
class Exchange:
    """One request and the answer it got, whole: what a listener (``Sandbox.add_listener``) sees.

    Kept out of the request log (which holds no bodies) and built only while someone listens.
    Request headers are left out: they carry the bearer token and nothing the contract needs.
    """

    service: str
    method: str
    path: str  # as requested, without the query
    query: dict[str, list[str]]
    request_content_type: str
    request_body: bytes
    route: str
    status: int  # 0 when the connection was dropped without a response
    response_content_type: str
    response_body: bytes
    fault: str | None = None

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready form (bodies as text), for ``sbzoom sandbox --record-exchanges``."""
        return {
            "service": self.service,
            "method": self.method,
            "path": self.path,
            "query": self.query,
            "request_content_type": self.request_content_type,
            "request_body": self.request_body.decode("utf-8", errors="replace"),
            "route": self.route,
            "status": self.status,
            "response_content_type": self.response_content_type,
            "response_body": self.response_body.decode("utf-8", errors="replace"),
            "fault": self.fault,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Exchange:
        return cls(
            service=data["service"],
            method=data["method"],
            path=data["path"],
            query=data["query"],
            request_content_type=data["request_content_type"],
            request_body=data["request_body"].encode(),
            route=data["route"],
            status=data["status"],
            response_content_type=data["response_content_type"],
            response_body=data["response_body"].encode(),
            fault=data["fault"],
        )


ExchangeListener = Callable[[Exchange], None]


class JsonLinesRecorder:
    """An exchange listener appending one JSON line per exchange of ``services`` to ``path``."""

    def __init__(self, path: str, services: tuple[str, ...] = ("zoom",)) -> None:
        self.services = services
        self._lock = threading.Lock()
        self._file = open(path, "a", encoding="utf-8")  # noqa: SIM115 - closed by close()

    def __call__(self, exchange: Exchange) -> None:
        if exchange.service not in self.services:
            return
        line = json.dumps(exchange.to_json(), ensure_ascii=False)
        with self._lock:
            self._file.write(line + "\n")
            self._file.flush()

    def close(self) -> None:
        with self._lock:
            self._file.close()


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    request_queue_size = 256  # bursts of concurrent clients must not be refused

    def __init__(self, port: int, sandbox: Sandbox) -> None:
        self.sandbox = sandbox
        self._connection_lock = threading.Lock()
        self._connections: dict[Any, threading.Thread] = {}
        super().__init__((HOST, port), _Handler)

    def process_request(self, request: Any, client_address: Any) -> None:
        thread = threading.Thread(
            target=self.process_request_thread,
            args=(request, client_address),
            daemon=True,
            name="sbzoom-sandbox-connection",
        )
        with self._connection_lock:
            self._connections[request] = thread
        thread.start()

    def shutdown_request(self, request: Any) -> None:
        with self._connection_lock:
            self._connections.pop(request, None)
        super().shutdown_request(request)

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client hanging up mid-request is not news; never print tracebacks."""

    def close_connections(self, timeout: float) -> None:
        with self._connection_lock:
            open_ = list(self._connections.items())
        for sock, _ in open_:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
        deadline = time.monotonic() + timeout
        for _, thread in open_:
            thread.join(max(0.0, deadline - time.monotonic()))


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "sbzoom-sandbox"
    sys_version = ""
    # One buffered write per response and no Nagle delay: keep-alive answers in microseconds.
    disable_nagle_algorithm = True
    wbufsize = -1

    def _serve(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length > 0 else b""
        if len(body) < length:
            # The connection died mid-body (the client went away, or stop() cut it): a real
            # server never acts on half a request, and there is no one left to answer.
            self.close_connection = True
            return
        headers = {name.lower(): value for name, value in self.headers.items()}
        server = self.server
        assert isinstance(server, _Server)
        response = server.sandbox.dispatch(self.command, self.path, headers, body)
        if response.drop:
            self.close_connection = True
            return
        self.send_response(response.status)
        for name, value in response.headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(response.body)))
        self.end_headers()
        if response.body:
            self.wfile.write(response.body)

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _serve

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: the request log lives on the Sandbox object."""


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
        self._lock = threading.RLock()
        self._log_lock = threading.Lock()
        self._log: deque[RequestRecord] = deque(maxlen=self.options.request_log_size)
        self._listeners: list[ExchangeListener] = []
        self._server: _Server | None = None
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

    # -- lifecycle -------------------------------------------------------------------------------

    def start(self) -> Sandbox:
        if self._server is not None:
            return self
        self._server = _Server(self.options.port, self)
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

    # -- serving ---------------------------------------------------------------------------------

    def dispatch(self, method: str, target: str, headers: dict[str, str], body: bytes) -> Response:
        """Answer one request (called from the connection threads)."""
        parts = urlsplit(target)
        query = parse_qs(parts.query, keep_blank_values=True)
        path = parts.path
        service, route, fault = "unknown", "unknown", None
        if path.startswith("/_control/"):
            from sbzoom.sandbox.control import control

            route, response = control(self, method, path[len("/_control") :], body)
            with self._log_lock:
                self._log.append(
                    RequestRecord(
                        "control",
                        method,
                        path,
                        parts.query,
                        route,
                        response.status,
                        self.clock.now(),
                    )
                )
            return response
        if path.startswith("/zoom/"):
            sub = path[len("/zoom") :]
            route = self.zoom.route_name(method, sub)
            service = (
                "zoom-oauth"
                if route.startswith("oauth.")
                else "zoom-web"
                if route.startswith("web.")
                else "zoom"
            )
        elif path.startswith("/_sandbox/"):
            route, service = "control" + path[len("/_sandbox") :].replace("/", "."), "control"
        elif path.startswith("/simplybook/"):
            sub = path[len("/simplybook") :]
            route = self.simplybook.route_name(method, sub)
            service = "simplybook"
        if service == "unknown":
            response = json_response(404, {"code": 404, "message": "Not Found"})
        elif service == "control":
            response = self._control(method, path, query, body)
        else:
            request = Request(method, sub, query, headers, body)
            injected: InjectedFault | None = None
            if service != "zoom-web":
                delay = self.faults.latency_seconds()
                if delay:
                    time.sleep(delay)
                is_auth = service == "zoom-oauth" or route.startswith("auth.")
                injected = self.faults.before(route, auth=is_auth, service=service)
            if injected is not None:
                fault = injected.kind
                response = self._fault_response(injected, service, route)
            elif service == "simplybook":
                _, response = self.simplybook.handle(request)
            else:
                _, response = self.zoom.handle(request)
                if response.status == 429 and response.headers.get("X-RateLimit-Type") == "QPS":
                    fault = "qps"
            if response.drop:
                fault = "dropped"
        record = RequestRecord(
            service,
            method,
            path,
            parts.query,
            route,
            0 if response.drop else response.status,
            self.clock.now(),
            fault,
            query,
        )
        with self._log_lock:
            self._log.append(record)
            listeners = list(self._listeners)
        if listeners:
            exchange = Exchange(
                service,
                method,
                path,
                query,
                headers.get("content-type", ""),
                body,
                route,
                record.status,
                response.headers.get("Content-Type", ""),
                b"" if response.drop else response.body,
                fault,
            )
            for listener in listeners:
                listener(exchange)
        return response

    def _control(
        self, method: str, path: str, query: dict[str, list[str]], body: bytes
    ) -> Response:
        """The sandbox's own endpoints (not part of either emulated service)."""
        import json

        if path == "/_sandbox/mail" and method == "GET":
            raw = query.get("raw", ["0"])[0] in ("1", "true")
            return json_response(
                200, {"messages": [m.to_json(raw=raw) for m in self.mail.messages()]}
            )
        if path == "/_sandbox/mail" and method == "DELETE":
            self.mail.clear()
            return Response(204, b"", {})
        if path == "/_sandbox/mail/faults" and method == "POST":
            try:
                changes = json.loads(body or b"{}")
                faults = self.mail.configure(**changes)
            except (ValueError, TypeError) as exc:
                return json_response(400, {"message": f"bad fault settings: {exc}"})
            return json_response(
                200,
                {
                    "down": faults.down,
                    "reject": sorted(faults.reject),
                    "defer": sorted(faults.defer),
                    "fail_after": faults.fail_after,
                },
            )
        if path == "/_sandbox/zoom/redirect_uris" and method == "POST":
            try:
                uri = json.loads(body or b"{}")["uri"]
            except (ValueError, TypeError, KeyError):
                return json_response(
                    400, {"message": 'send {"uri": "http://127.0.0.1:PORT/callback"}'}
                )
            if not isinstance(uri, str) or not uri.startswith(("http://", "https://")):
                return json_response(400, {"message": "uri must be an http(s) URL"})
            self.zoom.register_redirect_uri(uri)
            return json_response(200, {"redirect_uris": list(self.zoom.redirect_uris)})
        return json_response(404, {"message": "Not Found"})

    @staticmethod
    def _fault_response(fault: InjectedFault, service: str, route: str) -> Response:
        if fault.kind == "429":
            if service.startswith("zoom"):
                response = ZoomService.qps_429(route)
            else:
                response = json_response(
                    429,
                    {"code": 429, "message": "Too Many Requests", "data": [], "message_data": []},
                    {"Retry-After": "1"},
                )
            if not fault.retry_after:
                response.headers.pop("Retry-After", None)
            return response
        text = _STATUS_TEXT.get(fault.status, "Error")
        if fault.html:
            page = _PROXY_PAGE.format(status=fault.status, text=text)
            return Response(fault.status, page.encode(), {"Content-Type": "text/html"})
        if service.startswith("zoom"):
            return json_response(fault.status, {"code": fault.status, "message": text})
        return json_response(
            fault.status,
            {"code": fault.status, "message": text, "data": [], "message_data": []},
        )

    # -- inspection (thread-safe) ----------------------------------------------------------------

    def requests(self, service: str | None = None) -> list[RequestRecord]:
        """The request log, oldest first; ``service`` narrows it (zoom, zoom-oauth, simplybook…)."""
        with self._log_lock:
            records = list(self._log)
        return [r for r in records if service is None or r.service == service]

    def add_listener(self, listener: ExchangeListener) -> None:
        """Call ``listener`` with every exchange from now on (from the connection threads)."""
        with self._log_lock:
            self._listeners.append(listener)

    def remove_listener(self, listener: ExchangeListener) -> None:
        with self._log_lock:
            self._listeners.remove(listener)

    def clear_requests(self) -> None:
        with self._log_lock:
            self._log.clear()

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


def export_lines(env: dict[str, str]) -> str:
    """``export NAME=value`` lines, values shell-quoted, for ``. env.sh``."""
    return "".join(f"export {name}={shlex.quote(value)}\n" for name, value in env.items())


@contextlib.contextmanager
def stop_signals() -> Iterator[threading.Event]:
    """An event set by SIGTERM or SIGINT (Ctrl-C) while inside the block; handlers restored after.

    Install it before printing anything a caller may react to, so a signal sent right after the
    export lines still ends in a clean stop.
    """
    stop = threading.Event()
    if threading.current_thread() is not threading.main_thread():
        yield stop
        return
    previous = {
        sig: signal.signal(sig, lambda signum, frame: stop.set())
        for sig in (signal.SIGTERM, signal.SIGINT)
    }
    try:
        yield stop
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def serve_until(sandbox: Sandbox, stop: threading.Event) -> None:
    """Serve until ``stop`` is set, then stop the sandbox."""
    try:
        while not stop.wait(0.5):
            pass
    finally:
        sandbox.stop()
