"""`bookings link` and `bookings show` end to end: the real CLI against the sandbox server."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from collections import Counter
from datetime import datetime, timedelta
from typing import Any

import httpx
import pytest

from sbzoom.sandbox import Sandbox
from sbzoom.sandbox.data import ZOOM_ALICE_ID, ZOOM_BEN_ID, ZOOM_CHLOE_ID
from tests.conftest import Home
from tests.sandbox_fixture import MakeSandbox, demo_settings

ALICE, BEN, CHLOE = ZOOM_ALICE_ID, ZOOM_BEN_ID, ZOOM_CHLOE_ID
ONLINE = {"1001", "1002", "1004", "1005", "1006", "1007", "1010", "1011"}  # mapped, not cancelled
CLASS = ("1004", "1005", "1006")


def setup(home: Home, sandbox: Sandbox, **extra: str) -> dict[str, str]:
    env = dict(sandbox.env)
    settings = demo_settings(**extra)
    for key, value in settings.items():
        assert home.run("config", "set", key, value).exit_code == 0
    return env


def link(home: Home, env: dict[str, str], *args: str) -> tuple[int, dict[str, Any], str]:
    result = home.run("bookings", "link", "--json", *args, extra_env=env)
    return result.exit_code, json.loads(result.stdout), result.stderr


def statuses(report: dict[str, Any]) -> dict[str, str]:
    return {str(r["booking_id"]): r["status"] for r in report["results"]}


def writes(sandbox: Sandbox) -> list[tuple[str, str]]:
    return [
        (r.method, r.route)
        for r in sandbox.requests()
        if r.method != "GET" and r.service in ("zoom", "simplybook") and "auth" not in r.route
    ]


def meetings_by_marker(sandbox: Sandbox) -> Counter[str]:
    return Counter(str(m["agenda"]).split(" ", 1)[0] for m in sandbox.meetings())


def test_demo_company_links_fully_and_second_run_writes_nothing(
    home: Home, sandbox: Sandbox
) -> None:
    env = setup(home, sandbox)
    code, report, stderr = link(home, env)
    assert code == 0, stderr
    got = statuses(report)
    assert {b for b, s in got.items() if s == "created"} == ONLINE
    assert got["1003"] == "skipped" and "providers map 4" in next(
        r["reason"] for r in report["results"] if str(r["booking_id"]) == "1003"
    )
    assert report["summary"]["created"] == len(ONLINE)
    # one meeting per one-to-one booking, one per class session, each with the marker
    markers = meetings_by_marker(sandbox)
    assert all(n == 1 for n in markers.values())
    assert len(markers) == 6  # 1001 1002 1007 1010 + two yoga sessions
    links = {str(r["booking_id"]): r["join_url"] for r in report["results"]}
    class_meetings = {r["meeting_id"] for r in report["results"] if str(r["booking_id"]) in CLASS}
    assert len(class_meetings) == 1 and len({links[b] for b in CLASS}) == 3
    (yoga,) = [m for m in sandbox.meetings() if m["id"] in class_meetings]
    assert len(yoga["registrants"]) == 3
    assert "Traceback" not in stderr

    sandbox.clear_requests()
    code, again, _ = link(home, env)
    assert code == 0
    assert set(statuses(again).values()) <= {"unchanged", "skipped"}
    assert writes(sandbox) == []


def test_dry_run_sends_no_write_and_prints_the_plan(home: Home, sandbox: Sandbox) -> None:
    env = setup(home, sandbox)
    code, report, stderr = link(home, env, "--dry-run")
    assert code == 0
    assert report["dry_run"] is True and report["summary"]["created"] == len(ONLINE)
    assert writes(sandbox) == [] and sandbox.meetings() == []
    assert "Dry run" in stderr


def test_move_cancel_and_reassign_make_the_right_calls(home: Home, sandbox: Sandbox) -> None:
    env = setup(home, sandbox)
    _, first, _ = link(home, env)
    links = {str(r["booking_id"]): r["join_url"] for r in first["results"]}
    ids = {str(r["booking_id"]): r["meeting_id"] for r in first["results"]}
    old_start = datetime.fromisoformat(str(sandbox.simplybook.booking(1001)["start_datetime"]))
    sandbox.move_booking(1001, old_start + timedelta(hours=2))
    sandbox.cancel_booking(1002)
    sandbox.cancel_booking(1005)  # one client leaves the class
    sandbox.reassign_booking(1010, 1)  # Ben -> Alice: another Zoom host
    sandbox.clear_requests()

    code, report, stderr = link(home, env)
    assert code == 0, stderr
    got = statuses(report)
    assert got["1001"] == "updated" and got["1002"] == "cancelled"
    assert got["1005"] == "cancelled" and got["1004"] == got["1006"] == "unchanged"
    assert got["1010"] == "updated"
    calls = Counter(writes(sandbox))
    assert calls[("PATCH", "meeting.update")] == 1
    assert calls[("DELETE", "meeting.delete")] == 2  # 1002 and 1010's old meeting
    assert calls[("PUT", "registrants.status")] == 1
    assert calls[("POST", "meetings.create")] == 1  # 1010 on Alice
    moved = sandbox.zoom.meeting(ids["1001"])
    assert moved is not None and moved["join_url"] == links["1001"]
    # the link sent before the move still works; the cancelled client's no longer does
    with httpx.Client() as web:
        assert web.get(links["1001"]).status_code == 200
        assert web.get(links["1005"]).status_code == 404
        assert web.get(links["1004"]).status_code == 200
    assert sandbox.zoom.meeting(ids["1010"]) is None


def test_deleted_state_directory_never_duplicates(home: Home, sandbox: Sandbox) -> None:
    env = setup(home, sandbox)
    link(home, env)
    before = meetings_by_marker(sandbox)
    shutil.rmtree(home.data_dir / "locks", ignore_errors=True)
    for ledger in home.data_dir.glob("ledger-*"):
        ledger.unlink()
    sandbox.clear_requests()
    code, report, _ = link(home, env)
    assert code == 0
    assert set(statuses(report).values()) <= {"unchanged", "skipped"}
    assert meetings_by_marker(sandbox) == before
    assert [w for w in writes(sandbox) if w[1] == "meetings.create"] == []


def test_dropped_create_response_is_adopted_not_duplicated(home: Home, sandbox: Sandbox) -> None:
    env = setup(home, sandbox)
    sandbox.drop_next_creates(2)
    code, report, stderr = link(home, env)
    assert code == 0, stderr
    assert {b for b, s in statuses(report).items() if s == "created"} == ONLINE
    assert all(n == 1 for n in meetings_by_marker(sandbox).values())


def test_injected_429_and_5xx_still_link_everything_once(
    home: Home, make_sandbox: MakeSandbox
) -> None:
    sandbox = make_sandbox(error_rate=0.15, rate_429=0.15, seed=7)
    env = setup(home, sandbox)
    code, report, stderr = link(home, env)
    if code != 0:  # a POST answered 5xx may have been applied: the re-run must settle it
        code, report, stderr = link(home, env)
    assert code == 0, stderr
    assert {b for b, s in statuses(report).items() if s in ("created", "unchanged")} == ONLINE
    assert all(n == 1 for n in meetings_by_marker(sandbox).values())
    assert sandbox.faults.counts()["injected_429"] + sandbox.faults.counts()["errors_5xx"] > 0


def test_daily_limit_defers_that_host_and_finishes_the_others(
    home: Home, make_sandbox: MakeSandbox
) -> None:
    sandbox = make_sandbox(daily_limit=1)
    env = setup(home, sandbox)
    code, report, stderr = link(home, env)
    assert code == 1
    got = statuses(report)
    # Ben hosts 1001, 1007 and 1010 (worked on concurrently): one gets through, the others
    # wait for 00:00 UTC
    bens = sorted(got[b] for b in ("1001", "1007", "1010"))
    assert bens == ["created", "deferred", "deferred"]
    # Alice may reach her own limit too (she hosts more than one): look at one of Ben's
    deferred = next(
        r
        for r in report["results"]
        if r["status"] == "deferred" and str(r["booking_id"]) in ("1001", "1007", "1010")
    )
    assert "UTC" in deferred["reason"]
    assert "for host ben.okafor@sbzoom-demo.example is reached" in deferred["reason"]
    assert got["1002"] == "created"  # Chloe has one meeting to make: done
    # Alice has two meetings to make (the D+4 class session and 1011): one gets today's create
    assert sorted((got["1004"], got["1011"])) == ["created", "deferred"]
    assert "deferred" in stderr


def test_dry_run_plans_the_backfill_per_host_soonest_first(home: Home, sandbox: Sandbox) -> None:
    env = {**setup(home, sandbox), "SBZOOM_ZOOM_DAILY_LIMIT": "1"}
    code, report, stderr = link(home, env, "--dry-run")
    got = statuses(report)
    # Ben gets today's one create (units start soonest first; concurrent workers may let a
    # later one spend it first), the other two wait.
    bens = sorted(got[b] for b in ("1001", "1007", "1010"))
    assert bens == ["created", "deferred", "deferred"]
    plans = {p["host"]: p for p in report["backfill"]}
    ben = plans[BEN]
    assert ben["over"] is True and ben["bookings_today"] == 1 and ben["bookings_waiting"] == 2
    today = datetime.fromisoformat(ben["done_by"]).date() - timedelta(days=2)
    assert ben["done_by"] == (today + timedelta(days=2)).isoformat()
    assert f"Host {BEN}" in stderr and "Over the limit: 2 booking(s) wait" in stderr
    assert writes(sandbox) == [] and sandbox.meetings() == []
    assert code == 1  # deferrals are reported as in a real run


def test_show_gives_links_and_a_fresh_start_link(home: Home, sandbox: Sandbox) -> None:
    env = setup(home, sandbox)
    link(home, env)
    one = json.loads(home.run("bookings", "show", "1001", "--json", extra_env=env).stdout)
    assert one["meeting_id"] and one["passcode"]
    assert one["client_links"][0]["email"].endswith("@client.example")
    assert "zak=" in one["provider_link"]["url"]
    expires = datetime.fromisoformat(one["provider_link"]["expires_at"])
    assert timedelta(hours=1) < expires - datetime.now(expires.tzinfo) <= timedelta(hours=2)
    yoga = json.loads(home.run("bookings", "show", "1005", "--json", extra_env=env).stdout)
    assert len(yoga["client_links"]) == 1 and "tk=" in yoga["client_links"][0]["join_url"]
    missing = home.run("bookings", "show", "1003", extra_env=env)
    # Dan is not mapped: linking 1003 would skip it, so the next step is mapping him.
    assert (
        missing.exit_code == 1 and "Next: run 'sbzoom providers map 4 ZOOM_USER'" in missing.stdout
    )
    unknown = home.run("bookings", "show", "999999", extra_env=env)
    assert unknown.exit_code == 2 and "999999" in unknown.stderr


def test_write_back_puts_the_link_in_the_comment(home: Home, sandbox: Sandbox) -> None:
    env = setup(home, sandbox, write_back="comment")
    sandbox.simplybook.set_comment(1001, "Please bring the intake form.")
    _, report, _ = link(home, env)
    url = next(r["join_url"] for r in report["results"] if str(r["booking_id"]) == "1001")
    comment = str(sandbox.simplybook.booking(1001)["comment"])
    assert comment.startswith("Please bring the intake form.\n") and url in comment
    sandbox.clear_requests()
    link(home, env)
    assert writes(sandbox) == []  # the comment is not rewritten when nothing changed


def test_bad_input(home: Home, sandbox: Sandbox) -> None:
    env = setup(home, sandbox)
    bad_date = home.run("bookings", "link", "--from", "next tuesday", extra_env=env)
    assert bad_date.exit_code == 2 and "--from" in bad_date.stderr
    bad_id = home.run("bookings", "link", "abc", extra_env=env)
    assert bad_id.exit_code == 2 and "abc" in bad_id.stderr
    unknown = home.run("bookings", "link", "424242", extra_env=env)
    assert unknown.exit_code == 2 and "424242" in unknown.stderr
    assert sandbox.meetings() == []


def _cli_env(home: Home, sandbox: Sandbox) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SBZOOM_")}
    env.update(home.env)
    env.update(sandbox.env)
    return env


def test_two_runs_at_once_make_one_meeting_each(home: Home, make_sandbox: MakeSandbox) -> None:
    sandbox = make_sandbox(latency_ms=20)
    setup(home, sandbox)
    env = _cli_env(home, sandbox)
    command = [sys.executable, "-m", "sbzoom", "bookings", "link", "--json"]
    runs = [subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             text=True) for _ in range(2)]  # fmt: skip
    outputs = [p.communicate(timeout=120) for p in runs]
    assert [p.returncode for p in runs] == [0, 0], outputs
    assert all(n == 1 for n in meetings_by_marker(sandbox).values())
    assert len(meetings_by_marker(sandbox)) == 6


def test_killed_mid_run_then_rerun_leaves_one_meeting_each(
    home: Home, make_sandbox: MakeSandbox
) -> None:
    sandbox = make_sandbox(latency_ms=40, bookings=60, seed=3)
    setup(home, sandbox)
    env = _cli_env(home, sandbox)
    command = [sys.executable, "-m", "sbzoom", "bookings", "link", "--to", "+40d"]
    process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)  # fmt: skip
    deadline = time.monotonic() + 30
    while len(sandbox.meetings()) < 5 and time.monotonic() < deadline:
        time.sleep(0.02)
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=10)
    created_before = len(sandbox.meetings())
    assert created_before >= 5
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=180,
                          check=False)  # fmt: skip
    assert done.returncode == 0, done.stderr
    markers = meetings_by_marker(sandbox)
    assert markers and all(n == 1 for n in markers.values())


@pytest.fixture(autouse=True)
def _wide_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "200")


def test_booking_moved_out_of_the_window_takes_its_meeting_along(
    home: Home, sandbox: Sandbox
) -> None:
    env = setup(home, sandbox)
    _, first, _ = link(home, env)
    meeting_id = next(r["meeting_id"] for r in first["results"] if str(r["booking_id"]) == "1001")
    old_start = datetime.fromisoformat(str(sandbox.simplybook.booking(1001)["start_datetime"]))
    sandbox.move_booking(1001, old_start + timedelta(days=60))  # beyond the default 30 days
    code, report, _ = link(home, env)
    assert code == 0 and statuses(report)["1001"] == "updated"
    moved = sandbox.zoom.meeting(meeting_id)
    assert moved is not None
    assert (
        datetime.fromisoformat(str(moved["start_time"]).replace("Z", "+00:00")).date()
        > (old_start + timedelta(days=59)).date()
    )


def test_ids_and_a_date_window_do_not_mix(home: Home, sandbox: Sandbox) -> None:
    env = setup(home, sandbox)
    result = home.run("bookings", "link", "1001", "--from", "today", extra_env=env)
    assert result.exit_code == 2 and "--from/--to" in result.stderr
    assert sandbox.meetings() == []


def test_a_new_profile_is_created_by_signing_in(home: Home, sandbox: Sandbox) -> None:
    urls = {k: v for k, v in sandbox.env.items() if k.endswith("_URL")}
    result = home.run(
        "--profile", "branch2", "auth", "login", "zoom", "--s2s",
        "--account-id", sandbox.env["SBZOOM_ZOOM_ACCOUNT_ID"],
        "--client-id", sandbox.env["SBZOOM_ZOOM_CLIENT_ID"], "--client-secret-stdin",
        stdin=sandbox.env["SBZOOM_ZOOM_CLIENT_SECRET"] + "\n", extra_env=urls,
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    assert "[branch2.zoom]" in home.config_path.read_text()
    users = home.run("--profile", "branch2", "zoom", "users", "--json", extra_env=urls)
    assert users.exit_code == 0 and "alice.romero@" in users.stdout
