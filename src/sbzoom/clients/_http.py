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
from sbzoom.context import Clock
from sbzoom.errors import ConfigError, RateLimitedError, RemoteError

USER_AGENT = f"sbzoom/{__version__}"
TIMEOUT = httpx.Timeout(connect=10.0, read=30.0, write=30.0, pool=10.0)
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


class Pacer:
    """Spaces requests at least ``1/max_rps`` apart, shared by every thread that uses it."""

    def __init__(self, max_rps: float, clock: Clock) -> None:
        self.interval = 1.0 / max_rps if max_rps > 0 else 0.0
        self.clock = clock
        self._next = 0.0
        self._lock = threading.Lock()

    def wait(self) -> None:
        with self._lock:
            now = self.clock.monotonic()
            slot = max(now, self._next)
            self._next = slot + self.interval
        if slot > now:
            self.clock.sleep(slot - now)

    def push_back(self, seconds: float) -> None:
        """Nobody sends for ``seconds``: the server told us to slow down."""
        with self._lock:
            self._next = max(self._next, self.clock.monotonic() + seconds)


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
    ) -> httpx.Response:
        """Send with pacing and retries; return the last response for the client to interpret.

        ``final(response)`` marks a 429 that must not be retried (Zoom's daily limit).
        ``auth()`` gives the credential headers, asked again for every attempt: a back-off can
        outlast a short-lived access token, and a retry must not carry a stale one.
        """
        safe = method.upper() in IDEMPOTENT if idempotent is None else idempotent
        base = {"User-Agent": USER_AGENT, "Accept": "application/json", **(headers or {})}
        last_problem = ""
        for attempt in range(1, self.retry.attempts + 1):
            self.circuit.before()  # an open circuit: fail at once, send nothing
            self.pacer.wait()  # first: the credentials must be current when the request leaves
            all_headers = {**base, **auth()} if auth is not None else base
            request = self.client.build_request(
                method, url, headers=all_headers, params=params, json=json_body, data=form
            )
            started = self.clock.monotonic()
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
                elapsed = (self.clock.monotonic() - started) * 1000
                self._log_response(response, elapsed)
                status = response.status_code
                if 500 <= status < 600:
                    opened = self.circuit.failure(f"HTTP {status}")
                else:
                    opened = False
                    self.circuit.success()
                if status == 429:
                    if final is not None and final(response):
                        return response
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
                    # Through the pacer, so every thread sharing this session holds back too.
                    self.pacer.push_back(delay)
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
