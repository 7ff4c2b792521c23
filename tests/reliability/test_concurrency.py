"""Several `bookings link` processes of one installation at once (two cron jobs overlapping, an
admin running it by hand while cron does): together they make one meeting per booking or class
session, and each one's report is true.
"""

from __future__ import annotations

import pytest

from tests.conftest import Home
from tests.reliability.harness import (
    BASE_OPTIONS,
    assert_consistent,
    expected,
    finish,
    install,
    kill,
    wait_for,
)
from tests.sandbox_fixture import MakeSandbox

BOOKINGS = 200


@pytest.mark.parametrize("processes", [2, 3])
def test_runs_at_once_from_a_cold_start_make_one_meeting_each(
    home: Home, make_sandbox: MakeSandbox, processes: int
) -> None:
    # Nothing signed in or cached yet: every process mints tokens, opens the ledger, races.
    sandbox = make_sandbox(bookings=BOOKINGS, seed=20 + processes, latency_ms=10, **BASE_OPTIONS)
    app = install(home, sandbox)
    runs = finish([app.start("bookings", "link", "--json") for _ in range(processes)])
    for run in runs:
        assert run.returncode == 0, run.stderr
        assert "Traceback" not in run.stderr
    for run in runs:  # each report on its own tells the truth about the final state
        want = assert_consistent(app, run.report())
    # Each booking was linked by exactly one of the processes; the others found it done.
    created = sum(run.report()["summary"]["created"] for run in runs)
    assert created == len(want.unit_of)
    # Processes together exceed the account's per-second limit: those 429s made nothing.
    creates = [
        r for r in sandbox.requests("zoom") if r.route == "meetings.create" and r.fault != "qps"
    ]
    assert len(creates) == len(sandbox.meetings())  # nobody created a meeting twice


def test_three_runs_at_once_under_faults_then_cron_finishes(
    home: Home, make_sandbox: MakeSandbox
) -> None:
    sandbox = make_sandbox(
        bookings=BOOKINGS, seed=31, latency_ms=5, error_rate=0.05, rate_429=0.05,
        drop_create_rate=0.05, faults_on_auth=True, **BASE_OPTIONS,
    )  # fmt: skip
    app = install(home, sandbox)
    runs = finish([app.start("bookings", "link", "--json") for _ in range(3)])
    for run in runs:
        assert run.returncode in (0, 1, 5), run.stderr
        assert "Traceback" not in run.stderr
    last, _ = app.link_until_done(4)
    assert_consistent(app, last.report())
    assert sandbox.faults.counts()["dropped"] > 0


def test_one_of_two_runs_killed_mid_way_the_other_finishes(
    home: Home, make_sandbox: MakeSandbox
) -> None:
    sandbox = make_sandbox(bookings=BOOKINGS, seed=41, latency_ms=20, **BASE_OPTIONS)
    app = install(home, sandbox)
    total = len(expected(sandbox).units)
    first, second = (app.start("bookings", "link", "--json") for _ in range(2))
    try:
        assert wait_for(lambda: len(sandbox.meetings()) >= total // 3, timeout=60)
    finally:
        kill(first)  # the one holding the run lock, or the one waiting for it
    (survivor,) = finish([second])
    assert survivor.returncode == 0, survivor.stderr
    # every_meeting_audited: see test_crashes.py, the kill may land between the two writes.
    assert_consistent(app, survivor.report(), every_meeting_audited=False)
