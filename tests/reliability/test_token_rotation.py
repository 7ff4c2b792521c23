"""Access tokens that expire every two seconds during a long run, with strict refresh-token
rotation on both sides: a refresh token works once, a second use is `invalid_grant` (Zoom) or 401
(SimplyBook). Four worker threads share the tokens; the run must renew each one exactly once per
expiry, never spend a refresh token twice, and never fall back to the password.
"""

from __future__ import annotations

import time
from collections import Counter

from tests.conftest import Home
from tests.reliability.harness import (
    BASE_OPTIONS,
    assert_consistent,
    install,
    login_simplybook,
    login_zoom,
)
from tests.sandbox_fixture import MakeSandbox

TOKEN_TTL = 2  # seconds, Zoom and SimplyBook alike


def test_tokens_expiring_every_two_seconds_are_rotated_without_a_reuse(
    home: Home, make_sandbox: MakeSandbox
) -> None:
    # 50 ms a request and write-back on: every booking costs Zoom and SimplyBook calls, and the run
    # outlives many tokens of both.
    sandbox = make_sandbox(
        bookings=200, seed=13, latency_ms=50, token_ttl=TOKEN_TTL, **BASE_OPTIONS
    )
    app = install(home, sandbox, credentials=False, write_back="comment")
    assert login_zoom(app).returncode == 0, app.runs[-1].stderr  # OAuth: a rotating refresh token
    assert login_simplybook(app).returncode == 0, app.runs[-1].stderr
    logins_before = len([r for r in sandbox.requests() if r.route == "auth.login"])

    started = time.monotonic()
    run = app.link()
    lasted = time.monotonic() - started
    assert run.returncode == 0, run.stderr
    assert lasted > 3 * TOKEN_TTL, f"the run lasted {lasted:.1f} s: too short to prove anything"
    assert_consistent(app, run.report())

    zoom_uses = sandbox.refresh_token_uses()
    simplybook_uses = sandbox.simplybook.refresh_token_uses()
    assert sandbox.invalid_grant_count() == 0
    assert len(zoom_uses) >= 3 and set(zoom_uses.values()) == {1}, Counter(zoom_uses.values())
    assert len(simplybook_uses) >= 3 and set(simplybook_uses.values()) == {1}, Counter(
        simplybook_uses.values()
    )
    refused = [r for r in sandbox.requests() if r.route == "auth.refresh" and r.status != 200]
    assert refused == []
    logins = [r for r in sandbox.requests() if r.route == "auth.login"]
    assert len(logins) == logins_before, "sbzoom signed in with the password again"
    comments = [r for r in sandbox.requests("simplybook") if r.route == "booking.comment"]
    assert len(comments) >= len(run.report()["results"]) // 2  # SimplyBook really was busy


def test_tokens_expiring_during_rate_limit_back_offs_do_not_abort_the_run(
    home: Home, make_sandbox: MakeSandbox
) -> None:
    # One-second tokens, and 30 % of requests answered 429 "retry after 1 s": back-offs routinely
    # outlast a token. Renewing is all it takes; the sign-in itself is never in doubt.
    sandbox = make_sandbox(bookings=60, seed=17, token_ttl=1, **BASE_OPTIONS)
    app = install(home, sandbox, credentials=False)
    assert login_zoom(app).returncode == 0, app.runs[-1].stderr
    assert login_simplybook(app).returncode == 0, app.runs[-1].stderr
    sandbox.configure_faults(rate_429=0.3)
    last, _ = app.link_until_done(4)  # exit 1 or 5 may need a re-run; exit 4 fails here
    assert_consistent(app, last.report())
    assert sandbox.invalid_grant_count() == 0
