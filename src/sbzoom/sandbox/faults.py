"""Fault injection: latency, 5xx, per-second 429s, a real Zoom QPS ceiling, drop-after-commit.

Every random decision is a hash of (seed, kind, route, n) where n counts the requests to that
route, so a run with the same seed and the same requests sees the same faults, also when
independent requests arrive concurrently.
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections import deque
from dataclasses import dataclass, fields, replace
from typing import Any

# Zoom's per-second limits by plan and category (developers.zoom.us/docs/api/rate-limits/):
# per account, counted per category (a Light call never uses Medium's allowance).
ZOOM_PLANS: dict[str, dict[str, float]] = {
    "free": {"Light": 4, "Medium": 2},
    "pro": {"Light": 30, "Medium": 20},
    "business": {"Light": 80, "Medium": 60},
}
# The labels of the endpoints sbzoom uses (spec "Rate Limit Label"); every other route is Light.
MEDIUM_ROUTES = frozenset(
    {"meetings.create", "meetings.list", "users.list", "registrants.list", "registrants.status"}
)


def zoom_category(route: str) -> str:
    return "Medium" if route in MEDIUM_ROUTES else "Light"


@dataclass(frozen=True)
class FaultSettings:
    latency_ms: float = 0.0
    error_rate: float = 0.0  # fraction answered 502/503 before any work is done
    rate_429: float = 0.0  # fraction answered a per-second 429 before any work is done
    zoom_rps_limit: float | None = None  # extra ceiling on all Zoom REST requests per second
    # Zoom's plan: its Light and Medium limits are enforced as strict sliding windows (at most N
    # admitted in any 1 s) as the real service may; "none" turns them off.
    zoom_plan: str = "pro"
    drop_create_rate: float = 0.0  # fraction of meeting creates committed, then left unanswered
    faults_on_auth: bool = False  # also inject 5xx/429 on OAuth and SimplyBook auth endpoints
    # The status of every injected error (502 is a proxy's HTML page); None: 502 or 503 at random.
    error_status: int | None = None
    # False: injected 429s carry no Retry-After header (a proxy's or a gateway's 429 may not).
    retry_after: bool = True
    # Inject only on this service ("zoom" or "simplybook"); None: on both.
    fault_service: str | None = None
    seed: int = 0


@dataclass(frozen=True)
class InjectedFault:
    kind: str  # "error" | "429"
    status: int
    html: bool = False
    retry_after: bool = True  # a 429 says when to come back


class Faults:
    """The fault configuration of one sandbox; thread-safe and changeable while it runs."""

    def __init__(self, settings: FaultSettings | None = None, drop_next_creates: int = 0) -> None:
        self._lock = threading.Lock()
        self._settings = settings or FaultSettings()
        self._counters: dict[tuple[str, str], int] = {}
        self._drop_next = drop_next_creates
        self._windows: dict[str, deque[float]] = {}
        self._counts = {"errors_5xx": 0, "injected_429": 0, "qps_429": 0, "dropped": 0}

    @property
    def settings(self) -> FaultSettings:
        with self._lock:
            return self._settings

    def configure(self, **changes: Any) -> FaultSettings:
        """Change settings at run time, e.g. ``configure(error_rate=0.2, latency_ms=50)``."""
        known = {f.name for f in fields(FaultSettings)}
        unknown = set(changes) - known
        if unknown:
            raise TypeError(f"unknown fault settings: {', '.join(sorted(unknown))}")
        with self._lock:
            self._settings = replace(self._settings, **changes)
            if "seed" in changes:
                self._counters.clear()
            return self._settings

    def drop_next_creates(self, count: int = 1) -> None:
        """The next ``count`` meeting creates are committed and then answered with nothing."""
        with self._lock:
            self._drop_next = count

    def counts(self) -> dict[str, int]:
        """How many faults were served: errors_5xx, injected_429, qps_429, dropped."""
        with self._lock:
            return dict(self._counts)

    @property
    def qps_429_count(self) -> int:
        with self._lock:
            return self._counts["qps_429"]

    def latency_seconds(self) -> float:
        with self._lock:
            return max(0.0, self._settings.latency_ms) / 1000.0

    # -- decisions -------------------------------------------------------------------------------

    def _draw(self, kind: str, route: str) -> float:
        key = (kind, route)
        n = self._counters.get(key, 0)
        self._counters[key] = n + 1
        material = f"{self._settings.seed}:{kind}:{route}:{n}".encode()
        value = int.from_bytes(hashlib.blake2b(material, digest_size=8).digest(), "big")
        return value / 2.0**64

    def before(self, route: str, *, auth: bool, service: str = "") -> InjectedFault | None:
        """A 5xx or 429 to answer instead of doing the work, or None."""
        with self._lock:
            settings = self._settings
            if auth and not settings.faults_on_auth:
                return None
            if settings.fault_service and not service.startswith(settings.fault_service):
                return None
            if settings.error_rate > 0 and self._draw("error", route) < settings.error_rate:
                self._counts["errors_5xx"] += 1
                status = settings.error_status or (
                    502 if self._draw("error-status", route) < 0.5 else 503
                )
                html = status == 502 or self._draw("error-html", route) < 0.5
                return InjectedFault("error", status, html)
            if settings.rate_429 > 0 and self._draw("429", route) < settings.rate_429:
                self._counts["injected_429"] += 1
                return InjectedFault("429", 429, retry_after=settings.retry_after)
        return None

    def admit_zoom(self, route: str = "") -> bool:
        """Count a Zoom REST request against the per-second ceilings; False means answer 429.

        A strict sliding window per ceiling: a request is admitted only when fewer than N were
        admitted in the second before it. Refused requests do not count.
        """
        with self._lock:
            settings = self._settings
            limits = dict(ZOOM_PLANS.get(settings.zoom_plan, {}))
            category = zoom_category(route)
            checks = [(category, limits[category])] if category in limits else []
            if settings.zoom_rps_limit and settings.zoom_rps_limit > 0:
                checks.append(("all", settings.zoom_rps_limit))
            now = time.monotonic()
            for name, limit in checks:
                window = self._windows.setdefault(name, deque())
                while window and now - window[0] >= 1.0:
                    window.popleft()
                if len(window) >= limit:
                    self._counts["qps_429"] += 1
                    return False
            for name, _ in checks:
                self._windows[name].append(now)
            return True

    def drop_this_create(self, route: str) -> bool:
        """Whether the meeting create that was just committed gets no response."""
        with self._lock:
            drop = False
            if self._drop_next > 0:
                self._drop_next -= 1
                drop = True
            elif (
                self._settings.drop_create_rate > 0
                and self._draw("drop", route) < self._settings.drop_create_rate
            ):
                drop = True
            if drop:
                self._counts["dropped"] += 1
            return drop
