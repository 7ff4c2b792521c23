"""Fixtures of the Zoom client tests: a fake clock, a respx router, and clients over them."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import respx

from sbzoom.clients.zoom import ZoomClient, ZoomOAuth
from tests.fakes import FakeClock, FakeTokens
from tests.unit.clients.zoom.wire import API, OAUTH, make_session, zoom_tokens


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def router() -> Iterator[respx.Router]:
    router = respx.Router(assert_all_called=False)
    yield router


@pytest.fixture
def tokens() -> FakeTokens:
    return zoom_tokens()


@pytest.fixture
def zoom(router: respx.Router, clock: FakeClock, tokens: FakeTokens) -> ZoomClient:
    return ZoomClient(make_session(router, clock), API, tokens)


@pytest.fixture
def oauth(router: respx.Router, clock: FakeClock) -> ZoomOAuth:
    return ZoomOAuth(make_session(router, clock), OAUTH, "client-1", "secret-1234567")
