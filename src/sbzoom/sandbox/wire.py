"""The HTTP vocabulary every emulated endpoint speaks: a request, a response, and route tables.

Handlers take a ``Request`` and the path's regex match and return a ``Response``; when they refuse
they raise a ``sandbox.errors`` error instead, which the router (``server.py``) answers.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
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
    name: str  # keys scopes, faults, rate-limit categories and the request log
    handler: Handler


def route(method: str, pattern: str, name: str, handler: Handler) -> Route:
    """A route whose ``pattern`` must match the whole path."""
    return Route(method, re.compile(f"^{pattern}$"), name, handler)


class RouteTable:
    """One service's routes, in order: the first whose method and pattern match wins."""

    def __init__(self, routes: Iterable[Route]) -> None:
        self._routes = tuple(routes)

    def __iter__(self) -> Iterator[Route]:
        return iter(self._routes)

    def resolve(self, method: str, path: str) -> tuple[Route, re.Match[str]] | None:
        for candidate in self._routes:
            if candidate.method == method:
                match = candidate.pattern.match(path)
                if match:
                    return candidate, match
        return None

    def path_exists(self, path: str) -> bool:
        """Some route serves this path, with another method (the answer is then a 405)."""
        return any(candidate.pattern.match(path) for candidate in self._routes)
