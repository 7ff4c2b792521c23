"""Real-API fidelity end to end (issue 12): the CLI against a sandbox that answers as Zoom and
SimplyBook document it (the class registrant 201 without join_url, code 4711 / 300, length
limits, HTML error pages, a missing comment endpoint...)."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any

import httpx

from sbzoom.sandbox import Sandbox
from sbzoom.sandbox.data import ZOOM_OWNER_ID
from tests.conftest import Home
from tests.e2e.test_link import CLASS, ONLINE, link, setup, statuses

YOGA, ALICE_PROVIDER = 3, 1


def report_rows(home: Home, env: dict[str, str]) -> dict[str, dict[str, Any]]:
    result = home.run("report", "meetings", "--format", "json", "--to", "+14d", extra_env=env)
    assert result.exit_code in (0, 1), result.stderr
    return {str(row["booking_id"]): row for row in json.loads(result.stdout)}


def s2s_token(sandbox: Sandbox) -> str:
    env = sandbox.env
    response = httpx.post(
        f"{env['SBZOOM_ZOOM_OAUTH_URL']}/oauth/token",
        data={"grant_type": "account_credentials", "account_id": env["SBZOOM_ZOOM_ACCOUNT_ID"]},
        auth=(env["SBZOOM_ZOOM_CLIENT_ID"], env["SBZOOM_ZOOM_CLIENT_SECRET"]),
    )
    return str(response.json()["access_token"])


def test_class_clients_get_their_personal_registrant_link_everywhere(
    home: Home, sandbox: Sandbox
) -> None:
    env = setup(home, sandbox, write_back="comment")
    code, report, stderr = link(home, env)
    assert code == 0, stderr
    # The sandbox answers the add-registrant 201 without join_url (approval_type 1, as the spec
    # says), so each personal link was read back with GET .../registrants/{id}.
    routes = [r.route for r in sandbox.requests("zoom")]
    assert routes.count("registrants.create") == routes.count("registrant.get") == 4
    links = {str(r["booking_id"]): r["join_url"] for r in report["results"]}
    class_meeting = next(
        r["meeting_id"] for r in report["results"] if str(r["booking_id"]) in CLASS
    )
    meeting = sandbox.zoom.meeting(class_meeting)
    assert meeting is not None
    generic = meeting["join_url"]
    registrant_links = {r["email"]: r["join_url"] for r in sandbox.registrants(class_meeting)}
    for booking in CLASS:
        assert links[booking] in registrant_links.values()
        assert links[booking] != generic
    assert len({links[b] for b in CLASS}) == 3

    rows = report_rows(home, env)
    for booking in CLASS:
        assert rows[booking]["join_url"] == links[booking]  # from the ledger
        comment = str(sandbox.simplybook.booking(int(booking))["comment"])
        assert links[booking] in comment and generic not in comment
        shown = home.run("bookings", "show", booking, "--json", extra_env=env)
        assert shown.exit_code == 0, shown.stderr
        client_links = json.loads(shown.stdout)["client_links"]
        assert [c["join_url"] for c in client_links] == [links[booking]]
    with httpx.Client() as web:  # the personal link goes into the meeting; the generic one not
        assert web.get(links["1004"]).status_code == 200
        assert "/meeting/register/" in web.get(generic).headers.get("Location", "")


def test_a_ledger_without_personal_links_is_repaired_from_zoom(
    home: Home, sandbox: Sandbox
) -> None:
    """A ledger written before the fix (seats linked with no link) never shows the generic
    meeting link: the report says the link is unknown, and the next run looks it up."""
    import sqlite3

    env = setup(home, sandbox)
    assert link(home, env)[0] == 0
    with sqlite3.connect(home.data_dir / "ledger-default.sqlite3") as db:
        db.execute("UPDATE bookings SET join_url = '' WHERE registrant_id != ''")
    rows = report_rows(home, env)
    assert rows["1004"]["join_url"] in ("", None) and "personal link" in str(rows["1004"])
    code, again, stderr = link(home, env)
    assert code == 0, stderr
    fixed = {str(r["booking_id"]): r["join_url"] for r in again["results"]}
    assert all(fixed[b] and "tk=" in fixed[b] for b in CLASS)
    assert all(report_rows(home, env)[b]["join_url"] == fixed[b] for b in CLASS)


def test_a_missing_scope_4711_names_the_scope_in_commands_and_doctor(
    home: Home, sandbox: Sandbox
) -> None:
    env = setup(home, sandbox)
    scopes = [s for s in sandbox.zoom.scopes() if s != "meeting:read:registrant:admin"]
    sandbox.set_zoom_scopes(scopes)
    linked = home.run("bookings", "link", "--json", extra_env=env)
    assert linked.exit_code == 4
    assert "meeting:read:registrant:admin" in linked.stderr
    assert "Zoom Marketplace" in linked.stderr and "Traceback" not in linked.stderr
    doctor = home.run("doctor", "--json", extra_env=env)
    checks = {c["name"]: c for c in json.loads(doctor.stdout)["checks"]}
    assert checks["zoom scopes"]["status"] == "fail"
    assert "meeting:read:registrant:admin" in checks["zoom scopes"]["detail"]
    # and the one doctor used to ask for, which nothing uses, is not needed
    sandbox.set_zoom_scopes([*scopes, "meeting:read:registrant:admin"])
    sandbox.expire_tokens()  # a new token carries the app's new scope list
    doctor = home.run("doctor", "--json", extra_env=env)
    checks = {c["name"]: c for c in json.loads(doctor.stdout)["checks"]}
    assert checks["zoom scopes"]["status"] == "ok", checks["zoom scopes"]
    assert "meeting:delete:registrant:admin" not in sandbox.zoom.scopes()


def test_a_class_meeting_gone_on_zoom_code_300_is_recreated(home: Home, sandbox: Sandbox) -> None:
    env = setup(home, sandbox)
    _, first, _ = link(home, env)
    old = next(r["meeting_id"] for r in first["results"] if str(r["booking_id"]) == "1004")
    # The session is about to start (so the upcoming-list check is skipped), and the meeting
    # was deleted on Zoom: the registrant call answers code 300.
    start = datetime.fromisoformat(str(sandbox.simplybook.booking(1004)["start_datetime"]))
    deleted = httpx.delete(
        f"{sandbox.zoom_api_url}/meetings/{old}",
        headers={"Authorization": f"Bearer {s2s_token(sandbox)}"},
    )
    assert deleted.status_code == 204
    now = datetime.fromisoformat(str(sandbox.simplybook.booking(1001)["record_date"]))
    sandbox.advance_clock((start - now - timedelta(minutes=5)).total_seconds())
    newcomer = sandbox.simplybook.add_booking(YOGA, ALICE_PROVIDER, 8, start)
    code, report, stderr = link(home, env, "1004", "1005", "1006", str(newcomer))
    assert code == 0, stderr
    got = {str(r["booking_id"]): r for r in report["results"]}
    new_ids = {r["meeting_id"] for r in got.values()}
    assert len(new_ids) == 1 and old not in new_ids
    assert all(r["join_url"] and "tk=" in r["join_url"] for r in got.values())
    assert len(sandbox.registrants(new_ids.pop())) == 4


def test_length_limits_cut_names_safely_and_skip_an_overlong_email(
    home: Home, sandbox: Sandbox
) -> None:
    env = setup(home, sandbox, **{"meeting.topic": "{service} " + "é" * 250})
    start = datetime.fromisoformat(str(sandbox.simplybook.booking(1004)["start_datetime"]))
    long_name = "Ana" + "\u0301" + " " + "Ñ" * 63 + "e\u0301" + " Smith"  # 64th char: a base
    named = sandbox.simplybook.add_client(long_name, "ana.long@client.example")
    too_long = sandbox.simplybook.add_client("Bo", "b" * 120 + "@client.example")
    seat = sandbox.simplybook.add_booking(YOGA, ALICE_PROVIDER, named, start)
    skipped = sandbox.simplybook.add_booking(YOGA, ALICE_PROVIDER, too_long, start)
    code, report, stderr = link(home, env)
    assert code == 0, stderr
    got = {str(r["booking_id"]): r for r in report["results"]}
    assert got[str(seat)]["status"] == "created" and got[str(seat)]["join_url"]
    assert got[str(skipped)]["status"] == "skipped"
    assert "128" in got[str(skipped)]["reason"]
    meeting_id = got[str(seat)]["meeting_id"]
    registrant = next(
        r for r in sandbox.registrants(meeting_id) if r["email"] == "ana.long@client.example"
    )
    assert len(registrant["last_name"]) <= 64
    assert not registrant["last_name"].endswith("e")  # never an accent torn from its letter
    assert all(len(str(m["topic"])) <= 200 for m in sandbox.meetings())


def test_write_back_never_loses_text(home: Home, sandbox: Sandbox) -> None:
    env = setup(home, sandbox, write_back="comment")
    sandbox.simplybook.set_comment(1001, "Allergic to latex.")
    # The details carry no comment field: nothing is written, the booking is still linked.
    sandbox.simplybook.details_comment = False
    code, report, stderr = link(home, env, "1001")
    assert code == 0, stderr
    assert statuses(report)["1001"] == "created"
    assert "not written" in stderr
    assert sandbox.simplybook.booking(1001) is not None
    sandbox.simplybook.details_comment = True
    assert sandbox.simplybook.booking(1001)["comment"] == "Allergic to latex."
    # No comment endpoint at all (405): one warning for the run, linking goes on.
    sandbox.simplybook.comment_endpoint = False
    code, report, stderr = link(home, env)
    assert code == 0, stderr
    assert stderr.count("Write-back is off for this run") == 1
    assert "write_back none" in stderr
    assert "failed" not in statuses(report).values()
    assert sandbox.simplybook.booking(1001)["comment"] == "Allergic to latex."
    sandbox.simplybook.comment_endpoint = True
    assert link(home, env)[0] == 0  # the next run writes it, keeping the text
    comment = str(sandbox.simplybook.booking(1001)["comment"])
    assert comment.startswith("Allergic to latex.\n") and "sbzoom:" in comment


def test_passcode_none_needs_the_waiting_room_and_passcode_changes_reach_meetings(
    home: Home, sandbox: Sandbox
) -> None:
    env = setup(home, sandbox, **{"meeting.waiting_room": "false", "meeting.passcode": "none"})
    refused = home.run("bookings", "link", "--json", extra_env=env)
    assert refused.exit_code == 3
    assert "meeting.waiting_room true" in refused.stderr and "Traceback" not in refused.stderr
    assert sandbox.meetings() == []
    assert home.run("config", "set", "meeting.waiting_room", "true").exit_code == 0
    code, _, stderr = link(home, env, "1001")
    assert code == 0, stderr
    (made,) = sandbox.meetings()
    assert made["settings"]["waiting_room"] is True  # the meeting's security option
    # A changed passcode setting updates the meetings already made, on the next run.
    assert home.run("config", "set", "meeting.passcode", "Yoga42").exit_code == 0
    code, again, stderr = link(home, env, "1001")
    assert code == 0, stderr
    assert statuses(again)["1001"] == "updated"
    assert sandbox.zoom.meeting(made["id"])["password"] == "Yoga42"  # type: ignore[index]


def test_html_error_pages_are_mapped_by_status(home: Home, make_sandbox: Any) -> None:
    sandbox = make_sandbox()
    env = setup(home, sandbox)
    sandbox.simplybook.html_not_found = True
    gone = home.run("bookings", "link", "99999", extra_env=env)
    assert gone.exit_code == 2 and "has no booking 99999" in gone.stderr  # still "deleted"
    sandbox.simplybook.unknown_company_html404 = True
    login = home.run(
        "auth", "login", "simplybook", "--company", "nosuchco", "--login", "admin",
        "--password-stdin", stdin="demo-password", extra_env=env,
    )  # fmt: skip
    assert login.exit_code == 4
    assert "nosuchco" in login.stderr and "--domain" in login.stderr
    assert "HTML" not in login.stderr and "Traceback" not in login.stderr


def test_a_company_without_a_time_zone_signs_in_and_linking_refuses_to_guess(
    home: Home, make_sandbox: Any
) -> None:
    sandbox = make_sandbox(company_info_timezone=False)
    env = setup(home, sandbox)
    code = home.run("bookings", "link", extra_env=env)
    assert code.exit_code == 3 and "simplybook.timezone" in code.stderr
    assert sandbox.meetings() == []
    endpoints = {k: v for k, v in env.items() if "SIMPLYBOOK_" not in k or "URL" in k}
    login = home.run(
        "auth", "login", "simplybook", "--company", "demo", "--login", "admin",
        "--password-stdin", stdin="demo-password", extra_env=endpoints,
    )  # fmt: skip
    assert login.exit_code == 0, login.stderr
    assert "sbzoom config set simplybook.timezone" in login.stderr


def test_doctor_names_the_plan_behind_zoom_max_rps_and_checks_simplybook_reads(
    home: Home, sandbox: Sandbox
) -> None:
    env = setup(home, sandbox, write_back="comment")
    assert home.run("config", "unset", "zoom.max_rps").exit_code == 0

    def doctor() -> dict[str, dict[str, str]]:
        result = home.run("doctor", "--json", extra_env=env)
        return {c["name"]: c for c in json.loads(result.stdout)["checks"]}

    checks = doctor()
    rate = checks["zoom rate"]
    assert "Pro" in rate["detail"] and "zoom.max_rps 2" in rate["fix"]
    assert checks["simplybook reads"]["status"] == "ok", checks["simplybook reads"]
    sandbox.simplybook.details_comment = False
    reads = doctor()["simplybook reads"]
    assert reads["status"] == "warn" and "write_back none" in reads["fix"]
    before = {(r.method, r.route) for r in sandbox.requests("simplybook")}
    assert all(method == "GET" or "auth" in route for method, route in before)  # reads only


def test_a_user_level_app_acts_as_me(home: Home, sandbox: Sandbox) -> None:
    """Spec (meetingCreate, meetings): "For user-level apps, pass the me value instead of the
    userId parameter". The sandbox here refuses a user-level token naming its own id."""
    owner = ZOOM_OWNER_ID
    env = setup(home, sandbox, **{"providers.2": owner})
    for other in ("providers.1", "providers.3"):  # a user-level app hosts only for its user
        assert home.run("config", "unset", other).exit_code == 0
    sandbox.set_zoom_scopes(
        ["user:read:user", "meeting:write:meeting", "meeting:read:list_meetings",
         "meeting:read:meeting", "meeting:update:meeting", "meeting:delete:meeting"]
    )  # fmt: skip
    sandbox.zoom.user_level_requires_me = True
    code, report, stderr = link(home, env, "1001")
    assert code == 0, (stderr, report)
    assert statuses(report)["1001"] == "created"
    paths = {r.path for r in sandbox.requests("zoom") if r.route.startswith("meetings.")}
    assert paths and all("/users/me/meetings" in p for p in paths), paths
    (made,) = sandbox.meetings()
    assert made["host_id"] == owner


