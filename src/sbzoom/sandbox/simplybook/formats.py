"""How SimplyBook writes and reads values: company-local wall times ``YYYY-MM-DD HH:MM:SS``, ids
as numbers or digit strings, JSON request bodies, and the ``{data, metadata}`` list shape (or a
bare array, as the spec shows)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any, TypeVar

from sbzoom.sandbox.errors import SimplyBookApiError
from sbzoom.sandbox.wire import BadRequestBody, Request, Response, json_response

T = TypeVar("T")
DEFAULT_ON_PAGE = 10
MAX_ON_PAGE = 100


def format_datetime(moment: datetime) -> str:
    return moment.isoformat(sep=" ", timespec="seconds")


def parse_datetime(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        return datetime.strptime(value.strip(), "%Y-%m-%d %H:%M:%S")
    except ValueError:
        return None


def parse_int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value)
    return None


def as_local(value: datetime | str) -> datetime:
    """A company-local wall time from the Python API (a string or a naive datetime)."""
    if isinstance(value, str):
        parsed = parse_datetime(value) or datetime.fromisoformat(value)
    else:
        parsed = value
    if parsed.tzinfo is not None:
        raise ValueError("give company-local wall time without a time zone")
    return parsed.replace(microsecond=0)


def request_body(request: Request) -> dict[str, Any]:
    try:
        return request.json_object()
    except BadRequestBody:
        raise SimplyBookApiError(400, "Invalid request body") from None


def listing(
    request: Request,
    items: Sequence[T],
    render: Callable[[T], dict[str, Any]],
    *,
    bare: bool,
) -> Response:
    """One page (``page``, ``on_page``: 10 by default, at most 100) of ``items``."""
    page = parse_int(request.arg("page")) or 1
    on_page = parse_int(request.arg("on_page")) or DEFAULT_ON_PAGE
    on_page = min(max(on_page, 1), MAX_ON_PAGE)
    page = max(page, 1)
    chunk = items[(page - 1) * on_page : page * on_page]
    data = [render(item) for item in chunk]
    if bare:
        return json_response(200, data)
    total = len(items)
    return json_response(
        200,
        {
            "data": data,
            "metadata": {
                "items_count": total,
                "pages_count": -(-total // on_page),
                "page": page,
                "on_page": on_page,
            },
        },
    )
