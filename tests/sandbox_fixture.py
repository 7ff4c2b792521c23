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


def demo_settings(**extra: str) -> dict[str, str]:
    """The demo company's usual set-up, as `config set` pairs: Alice, Ben and Chloe mapped to
    their Zoom users, the three online services on (yoga as a class), and request rates within
    the Pro account's limits the sandbox enforces. ``extra`` adds or overrides settings."""
    from sbzoom.sandbox.data import ZOOM_ALICE_ID, ZOOM_BEN_ID, ZOOM_CHLOE_ID

    return {
        "simplybook.max_rps": "500",
        "zoom.max_rps": "20",
        "providers.1": ZOOM_ALICE_ID,
        "providers.2": ZOOM_BEN_ID,
        "providers.3": ZOOM_CHLOE_ID,
        "services.1": "online",
        "services.2": "online",
        "services.3": "class",
        **extra,
    }