def assert_unavailable(result: Any, service: str) -> None:
    """Exit 5 and one short error naming the service: no HTML, no traceback."""
    assert result.exit_code == 5, result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert lines and service in lines[0] and "unavailable" in lines[0], result.stderr
    assert len(lines) <= 2, result.stderr  # the error and its fix
    assert "<html" not in result.stderr.lower() and "<html" not in result.stdout.lower()
    assert "Traceback" not in result.stderr


def test_a_proxys_html_502_is_retried_then_reported_as_unavailable(
    home: Home, make_sandbox: Any
) -> None:
    sandbox = make_sandbox()
    env = setup(home, sandbox)
    # Every Zoom request answered by a proxy's HTML 502 page (text/html), SimplyBook fine.
    sandbox.configure_faults(error_rate=1.0, error_status=502, fault_service="zoom")
    zoom = home.run("zoom", "users", "--json", extra_env=env)
    assert_unavailable(zoom, "Zoom")
    served = [r for r in sandbox.requests("zoom") if r.route == "users.list"]
    assert len(served) > 1 and all(r.status == 502 and r.fault == "error" for r in served)

    sandbox.configure_faults(fault_service="simplybook")  # now SimplyBook's proxy, Zoom fine
    before = len(sandbox.requests("simplybook"))
    simplybook = home.run("services", "list", "--json", extra_env=env)
    assert_unavailable(simplybook, "SimplyBook")
    served = [r for r in sandbox.requests("simplybook")[before:] if r.route != "auth.login"]
    assert len(served) > 1 and all(r.status == 502 and r.fault == "error" for r in served)

    sandbox.configure_faults(error_rate=0.0)  # the proxy recovers: nothing was left half-done
    code, report, stderr = link(home, env)
    assert code == 0, stderr
    assert {b for b, s in statuses(report).items() if s == "created"} == ONLINE


def test_a_429_without_retry_after_is_retried_with_backoff(home: Home, make_sandbox: Any) -> None:
    # Half of all requests answered 429 with no Retry-After header, on both services.
    sandbox = make_sandbox(rate_429=0.5, seed=3)
    sandbox.configure_faults(retry_after=False)
    env = setup(home, sandbox)
    code, report, stderr = link(home, env)
    assert code == 0, stderr
    assert {b for b, s in statuses(report).items() if s == "created"} == ONLINE
    assert sandbox.faults.counts()["injected_429"] > 0
    zoom_429s = [r for r in sandbox.requests("zoom") if r.status == 429]
    simplybook_429s = [r for r in sandbox.requests("simplybook") if r.status == 429]
    assert zoom_429s and simplybook_429s

    # When it does not stop, the command gives up with exit 5 and one line, no traceback.
    sandbox.configure_faults(rate_429=1.0, fault_service="zoom")
    persistent = home.run("zoom", "users", "--json", extra_env=env)
    assert persistent.exit_code == 5, persistent.stderr
    assert "too many requests" in persistent.stderr and "Traceback" not in persistent.stderr
    assert "zoom.max_rps" in persistent.stderr
