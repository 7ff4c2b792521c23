from __future__ import annotations

import pytest

from tests.fakes import FakeClock, FakeZoomApi


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def fake(clock: FakeClock) -> FakeZoomApi:
    return FakeZoomApi(clock)
