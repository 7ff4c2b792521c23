from __future__ import annotations

from collections.abc import Iterator

import pytest
import respx

from tests.conftest import Home
from tests.unit.simplybook_fake import HOST, FakeSimplyBook


@pytest.fixture
def fake() -> Iterator[FakeSimplyBook]:
    server = FakeSimplyBook(
        providers=[{"id": str(i), "name": f"P{i}", "services": ["1"]} for i in range(1, 4)],
        bookings=[
            {"id": i, "code": f"b{i}", "status": "confirmed", "service_id": 1, "provider_id": 1,
             "start_datetime": f"2025-03-{i:02d} 10:00:00",
             "end_datetime": f"2025-03-{i:02d} 11:00:00"}
            for i in range(1, 26)
        ],
    )  # fmt: skip
    with respx.mock(assert_all_called=False) as router:
        router.route(host=HOST).mock(side_effect=server.handle)
        yield server


@pytest.fixture
def fast(home: Home) -> Home:
    """A home whose profile does not pace SimplyBook requests (tests run on the real clock)."""
    home.config_path.parent.mkdir(parents=True, exist_ok=True)
    home.config_path.write_text("[default.simplybook]\nmax_rps = 10000.0\n")
    return home
