"""The admin's and the support desk's view, end to end against the sandbox (issue 18).

Tables at 80 and 120 columns (no broken words, ids or dates; every row says which booking it
is), orphaned meetings after `providers unmap` and `services disable-online` shown the same way by
link, report, show and doctor and cleaned up by `--cancel-orphans`, every hint sbzoom prints run
as printed (`sbzoom audit` has its own file, test_audit.py).
"""

from __future__ import annotations

import json
import re
import shlex
from typing import Any

import pytest

from sbzoom.sandbox import Sandbox
from tests.conftest import Home, Result
from tests.e2e.test_link import ALICE, BEN, link, setup, statuses

DATE = re.compile(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2} [A-Z]{3,4}\b")
HINT = re.compile(r"'(sbzoom [^']+)'")
BENS = {"1001", "1007", "1010"}  # Ben's active bookings (1008 is cancelled)
NUTRITION = {"1002", "1007", "1010"}  # service 2


def run_json(home: Home, env: dict[str, str], *args: str) -> tuple[int, Any]:
    result = home.run(*args, "--json", extra_env=env)
    return result.exit_code, json.loads(result.stdout) if result.stdout.strip() else None


def report_rows(home: Home, env: dict[str, str]) -> dict[str, dict[str, Any]]:
    code, rows = run_json(home, env, "report", "meetings")
    assert code == 0
    return {str(r["booking_id"]): r for r in rows}


def doctor_check(home: Home, env: dict[str, str], name: str) -> dict[str, str]:
    _, found = run_json(home, env, "doctor")
    check: dict[str, str] = next(c for c in found["checks"] if c["name"] == name)
    return check


def hints(text: str) -> list[str]:
    return HINT.findall(text)


def run_hint(home: Home, env: dict[str, str], command: str, **placeholders: str) -> Result:
    """Run a command exactly as sbzoom printed it (placeholders such as ZOOM_USER filled)."""
    words = shlex.split(command)
    assert words[0] == "sbzoom"
    words = [placeholders.get(w, w) for w in words[1:]]
    result = home.run(*words, extra_env=env)
    assert result.exit_code == 0, (command, result.stdout, result.stderr)
    return result


def table_rows(text: str) -> list[str]:
    lines = [line for line in text.splitlines() if line.strip()]
    return [line for line in lines if re.match(r"\d{4,}\s", line)]


# -- tables -----------------------------------------------------------------------------------


@pytest.mark.parametrize("width", [80, 120])
def test_link_and_report_tables_fit_the_terminal_and_name_each_booking(
    home: Home, sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch, width: int
) -> None:
    monkeypatch.setenv("COLUMNS", str(width))
    env = setup(home, sandbox)
    dry = home.run("bookings", "link", "--dry-run", extra_env=env)
    done = home.run("bookings", "link", extra_env=env)
    table = home.run("report", "meetings", "--format", "table", extra_env=env)
    for result in (dry, done, table):
        assert result.exit_code == 0, result.stderr
        lines = result.stdout.splitlines()
        assert lines[0].split()[:3] == ["BOOKING", "START", "STATUS"]
        assert all(len(line) <= width for line in lines if not line.startswith("1"))
        rows = table_rows(result.stdout)
        assert rows, result.stdout
        for row in rows:
            assert len(row) <= width, row
            # every row: a whole booking id, a whole date with its zone, a client
            assert DATE.search(row), row
            booking_id = row.split()[0]
            assert booking_id.isdigit() and len(booking_id) >= 4
    # which booking a row is: start, client and service, in the company's time
    ben = next(r for r in table_rows(done.stdout) if r.startswith("1001 "))
    assert "Maria Gonzalez" in ben and "Intro" in ben and "EST" in ben
    # a dry run says what it would do; the real run what it did
    dry_rows = table_rows(dry.stdout)
    assert any("would create" in r for r in dry_rows)
    assert not any(" created " in r for r in dry_rows)
    assert "Dry run, nothing changed: 8 to create" in dry.stderr
    assert any(" created " in r for r in table_rows(done.stdout))
    # why a booking was skipped is printed whole, with its fix, below the table
    assert "1003: provider Dan Whitfield (4) is not mapped to a Zoom user; map it with " in (
        " ".join(dry.stdout.split())
    )
    if width == 80:
        assert "MEETING" not in done.stdout.splitlines()[0]
        assert "Left out at this width: note, meeting" in table.stderr
    else:
        assert "MEETING" in done.stdout.splitlines()[0]
    assert "://" not in table.stdout  # links are copied whole from --wide, CSV or JSON


def test_wide_tables_give_whole_links(home: Home, sandbox: Sandbox) -> None:
    env = setup(home, sandbox)
    code, linked = run_json(home, env, "bookings", "link")
    assert code == 0
    urls = {r["join_url"] for r in linked["results"] if r["join_url"]}
    wide = home.run("bookings", "link", "--wide", extra_env=env)
    report = home.run("report", "meetings", "--format", "table", "--wide", extra_env=env)
    for result in (wide, report):
        assert result.exit_code == 0
        shown = set(re.findall(r"https?://\S+", result.stdout))
        assert shown == urls  # each whole, as JSON gives it
        assert "…" not in result.stdout


