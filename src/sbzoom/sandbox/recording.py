"""What the sandbox remembers of its traffic: the request log (no bodies), and the whole
exchanges it hands to listeners, such as the JSON-lines recorder of ``sbzoom sandbox
--record-exchanges`` that the Zoom contract tests judge."""

from __future__ import annotations

import json
import threading
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


@dataclass(frozen=True)
class RequestRecord:
    service: str  # zoom | zoom-oauth | zoom-web | simplybook | control | unknown
    method: str
    path: str  # as requested, without the query
    query: str
    route: str  # e.g. meetings.create, bookings.list
    status: int  # 0 when the connection was dropped without a response
    at: datetime
    fault: str | None = None  # error | 429 | qps | dropped
    query_params: dict[str, list[str]] = field(default_factory=dict, compare=False)


@dataclass(frozen=True)
class Exchange:
    """One request and the answer it got, whole: what a listener (``Sandbox.add_listener``) sees.

    Kept out of the request log (which holds no bodies) and built only while someone listens.
    Request headers are left out: they carry the bearer token and nothing the contract needs.
    """

    service: str
    method: str
    path: str  # as requested, without the query
    query: dict[str, list[str]]
    request_content_type: str
    request_body: bytes
    route: str
    status: int  # 0 when the connection was dropped without a response
    response_content_type: str
    response_body: bytes
    fault: str | None = None

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready form (bodies as text), for ``sbzoom sandbox --record-exchanges``."""
        return {
            "service": self.service,
            "method": self.method,
            "path": self.path,
            "query": self.query,
            "request_content_type": self.request_content_type,
            "request_body": self.request_body.decode("utf-8", errors="replace"),
            "route": self.route,
            "status": self.status,
            "response_content_type": self.response_content_type,
            "response_body": self.response_body.decode("utf-8", errors="replace"),
            "fault": self.fault,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Exchange:
        return cls(
            service=data["service"],
            method=data["method"],
            path=data["path"],
            query=data["query"],
            request_content_type=data["request_content_type"],
            request_body=data["request_body"].encode(),
            route=data["route"],
            status=data["status"],
            response_content_type=data["response_content_type"],
            response_body=data["response_body"].encode(),
            fault=data["fault"],
        )


ExchangeListener = Callable[[Exchange], None]


class RequestLog:
    """The last ``size`` requests, oldest first, and the listeners of whole exchanges."""

    def __init__(self, size: int) -> None:
        self._lock = threading.Lock()
        self._records: deque[RequestRecord] = deque(maxlen=size)
        self._listeners: list[ExchangeListener] = []

    def append(self, record: RequestRecord) -> list[ExchangeListener]:
        """Log ``record``; returns who listens now (to be handed the exchange)."""
        with self._lock:
            self._records.append(record)
            return list(self._listeners)

    def records(self) -> list[RequestRecord]:
        with self._lock:
            return list(self._records)

    def clear(self) -> None:
        with self._lock:
            self._records.clear()

    def add_listener(self, listener: ExchangeListener) -> None:
        with self._lock:
            self._listeners.append(listener)

    def remove_listener(self, listener: ExchangeListener) -> None:
        with self._lock:
            self._listeners.remove(listener)


class JsonLinesRecorder:
    """An exchange listener appending one JSON line per exchange of ``services`` to ``path``."""

    def __init__(self, path: str, services: tuple[str, ...] = ("zoom",)) -> None:
        self.services = services
        self._lock = threading.Lock()
        self._file = open(path, "a", encoding="utf-8")  # noqa: SIM115 - closed by close()

    def __call__(self, exchange: Exchange) -> None:
        if exchange.service not in self.services:
            return
        line = json.dumps(exchange.to_json(), ensure_ascii=False)
        with self._lock:
            self._file.write(line + "\n")
            self._file.flush()

    def close(self) -> None:
        with self._lock:
            self._file.close()
