"""The router: every request to the sandbox is dispatched here by path, and here alone a refusal
(a ``sandbox.errors`` error an endpoint raised) becomes its service's wire answer.

    /zoom/...         the emulated Zoom (``zoom/``): OAuth, link pages, REST under /zoom/v2
    /simplybook/...   the emulated SimplyBook (``simplybook/``), REST v2 admin
    /_control/...     the control API (``control.py``)
    /_sandbox/...     the sandbox's settings endpoints (``control.py``)

Before an emulated endpoint runs, the router applies the shared fault settings (latency,
injected 5xx and 429s; ``faults.py``) and, for Zoom REST, the per-second rate limits; it runs the
endpoint under the sandbox's lock, logs the request and hands the exchange to listeners. The
HTTP server itself (one ThreadingHTTPServer on 127.0.0.1) is at the bottom.
"""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from sbzoom.sandbox.clock import Clock
from sbzoom.sandbox.control import request_fields
from sbzoom.sandbox.errors import (
    ControlError,
    HtmlPageError,
    SandboxApiError,
    SandboxError,
    SimplyBookApiError,
    ZoomApiError,
    ZoomOAuthError,
)
from sbzoom.sandbox.faults import Faults, InjectedFault
from sbzoom.sandbox.recording import Exchange, RequestLog, RequestRecord
from sbzoom.sandbox.wire import (
    BadRequestBody,
    Request,
    Response,
    RouteTable,
    html_response,
    json_response,
)
from sbzoom.sandbox.zoom.limits import qps_exceeded

HOST = "127.0.0.1"
_PROXY_PAGE = (
    "<html>\r\n<head><title>{status} {text}</title></head>\r\n<body>\r\n"
    "<center><h1>{status} {text}</h1></center>\r\n<hr><center>nginx</center>\r\n"
    "</body>\r\n</html>\r\n"
)
_STATUS_TEXT = {502: "Bad Gateway", 503: "Service Temporarily Unavailable"}


# -- errors to answers: the one place ------------------------------------------------------------


def error_response(error: SandboxError) -> Response:
    """The wire answer to a refusal, in the shape of the service that refused."""
    if isinstance(error, ZoomApiError):
        body = {"code": error.code, "message": error.message, **error.extra}
        return json_response(error.status, body, error.headers)
    if isinstance(error, ZoomOAuthError):
        return json_response(error.status, {"reason": error.reason, "error": error.error})
    if isinstance(error, SimplyBookApiError):
        return json_response(
            error.status,
            {
                "code": error.status,
                "message": error.message,
                "data": error.data or [],
                "message_data": [],
            },
        )
    if isinstance(error, HtmlPageError):
        return html_response(error.status, error.title, error.text)
    if isinstance(error, ControlError):
        return json_response(error.status, {"error": error.message})
    if isinstance(error, SandboxApiError):
        return json_response(error.status, {"message": error.message})
    raise TypeError(f"no answer for {type(error).__name__}")


def _no_route(service: str, table: RouteTable, path: str) -> SandboxError:
    """404, or 405 when the path is served with another method, in the service's shape."""
    if service == "control":
        return SandboxApiError(404, "Not Found")
    allowed = table.path_exists(path)
    if service == "simplybook":
        if allowed:
            return SimplyBookApiError(405, "Method Not Allowed")
        return SimplyBookApiError(404, "Not Found")
    if allowed:
        return ZoomApiError(405, 405, "Method Not Allowed")
    return ZoomApiError(404, 404, "Not Found")


def fault_response(fault: InjectedFault, service: str, route: str) -> Response:
    """An injected fault as a proxy or the service would answer it."""
    if fault.kind == "429":
        if service.startswith("zoom"):
            response = error_response(qps_exceeded(route))
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
        return error_response(ZoomApiError(fault.status, fault.status, text))
    return error_response(SimplyBookApiError(fault.status, text))


# -- the router ------------------------------------------------------------------------------------


