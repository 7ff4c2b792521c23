"""Runs that share no disk (issue 14, kind 1): two machines, a cron job and a laptop, a Kubernetes
CronJob started twice. Each `sbzoom` here has its own config, data directory and secrets, so no
lock or ledger is shared; only Zoom and SimplyBook are. Whatever they made at the same time, the
next run leaves exactly one meeting per booking or class session, and every client link a run
reported either still works or was replaced and reported by that runner's next run.
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from sbzoom.sandbox import ZOOM_ACCOUNT_ID, ZOOM_CLIENT_ID, ZOOM_CLIENT_SECRET, Sandbox
from tests.conftest import Home
from tests.reliability.harness import (
    BASE_OPTIONS,
    Installation,
    assert_consistent,
    assert_one_meeting_each,
    finish,
    install,
    meetings_by_unit,
)
from tests.sandbox_fixture import MakeSandbox


def machine(home: Home, name: str, sandbox: Sandbox, **extra: str) -> Installation:
    """Another installation of sbzoom, sharing nothing on disk with ``home``."""
    root = home.root / name
    other = Home(
        root,
        {
            **home.env,
            "SBZOOM_CONFIG": str(root / "config" / "config.toml"),
            "SBZOOM_DATA_DIR": str(root / "data"),
        },
    )
    return install(other, sandbox, **extra)


def working_links(sandbox: Sandbox) -> set[str]:
    """Every join link that leads into a meeting that exists (class: an approved seat)."""
    links = set()
    for meeting in sandbox.meetings():
        links.add(str(meeting["join_url"]))
        links.update(
            str(r["join_url"]) for r in meeting.get("registrants", []) if r["status"] == "approved"
        )
    return links


def assert_links_kept_or_replaced(
    first: dict[str, Any], then: dict[str, Any], live: set[str]
) -> None:
    """Each link ``first`` reported still works, or ``then`` (the same runner's next run) reports
    the booking 'updated' with a link that works."""
    later = {r["booking_id"]: r for r in then["results"]}
    for result in first["results"]:
        url = result.get("join_url")
        if not url or url in live:
            continue
        replaced = later.get(result["booking_id"])
        assert replaced is not None, result
        assert replaced["status"] == "updated" and replaced["join_url"] in live, (result, replaced)
        assert "duplicate" in (replaced["reason"] or "") or "deleted" in (replaced["reason"] or "")


@pytest.mark.slow
@pytest.mark.parametrize("runners", [2, 3])
def test_runners_with_separate_data_dirs_converge_to_one_meeting_each(
    home: Home, make_sandbox: MakeSandbox, runners: int
) -> None:
    sandbox = make_sandbox(bookings=120, seed=60 + runners, latency_ms=15, **BASE_OPTIONS)
    apps = [install(home, sandbox)] + [
        machine(home, f"machine{n}", sandbox) for n in range(1, runners)
    ]
    first = finish([app.start("bookings", "link", "--json") for app in apps])
    for run in first:
        assert run.returncode in (0, 1), run.stderr
        assert "Traceback" not in run.stderr
    # All at once, with no shared lock: each reported its own links.
    reports = [run.report() for run in first]
    # The next run of every runner (one after the other, as their cron jobs would) converges.
    then = [app.link() for app in apps]
    for run in then:
        assert run.returncode == 0, run.stderr
    assert_one_meeting_each(sandbox)
    live = working_links(sandbox)
    for app, before, after in zip(apps, reports, then, strict=True):
        assert_consistent(app, after.report(), full_history=False, every_meeting_audited=False)
        assert_links_kept_or_replaced(before, after.report(), live)
    # Every deletion of a duplicate is in some runner's audit log, with the reason.
    deleted = set(sandbox.zoom.deleted_meeting_ids())
    audited = {
        row["meeting_id"] for app in apps for row in app.audit() if row["action"] == "delete"
    }
    assert deleted <= audited


def zoom_token(sandbox: Sandbox) -> str:
    answer = httpx.post(
        f"{sandbox.zoom_oauth_url}/oauth/token",
        params={"grant_type": "account_credentials", "account_id": ZOOM_ACCOUNT_ID},
        auth=(ZOOM_CLIENT_ID, ZOOM_CLIENT_SECRET),
        timeout=10,
    )
    answer.raise_for_status()
    return str(answer.json()["access_token"])


def make_twin(sandbox: Sandbox, meeting: dict[str, Any]) -> int:
    """What a run on another machine does when it has not seen ``meeting``: one more like it."""
    body = {
        key: meeting[key]
        for key in ("topic", "type", "start_time", "duration", "timezone", "agenda")
    }
    answer = httpx.post(
        f"{sandbox.zoom_api_url}/users/{meeting['host_id']}/meetings",
        json=body,
        headers={"Authorization": f"Bearer {zoom_token(sandbox)}"},
        timeout=10,
    )
    answer.raise_for_status()
    return int(answer.json()["id"])


@pytest.mark.slow
def test_report_and_doctor_show_duplicates_until_a_run_removes_them(
    home: Home, sandbox: Sandbox
) -> None:
    app = install(home, sandbox, write_back="comment")
    first = app.link()
    assert first.returncode == 0, first.stderr
    one_to_one = next(ms[0] for key, ms in meetings_by_unit(sandbox).items() if key == "b1001")
    twin = make_twin(sandbox, one_to_one)
    # The twin's link went out first (another machine wrote it back): it is the one to keep.
    sandbox.simplybook.set_comment(
        1001, f"sbzoom: Zoom link https://x.example/j/{twin} (meeting {twin})"
    )

    doctor = app.run("doctor", "--json")
    assert doctor.returncode != 0
    (check,) = [c for c in doctor.report()["checks"] if c["name"] == "duplicate meetings"]
    assert check["status"] == "fail" and str(twin) in check["detail"], check
    assert "sbzoom bookings link" in check["fix"]
    report = app.run("report", "meetings", "--format", "json")
    assert report.returncode == 0, report.stderr
    (row,) = [r for r in report.report() if str(r["booking_id"]) == "1001"]
    assert "2 Zoom meetings" in row["reason"] and str(twin) in row["reason"]
    assert "1 with more than one Zoom meeting" in report.stderr

    fixed = app.link()
    assert fixed.returncode == 0, fixed.stderr
    (result,) = [r for r in fixed.report()["results"] if str(r["booking_id"]) == "1001"]
    assert (result["status"], result["meeting_id"]) == ("updated", twin), result
    assert "duplicate" in result["reason"]
    assert [m["id"] for m in meetings_by_unit(sandbox)["b1001"]] == [twin]
    comment = str(sandbox.simplybook.booking(1001)["comment"])
    assert f"(meeting {twin})" in comment and result["join_url"] in comment
    audit = app.audit()
    assert any(
        a["action"] == "delete"
        and a["meeting_id"] == one_to_one["id"]
        and "duplicate" in a["detail"]
        for a in audit
    ), audit
    assert_consistent(app, fixed.report())

    doctor = app.run("doctor", "--json")
    (check,) = [c for c in doctor.report()["checks"] if c["name"] == "duplicate meetings"]
    assert check["status"] == "ok", check
    report = app.run("report", "meetings", "--format", "json")
    assert all("Zoom meetings carry" not in (r["reason"] or "") for r in report.report())
    assert "more than one Zoom meeting" not in report.stderr
