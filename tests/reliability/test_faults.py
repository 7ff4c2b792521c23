"""`bookings link` through an unreliable network: 5xx, 429 and dropped answers on every endpoint.

Each test re-runs `bookings link` until it exits 0, as a cron job would, within a bounded number
of runs, and then checks every promise (``assert_consistent``): one meeting per booking or class
session, every online booking linked or reported, the audit log consistent.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from sbzoom.sandbox import Sandbox
from tests.conftest import Home
from tests.reliability.harness import BASE_OPTIONS, assert_consistent, expected, install
from tests.sandbox_fixture import MakeSandbox

BOOKINGS = 200
MAX_RUNS = 6


def test_five_percent_5xx_and_429_everywhere_still_link_everything_once(
    home: Home, make_sandbox: MakeSandbox
) -> None:
    # Seed 346: the first SimplyBook sign-in gets a 502 (the run ends with exit 5; cron's next run
    # goes on) and the first Zoom token request a 429; other faults land wherever they land.
    sandbox = make_sandbox(
        bookings=BOOKINGS, seed=346, error_rate=0.05, rate_429=0.05, faults_on_auth=True,
        **BASE_OPTIONS,
    )  # fmt: skip
    app = install(home, sandbox)
    last, _ = app.link_until_done(MAX_RUNS)
    want = assert_consistent(app, last.report())
    assert len(want.units) > 100 and want.unmapped  # the run had real work and a provider to skip
    faults = sandbox.faults.counts()
    assert faults["errors_5xx"] >= 5 and faults["injected_429"] >= 5, faults
    auth_faults = {
        r.route for r in sandbox.requests() if r.fault and r.route in ("auth.login", "oauth.token")
    }
    assert auth_faults == {"auth.login", "oauth.token"}, auth_faults

    # Then the bookings change under the same faults: moves, cancellations, a provider swap and
    # class clients leaving or moving. The next runs must update, delete and cancel, still once.
    rng = random.Random(346)
    one_to_one = sorted(b for b, key in want.unit_of.items() if key.startswith("b"))
    in_class = sorted(b for b, key in want.unit_of.items() if key.startswith("s"))
    picked = rng.sample(one_to_one, 8)
    for booking_id in picked[:3]:
        sandbox.cancel_booking(int(booking_id))
    for booking_id in picked[3:6]:
        later(sandbox, int(booking_id), hours=1)
    for booking_id in picked[6:]:
        booking = sandbox.simplybook.booking(int(booking_id))
        assert booking is not None
        provider = booking["provider_id"]
        sandbox.reassign_booking(int(booking_id), 3 if provider == 2 else 2)  # Ben <-> Chloe
    leaving = rng.sample(in_class, 3)
    for booking_id in leaving[:2]:
        sandbox.cancel_booking(int(booking_id))
    later(sandbox, int(leaving[2]), hours=1)  # into another (probably new) session
    deleted_before = len(sandbox.zoom.deleted_meeting_ids())

    last, _ = app.link_until_done(MAX_RUNS)
    after = assert_consistent(app, last.report())
    assert len(sandbox.zoom.deleted_meeting_ids()) > deleted_before  # cancellations and moves
    assert set(picked[:3]) <= after.cancelled


def test_creates_that_commit_and_then_drop_the_connection_are_adopted(
    home: Home, make_sandbox: MakeSandbox
) -> None:
    sandbox = make_sandbox(bookings=BOOKINGS, seed=4, drop_create_rate=0.2, **BASE_OPTIONS)
    sandbox.drop_next_creates(3)  # the very first creates of the run too
    app = install(home, sandbox)
    last, runs = app.link_until_done(MAX_RUNS)
    dropped = sandbox.faults.counts()["dropped"]
    assert dropped >= 10, dropped
    assert_consistent(app, last.report())
    # A dropped create is looked for, found and adopted: no run creates it a second time.
    creates = [
        r for r in sandbox.requests("zoom") if r.route == "meetings.create" and r.fault != "qps"
    ]
    assert len(creates) == len(sandbox.meetings())
    assert runs == 1, "a dropped answer needs no second run: the run adopts what Zoom made"


def later(sandbox: Sandbox, booking_id: int, *, hours: int) -> None:
    """Move a booking ``hours`` later (company-local wall time), keeping its length."""
    booking = sandbox.simplybook.booking(booking_id)
    assert booking is not None
    start = datetime.fromisoformat(str(booking["start_datetime"]))
    sandbox.move_booking(booking_id, start + timedelta(hours=hours))


def test_expected_window_matches_what_sbzoom_links(home: Home, make_sandbox: MakeSandbox) -> None:
    """The checker's own model of the window agrees with sbzoom on the demo company."""
    sandbox = make_sandbox(**BASE_OPTIONS)
    app = install(home, sandbox)
    run = app.link()
    assert run.returncode == 0, run.stderr
    want = expected(sandbox)
    assert set(want.unit_of) == {"1001", "1002", "1004", "1005", "1006", "1007", "1010", "1011"}
    assert want.unmapped == {"1003"} and want.cancelled == {"1008"}
    assert_consistent(app, run.report())
