"""The contract is enforced: a test whose sandbox saw a request (or gave an answer) outside
Zoom's spec fails, with a message naming the operation, the field and the rule.

Runs a small inner pytest session with the same plugin and fixtures the suite uses, so the whole
chain (sandbox listener -> recorder -> hook -> failure) is what is proven, not the validator alone.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

from tests.contract.zoom_spec import ROOT

INNER_TESTS = """
import httpx
import pytest

from sbzoom.sandbox.recording import JsonLinesRecorder
from sbzoom.sandbox.wire import json_response
from sbzoom.sandbox.zoom import users
from tests.sandbox._helpers import bearer, s2s_token

MEETING = {"topic": "Yoga", "type": 2, "start_time": "2030-01-07T18:00:00Z", "duration": 60,
           "timezone": "America/New_York", "settings": {"approval_type": 1}}


def create(sandbox, **changes):
    with httpx.Client() as http:
        headers = bearer(s2s_token(http, sandbox))
        return http.post(f"{sandbox.zoom_api_url}/users/me/meetings", headers=headers,
                         json={**MEETING, **changes})


def test_within_the_spec(sandbox):
    assert create(sandbox).status_code == 201


def test_over_long_topic(sandbox):
    create(sandbox, topic="t" * 250)


def test_wrong_enum_and_unknown_field(sandbox):
    create(sandbox, type=4, settings={"approval_type": 1, "approval": "manual"})


def test_bad_query_value(sandbox):
    with httpx.Client() as http:
        headers = bearer(s2s_token(http, sandbox))
        http.get(f"{sandbox.zoom_api_url}/users", headers=headers, params={"status": "all"})


@pytest.mark.zoom_requests_unchecked("proves the marker: requests are not judged")
def test_marked_unchecked(sandbox):
    create(sandbox, topic="t" * 250)


def test_sandbox_answer_outside_the_spec(make_sandbox, monkeypatch):
    broken = lambda zoom, request, match, grant: json_response(200, {"email": 7, "type": "pro"})
    monkeypatch.setattr(users, "get_user", broken)
    sandbox = make_sandbox()
    with httpx.Client() as http:
        headers = bearer(s2s_token(http, sandbox))
        http.get(f"{sandbox.zoom_api_url}/users/me", headers=headers)


@pytest.fixture
def sends_at_teardown(sandbox):
    yield sandbox
    create(sandbox, timezone=7)


def test_sends_after_its_body(sends_at_teardown):
    assert create(sends_at_teardown).status_code == 201


def test_recorded_by_a_sandbox_process(zoom_exchange_file):
    from sbzoom.sandbox import Sandbox
    recorder = JsonLinesRecorder(str(zoom_exchange_file))
    with Sandbox() as sandbox:
        sandbox.add_listener(recorder)
        create(sandbox, duration="sixty")
    recorder.close()
"""

CONFTEST = 'pytest_plugins = ["tests.contract.plugin", "tests.sandbox_fixture"]\n'


def run_inner(tmp_path: Path) -> subprocess.CompletedProcess[str]:
    (tmp_path / "conftest.py").write_text(CONFTEST)
    (tmp_path / "test_inner.py").write_text(textwrap.dedent(INNER_TESTS))
    (tmp_path / "pytest.ini").write_text("[pytest]\n")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-rfEp", "-p", "no:cacheprovider", str(tmp_path)],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_a_test_whose_zoom_traffic_breaks_the_spec_fails_with_a_readable_reason(
    tmp_path: Path,
) -> None:
    done = run_inner(tmp_path)
    out = done.stdout
    assert done.returncode == 1, out + done.stderr
    assert "5 failed, 3 passed, 1 error" in out, out
    assert "ERROR test_inner.py::test_sends_after_its_body" in out, out
    assert "of this test (after its body, up to teardown):" in out
    # Which tests failed, and which did not.
    for name in (
        "test_over_long_topic",
        "test_wrong_enum_and_unknown_field",
        "test_bad_query_value",
        "test_sandbox_answer_outside_the_spec",
        "test_recorded_by_a_sandbox_process",  # the path of scripts/demo: --record-exchanges
    ):
        assert f"FAILED test_inner.py::{name}" in out, out
    assert "PASSED test_inner.py::test_within_the_spec" in out
    assert "PASSED test_inner.py::test_marked_unchecked" in out
    # Each reason names the operation, the part, the field and the rule.
    for reason in (
        "POST /users/{userId}/meetings: request body topic: maxLength 200: 250 characters",
        "POST /users/{userId}/meetings: request body type: enum [1, 2, 3, 8]: 4 is not one",
        "POST /users/{userId}/meetings: request body settings: not in the spec: "
        "Additional properties are not allowed ('approval' was unexpected)",
        'GET /users: query status: enum ["active", "inactive", "pending"]: "all" is not one',
        'GET /users/{userId}: response 200 type: type "integer": ',
        "GET /users/{userId}: response 200 email: type \"string\": 7 is not of type 'string'",
        "POST /users/{userId}/meetings: request body duration: type \"integer\": 'sixty'",
        'POST /users/{userId}/meetings: request body timezone: type "string": 7 is not of type',
    ):
        assert reason in out, out
    # ...and shows a request that did it.
    assert "e.g. POST /zoom/v2/users/me/meetings -> 400 body {" in out
    assert "rejects 1 Zoom exchange(s) of this test:" in out
