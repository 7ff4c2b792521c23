"""What the emulated services send out: SimplyBook's API callbacks and Zoom's webhooks.

Both are delivered from one background thread per sender, as the real services do (the change
is committed and answered first; the notification follows), with the real retry rules on a
compressed clock (``time_scale``: 1/600 turns SimplyBook's 10 minutes into 1 second):

- SimplyBook "API callback URL" (simplybook-api-notes.md, "Callbacks"): an unsigned JSON POST
  ``{"booking_id": "1001", "booking_hash": "…", "company": "demo", "notification_type":
  "create"|"change"|"cancel"}`` with string ids; anything but a 2xx is tried again, up to 6
  more times at about 10 min, 30 min, 1 h, 6 h, 12 h and 24 h.
- Zoom webhooks (zoom-api-notes.md, "Webhooks"): ``x-zm-request-timestamp`` (seconds) and
  ``x-zm-signature = "v0=" + hex(HMAC_SHA256(secret, "v0:{ts}:{body}"))``; retried only on a 5xx
  or a network error, at +5, +20 and +60 min; never on 3xx/4xx (429 included). Saving an
  endpoint URL first sends ``endpoint.url_validation`` and keeps the subscription only if the
  answer carries ``encryptedToken = hex(HMAC_SHA256(secret, plainToken))`` within 3 s.
  Zoom sends ``meeting.updated``/``meeting.deleted`` for every change, the API's own included
  (so sbzoom's own changes come back to it, as they do in production).
"""

from __future__ import annotations

import hashlib
import heapq
import hmac
import itertools
import json
import secrets
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

SIMPLYBOOK_RETRY_SECONDS = (600.0, 1800.0, 3600.0, 21600.0, 43200.0, 86400.0)
ZOOM_RETRY_SECONDS = (300.0, 1200.0, 3600.0)
DEFAULT_TIME_SCALE = 1 / 600
ZOOM_TIMEOUT_SECONDS = 3.0


@dataclass(frozen=True)
class Delivery:
    """One attempt at delivering a notification, as the sender saw it."""

    sender: str  # simplybook | zoom
    kind: str  # create|change|cancel | meeting.updated|meeting.deleted|endpoint.url_validation
    key: str  # booking id | meeting id
    attempt: int
    status: int  # HTTP status; 0 for a network error or a timeout
    at: float


@dataclass(order=True)
class _Pending:
    due: float
    seq: int
    url: str = field(compare=False)
    body: bytes = field(compare=False)
    kind: str = field(compare=False)
    key: str = field(compare=False)
    attempt: int = field(compare=False, default=1)
    sign: bool = field(compare=False, default=False)


def _post(url: str, body: bytes, headers: dict[str, str], timeout: float) -> tuple[int, bytes]:
    request = urllib.request.Request(url, body, headers, method="POST")  # noqa: S310 (http only)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as answer:  # noqa: S310
            return int(answer.status), answer.read()
    except urllib.error.HTTPError as exc:
        return int(exc.code), b""
    except (OSError, ValueError):
        return 0, b""


