"""What the SimplyBook client tests share: the URL, a session and client, answer builders."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import httpx

from sbzoom.clients.http import HttpSession, Pacer, RetryPolicy
from sbzoom.clients.simplybook import SimplyBookClient
from tests.fakes import FakeClock, FakeTokens

API = "https://sb.test"
NY = ZoneInfo("America/New_York")


def sb_tokens(token: str = "old-token-123") -> FakeTokens:
    """``token``, renewed to new-token-1, new-token-2, ..."""
    return FakeTokens(token, (f"new-token-{n}" for n in itertools.count(1)))


def session(log: list[str] | None = None) -> HttpSession:
    clock = FakeClock(datetime(2025, 3, 1, 12, 0, tzinfo=UTC))
    return HttpSession(
        httpx.Client(),
        service="SimplyBook",
        pacer=Pacer(0, clock),
        clock=clock,
        retry=RetryPolicy(attempts=2, base_delay=0.01),
        log=log.append if log is not None else None,
    )


def client(tokens: FakeTokens | None = None, tz: ZoneInfo | None = NY) -> SimplyBookClient:
    return SimplyBookClient(session(), API, "demo", tokens or sb_tokens(), timezone=tz)


def page(items: list[dict[str, object]], number: int, pages: int) -> dict[str, object]:
    meta = {"items_count": 0, "pages_count": pages, "page": number, "on_page": 100}
    return {"data": items, "metadata": meta}


def booking(ident: int, start: str, end: str, **extra: object) -> dict[str, object]:
    return {
        "id": str(ident), "code": f"c{ident}", "status": "confirmed", "is_confirmed": "1",
        "start_datetime": start, "end_datetime": end, "service_id": "3", "provider_id": 2,
        "service": {"id": 3, "name": "Yoga"}, "provider": {"id": 2, "name": "Ann"},
        "client": {"id": "9", "name": "[VIP] Bo", "email": "bo@example.com"},
        "batch_id": None, "batch_type": None, **extra,
    }  # fmt: skip