class Router:
    """Dispatches one sandbox's requests: its route tables and what every endpoint shares."""

    def __init__(
        self,
        *,
        zoom: RouteTable,
        simplybook: RouteTable,
        control: RouteTable,
        settings: RouteTable,
        faults: Faults,
        lock: threading.RLock,
        log: RequestLog,
        clock: Clock,
    ) -> None:
        self._zoom = zoom
        self._simplybook = simplybook
        self._control = control
        self._settings = settings
        self._faults = faults
        self._lock = lock
        self._log = log
        self._clock = clock

    def dispatch(self, method: str, target: str, headers: dict[str, str], body: bytes) -> Response:
        """Answer one request (called from the connection threads)."""
        parts = urlsplit(target)
        query = parse_qs(parts.query, keep_blank_values=True)
        path = parts.path
        if path.startswith("/_control/"):
            route_name, response = self._control_call(method, path[len("/_control") :], body)
            self._log.append(
                RequestRecord(
                    "control",
                    method,
                    path,
                    parts.query,
                    route_name,
                    response.status,
                    self._clock.now(),
                )
            )
            return response
        service, route_name, fault = "unknown", "unknown", None
        table: RouteTable | None = None
        sub = path
        if path.startswith("/zoom/"):
            table, sub = self._zoom, path[len("/zoom") :]
            route_name = _route_name(table, method, sub)
            service = (
                "zoom-oauth"
                if route_name.startswith("oauth.")
                else "zoom-web"
                if route_name.startswith("web.")
                else "zoom"
            )
        elif path.startswith("/_sandbox/"):
            route_name, service = "control" + path[len("/_sandbox") :].replace("/", "."), "control"
        elif path.startswith("/simplybook/"):
            table, sub = self._simplybook, path[len("/simplybook") :]
            route_name, service = _route_name(table, method, sub), "simplybook"
        request = Request(method, sub, query, headers, body)
        if service == "unknown":
            response = json_response(404, {"code": 404, "message": "Not Found"})
        elif service == "control":
            response = self._answer(self._settings, request, service)
        else:
            assert table is not None
            injected: InjectedFault | None = None
            if service != "zoom-web":
                delay = self._faults.latency_seconds()
                if delay:
                    time.sleep(delay)
                is_auth = service == "zoom-oauth" or route_name.startswith("auth.")
                injected = self._faults.before(route_name, auth=is_auth, service=service)
            if injected is not None:
                fault = injected.kind
                response = fault_response(injected, service, route_name)
            else:
                response = self._answer(table, request, service)
                if (
                    service != "simplybook"
                    and response.status == 429
                    and response.headers.get("X-RateLimit-Type") == "QPS"
                ):
                    fault = "qps"
            if response.drop:
                fault = "dropped"
        record = RequestRecord(
            service,
            method,
            path,
            parts.query,
            route_name,
            0 if response.drop else response.status,
            self._clock.now(),
            fault,
            query,
        )
        listeners = self._log.append(record)
        if listeners:
            exchange = Exchange(
                service,
                method,
                path,
                query,
                headers.get("content-type", ""),
                body,
                route_name,
                record.status,
                response.headers.get("Content-Type", ""),
                b"" if response.drop else response.body,
                fault,
            )
            for listener in listeners:
                listener(exchange)
        return response

    def _answer(self, table: RouteTable, request: Request, service: str) -> Response:
        """Run the endpoint ``request`` is for (an emulated one under the sandbox's lock);
        a refusal is answered in the service's shape."""
        try:
            found = table.resolve(request.method, request.path)
            if found is None:
                raise _no_route(service, table, request.path)
            route, match = found
            if service == "control":
                return route.handler(request, match)
            # Zoom's per-second limits apply to REST calls only, before the token is looked at.
            if service == "zoom" and not self._faults.admit_zoom(route.name):
                raise qps_exceeded(route.name)
            with self._lock:
                return route.handler(request, match)
        except SandboxError as error:
            return error_response(error)

    def _control_call(self, method: str, path: str, body: bytes) -> tuple[str, Response]:
        """A ``/_control`` call: (its log name, the answer)."""
        request = Request(method, path, {}, {}, body)
        try:
            request_fields(request)
        except BadRequestBody as exc:
            return "control.bad", error_response(ControlError(400, str(exc)))
        found = self._control.resolve(method, path)
        if found is None:
            return "control.unknown", error_response(ControlError(404, "no such control endpoint"))
        route, match = found
        try:
            return route.name, route.handler(request, match)
        except KeyError as exc:
            return "control.missing", error_response(ControlError(404, f"not found: {exc}"))
        except (TypeError, ValueError) as exc:
            return "control.bad", error_response(ControlError(400, str(exc)))


def _route_name(table: RouteTable, method: str, path: str) -> str:
    found = table.resolve(method, path)
    return found[0].name if found else "unknown"


# -- the HTTP server -------------------------------------------------------------------------------

Dispatch = Callable[[str, str, dict[str, str], bytes], Response]


class HttpServer(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    request_queue_size = 256  # bursts of concurrent clients must not be refused

    def __init__(self, port: int, dispatch: Dispatch) -> None:
        self.dispatch = dispatch
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
        assert isinstance(server, HttpServer)
        response = server.dispatch(self.command, self.path, headers, body)
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
