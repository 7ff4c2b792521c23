"""One service's HTTP traffic: pacing, retries, timeouts, and a redacted debug log.

    HttpSession.send(method, url, ...)
      ├─ Pacer.wait()            keeps requests under max_rps, across threads
      ├─ httpx.Client.send()
      ├─ connect error           → retry (the request never left)
      ├─ read error / timeout    → retry if idempotent, else MaybeCommittedError
      ├─ 429                     → final(resp)? return it : wait Retry-After or backoff, retry
      ├─ 500/502/504             → retry if idempotent, else MaybeCommittedError
      ├─ 503                     → retry (the service refused before doing anything)
      └─ anything else           → returned to the client, which maps API errors

``MaybeCommittedError`` exists because Zoom's create-meeting has no idempotency key: after a
timeout the meeting may exist. The caller must look before it creates again.
"""

from __future__ import annotations

import functools
import math
import random
import ssl
import threading
from collections.abc import Callable, Mapping
from typing import Any, Protocol

import httpx

from sbzoom import __version__
from sbzoom.clients.circuit import Circuit
from sbzoom.clients.http.pacing import Pacer
from sbzoom.clients.http.redaction import Redactor
from sbzoom.clients.http.retry import RetryPolicy, parse_retry_after, reset_time
from sbzoom.clock import Clock
from sbzoom.errors import ConfigError, RateLimitedError, RemoteError

USER_AGENT = f"sbzoom/{__version__}"
TIMEOUT = httpx.Timeout(connect=10.0, read=30.0, write=30.0, pool=10.0)
MAX_WORKERS = 48  # threads one run may use to keep a high-latency ceiling busy
IDEMPOTENT = frozenset({"GET", "HEAD", "PUT", "DELETE", "PATCH", "OPTIONS"})
# Token renewals within one call (see HttpSession.send_with_token). A token can expire again while
# a retry backs off (a slow run), so one renewal is not always enough; each must yield a new token.
MAX_RENEWALS = 3


class MaybeCommittedError(RemoteError):
    """The request may have been carried out although no answer arrived."""


class TokenSource(Protocol):
    """Where an API client gets the credential it sends (Zoom's bearer token, SimplyBook's
    ``X-Token``), asked again for every attempt."""

    def access_token(self) -> str:
        """A token valid for at least the next minute."""
        ...

    def renew(self, rejected: str) -> str:
        """A token other than ``rejected``, which the service just refused (refresh or mint
        anew); ``rejected`` itself when nothing newer can be had."""
        ...


