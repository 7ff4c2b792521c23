"""A running `sbzoom listen`'s /healthz, over HTTP (read by `doctor`)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import httpx


def listener_health(
    url: str, transport: httpx.BaseTransport | None = None
) -> tuple[Mapping[str, object] | None, str]:
    """The listener's health answer, or None and why there is none (never raises)."""
    import httpx

    try:
        with httpx.Client(transport=transport, timeout=3.0) as client:
            answer = client.get(url)
        data = answer.json() if answer.status_code in (200, 503) else None
    except (httpx.HTTPError, ValueError) as exc:
        return None, type(exc).__name__
    if isinstance(data, dict) and "queued" in data:
        return data, ""
    return None, f"HTTP {answer.status_code}, not sbzoom's /healthz"