class _Sender:
    """A background thread that delivers due notifications and schedules their retries."""

    def __init__(
        self,
        name: str,
        retry_seconds: Sequence[float],
        retry_on: Callable[[int], bool],
        time_scale: float,
        timeout: float,
    ) -> None:
        self.name = name
        self.retry_seconds = tuple(retry_seconds)
        self.retry_on = retry_on
        self.time_scale = time_scale
        self.timeout = timeout
        self._heap: list[_Pending] = []
        self._seq = itertools.count()
        self._cond = threading.Condition()
        self._log: list[Delivery] = []
        self._busy = 0
        self._closed = False
        self._thread = threading.Thread(
            target=self._run, name=f"sandbox-{name}-sender", daemon=True
        )
        self._thread.start()

    def headers(self, item: _Pending) -> dict[str, str]:
        return {"Content-Type": "application/json", "User-Agent": f"sbzoom-sandbox-{self.name}"}

    def send(self, url: str, body: bytes, kind: str, key: str) -> None:
        with self._cond:
            item = _Pending(time.monotonic(), next(self._seq), url, body, kind, key)
            heapq.heappush(self._heap, item)
            self._cond.notify()

    def _run(self) -> None:
        while True:
            with self._cond:
                while not self._closed and (not self._heap or self._heap[0].due > time.monotonic()):
                    wait = self._heap[0].due - time.monotonic() if self._heap else None
                    self._cond.wait(wait)
                if self._closed:
                    return
                item = heapq.heappop(self._heap)
                self._busy += 1
            try:
                status, _ = _post(item.url, item.body, self.headers(item), self.timeout)
            finally:
                with self._cond:
                    self._busy -= 1
                    self._log.append(
                        Delivery(self.name, item.kind, item.key, item.attempt, status, time.time())
                    )
                    if self.retry_on(status) and item.attempt <= len(self.retry_seconds):
                        delay = self.retry_seconds[item.attempt - 1] * self.time_scale
                        item.attempt += 1
                        item.due = time.monotonic() + delay
                        heapq.heappush(self._heap, item)
                    self._cond.notify_all()

    def deliveries(self) -> list[Delivery]:
        with self._cond:
            return list(self._log)

    def wait_idle(self, timeout: float) -> bool:
        """Until nothing is pending or being sent (retries included); False on timeout."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while self._heap or self._busy:
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self._cond.wait(min(left, 0.05))
            return True

    def close(self) -> None:
        with self._cond:
            self._closed = True
            self._cond.notify_all()
        self._thread.join(2.0)


class SimplyBookCallbacks:
    """The "API callback URL" of the SimplyBook emulator (off until a URL is set)."""

    def __init__(self, company: str, time_scale: float = DEFAULT_TIME_SCALE) -> None:
        self.company = company
        self.url: str | None = None
        self._sender = _Sender(
            "simplybook",
            SIMPLYBOOK_RETRY_SECONDS,
            lambda status: not 200 <= status < 300,
            time_scale,
            timeout=10.0,
        )

    def notify(self, booking_id: int, kind: str) -> None:
        url = self.url
        if not url:
            return
        digest = hashlib.md5(f"{self.company}:{booking_id}".encode(), usedforsecurity=False)
        body = json.dumps(
            {
                "booking_id": str(booking_id),
                "booking_hash": digest.hexdigest(),
                "company": self.company,
                "notification_type": kind,
            }
        ).encode()
        self._sender.send(url, body, kind, str(booking_id))

    def deliveries(self) -> list[Delivery]:
        return self._sender.deliveries()

    def wait_idle(self, timeout: float) -> bool:
        return self._sender.wait_idle(timeout)

    def close(self) -> None:
        self._sender.close()


class _ZoomSender(_Sender):
    def __init__(self, secret: str, time_scale: float) -> None:
        self.secret = secret
        super().__init__(
            "zoom",
            ZOOM_RETRY_SECONDS,
            lambda status: status == 0 or status >= 500,
            time_scale,
            timeout=ZOOM_TIMEOUT_SECONDS,
        )

    def headers(self, item: _Pending) -> dict[str, str]:
        stamp = str(int(time.time()))  # signed at each attempt, as Zoom does
        message = b"v0:" + stamp.encode() + b":" + item.body
        signature = hmac.new(self.secret.encode(), message, hashlib.sha256).hexdigest()
        return {
            **super().headers(item),
            "x-zm-request-timestamp": stamp,
            "x-zm-signature": f"v0={signature}",
        }


class ZoomWebhooks:
    """Zoom's event subscription for the emulated app: a secret token, an endpoint, a sender."""

    def __init__(
        self, account_id: str, secret: str | None = None, time_scale: float = DEFAULT_TIME_SCALE
    ) -> None:
        self.account_id = account_id
        self.secret = secret or secrets.token_urlsafe(16)  # Zoom shows it on the app's page
        self.url: str | None = None
        self.validations: list[tuple[str, bool]] = []
        self._sender = _ZoomSender(self.secret, time_scale)

    def subscribe(self, url: str) -> bool:
        """Save the endpoint URL: validated first, kept only when the answer is right."""
        plain = secrets.token_urlsafe(16)
        body = json.dumps(
            {
                "event": "endpoint.url_validation",
                "event_ts": int(time.time() * 1000),
                "payload": {"plainToken": plain},
            }
        ).encode()
        item = _Pending(0.0, 0, url, body, "endpoint.url_validation", "-")
        status, answer = _post(url, body, self._sender.headers(item), ZOOM_TIMEOUT_SECONDS)
        wanted = hmac.new(self.secret.encode(), plain.encode(), hashlib.sha256).hexdigest()
        try:
            data: Any = json.loads(answer or b"{}")
        except ValueError:
            data = {}
        ok = (
            status == 200
            and isinstance(data, dict)
            and data.get("plainToken") == plain
            and hmac.compare_digest(str(data.get("encryptedToken", "")), wanted)
        )
        self.validations.append((url, ok))
        if ok:
            self.url = url
        return ok

    def emit(
        self,
        event: str,
        meeting: dict[str, Any],
        operator: str,
        old: dict[str, Any] | None = None,
    ) -> None:
        url = self.url
        if not url:
            return
        payload: dict[str, Any] = {
            "account_id": self.account_id,
            "operator": operator,
            "operator_id": hashlib.sha1(operator.encode(), usedforsecurity=False).hexdigest()[:22],
            "object": meeting,
        }
        if old is not None:
            payload["old_object"] = old
        body = json.dumps(
            {"event": event, "event_ts": int(time.time() * 1000), "payload": payload}
        ).encode()
        self._sender.send(url, body, event, str(meeting.get("id", "")))

    def deliveries(self) -> list[Delivery]:
        return self._sender.deliveries()

    def wait_idle(self, timeout: float) -> bool:
        return self._sender.wait_idle(timeout)

    def close(self) -> None:
        self._sender.close()