class HttpSession:
    """One service's HTTP traffic. Clients build requests; this decides when and how often."""

    def __init__(
        self,
        client: httpx.Client,
        *,
        service: str,
        pacer: Pacer,
        clock: Clock,
        retry: RetryPolicy | None = None,
        log: Callable[[str], None] | None = None,
        redactor: Redactor | None = None,
        rng: random.Random | None = None,
        circuit: Circuit | None = None,
    ) -> None:
        self.client = client
        self.service = service
        self.pacer = pacer
        self.clock = clock
        self.retry = retry or RetryPolicy()
        self.log = log
        self.redactor = redactor or Redactor()
        self.rng = rng or random.Random()  # jitter only; not security sensitive
        self.requests_sent = 0
        # Stops sending for the rest of the run once the service is plainly down (circuit.py).
        self.circuit = circuit or Circuit(service, clock)
        self.throttled = 0  # per-second 429s received (a daily limit is not counted)
        self._latency = 0.0  # moving average of answered requests' durations, seconds
        self._stats_lock = threading.Lock()

    @property
    def latency(self) -> float:
        """The recent average time from sending a request to its answer (0 before any)."""
        with self._stats_lock:
            return self._latency

    def _measured(self, seconds: float) -> None:
        with self._stats_lock:
            self._latency = seconds if self._latency == 0 else 0.8 * self._latency + 0.2 * seconds

    def pool_size(self, cap: int = MAX_WORKERS) -> int:
        """Workers that keep this session's budgets busy: its ceiling times the measured latency
        (Little's law) plus two for the time spent between requests; 2 before anything is
        measured, ``cap`` when unpaced."""
        rate = self.pacer.total_rps
        if rate <= 0:
            return cap
        return max(2, min(cap, math.ceil(rate * self.latency) + 2))

    def _backoff(self, attempt: int) -> float:
        ceiling = min(self.retry.max_delay, self.retry.base_delay * (2 ** (attempt - 1)))
        return self.rng.uniform(ceiling / 2, ceiling)

    def send(
        self,
        method: str,
        url: str,
        *,
        headers: Mapping[str, str] | None = None,
        params: Mapping[str, Any] | list[tuple[str, Any]] | None = None,
        json_body: Any = None,
        form: Mapping[str, str] | None = None,
        idempotent: bool | None = None,
        final: Callable[[httpx.Response], bool] | None = None,
        auth: Callable[[], Mapping[str, str]] | None = None,
        category: str = "",
    ) -> httpx.Response:
        """Send with pacing and retries; return the last response for the client to interpret.

        ``final(response)`` marks a 429 that must not be retried (Zoom's daily limit).
        ``auth()`` gives the credential headers, asked again for every attempt: a back-off can
        outlast a short-lived access token, and a retry must not carry a stale one.
        ``category`` names the rate budget the request draws on (Zoom's "Light", "Medium").
        """
        safe = method.upper() in IDEMPOTENT if idempotent is None else idempotent
        base = {"User-Agent": USER_AGENT, "Accept": "application/json", **(headers or {})}
        last_problem = ""
        for attempt in range(1, self.retry.attempts + 1):
            self.circuit.before()  # an open circuit: fail at once, send nothing
            # First: the credentials must be current when the request leaves.
            started = self.pacer.wait(category)
            all_headers = {**base, **auth()} if auth is not None else base
            request = self.client.build_request(
                method, url, headers=all_headers, params=params, json=json_body, data=form
            )
            self._log_request(request, attempt)
            try:
                response = self.client.send(request)
                response.read()
            except httpx.UnsupportedProtocol:
                raise ConfigError(
                    f"{self.service} URL {self.redactor.url(str(request.url))} is not http(s).",
                    "Check the API URL settings (sbzoom config list) and SBZOOM_*_URL variables.",
                ) from None
            except (
                httpx.ConnectError,
                httpx.ConnectTimeout,
                httpx.PoolTimeout,
                httpx.ProxyError,
            ) as exc:
                # The request never left this machine: retrying cannot do anything twice.
                last_problem = f"cannot connect ({type(exc).__name__})"
                self._log(f"← {last_problem}")
                if self.circuit.failure(last_problem):
                    raise self.circuit.error() from None
            except httpx.TransportError as exc:  # timeouts, dropped connections, protocol errors
                last_problem = f"no answer ({type(exc).__name__})"
                self._log(f"← {last_problem}")
                opened = self.circuit.failure(last_problem)
                if not safe:
                    raise MaybeCommittedError(
                        f"{self.service} did not answer {method} {self.redactor.url(url)}; "
                        "it may have been carried out.",
                        "Run the command again: sbzoom checks before it creates anything twice.",
                    ) from None
                if opened:
                    raise self.circuit.error() from None
            else:
                self.requests_sent += 1
                elapsed = self.clock.monotonic() - started
                self._measured(elapsed)
                self.pacer.answered(category, started, elapsed)
                self._log_response(response, elapsed * 1000)
                status = response.status_code
                if 500 <= status < 600:
                    opened = self.circuit.failure(f"HTTP {status}")
                else:
                    opened = False
                    self.circuit.success()
                if status == 429:
                    if final is not None and final(response):
                        return response
                    with self._stats_lock:
                        self.throttled += 1
                    wait = parse_retry_after(response.headers.get("Retry-After"), self.clock.now())
                    if wait is not None and wait > self.retry.max_wait:
                        raise RateLimitedError(
                            f"{self.service} rate limit reached; it accepts requests again in "
                            f"{wait:.0f} s.",
                            "Run the command again later, or lower the request rate "
                            f"with 'sbzoom config set {self.service.lower()}.max_rps RATE'.",
                            reset_at=reset_time(
                                response.headers.get("Retry-After"), self.clock.now()
                            ),
                        )
                    delay = wait if wait is not None else self._backoff(attempt)
                    # Through the pacer, so every thread sharing the budget holds back too.
                    named = response.headers.get("X-RateLimit-Category", "")
                    self.pacer.push_back(delay, named if named in self.pacer.rates else category)
                    last_problem = "HTTP 429 (rate limited)"
                    if attempt == self.retry.attempts:
                        raise RateLimitedError(
                            f"{self.service} kept answering 'too many requests' "
                            f"({self.retry.attempts} attempts).",
                            "Run the command again later, or lower the request rate "
                            f"with 'sbzoom config set {self.service.lower()}.max_rps RATE'.",
                        )
                    continue
                if status == 503 or (status in (500, 502, 504) and safe):
                    last_problem = f"HTTP {status}"
                    if opened:
                        raise self.circuit.error()
                    if attempt < self.retry.attempts:
                        wait = parse_retry_after(
                            response.headers.get("Retry-After"), self.clock.now()
                        )
                        if wait is None or wait > self.retry.max_wait:
                            wait = self._backoff(attempt)
                        self.clock.sleep(wait)
                    continue
                if status in (500, 502, 504):
                    raise MaybeCommittedError(
                        f"{self.service} answered HTTP {status} to {method} "
                        f"{self.redactor.url(url)}; it may have been carried out.",
                        "Run the command again: sbzoom checks before it creates anything twice.",
                    )
                return response
            if attempt < self.retry.attempts:
                self.clock.sleep(self._backoff(attempt))
        raise RemoteError(
            f"{self.service} is unavailable: {last_problem} after {self.retry.attempts} attempts.",
            "Try again later; run with --debug to see each request.",
        )

    def send_with_token(
        self,
        method: str,
        url: str,
        *,
        tokens: TokenSource,
        credentials: Callable[[str], Mapping[str, str]],
        refused: Callable[[httpx.Response], bool],
        params: Mapping[str, Any] | list[tuple[str, Any]] | None = None,
        json_body: Any = None,
        final: Callable[[httpx.Response], bool] | None = None,
        category: str = "",
    ) -> httpx.Response:
        """``send`` with the token ``tokens`` hands out, as the headers ``credentials(token)``.

        When the service refuses the token (``refused(response)``), it is renewed and the request
        sent again, up to ``MAX_RENEWALS`` times and only while each renewal yields a new token: a
        token refused right after renewal is a real refusal. Returns the last response; the client
        turns a refusal that renewing did not cure into its own error.
        """
        sent = [""]  # the token of the latest attempt: the one a refusal rejected

        def auth() -> Mapping[str, str]:
            # Asked on every attempt, so a retry after a long back-off gets a current token.
            sent[0] = tokens.access_token()
            self.redactor.add(sent[0])
            return credentials(sent[0])

        renewals = 0
        while True:
            response = self.send(
                method,
                url,
                auth=auth,
                params=params,
                json_body=json_body,
                final=final,
                category=category,
            )
            if renewals >= MAX_RENEWALS or not refused(response):
                return response
            if tokens.renew(sent[0]) == sent[0]:
                return response
            renewals += 1

    # -- debug log ----------------------------------------------------------------------------

    def _log(self, text: str) -> None:
        if self.log is not None:
            self.log(self.redactor.scrub(text))

    def _log_request(self, request: httpx.Request, attempt: int) -> None:
        if self.log is None:
            return
        again = f" (attempt {attempt})" if attempt > 1 else ""
        self._log(f"→ {request.method} {self.redactor.url(str(request.url))}{again}")
        self._log(f"  {self.redactor.headers(request.headers.items())}")
        body = self.redactor.body(request.content, request.headers.get("content-type", ""))
        if body:
            self._log(f"  {body}")

    def _log_response(self, response: httpx.Response, elapsed_ms: float) -> None:
        if self.log is None:
            return
        self._log(f"← {response.status_code} ({elapsed_ms:.0f} ms)")
        body = self.redactor.body(response.content, response.headers.get("content-type", ""))
        if body:
            self._log(f"  {body}")


def response_json(response: httpx.Response, service: str) -> Any:
    """The body as JSON, or a clear error when a proxy answered with HTML or the body was cut."""
    try:
        return response.json()
    except (ValueError, UnicodeDecodeError):
        kind = "an HTML page" if b"<html" in response.content[:500].lower() else "a non-JSON body"
        raise RemoteError(
            f"{service} answered HTTP {response.status_code} with {kind} where JSON was expected.",
            "A proxy or outage may be in the way; try again later, or run with --debug.",
        ) from None


@functools.cache
def shared_tls_context() -> ssl.SSLContext:
    """One certificate store for every client of the process.

    httpx builds a fresh SSL context (loading the whole CA bundle: 60-120 ms) for each client; a
    run uses three (SimplyBook, Zoom's OAuth, Zoom's API). The same trust as httpx's default:
    certifi's bundle, or SSL_CERT_FILE / SSL_CERT_DIR when set. SSL contexts are thread-safe.
    """
    return httpx.create_ssl_context()


def build_client(transport: httpx.BaseTransport | None = None) -> httpx.Client:
    return httpx.Client(
        timeout=TIMEOUT, transport=transport, follow_redirects=False, verify=shared_tls_context()
    )
