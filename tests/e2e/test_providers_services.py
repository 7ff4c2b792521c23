"""`sbzoom providers` and `sbzoom services` end to end: the real CLI against the sandbox, signed in
through the environment (Server-to-Server Zoom credentials, SimplyBook password), as cron would.

Demo data: providers 1 Alice Romero, 2 Ben Okafor, 3 Chloe Park (each with a Zoom user of the same
e-mail; Chloe's is unlicensed) and 4 Dan Whitfield (no Zoom user); services 1 Intro Consultation,
2 Nutrition Coaching, 3 Group Yoga Class (limit 12: a class), 4 In-Person Assessment.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from sbzoom.sandbox import Sandbox
from sbzoom.sandbox.data import ZOOM_ALICE_ID, ZOOM_BEN_ID, ZOOM_CHLOE_ID, ZOOM_OWNER_ID
from tests.conftest import Home, Result
from tests.sandbox_fixture import MakeSandbox

ALICE, BEN, CHLOE = ZOOM_ALICE_ID, ZOOM_BEN_ID, ZOOM_CHLOE_ID
OWNER = ZOOM_OWNER_ID
DOMAIN = "sbzoom-demo.example"


@pytest.fixture
def fast(home: Home) -> Home:
    """Request pacing is tested elsewhere; on the real clock it would only make these slow."""
    home.config_path.parent.mkdir(parents=True, exist_ok=True)
    home.config_path.write_text(
        "[default.simplybook]\nmax_rps = 10000.0\n\n[default.zoom]\nmax_rps = 10000.0\n"
    )
    return home


def run(home: Home, sandbox: Sandbox, *args: str) -> Result:
    return home.run(*args, extra_env=sandbox.env)


def as_json(result: Result) -> Any:
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


def by_id(rows: list[dict[str, Any]]) -> dict[int, dict[str, Any]]:
    return {row["id"]: row for row in rows}


def test_auto_maps_matching_emails_and_reports_the_provider_without(
    fast: Home, sandbox: Sandbox
) -> None:
    result = run(fast, sandbox, "providers", "map", "--auto")
    assert result.exit_code == 0, result.stderr
    assert result.stdout == ""  # the report is for people: stderr
    assert f"Mapped Ben Okafor (id 2) to Zoom user ben.okafor@{DOMAIN} ({BEN})." in result.stderr
    assert (
        f"Not mapped: Dan Whitfield (id 4): no Zoom user has the e-mail dan.whitfield@{DOMAIN}."
        in result.stderr
    )
    assert "3 mapped, 1 not mapped, 0 already mapped (of 4 providers)." in result.stderr

    rows = by_id(as_json(run(fast, sandbox, "providers", "list", "--json")))
    assert {i: r["zoom_user_id"] for i, r in rows.items()} == {1: ALICE, 2: BEN, 3: CHLOE, 4: None}
    assert rows[3]["zoom_email"] == f"chloe.park@{DOMAIN}" and rows[3]["licensed"] is False
    assert rows[1]["licensed"] is True and all(r["problem"] is None for r in rows.values())

    again = run(fast, sandbox, "providers", "map", "--auto", "--json")
    outcome = as_json(again)
    assert outcome["mapped"] == [] and [p["id"] for p in outcome["already_mapped"]] == [1, 2, 3]
    assert outcome["not_mapped"] == [
        {
            "id": 4,
            "name": "Dan Whitfield",
            "email": f"dan.whitfield@{DOMAIN}",
            "reason": "no_zoom_user",
            "detail": f"no Zoom user has the e-mail dan.whitfield@{DOMAIN}",
        }
    ]


def test_enable_online_by_name_and_by_id_shows_in_the_list(fast: Home, sandbox: Sandbox) -> None:
    before = by_id(as_json(run(fast, sandbox, "services", "list", "--json")))
    assert not any(row["online"] for row in before.values())  # off until enabled

    result = run(fast, sandbox, "services", "enable-online", "Intro Consultation", "3")
    assert result.exit_code == 0, result.stderr
    assert "Service 'Intro Consultation' (id 1) is now online." in result.stderr
    assert "'Group Yoga Class' (id 3) is now online as a class" in result.stderr
    assert "12 clients per slot" in result.stderr

    rows = by_id(as_json(run(fast, sandbox, "services", "list", "--json")))
    flags = {i: (r["name"], r["online"], r["class"]) for i, r in rows.items()}
    assert flags == {
        1: ("Intro Consultation", True, False),
        2: ("Nutrition Coaching", False, False),
        3: ("Group Yoga Class", True, True),
        4: ("In-Person Assessment", False, False),
    }
    assert rows[3]["class_source"] == "capacity"

    forced = run(fast, sandbox, "services", "enable-online", "--class", "Nutrition Coaching")
    assert forced.exit_code == 0 and "as a class (enabled with --class)" in forced.stderr
    off = run(fast, sandbox, "services", "disable-online", "1")
    assert off.exit_code == 0 and "'Intro Consultation' (id 1) is now offline." in off.stderr
    rows = by_id(as_json(run(fast, sandbox, "services", "list", "--json")))
    assert (rows[1]["online"], rows[2]["class"], rows[2]["class_source"]) == (
        False,
        True,
        "forced",
    )
    table = run(fast, sandbox, "services", "list")
    assert table.exit_code == 0 and "Group Yoga Class" in table.stdout


def test_bad_names_exit_2_with_candidates_and_write_nothing(fast: Home, sandbox: Sandbox) -> None:
    assert run(fast, sandbox, "services", "enable-online", "1").exit_code == 0
    assert run(fast, sandbox, "providers", "map", "Ben Okafor", BEN).exit_code == 0
    config = fast.config_path.read_bytes()

    bad_service = run(fast, sandbox, "services", "enable-online", "2", "Yoga")
    assert bad_service.exit_code == 2
    assert "No service has the id or exact name 'Yoga'." in bad_service.stderr
    assert "Candidates: 1 Intro Consultation, 2 Nutrition Coaching, 3 Group Yoga Class" in (
        bad_service.stderr
    )
    bad_off = run(fast, sandbox, "services", "disable-online", "1", "99")
    bad_provider = run(fast, sandbox, "providers", "map", "Chloe", CHLOE)
    bad_user = run(fast, sandbox, "providers", "map", "Chloe Park", "nobody@example.com")
    bad_unmap = run(fast, sandbox, "providers", "unmap", "Ben")
    for result in (bad_off, bad_provider, bad_user, bad_unmap):
        assert result.exit_code == 2, result.stderr
        assert "Candidates: " in result.stderr and "Traceback" not in result.stderr
    assert "3 Chloe Park" in bad_provider.stderr
    assert f"chloe.park@{DOMAIN} ({CHLOE})" in bad_user.stderr
    assert fast.config_path.read_bytes() == config


def test_map_checks_the_zoom_user_and_unmap_removes_it(fast: Home, sandbox: Sandbox) -> None:
    inactive = run(fast, sandbox, "providers", "map", "Dan Whitfield", f"frank.inactive@{DOMAIN}")
    assert inactive.exit_code == 2 and "inactive and cannot host" in inactive.stderr
    pending = run(fast, sandbox, "providers", "map", "4", f"eva.pending@{DOMAIN}")
    assert pending.exit_code == 2 and "pending" in pending.stderr and "no id" in pending.stderr

    mapped = run(fast, sandbox, "providers", "map", "Dan Whitfield", f"OWNER@{DOMAIN}", "--json")
    data = as_json(mapped)
    assert (data["id"], data["zoom_user_id"], data["changed"]) == (4, OWNER, True)
    assert f"Mapped Dan Whitfield (id 4) to Zoom user owner@{DOMAIN} ({OWNER})." in mapped.stderr

    sandbox.zoom.set_user(OWNER, status="inactive")
    rows = by_id(as_json(run(fast, sandbox, "providers", "list", "--json")))
    assert "inactive" in rows[4]["problem"]

    unmapped = run(fast, sandbox, "providers", "unmap", "Dan Whitfield")
    assert unmapped.exit_code == 0
    assert f"Unmapped Dan Whitfield (id 4) from Zoom user {OWNER}." in unmapped.stderr
    rows = by_id(as_json(run(fast, sandbox, "providers", "list", "--json")))
    assert rows[4]["zoom_user_id"] is None


def test_map_without_arguments_in_a_script_names_the_fix(fast: Home, sandbox: Sandbox) -> None:
    result = run(fast, sandbox, "providers", "map")
    assert result.exit_code == 2
    assert "PROVIDER ZOOM_USER" in result.stderr and "--auto" in result.stderr
    both = run(fast, sandbox, "providers", "map", "--auto", "2")
    assert both.exit_code == 2 and "--auto" in both.stderr


def test_a_user_level_zoom_app_can_only_host_as_its_user(
    fast: Home, make_sandbox: MakeSandbox
) -> None:
    sandbox = make_sandbox(zoom_scopes=("user:read:user", "meeting:write:meeting"))
    auto = run(fast, sandbox, "providers", "map", "--auto", "--json")
    outcome = as_json(auto)
    assert outcome["mapped"] == [] and outcome["all_users"] is False
    assert {p["reason"] for p in outcome["not_mapped"]} == {"user_level"}
    assert f"only owner@{DOMAIN} can host" in auto.stderr and "--s2s" in auto.stderr

    other = run(fast, sandbox, "providers", "map", "Ben Okafor", f"ben.okafor@{DOMAIN}")
    assert other.exit_code == 4 and "user-level" in other.stderr
    assert "Traceback" not in other.stderr
    me = run(fast, sandbox, "providers", "map", "Ben Okafor", "me")
    assert me.exit_code == 0, me.stderr
    rows = by_id(as_json(run(fast, sandbox, "providers", "list", "--json")))
    assert rows[2]["zoom_user_id"] == OWNER and rows[2]["problem"] is None
    routes = {r.route for r in sandbox.requests("zoom")}
    assert "users.list" not in routes  # the scopes said it would fail: never asked


def test_providers_list_without_a_zoom_sign_in_names_the_fix(fast: Home, sandbox: Sandbox) -> None:
    env = {k: v for k, v in sandbox.env.items() if not k.startswith("SBZOOM_ZOOM_CLIENT")}
    result = fast.run("providers", "list", extra_env=env)
    assert result.exit_code == 4 and "sbzoom auth login zoom" in result.stderr