def test_dry_run_json_keeps_the_documented_statuses(home: Home, sandbox: Sandbox) -> None:
    env = setup(home, sandbox)
    code, plan = run_json(home, env, "bookings", "link", "--dry-run")
    assert code == 0 and plan["dry_run"] is True
    assert {r["status"] for r in plan["results"]} <= {"created", "skipped"}
    assert all(r["dry_run"] is True for r in plan["results"])
    # one type per id throughout: SimplyBook ids are numbers, as in providers/services list
    assert all(isinstance(r["booking_id"], int) for r in plan["results"])
    one = next(r for r in plan["results"] if r["booking_id"] == 1001)
    assert one["client"] == "Maria Gonzalez" and one["start"].endswith("+00:00")


# -- orphans ----------------------------------------------------------------------------------


def test_unmapped_provider_orphans_are_shown_alike_and_cancelled_on_request(
    home: Home, sandbox: Sandbox
) -> None:
    env = setup(home, sandbox)
    code, _, _ = link(home, env)
    assert code == 0
    before = {m["id"] for m in sandbox.meetings()}
    assert home.run("providers", "unmap", "2", extra_env=env).exit_code == 0

    code, again = run_json(home, env, "bookings", "link")
    got = statuses(again)
    assert code == 0 and {b for b, s in got.items() if s == "orphaned"} == BENS
    reason = next(r["reason"] for r in again["results"] if r["booking_id"] == 1001)
    assert "Ben Okafor (2) is not mapped" in reason and "still works" in reason
    assert "'sbzoom bookings link 1001 --cancel-orphans'" in reason
    assert again["summary"]["orphaned"] == 3
    rows = report_rows(home, env)
    assert {b for b, r in rows.items() if r["status"] == "orphaned"} == BENS
    assert rows["1001"]["meeting_id"] and rows["1001"]["join_url"]  # it still works
    check = doctor_check(home, env, "orphaned meetings")
    assert check["status"] == "warn" and "1001" in check["detail"]
    show = home.run("bookings", "show", "1001", extra_env=env)
    assert show.exit_code == 1 and show.stdout.startswith("orphaned: meeting ")
    assert "/zoom/j/" in show.stdout  # the links still work, so they are shown

    # dry run first: says what would go, and nothing goes
    preview = home.run("bookings", "link", "--cancel-orphans", "--dry-run", extra_env=env)
    assert preview.exit_code == 0
    assert sum("would cancel" in r for r in table_rows(preview.stdout)) == 3
    assert {m["id"] for m in sandbox.meetings()} == before

    # doctor's clean-up, run as printed
    run_hint(home, env, hints(check["fix"])[-1])
    gone = before - {m["id"] for m in sandbox.meetings()}
    assert len(gone) == 3
    _, log = run_json(home, env, "audit", "1001")
    assert [e["action"] for e in log][-1] == "cancel-orphan"
    assert log[-1]["meeting_id"] in gone and "Ben Okafor" in log[-1]["detail"]
    assert log[-1]["who"].startswith("bookings link · ")  # run with --cancel-orphans
    rows = report_rows(home, env)
    assert {rows[b]["status"] for b in BENS} == {"missing"}
    assert "providers map 2" in rows["1001"]["reason"]
    assert doctor_check(home, env, "orphaned meetings")["status"] == "ok"
    # mapping Ben again, as the report says, links them anew
    run_hint(home, env, hints(rows["1001"]["reason"])[0], ZOOM_USER=BEN)
    code, relinked = run_json(home, env, "bookings", "link")
    assert code == 0 and {statuses(relinked)[b] for b in BENS} == {"created"}


def test_service_no_longer_online_orphans_its_meetings(home: Home, sandbox: Sandbox) -> None:
    env = setup(home, sandbox)
    assert link(home, env)[0] == 0
    assert home.run("services", "disable-online", "2", extra_env=env).exit_code == 0
    code, again = run_json(home, env, "bookings", "link")
    got = statuses(again)
    assert code == 0 and {b for b, s in got.items() if s == "orphaned"} == NUTRITION
    rows = report_rows(home, env)
    assert {b for b, r in rows.items() if r["status"] == "orphaned"} == NUTRITION
    assert "Nutrition Coaching (2) is no longer online" in rows["1002"]["reason"]
    assert doctor_check(home, env, "orphaned meetings")["status"] == "warn"

    # the hint of one row cancels that booking's meeting only
    meetings = len(sandbox.meetings())
    show = home.run("bookings", "show", "1002", extra_env=env)
    assert show.exit_code == 1
    cancel = [h for h in hints(show.stdout) if "--cancel-orphans" in h]
    run_hint(home, env, cancel[0])
    assert len(sandbox.meetings()) == meetings - 1
    rows = report_rows(home, env)
    assert "1002" not in rows and rows["1007"]["status"] == "orphaned"
    # the other hint: online again, and the next run keeps them right again
    enable = [h for h in hints(show.stdout) if "enable-online" in h]
    run_hint(home, env, enable[0])
    code, back = run_json(home, env, "bookings", "link")
    assert code == 0
    assert statuses(back)["1007"] == "unchanged" and statuses(back)["1002"] == "created"


