"""What the Zoom client tests share: the URLs, a session over a respx router, body readers."""

from __future__ import annotations

import itertools
import json
import random
from urllib.parse import parse_qs

import httpx
import respx

from sbzoom import __version__
from sbzoom.clients.http import HttpSession, Pacer, Redactor, RetryPolicy
from tests.fakes import FakeClock, FakeTokens

API = "https://api.zoom.test/v2"
OAUTH = "https://zoom.test"
BIG_ID = 85746065123  # more than 32 bits, as real meeting ids are


def zoom_tokens() -> FakeTokens:
    """tok-1-abcdef, renewed to tok-2-abcdef, tok-3-abcdef, ..."""
    return FakeTokens("tok-1-abcdef", (f"tok-{n}-abcdef" for n in itertools.count(2)))


def make_session(router: respx.Router, clock: FakeClock) -> HttpSession:
    return HttpSession(
        httpx.Client(transport=httpx.MockTransport(router.handler)),
        service="Zoom",
        pacer=Pacer(0, clock),
        clock=clock,
        retry=RetryPolicy(attempts=3),
        redactor=Redactor(),
        rng=random.Random(1),
    )


def body_of(request: httpx.Request) -> object:
    return json.loads(request.content)


def query_of(request: httpx.Request) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(request.url.query.decode()).items()}


def assert_authorised(request: httpx.Request, token: str = "tok-1-abcdef") -> None:
    assert request.headers["Authorization"] == f"Bearer {token}"
    assert request.headers["User-Agent"] == f"sbzoom/{__version__}"


def form_of(request: httpx.Request) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(request.content.decode()).items()}
