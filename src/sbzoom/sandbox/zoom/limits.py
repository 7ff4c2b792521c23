"""Zoom's rate limits as answers: the per-second (QPS) 429 and the daily limit on meeting
create+update requests per host.

The per-second windows themselves are counted by ``sandbox.faults.Faults.admit_zoom`` (shared
by the whole sandbox, configurable at run time); the router asks it before every REST call.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sbzoom.sandbox.data import ZoomUser
from sbzoom.sandbox.errors import ZoomApiError
from sbzoom.sandbox.faults import zoom_category
from sbzoom.sandbox.zoom.models import next_utc_midnight, zulu

if TYPE_CHECKING:
    from sbzoom.sandbox.zoom.service import ZoomService

QPS_MESSAGE = "You have reached the maximum per-second rate limit for this API. Try again later."


def qps_exceeded(route: str) -> ZoomApiError:
    """Zoom's answer to one request too many in a second, naming the route's category."""
    return ZoomApiError(
        429,
        429,
        QPS_MESSAGE,
        headers={
            "X-RateLimit-Type": "QPS",
            "X-RateLimit-Category": zoom_category(route),
            "Retry-After": "1",
        },
    )


def count_create_update(zoom: ZoomService, host: ZoomUser) -> None:
    """Count one create or update against the host's daily limit; refused once it is used up."""
    now = zoom._clock.now()
    key = (host.id or "", now.date().isoformat())
    used = zoom._daily.get(key, 0)
    if used >= zoom._daily_limit:
        reset = zulu(next_utc_midnight(now))
        message = (
            f"You have exceeded the daily rate limit ({zoom._daily_limit}) of Meeting "
            "Create/Update API requests permitted for this particular user. You may resume "
            "these requests at GMT 00:00:00."
        )
        raise ZoomApiError(
            429,
            429,
            message,
            headers={
                "X-RateLimit-Type": "Daily-limit",
                "X-RateLimit-Category": "Light",
                "X-RateLimit-Limit": str(zoom._daily_limit),
                "X-RateLimit-Remaining": "0",
                "Retry-After": reset,
            },
        )
    zoom._daily[key] = used + 1
