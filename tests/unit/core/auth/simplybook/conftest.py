from __future__ import annotations

import pytest

from sbzoom.sandbox import Sandbox
from tests.conftest import Home
from tests.sandbox_fixture import MakeSandbox


@pytest.fixture
def sandbox(make_sandbox: MakeSandbox) -> Sandbox:
    """The sandbox standing in for SimplyBook (its demo company, users and bookings); these
    tests send no mail, so it runs without its SMTP server."""
    return make_sandbox(mail=False)


@pytest.fixture
def fast(home: Home) -> Home:
    """A home whose profile does not pace SimplyBook requests (tests run on the real clock)."""
    home.config_path.parent.mkdir(parents=True, exist_ok=True)
    home.config_path.write_text("[default.simplybook]\nmax_rps = 10000.0\n")
    return home
