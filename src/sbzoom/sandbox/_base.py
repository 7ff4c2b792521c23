"""Plumbing shared by the emulated services: requests, responses, routing and the clock."""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qs


class BadRequestBody(ValueError):
    """The body was not the JSON (or form) the endpoint expects."""


@dataclass(frozen=True)
class Request:
    """One HTTP request, with the path relative to the service's prefix (``/v2/users``)."""

    method: str
    path: str
    query: Mapping[str, list[str]]
    headers: Mapping[str, str]  # lower-cased names
    body: bytes = b""

    def arg(self, name: str, default: str | None = None) -> str | None:
        values = self.query.get(name)
        return values[0] if values else default

    def header(self, name: str) -> str | None:
        return self.headers.get(name.lower())

    def json(self) -> Any:
        if not self.body.strip():
            raise BadRequestBody("empty body")
        try:
            return json.loads(self.body)
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise BadRequestBody(str(exc)) from None

    def json_object(self) -> dict[str, Any]:
        data = self.json()
        if not isinstance(data, dict):
            raise BadRequestBody("not a JSON object")
        return data

    def form(self) -> dict[str, str]:
        """Query parameters overlaid with an urlencoded body, as OAuth token endpoints read them."""
        merged = {key: values[0] for key, values in self.query.items() if values}
        if self.body:
            text = self.body.decode("utf-8", errors="replace")
            for key, values in parse_qs(text, keep_blank_values=True).items():
                merged[key] = values[0]
        return merged


@dataclass
class Response:
    status: int
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    # Close the connection without answering: the work was committed, the client never hears.
    drop: bool = False


def json_response(status: int, data: Any, headers: Mapping[str, str] | None = None) -> Response:
    body = json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode()
    return Response(
        status, body, {"Content-Type": "application/json;charset=UTF-8", **(headers or {})}
    )


def html_response(status: int, title: str, text: str = "") -> Response:
    page = (
        f"<html><head><title>{title}</title></head>"
        f"<body><h1>{title}</h1><p>{text}</p></body></html>"
    )
    return Response(status, page.encode(), {"Content-Type": "text/html;charset=UTF-8"})


def no_content() -> Response:
    return Response(204)


Handler = Callable[[Request, "re.Match[str]"], Response]


@dataclass(frozen=True)
class Route:
    method: str
    pattern: re.Pattern[str]
    name: str
    handler: Handler


class Router:
    """Maps (method, path) to a named handler; the name keys scopes, faults and the request log."""

    def __init__(self) -> None:
        self._routes: list[Route] = []

    def add(self, method: str, pattern: str, name: str, handler: Handler) -> None:
        self._routes.append(Route(method, re.compile(f"^{pattern}$"), name, handler))

    def resolve(self, method: str, path: str) -> tuple[Route, re.Match[str]] | None:
        for route in self._routes:
            if route.method == method:
                match = route.pattern.match(path)
                if match:
                    return route, match
        return None

    def path_exists(self, path: str) -> bool:
        return any(route.pattern.match(path) for route in self._routes)


class Clock:
    """Wall-clock time with an adjustable offset: tests jump past expiries without sleeping."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._offset = timedelta(0)

    def now(self) -> datetime:
        with self._lock:
            offset = self._offset
        return datetime.now(UTC) + offset

    @property
    def offset_seconds(self) -> float:
        with self._lock:
            return self._offset.total_seconds()

    def set_offset(self, seconds: float) -> None:
        with self._lock:
            self._offset = timedelta(seconds=seconds)

    def advance(self, seconds: float) -> None:
        with self._lock:
            self._offset += timedelta(seconds=seconds)


def zulu(moment: datetime) -> str:
    """``2026-03-14T15:00:00Z``: how Zoom writes every time it returns."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def next_utc_midnight(moment: datetime) -> datetime:
    day = moment.astimezone(UTC).date() + timedelta(days=1)
    return datetime(day.year, day.month, day.day, tzinfo=UTC)
