"""A cron job's bad day (issue 14, kinds 2 and 6), in real processes: Zoom down from the start or
dying mid-run (the circuit breaker stops sending and the run exits 5 within seconds), SIGTERM and
Ctrl-C (work in flight finished, partial ``--json`` printed, exit 143 / 130), and a run that
finds another one holding the run lock (says so once, gives up after ``--lock-timeout``, exit 5).
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import signal
import socket
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from sbzoom.clients.circuit import COLD_THRESHOLD
from sbzoom.core.bookings.model import NOT_STARTED
from sbzoom.sandbox import Sandbox
from tests.conftest import Home
from tests.reliability.harness import (
    BASE_OPTIONS,
    Installation,
    assert_consistent,
    expected,
    finish,
    install,
    serving,
    wait_for,
)
from tests.sandbox_fixture import MakeSandbox

OUTAGE = "stopped sending to it for this run"


def statuses(report: dict[str, Any]) -> Counter[str]:
    return Counter(r["status"] for r in report["results"])


def closed_port_url() -> str:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}/zoom/v2"


def signed_in(app: Installation) -> None:
    """A Zoom token in the secrets file, as after an earlier run, so only the REST API matters."""
    assert app.run("zoom", "users").returncode == 0


# -- the circuit breaker -------------------------------------------------------------------------


def test_zoom_refusing_connections_fails_every_booking_fast_with_exit_5(
    home: Home, sandbox: Sandbox
) -> None:
    app = install(home, sandbox)
    signed_in(app)
    app.env["SBZOOM_ZOOM_API_URL"] = closed_port_url()
    started = time.monotonic()
    run = app.link()
    elapsed = time.monotonic() - started
    assert run.returncode == 5, run.stderr
    assert "Traceback" not in run.stderr
    report = run.report()
    want = expected(sandbox)
    failed = [r for r in report["results"] if r["status"] == "failed"]
    # every booking that needs Zoom failed (a cancelled one too: its meeting must be looked for)
    assert (
        set(want.unit_of)
        <= {str(r["booking_id"]) for r in failed}
        <= set(want.unit_of) | set(want.cancelled)
    )
    # the bookings reached after the circuit opened name the outage, not a retry count each
    assert sum(OUTAGE in r["reason"] for r in failed) >= len(failed) - 1, failed
    # Before the circuit: every booking retried on its own, about 40 s for these. The bound is
    # loose (a loaded CI machine); the request count below is the exact check.
    assert elapsed < 25, elapsed
    assert sandbox.meetings() == []


def test_zoom_answering_503_gets_only_a_few_requests_then_none(
    home: Home, sandbox: Sandbox
) -> None:
    app = install(home, sandbox)
    signed_in(app)
    with serving(503, "application/json", b'{"code": 503, "message": "down"}') as down:
        app.env["SBZOOM_ZOOM_API_URL"] = down.url
        run = app.link()
    assert run.returncode == 5, run.stderr
    assert set(statuses(run.report())) <= {"failed", "skipped"}
    # COLD_THRESHOLD failed attempts in a row (Zoom never answered in this run) open the circuit;
    # requests already on their way (one
    # per worker at most) may still arrive. Without it: 5 attempts for each of 8 bookings.
    assert COLD_THRESHOLD <= down.hits <= COLD_THRESHOLD + 4, down.hits
    assert OUTAGE in run.stderr or OUTAGE in run.stdout


@pytest.mark.slow
def test_zoom_dying_mid_run_ends_the_run_within_seconds_and_the_next_run_finishes(
    home: Home, make_sandbox: MakeSandbox
) -> None:
    books = make_sandbox(bookings=120, seed=3, **BASE_OPTIONS)
    zoom = make_sandbox(latency_ms=20, **BASE_OPTIONS)
    app = install(home, books)
    for key in ("SBZOOM_ZOOM_API_URL", "SBZOOM_ZOOM_OAUTH_URL"):
        app.env[key] = zoom.env[key]
    signed_in(app)
    total = len(expected(books).units)
    process = app.start("bookings", "link", "--json")
    try:
        assert wait_for(lambda: len(zoom.meetings()) >= total // 3, timeout=90)
        died = time.monotonic()
        zoom.stop()  # connections refused from now on, the open ones dropped
    finally:
        (run,) = finish([process])
    after_death = time.monotonic() - died
    assert run.returncode == 5, run.stderr
    assert "Traceback" not in run.stderr
    report = run.report()
    got = statuses(report)
    assert got["created"] >= total // 3 - 5 and got["failed"] > 0, got
    failed = [r for r in report["results"] if r["status"] == "failed"]
    assert sum(OUTAGE in r["reason"] for r in failed) >= len(failed) - 4, failed
    # Before the circuit breaker this took minutes (343 s measured for 300 bookings).
    assert after_death < 30, after_death
    # Every link the dead run reported is a real meeting.
    made = {m["id"] for m in zoom.meetings()}
    assert {r["meeting_id"] for r in report["results"] if r["status"] == "created"} <= made


# -- SIGTERM and Ctrl-C --------------------------------------------------------------------------


@pytest.mark.slow
@pytest.mark.parametrize(("signum", "code"), [(signal.SIGTERM, 143), (signal.SIGINT, 130)])
def test_a_signal_mid_run_finishes_in_flight_work_and_prints_partial_json(
    home: Home, make_sandbox: MakeSandbox, signum: int, code: int
) -> None:
    sandbox = make_sandbox(bookings=150, seed=9, latency_ms=30, **BASE_OPTIONS)
    app = install(home, sandbox)
    total = len(expected(sandbox).units)
    process = app.start("bookings", "link", "--json")
    try:
        assert wait_for(lambda: len(sandbox.meetings()) >= 10, timeout=90)
        process.send_signal(signum)
        sent = time.monotonic()
    finally:
        (run,) = finish([process])
    assert time.monotonic() - sent < 20
    assert run.returncode == code, (run.returncode, run.stderr)
    assert "Traceback" not in run.stderr
    name = "SIGTERM" if signum == signal.SIGTERM else "Ctrl-C"
    assert f"Stopped by {name}" in run.stderr
    report = run.report()  # the partial result, still valid JSON
    got = statuses(report)
    assert got["created"] >= 10 and got["created"] < total, got
    not_started = [r for r in report["results"] if r["reason"] == NOT_STARTED]
    assert not_started and all(r["status"] == "failed" for r in not_started)
    # Nothing in flight was cut in half: every reported link is a real meeting ...
    made = {m["id"] for m in sandbox.meetings()}
    assert {r["meeting_id"] for r in report["results"] if r["status"] == "created"} <= made
    # ... and the next run finishes the job without duplicates.
    last, _ = app.link_until_done(2)
    assert_consistent(app, last.report())


# -- waiting for another run -----------------------------------------------------------------------


@contextlib.contextmanager
def run_lock_held(app: Installation) -> Iterator[None]:
    """Hold the run lock as another `bookings link` would (same file, same flock)."""
    path: Path = app.data_dir / "locks" / "link-default.lock"
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)


def test_a_run_waiting_for_the_lock_says_so_once_and_gives_up_with_exit_5(
    home: Home, sandbox: Sandbox
) -> None:
    app = install(home, sandbox)
    with run_lock_held(app):
        started = time.monotonic()
        run = app.link("--lock-timeout", "1.5")
        elapsed = time.monotonic() - started
    assert run.returncode == 5, run.stderr
    assert 1.5 <= elapsed < 15
    assert run.stderr.count("waiting up to 1.5 s") == 1, run.stderr
    assert "--lock-timeout" in run.stderr and "Traceback" not in run.stderr
    assert run.stdout == "" and sandbox.meetings() == []
    # the setting does the same, 0 = do not wait at all
    assert app.run("config", "set", "link.lock_timeout", "0").returncode == 0
    with run_lock_held(app):
        run = app.link()
    assert run.returncode == 5 and "still held" in run.stderr, run.stderr
    # and once the other run is done, the same command works
    assert app.link().returncode == 0


def test_sigterm_while_waiting_for_the_lock_stops_at_once_with_143(
    home: Home, sandbox: Sandbox
) -> None:
    app = install(home, sandbox)
    with run_lock_held(app):
        process = app.start("bookings", "link", "--json")
        assert process.stderr is not None
        line = process.stderr.readline()  # the one "waiting" notice
        assert "waiting up to 300 s" in line, line
        process.send_signal(signal.SIGTERM)
        sent = time.monotonic()
        (run,) = finish([process])
    assert time.monotonic() - sent < 10
    assert run.returncode == 143, run.stderr
    assert "Stopped by SIGTERM" in run.stderr and "Traceback" not in run.stderr
    assert sandbox.meetings() == []
