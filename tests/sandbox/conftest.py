"""Fixtures of the sandbox's own tests (``sandbox``, ``make_sandbox``: tests/sandbox_fixture.py)."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest


@pytest.fixture
def http() -> Iterator[httpx.Client]:
    """A plain HTTP client, as a script talking to the sandbox would use."""
    with httpx.Client() as client:
        yield client
