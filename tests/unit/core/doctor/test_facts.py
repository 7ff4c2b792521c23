"""Doctor's live facts over an httpx transport: the servers' clocks from their Date headers."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import httpx

from sbzoom.cli.doctor import live_facts
from sbzoom.core.doctor.checks import check_clock
from sbzoom.core.doctor.model import FAIL
from tests.conftest import Home
from tests.fakes import FakeClock

NOW = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)


def test_server_time_comes_from_the_date_header(home: Home) -> None:
    seen: list[str] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(str(request.url))
        assert "authorization" not in request.headers and "x-token" not in request.headers
        skew = 400 if "zoom" in str(request.url) else 0
        date = format_datetime(NOW + timedelta(seconds=skew), usegmt=True)
        return httpx.Response(404, headers={"Date": date})

    context = home.context(
        extra_env={
            "SBZOOM_ZOOM_ACCOUNT_ID": "acc", "SBZOOM_ZOOM_CLIENT_ID": "cid",
            "SBZOOM_ZOOM_CLIENT_SECRET": "secret", "SBZOOM_ZOOM_API_URL": "https://zoom.test/v2",
            "SBZOOM_SIMPLYBOOK_COMPANY": "demo", "SBZOOM_SIMPLYBOOK_LOGIN": "admin",
            "SBZOOM_SIMPLYBOOK_PASSWORD": "pw", "SBZOOM_SIMPLYBOOK_API_URL": "https://sb.test",
        }
    )  # fmt: skip
    factory = home.factory(
        context, http_transport=httpx.MockTransport(answer), clock=FakeClock(NOW)
    )
    times = live_facts(factory).server_times()
    assert seen == ["https://zoom.test/v2", "https://sb.test"]
    assert [(t.service, (t.server - t.local).total_seconds()) for t in times if t.server] == [
        ("Zoom", 400.0),
        ("SimplyBook", 0.0),
    ]
    found = check_clock(times)
    assert found.status == FAIL and "400 s behind Zoom" in found.detail


def test_server_time_without_date_header_is_reported(home: Home) -> None:
    context = home.context(
        extra_env={"SBZOOM_SIMPLYBOOK_COMPANY": "demo", "SBZOOM_SIMPLYBOOK_LOGIN": "admin",
                   "SBZOOM_SIMPLYBOOK_PASSWORD": "pw",
                   "SBZOOM_SIMPLYBOOK_API_URL": "https://sb.test"}
    )  # fmt: skip
    factory = home.factory(
        context,
        http_transport=httpx.MockTransport(lambda request: httpx.Response(200)),
        clock=FakeClock(NOW),
    )
    (only,) = live_facts(factory).server_times()
    assert only.server is None and "Date" in only.problem
