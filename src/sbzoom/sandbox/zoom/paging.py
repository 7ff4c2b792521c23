"""Zoom's list paging: ``page_size`` (30 by default, at most 300) and ``next_page_token``
cursors that expire after 15 minutes and are good for one use."""

from __future__ import annotations

import secrets
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from sbzoom.sandbox.errors import ZoomApiError, zoom_validation_error
from sbzoom.sandbox.wire import Request
from sbzoom.sandbox.zoom.models import Cursor

if TYPE_CHECKING:
    from sbzoom.sandbox.zoom.service import ZoomService

PAGE_TOKEN_TTL = timedelta(minutes=15)
MAX_PAGE_SIZE = 300


def page_size(request: Request) -> int:
    raw = request.arg("page_size")
    if raw is None or raw == "":
        return 30
    try:
        size = int(raw)
    except ValueError:
        raise zoom_validation_error("page_size") from None
    return max(1, min(size, MAX_PAGE_SIZE))


def page(
    zoom: ZoomService, request: Request, keys: list[Any], size: int
) -> tuple[list[Any], str, int]:
    """One page of ``keys`` plus the next_page_token ('' on the last page) and the total."""
    now = zoom._clock.now()
    token = request.arg("next_page_token") or ""
    if token:
        cursor = zoom._cursors.pop(token, None)
        if cursor is None or now >= cursor.expires_at:
            raise ZoomApiError(400, 300, "The next page token is invalid or expired.")
        keys, offset = cursor.keys, cursor.offset
    else:
        offset = 0
    chunk = keys[offset : offset + size]
    following = ""
    if offset + size < len(keys):
        following = secrets.token_urlsafe(24)
        zoom._cursors[following] = Cursor(keys, offset + size, now + PAGE_TOKEN_TTL)
    return chunk, following, len(keys)


def listing(size: int, total: int, token: str, name: str, items: list[Any]) -> dict[str, Any]:
    """A list answer: the paging fields, then the items under ``name``."""
    return {
        "page_count": max(1, -(-total // size)),
        "page_number": 1,
        "page_size": size,
        "total_records": total,
        "next_page_token": token,
        name: items,
    }
