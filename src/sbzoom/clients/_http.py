"""The HTTP layer both API clients share: pacing, retries, timeouts, and a redacted debug log.

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

import base64
import bisect
import json
import math
import random
import re
import threading
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import parse_qsl, quote, quote_plus, urlencode, urlsplit, urlunsplit

import httpx

from sbzoom import __version__
from sbzoom.clients._circuit import Circuit
from sbzoom.clock import Clock
from sbzoom.errors import ConfigError, RateLimitedError, RemoteError

USER_AGENT = f"sbzoom/{__version__}"
TIMEOUT = httpx.Timeout(connect=10.0, read=30.0, write=30.0, pool=10.0)
MAX_WORKERS = 48  # threads one run may use to keep a high-latency ceiling busy
IDEMPOTENT = frozenset({"GET", "HEAD", "PUT", "DELETE", "PATCH", "OPTIONS"})

SENSITIVE_KEYS = frozenset(
    {
        "authorization",
        "x-token",
        "x-user-token",
        "access_token",
        "refresh_token",
        "token",
        "auth_token",
        "id_token",
        "password",
        "client_secret",
        "secret",
        "code",
        "code_verifier",
        "zak",
        "start_url",
        "api_key",
        "cookie",
        "set-cookie",
        "pwd",
        "tk",
        "session_id",  # SimplyBook's 2FA session: whoever holds it can finish the sign-in
        "auth_session_id",
    }
)
# Key endings that always hold a secret (``h323_password``, ``encrypted_password``, ``x_secret``…).
SENSITIVE_SUFFIXES = ("password", "_secret", "_token")
# Not secrets although their names end like one: masking them would only hide what paging did.
NOT_SENSITIVE = frozenset({"next_page_token", "token_type"})
MASK = "***"
# Secret values that travel inside URLs found in JSON bodies (join_url ?pwd=, start_url ?zak=).
_URL_SECRET = re.compile(r"(?<![\w-])((?:zak|token|access_token|pwd|tk)=)[^&\s\"#]+")


def is_sensitive(key: str, value: object = "x") -> bool:
    """Whether ``key`` names a secret. A numeric ``code`` is Zoom's error number, shown as is."""
    lowered = key.lower()
    if lowered in NOT_SENSITIVE:
        return False
    if lowered == "code":
        return isinstance(value, str)
    return lowered in SENSITIVE_KEYS or lowered.endswith(SENSITIVE_SUFFIXES)


class MaybeCommittedError(RemoteError):
    """The request may have been carried out although no answer arrived."""


class Redactor:
    """Masks secrets in anything headed for a log: by key name, and by known secret values."""

    def __init__(self) -> None:
        self._values: set[str] = set()
        self._lock = threading.Lock()

    def add(self, *values: str | None) -> None:
        """Remember secret values; they are masked wherever they turn up, also URL-encoded."""
        with self._lock:
            for value in values:
                if not value or len(value) < 6:
                    continue
                self._values.add(value)
                self._values.update({quote(value, safe=""), quote_plus(value, safe="")})

    def add_basic(self, user: str, password: str) -> None:
        """Remember a secret and the ``Basic`` credentials built from it."""
        self.add(password, base64.b64encode(f"{user}:{password}".encode()).decode("ascii"))

    def scrub(self, text: str) -> str:
        with self._lock:
            values = sorted(self._values, key=len, reverse=True)
        for value in values:
            text = text.replace(value, MASK)
        return text

    def url(self, url: str) -> str:
        parts = urlsplit(url)
        if not parts.query:
            return self.scrub(url)
        query = [
            (k, MASK if is_sensitive(k, v) and v else v)
            for k, v in parse_qsl(parts.query, keep_blank_values=True)
        ]
        return self.scrub(urlunsplit(parts._replace(query=urlencode(query, safe="[]*"))))

    def headers(self, headers: Iterable[tuple[str, str]]) -> str:
        shown = []
        for key, value in headers:
            if is_sensitive(key):
                scheme = value.split(" ", 1)[0] if " " in value else ""
                shown.append(f"{key}: {scheme} {MASK}".rstrip())
            else:
                shown.append(f"{key}: {value}")
        return self.scrub(", ".join(shown))

    def body(self, content: bytes, content_type: str) -> str:
        """A short, masked rendering of a body. Masks first, then shortens: a secret cut in half
        by the shortening would no longer match the known value."""
        if not content:
            return ""
        text = content.decode("utf-8", errors="replace")
        if "json" in content_type:
            try:
                return _shorten(self.scrub(json.dumps(_mask_json(json.loads(content)))), 2000)
            except ValueError:
                pass
        if "x-www-form-urlencoded" in content_type:
            pairs = parse_qsl(text, keep_blank_values=True)
            return _shorten(
                self.scrub(urlencode([(k, MASK if is_sensitive(k, v) else v) for k, v in pairs])),
                2000,
            )
        return _shorten(self.scrub(_URL_SECRET.sub(r"\1" + MASK, re.sub(r"\s+", " ", text))), 300)


