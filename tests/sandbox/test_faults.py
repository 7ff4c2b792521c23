"""Injected faults and Zoom's per-second limits (sandbox/faults.py): 5xx, 429s, a real QPS
ceiling, the plan's categories, latency and drop-after-commit; seeded."""

from __future__ import annotations

import time

import httpx
import pytest

from sbzoom.sandbox import Sandbox
from sbzoom.sandbox.data import ALICE_EMAIL as ALICE
from tests.sandbox._helpers import bearer, create_meeting, s2s_token
from tests.sandbox_fixture import MakeSandbox

QPS_MESSAGE = "You have reached the maximum per-second rate limit for this API. Try again later."


def _statuses(sandbox: Sandbox, http: httpx.Client, count: int) -> list[int]:
    token = s2s_token(http, sandbox)  # OAuth is spared by default
    return [
        http.get(f"{sandbox.zoom_api_url}/users/me", headers=bearer(token)).status_code
        for _ in range(count)
    ]


def test_error_rate_serves_5xx_reproducibly(make_sandbox: MakeSandbox, http: httpx.Client) -> None:
    first = make_sandbox(error_rate=0.4, seed=7)
    second = make_sandbox(error_rate=0.4, seed=7)
    statuses = _statuses(first, http, 40)
    assert set(statuses) == {200, 502, 503}
    assert statuses == _statuses(second, http, 40)
    assert first.faults.counts()["errors_5xx"] == sum(s != 200 for s in statuses)
    other_seed = make_sandbox(error_rate=0.4, seed=8)
    assert _statuses(other_seed, http, 40) != statuses


def test_proxy_errors_sometimes_come_as_html(make_sandbox: MakeSandbox, http: httpx.Client) -> None:
    sandbox = make_sandbox(error_rate=1.0, seed=1)
    headers = {"X-Company-Login": "demo", "X-Token": "x"}
    kinds = set()
    for _ in range(20):
        response = http.get(f"{sandbox.simplybook_api_url}/admin/services", headers=headers)
        assert response.status_code in (502, 503)
        kinds.add(response.headers["Content-Type"].split(";")[0])
    assert kinds == {"text/html", "application/json"}


def test_rate_429_is_a_per_second_limit_and_changeable_at_run_time(
    make_sandbox: MakeSandbox, http: httpx.Client
) -> None:
    sandbox = make_sandbox(rate_429=1.0)
    token = s2s_token(http, sandbox)
    response = http.get(f"{sandbox.zoom_api_url}/users", headers=bearer(token))
    assert response.status_code == 429
    assert response.json() == {"code": 429, "message": QPS_MESSAGE}
    assert response.headers["X-RateLimit-Type"] == "QPS"
    assert response.headers["Retry-After"] == "1"
    sandbox.configure_faults(rate_429=0.0)
    assert http.get(f"{sandbox.zoom_api_url}/users", headers=bearer(token)).status_code == 200


def test_zoom_rps_limit_is_a_real_ceiling_and_is_counted(
    make_sandbox: MakeSandbox, http: httpx.Client
) -> None:
    sandbox = make_sandbox(zoom_rps_limit=5)
    statuses = _statuses(sandbox, http, 12)
    assert statuses[:5] == [200] * 5
    assert statuses.count(429) == sandbox.qps_429_count() >= 1
    time.sleep(1.0)
    assert _statuses(sandbox, http, 1) == [200]
    assert [r.fault for r in sandbox.requests("zoom")].count("qps") == sandbox.qps_429_count()


def test_drop_after_commit_leaves_a_meeting_but_no_answer(
    sandbox: Sandbox, http: httpx.Client
) -> None:
    token = s2s_token(http, sandbox)
    sandbox.drop_next_creates(1)
    with pytest.raises(httpx.RemoteProtocolError):
        create_meeting(http, sandbox, token, ALICE, agenda="sbzoom:booking=1001")
    [meeting] = sandbox.meetings()
    assert meeting["agenda"] == "sbzoom:booking=1001"
    listed = http.get(
        f"{sandbox.zoom_api_url}/users/{ALICE}/meetings",
        params={"type": "upcoming"},
        headers=bearer(token),
    ).json()
    assert [m["id"] for m in listed["meetings"]] == [meeting["id"]]
    assert create_meeting(http, sandbox, token, ALICE).status_code == 201
    assert [r.fault for r in sandbox.requests("zoom")].count("dropped") == 1
    assert sandbox.faults.counts()["dropped"] == 1


def test_latency_delays_answers(make_sandbox: MakeSandbox, http: httpx.Client) -> None:
    sandbox = make_sandbox(latency_ms=150)
    started = time.perf_counter()
    http.get(f"{sandbox.simplybook_api_url}/admin/services")
    assert time.perf_counter() - started >= 0.15


def test_error_status_and_fault_service_give_one_services_html_502(
    make_sandbox: MakeSandbox, http: httpx.Client
) -> None:
    sandbox = make_sandbox(error_rate=1.0)
    sandbox.configure_faults(error_status=502, fault_service="simplybook")
    headers = {"X-Company-Login": "demo", "X-Token": "x"}
    for _ in range(5):
        response = http.get(f"{sandbox.simplybook_api_url}/admin/services", headers=headers)
        assert response.status_code == 502
        assert response.headers["Content-Type"] == "text/html"
        assert "<html>" in response.text
    assert _statuses(sandbox, http, 3) == [200, 200, 200]  # Zoom is spared


def test_retry_after_false_serves_429s_without_the_header(
    make_sandbox: MakeSandbox, http: httpx.Client
) -> None:
    sandbox = make_sandbox(rate_429=1.0)
    sandbox.configure_faults(retry_after=False)
    token = s2s_token(http, sandbox)
    zoom = http.get(f"{sandbox.zoom_api_url}/users", headers=bearer(token))
    assert zoom.status_code == 429 and "Retry-After" not in zoom.headers
    assert zoom.headers["X-RateLimit-Type"] == "QPS"
    headers = {"X-Company-Login": "demo", "X-Token": "x"}
    simplybook = http.get(f"{sandbox.simplybook_api_url}/admin/services", headers=headers)
    assert simplybook.status_code == 429 and "Retry-After" not in simplybook.headers


def test_default_pro_plan_limits_each_category_apart(
    make_sandbox: MakeSandbox, http: httpx.Client
) -> None:
    sandbox = make_sandbox()  # strict by default: a Pro account's Medium 20/s and Light 30/s
    token = s2s_token(http, sandbox)
    medium = [
        http.get(f"{sandbox.zoom_api_url}/users", headers=bearer(token)).status_code
        for _ in range(24)
    ]
    light = [
        http.get(f"{sandbox.zoom_api_url}/users/me", headers=bearer(token)).status_code
        for _ in range(24)
    ]
    assert medium[:20] == [200] * 20 and 429 in medium
    assert light == [200] * 24  # Light has its own budget, untouched by the Medium calls
    assert [r.fault for r in sandbox.requests("zoom")].count("qps") == medium.count(429)
