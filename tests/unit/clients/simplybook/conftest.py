"""Fixtures of the SimplyBook client tests: a respx router on the test API."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import respx

from tests.unit.clients.simplybook.wire import API


@pytest.fixture
def sb() -> Iterator[respx.MockRouter]:
    with respx.mock(base_url=API, assert_all_called=False) as router:
        yield router