def _shorten(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[:limit] + "…"


def _mask_json(value: Any) -> Any:
    if isinstance(value, dict):
        return {
            k: (MASK if is_sensitive(str(k), v) and v else _mask_json(v)) for k, v in value.items()
        }
    if isinstance(value, list):
        return [_mask_json(v) for v in value]
    if isinstance(value, str) and "=" in value:
        return _URL_SECRET.sub(r"\1" + MASK, value)
    return value


# How much longer than one second the client's window is: the requests of one window reach the
# server spread by network and scheduling jitter, and this much jitter cannot put one request more
# into any server-side second. 20 requests per 1.05 s is 0.95 of a 20/s ceiling. Jitter the
# client can see (a request answered later than the fastest one, e.g. on a new connection) is
# accounted for on top of it: see SlidingWindow.answered.
WINDOW_MARGIN = 0.05


class SlidingWindow:
    """A strict sliding window: at most ``capacity`` starts within any ``window`` seconds.

    ``capacity`` is ``floor(per_second)`` starts per second plus ``margin`` (below 1/s: one start
    per ``1/per_second + margin`` seconds). Starts are also spaced at least half the average
    interval apart, so a full window is not sent as one burst.

    The window counts when requests may have *reached the server*, which the client cannot see:
    each start counts at first, and once the answer comes, a request that took longer than the
    fastest one seen by more than the margin moves later by the excess (it may have arrived that
    much later; the server counted it before it answered). Not thread-safe: ``Pacer`` holds the
    lock.
    """

    def __init__(self, per_second: float, margin: float = WINDOW_MARGIN) -> None:
        if per_second >= 1:
            self.capacity = int(per_second)
            self.window = 1.0 + margin
        else:
            self.capacity = 1
            self.window = 1.0 / per_second + margin
        self.spacing = 0.5 / per_second
        self._entries: list[float] = []  # sorted; the recent starts (moved as answers come)
        self._last = -math.inf

    def next_start(self, now: float) -> float:
        """The earliest moment from ``now`` on at which one more request may start."""
        self._forget(now)
        slot = max(now, self._last + self.spacing)
        if len(self._entries) >= self.capacity:
            slot = max(slot, self._entries[-self.capacity] + self.window)
        return slot

    def take(self, now: float) -> None:
        bisect.insort(self._entries, now)
        self._last = now

    def answered(self, started: float, late_by: float) -> None:
        """The request started at ``started`` may have reached the server ``late_by`` later."""
        if late_by <= 0:
            return
        index = bisect.bisect_left(self._entries, started)
        if index < len(self._entries) and self._entries[index] == started:
            del self._entries[index]
            bisect.insort(self._entries, started + late_by)

    def _forget(self, now: float) -> None:
        """Drop entries no future start can be within ``window`` of."""
        cut = bisect.bisect_left(self._entries, now - self.window)
        if cut:
            del self._entries[:cut]


class Pacer:
    """Keeps one service's requests under its ceilings, shared by every thread that uses it.

    ``max_rps`` is the default budget; ``categories`` adds separate budgets (Zoom's Light and
    Medium limits are counted apart, per account). ``wait(category)`` sleeps until the request
    may start; the lock is held for arithmetic only, never while sleeping or sending.
    ``push_back`` holds a budget (or all) when the server says so.
    """

    def __init__(
        self, max_rps: float, clock: Clock, categories: Mapping[str, float] | None = None
    ) -> None:
        self.clock = clock
        self.max_rps = max_rps
        self.rates = {"": max_rps, **(categories or {})}
        self._windows = {name: SlidingWindow(rate) for name, rate in self.rates.items() if rate > 0}
        self._blocked: dict[str, float] = dict.fromkeys(self.rates, 0.0)
        self._fastest = math.inf  # the quickest answer seen: the network's own round trip
        self._lock = threading.Lock()

    @property
    def total_rps(self) -> float:
        """The most requests per second all budgets together allow (0: unpaced)."""
        if any(rate <= 0 for rate in self.rates.values()):
            return 0.0
        categorised = [rate for name, rate in self.rates.items() if name]
        return sum(categorised) if categorised else self.rates[""]

    def wait(self, category: str = "") -> float:
        """Sleep until a request of ``category`` may start; returns its (monotonic) start."""
        name = category if category in self.rates else ""
        window = self._windows.get(name)
        slept_from: float | None = None
        while True:
            with self._lock:
                now = self.clock.monotonic()
                slot = max(now, self._blocked[name])
                if window is not None:
                    slot = max(slot, window.next_start(now))
                # A clock that did not move while we slept (a test's) must not spin us forever.
                if slot <= now or slept_from == now:
                    if window is not None:
                        window.take(slot)
                    return slot
            # Not booked ahead: an answer arriving meanwhile may move the window further.
            slept_from = now
            self.clock.sleep(slot - now)

    def answered(self, category: str, started: float, seconds: float) -> None:
        """A request that started at ``started`` was answered after ``seconds``."""
        name = category if category in self.rates else ""
        with self._lock:
            # Before any answer the network's own round trip is unknown: all of it may be delay.
            fastest = 0.0 if self._fastest == math.inf else self._fastest
            self._fastest = min(self._fastest, seconds)
            window = self._windows.get(name)
            if window is not None:  # the margin already absorbs this much
                window.answered(started, seconds - fastest - window.window + 1.0)

    def push_back(self, seconds: float, category: str | None = None) -> None:
        """Nobody sends in ``category`` (all when None) for ``seconds``: the server said so."""
        with self._lock:
            until = self.clock.monotonic() + seconds
            names = [category] if category in self._blocked else list(self._blocked)
            for name in names:
                self._blocked[name] = max(self._blocked[name], until)


@dataclass(frozen=True)
class RetryPolicy:
    attempts: int = 5
    base_delay: float = 0.5
    max_delay: float = 20.0
    # A Retry-After longer than this is not waited out: the caller hears "rate limited".
    max_wait: float = 60.0


def parse_retry_after(value: str | None, now: datetime) -> float | None:
    """Seconds to wait from a Retry-After header given as seconds, an HTTP date or ISO 8601."""
    if not value:
        return None
    value = value.strip()
    try:
        seconds = float(value)
    except ValueError:
        pass
    else:
        return max(0.0, seconds) if math.isfinite(seconds) else None
    when: datetime | None = None
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        try:
            when = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - now).total_seconds())


def reset_time(value: str | None, now: datetime) -> datetime | None:
    seconds = parse_retry_after(value, now)
    if seconds is None:
        return None
    return now + timedelta(seconds=seconds)


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
        # Stops sending for the rest of the run once the service is plainly down (_circuit.py).
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
                            f"with 'sbzoom config set {self.service.lower()}.max_rps'.",
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
                            f"with 'sbzoom config set {self.service.lower()}.max_rps'.",
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


def build_client(transport: httpx.BaseTransport | None = None) -> httpx.Client:
    return httpx.Client(timeout=TIMEOUT, transport=transport, follow_redirects=False)
