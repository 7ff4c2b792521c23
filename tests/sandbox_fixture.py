"""Sandbox fixtures: a running emulator of Zoom and SimplyBook on 127.0.0.1.

``sandbox`` is a fresh server per test; ``make_sandbox(**options)`` starts more, with any
``SandboxOptions`` field (``error_rate=0.2``, ``bookings=500``, ``bare_lists=True``...). Every
server is stopped at teardown. ``sandbox.env`` holds the SBZOOM_* variables pointing at it.
Every Zoom exchange they serve is judged against Zoom's spec (tests/contract/plugin.py).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from sbzoom.sandbox import Sandbox
from tests.contract.plugin import watch

MakeSandbox = Callable[..., Sandbox]


@pytest.fixture
def make_sandbox(request: pytest.FixtureRequest) -> Iterator[MakeSandbox]:
    started: list[Sandbox] = []

    def make(**options: Any) -> Sandbox:
        sandbox = Sandbox(**options)
        watch(request.node, sandbox)
        sandbox.start()
        started.append(sandbox)
        return sandbox

    yield make
    for sandbox in started:
        sandbox.stop()


@pytest.fixture
def sandbox(make_sandbox: MakeSandbox) -> Sandbox:
    return make_sandbox()