# -- every hint works ---------------------------------------------------------------------------


def test_show_says_where_a_booking_stands_and_its_next_step_works(
    home: Home, sandbox: Sandbox
) -> None:
    env = setup(home, sandbox)
    assert link(home, env)[0] == 0
    linked = home.run("bookings", "show", "1001", extra_env=env)
    assert linked.exit_code == 0
    first = linked.stdout.splitlines()[0]
    assert re.fullmatch(
        r"linked: meeting \d+ for Maria Gonzalez on \d{4}-\d\d-\d\d 10:00 EST "
        r"\(America/New_York\), hosted by ben\.okafor@\S+\.",
        first,
    ), first
    assert "UTC" not in linked.stdout
    _, data = run_json(home, env, "bookings", "show", "1001")
    assert data["booking_id"] == 1001 and data["start"].endswith("+00:00")

    cancelled = home.run("bookings", "show", "1008", extra_env=env)
    assert cancelled.exit_code == 0 and "Next:" not in cancelled.stdout
    assert cancelled.stdout.startswith("cancelled: booking 1008 (Kenji Watanabe, ")

    # 1003: Dan has no Zoom user. Do what show says until it says linked.
    for _ in range(3):
        shown = home.run("bookings", "show", "1003", extra_env=env)
        if shown.exit_code == 0:
            break
        for command in hints(shown.stdout.split("Next:", 1)[1]):
            run_hint(home, env, command, ZOOM_USER=ALICE)
    assert shown.exit_code == 0 and shown.stdout.startswith("linked: meeting")

    # 1009: its service (in person, 4) is not online
    shown = home.run("bookings", "show", "1009", extra_env=env)
    assert shown.exit_code == 1 and "not online" in shown.stdout
    for command in hints(shown.stdout.split("Next:", 1)[1]):
        run_hint(home, env, command)
    assert home.run("bookings", "show", "1009", extra_env=env).stdout.startswith("linked:")


def test_report_hints_work(home: Home, sandbox: Sandbox) -> None:
    env = setup(home, sandbox)
    rows = report_rows(home, env)
    assert rows["1001"]["status"] == "missing"
    run_hint(home, env, hints(rows["1001"]["reason"])[0])
    assert report_rows(home, env)["1001"]["status"] == "linked"
    # cancelled in SimplyBook after linking: the meeting is left until a link run
    sandbox.cancel_booking(1001)
    row = report_rows(home, env)["1001"]
    assert row["status"] == "cancelled" and "still exists" in row["reason"]
    meetings = len(sandbox.meetings())
    run_hint(home, env, hints(row["reason"])[0])
    assert len(sandbox.meetings()) == meetings - 1
    assert report_rows(home, env)["1001"]["reason"] is None


# -- JSON everywhere, global options -------------------------------------------------------------


def test_read_commands_take_json(home: Home, sandbox: Sandbox) -> None:
    env = setup(home, sandbox)
    as_format = home.run("report", "meetings", "--format", "json", extra_env=env)
    as_flag = home.run("report", "meetings", "--json", extra_env=env)
    assert as_flag.exit_code == 0 and json.loads(as_flag.stdout) == json.loads(as_format.stdout)
    clash = home.run("report", "meetings", "--json", "--format", "csv", extra_env=env)
    assert clash.exit_code == 2
    assert home.run("config", "set", "zoom.max_rps", "12.5", extra_env=env).exit_code == 0
    code, value = run_json(home, env, "config", "get", "zoom.max_rps")
    assert code == 0 and value == {"key": "zoom.max_rps", "value": 12.5}
    code, where = run_json(home, env, "config", "path")
    assert code == 0 and where["path"] == str(home.config_path)


def test_global_options_after_the_subcommand(home: Home, sandbox: Sandbox) -> None:
    env = setup(home, sandbox)
    result = home.run(
        "bookings", "link", "--dry-run", "--profile", "default", "--no-input", "--debug",
        extra_env=env,
    )  # fmt: skip
    assert result.exit_code == 0 and "[debug]" in result.stderr
    missing = home.run("config", "list", "--profile", "nope", extra_env=env)
    assert missing.exit_code == 3 and "no profile named 'nope'" in missing.stderr


def test_sbzoom_alone_prints_help_and_succeeds(home: Home) -> None:
    result = home.run()
    assert result.exit_code == 0 and "Usage: sbzoom" in result.stdout
