"""`report meetings` and `doctor` end to end: the real CLI against the sandbox server."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import httpx

from sbzoom.sandbox import (
    DEMO_2FA_LOGIN,
    DEMO_PASSWORD,
    MINIMUM_GRANULAR_SCOPES,
    ZOOM_ACCOUNT_ID,
    ZOOM_CLIENT_ID,
    ZOOM_CLIENT_SECRET,
    Sandbox,
)
from sbzoom.sandbox.data import ZOOM_ALICE_ID, ZOOM_BEN_ID, ZOOM_CHLOE_ID, ZOOM_OWNER_ID
from tests.conftest import Home
from tests.sandbox_fixture import demo_settings

NY = ZoneInfo("America/New_York")
OWNER, ALICE, BEN, CHLOE = (
    ZOOM_OWNER_ID,
    ZOOM_ALICE_ID,
    ZOOM_BEN_ID,
    ZOOM_CHLOE_ID,
)
ONLINE = {1: "online", 2: "online", 3: "class"}
WINDOW = ("--from", "today", "--to", "+14d")
PRODUCT_KEYS = {
    "booking_id", "code", "start", "end", "service", "provider", "client", "client_email",
    "zoom_user", "meeting_id", "join_url", "status",
}  # fmt: skip


def setup(home: Home, sandbox: Sandbox, **extra: str) -> dict[str, str]:
    settings = demo_settings(**extra)
    for key, value in settings.items():
        assert home.run("config", "set", key, value).exit_code == 0
    return dict(sandbox.env)


def link(home: Home, env: dict[str, str]) -> None:
    result = home.run("bookings", "link", *WINDOW, extra_env=env)
    assert result.exit_code == 0, result.stderr


def report(home: Home, env: dict[str, str], *args: str) -> list[dict[str, Any]]:
    result = home.run("report", "meetings", *WINDOW, "--format", "json", *args, extra_env=env)
    assert result.exit_code == 0, result.stderr
    rows: list[dict[str, Any]] = json.loads(result.stdout)
    return rows


def truth(sandbox: Sandbox) -> dict[str, dict[str, Any]]:
    """What the report must say, read from the sandbox's own state: SimplyBook's bookings of
    online services in the window, and the Zoom meeting (and registrant) each one has."""
    today = datetime.now(NY).date()
    last = today + timedelta(days=14)
    emails = {u["id"]: u["email"] for u in sandbox.zoom.users() if u.get("id")}
    meetings = sandbox.meetings()
    expected = {}
    for booking in sandbox.simplybook.bookings():
        start = datetime.fromisoformat(booking["start_datetime"]).replace(tzinfo=NY)
        end = datetime.fromisoformat(booking["end_datetime"]).replace(tzinfo=NY)
        if booking["service_id"] not in ONLINE or not today <= start.date() <= last:
            continue
        ident = str(booking["id"])
        row: dict[str, Any] = {
            "booking_id": booking["id"],
            "code": booking["code"],
            "start": start.isoformat(),
            "end": end.isoformat(),
            "service": booking["service"]["name"],
            "provider": booking["provider"]["name"],
            "client": booking["client"]["name"],
            "client_email": booking["client"]["email"],
            "meeting_id": None,
            "join_url": None,
        }
        if booking["status"] == "canceled":
            row.update(status="cancelled", zoom_user=emails[BEN])
        elif booking["provider_id"] == 4:
            row.update(status="missing", zoom_user=None)
        elif ONLINE[booking["service_id"]] == "class":
            key = f"[sbzoom:s3.{booking['provider_id']}.{start.astimezone(UTC):%Y%m%dT%H%MZ}]"
            (meeting,) = [m for m in meetings if m["agenda"].startswith(key)]
            (registrant,) = [
                r for r in meeting["registrants"] if r["email"] == booking["client"]["email"]
            ]
            row.update(
                status="linked",
                meeting_id=meeting["id"],
                join_url=registrant["join_url"],
                zoom_user=emails[meeting["host_id"]],
            )
        else:
            (meeting,) = [m for m in meetings if m["agenda"].startswith(f"[sbzoom:b{ident}]")]
            row.update(
                status="linked",
                meeting_id=meeting["id"],
                join_url=meeting["join_url"],
                zoom_user=emails[meeting["host_id"]],
            )
        expected[ident] = row
    return expected


def test_report_matches_the_sandbox_row_for_row(home: Home, sandbox: Sandbox) -> None:
    env = setup(home, sandbox)
    link(home, env)
    rows = report(home, env)
    assert all(set(r) >= PRODUCT_KEYS for r in rows)
    got = {str(r["booking_id"]): {k: r[k] for k in PRODUCT_KEYS} for r in rows}
    assert got == truth(sandbox)
    assert len(rows) == len(got)  # one row per booking
    assert got["1003"]["status"] == "missing"  # Dan Whitfield has no Zoom user
    dan = next(r for r in rows if str(r["booking_id"]) == "1003")
    assert "sbzoom providers map 4 ZOOM_USER" in dan["reason"]
    session = [got[b] for b in ("1004", "1005", "1006")]
    assert len({r["meeting_id"] for r in session}) == 1
    assert len({r["join_url"] for r in session}) == 3


def test_report_before_any_link_shows_every_booking_missing(home: Home, sandbox: Sandbox) -> None:
    env = setup(home, sandbox)
    rows = report(home, env)
    assert {r["status"] for r in rows} == {"missing", "cancelled"}
    assert not (home.data_dir / "ledger-default.sqlite3").exists()  # reading created nothing


def test_csv_parses_and_says_what_json_says(home: Home, sandbox: Sandbox) -> None:
    env = setup(home, sandbox)
    link(home, env)
    result = home.run("report", "meetings", *WINDOW, "--format", "csv", extra_env=env)
    assert result.exit_code == 0, result.stderr
    parsed = list(csv.DictReader(io.StringIO(result.stdout, newline="")))
    rows = report(home, env)
    assert [str(r["booking_id"]) for r in parsed] == [str(r["booking_id"]) for r in rows]
    for from_csv, from_json in zip(parsed, rows, strict=True):
        assert from_csv == {k: "" if v is None else str(v) for k, v in from_json.items()}
    assert "1 missing" in result.stderr and "1 cancelled" in result.stderr


def test_piped_output_without_format_is_csv_and_output_file_is_atomic(
    home: Home, sandbox: Sandbox
) -> None:
    env = setup(home, sandbox)
    link(home, env)
    piped = home.run("report", "meetings", *WINDOW, extra_env=env)
    assert piped.stdout.startswith("booking_id,code,start,end,")
    target = home.root / "out" / "meetings.json"
    target.parent.mkdir()
    result = home.run("report", "meetings", *WINDOW, "--output", str(target), extra_env=env)
    assert result.exit_code == 0, result.stderr
    assert result.stdout == ""
    assert f"Wrote {target}" in result.stderr
    assert json.loads(target.read_text()) == report(home, env)
    assert sorted(p.name for p in target.parent.iterdir()) == ["meetings.json"]


def test_filters_by_provider_and_service_name_or_id(home: Home, sandbox: Sandbox) -> None:
    env = setup(home, sandbox)
    link(home, env)
    yoga = report(home, env, "--service", "Group Yoga Class")
    assert {r["service"] for r in yoga} == {"Group Yoga Class"} and len(yoga) == 4
    ben = report(home, env, "--provider", "2")
    assert {r["provider"] for r in ben} == {"Ben Okafor"} and ben
    both = report(home, env, "--provider", "Ben Okafor", "--service", "2")
    assert {(r["provider"], r["service"]) for r in both} == {("Ben Okafor", "Nutrition Coaching")}


def test_unknown_filter_is_a_usage_error_with_candidates(home: Home, sandbox: Sandbox) -> None:
    env = setup(home, sandbox)
    result = home.run("report", "meetings", "--provider", "Nobody", extra_env=env)
    assert result.exit_code == 2
    assert "4 Dan Whitfield" in result.stderr
    offline = home.run("report", "meetings", "--service", "In-Person Assessment", extra_env=env)
    assert offline.exit_code == 2
    assert "sbzoom services enable-online 4" in offline.stderr


def test_verify_reports_a_meeting_deleted_on_zoom_as_missing(home: Home, sandbox: Sandbox) -> None:
    env = setup(home, sandbox)
    link(home, env)
    before = {str(r["booking_id"]): r for r in report(home, env)}
    gone = before["1001"]["meeting_id"]
    token = httpx.post(
        f"{sandbox.zoom_oauth_url}/oauth/token",
        data={"grant_type": "account_credentials", "account_id": ZOOM_ACCOUNT_ID},
        auth=(ZOOM_CLIENT_ID, ZOOM_CLIENT_SECRET),
    ).json()["access_token"]
    deleted = httpx.delete(
        f"{sandbox.zoom_api_url}/meetings/{gone}", headers={"Authorization": f"Bearer {token}"}
    )
    assert deleted.status_code == 204
    assert {str(r["booking_id"]): r["status"] for r in report(home, env)}["1001"] == "linked"
    sandbox.clear_requests()
    after = {str(r["booking_id"]): r for r in report(home, env, "--verify")}
    assert after["1001"]["status"] == "missing" and "gone from Zoom" in after["1001"]["reason"]
    assert all(after[b]["status"] == before[b]["status"] for b in before if b != "1001")
    looked_up = [r.path for r in sandbox.requests("zoom") if r.route == "meeting.get"]
    distinct = {r["meeting_id"] for r in before.values() if r["status"] == "linked"}
    assert len(looked_up) == len(distinct)  # once per meeting, not once per class client


# -- doctor -----------------------------------------------------------------------------------


def doctor(home: Home, env: dict[str, str]) -> tuple[int, dict[str, dict[str, str]], str]:
    result = home.run("doctor", "--json", extra_env=env)
    data = json.loads(result.stdout)
    assert data["ok"] is (result.exit_code == 0)
    for secret in (ZOOM_CLIENT_SECRET, DEMO_PASSWORD):
        assert secret not in result.stdout and secret not in result.stderr
    return result.exit_code, {c["name"]: c for c in data["checks"]}, result.stdout


def test_doctor_passes_on_a_healthy_setup(home: Home, sandbox: Sandbox) -> None:
    env = setup(home, sandbox, **{"providers.4": OWNER, "simplybook.timezone": "America/New_York"})
    link(home, env)
    code, checks, _ = doctor(home, env)
    assert code == 0
    assert {n: c["status"] for n, c in checks.items() if c["status"] != "ok"} == {
        "zoom hosts": "warn",  # Chloe (Basic) hosts 60-minute Nutrition Coaching
    }
    plain = home.run("doctor", extra_env=env)
    assert plain.exit_code == 0
    assert "ok    zoom scopes" in plain.stdout and "fix: " in plain.stdout


def test_doctor_names_the_fix_for_an_unmapped_provider(home: Home, sandbox: Sandbox) -> None:
    code, checks, _ = doctor(home, setup(home, sandbox))
    assert code == 1
    assert checks["provider mapping"]["status"] == "fail"
    assert "Dan Whitfield (4)" in checks["provider mapping"]["detail"]
    assert "sbzoom providers map 4 ZOOM_USER" in checks["provider mapping"]["fix"]


def test_doctor_names_a_missing_scope(home: Home, sandbox: Sandbox) -> None:
    env = setup(home, sandbox, **{"providers.4": OWNER})
    link(home, env)  # holds a token granted with every scope
    lacking = tuple(s for s in MINIMUM_GRANULAR_SCOPES if "registrant" not in s)
    sandbox.set_zoom_scopes(lacking)
    sandbox.expire_tokens()  # the next token shows the app's new scopes
    code, checks, _ = doctor(home, env)
    assert code == 1
    assert checks["zoom scopes"]["status"] == "fail"
    for scope in ("meeting:write:registrant:admin", "meeting:read:list_registrants:admin"):
        assert scope in checks["zoom scopes"]["detail"]
    assert "sbzoom auth login zoom" in checks["zoom scopes"]["fix"]


def test_doctor_names_the_fix_for_an_absent_sign_in(home: Home, sandbox: Sandbox) -> None:
    env = setup(home, sandbox, **{"providers.4": OWNER})
    endpoints = {k: v for k, v in env.items() if k.endswith("_URL")}
    code, checks, _ = doctor(home, endpoints)
    assert code == 1
    assert checks["zoom sign-in"]["status"] == "fail"
    assert "sbzoom auth login zoom" in checks["zoom sign-in"]["fix"]
    assert checks["simplybook sign-in"]["status"] == "fail"
    assert "sbzoom auth login simplybook" in checks["simplybook sign-in"]["fix"]
    assert checks["zoom hosts"]["detail"].startswith("Not checked")


def test_doctor_names_the_fix_for_expired_sign_ins(home: Home, sandbox: Sandbox) -> None:
    """Stored sign-ins whose tokens have expired and cannot be renewed: a Zoom OAuth grant whose
    refresh token Zoom no longer accepts, and a SimplyBook 2FA sign-in (no password kept)."""
    env = setup(home, sandbox, **{"providers.4": OWNER})
    endpoints = {k: v for k, v in env.items() if k.endswith("_URL")}
    past = datetime.now(UTC) - timedelta(hours=2)
    for key, value in {
        "zoom.mode": "oauth",
        "zoom.client_id": ZOOM_CLIENT_ID,
        "simplybook.company": "demo",
        "simplybook.login": DEMO_2FA_LOGIN,
    }.items():
        assert home.run("config", "set", key, value).exit_code == 0
    zoom_tokens = {
        "mode": "oauth", "client_id": ZOOM_CLIENT_ID, "account_id": None,
        "access_token": "expired-access-token", "refresh_token": "revoked-refresh-token",
        "expires_at": past.isoformat(), "issued_at": (past - timedelta(hours=1)).isoformat(),
        "scope": " ".join(MINIMUM_GRANULAR_SCOPES), "api_url": None,
    }  # fmt: skip
    simplybook_tokens = {
        "token": "expired-sb-token", "refresh_token": "dead-sb-refresh", "company": "demo",
        "login": DEMO_2FA_LOGIN, "api_url": sandbox.simplybook_api_url,
    }  # fmt: skip
    secrets = {
        "default": {
            "zoom.client_secret": ZOOM_CLIENT_SECRET,
            "zoom.tokens": json.dumps(zoom_tokens),
            "simplybook.tokens": json.dumps(simplybook_tokens),
        }
    }
    home.data_dir.mkdir(parents=True, exist_ok=True)
    (home.data_dir / "secrets.json").write_text(json.dumps(secrets))
    (home.data_dir / "secrets.json").chmod(0o600)
    code, checks, out = doctor(home, endpoints)
    assert code == 1
    assert checks["zoom sign-in"]["status"] == "fail"
    assert "sbzoom auth login zoom" in checks["zoom sign-in"]["fix"]
    assert checks["simplybook sign-in"]["status"] == "fail"
    assert "sbzoom auth login simplybook" in checks["simplybook sign-in"]["fix"]
    assert "revoked-refresh-token" not in out and "expired-sb-token" not in out


def test_doctor_names_the_fix_for_an_unlicensed_class_host(home: Home, sandbox: Sandbox) -> None:
    env = setup(home, sandbox, **{"providers.4": OWNER, "providers.1": CHLOE})
    code, checks, _ = doctor(home, env)
    assert code == 1
    hosts = checks["zoom hosts"]
    assert hosts["status"] == "fail"
    assert "chloe.park@sbzoom-demo.example" in hosts["detail"]
    assert "Group Yoga Class" in hosts["detail"]
    assert "sbzoom providers map 1 ZOOM_USER" in hosts["fix"]


def test_doctor_reports_a_corrupt_ledger_and_still_runs_the_rest(
    home: Home, sandbox: Sandbox
) -> None:
    env = setup(home, sandbox, **{"providers.4": OWNER})
    home.data_dir.mkdir(parents=True, exist_ok=True)
    (home.data_dir / "ledger-default.sqlite3").write_bytes(b"this is not a database" * 100)
    code, checks, _ = doctor(home, env)
    assert code == 1
    assert checks["ledger"]["status"] == "fail"
    assert "sbzoom bookings link" in checks["ledger"]["fix"]
    assert checks["clock"]["status"] == "ok"


def test_report_window_defaults_to_thirty_days(home: Home, sandbox: Sandbox) -> None:
    env = setup(home, sandbox)
    result = home.run("report", "meetings", "--format", "json", extra_env=env)
    assert result.exit_code == 0, result.stderr
    today = datetime.now(NY).date()
    assert f"from {today.isoformat()} to {(today + timedelta(30)).isoformat()}" in result.stderr


def test_doctor_warns_of_a_host_with_more_meetings_to_create_than_zoom_allows_today(
    home: Home, sandbox: Sandbox
) -> None:
    """The backfill check (issue 17): before the first link every online booking waits for its
    meeting; with Zoom's per-host daily allowance lowered to 1 some host is over it."""
    env = setup(home, sandbox, **{"providers.4": OWNER})
    _, checks, _ = doctor(home, env)
    assert checks["backfill"]["status"] == "ok"
    assert "meetings to create" in checks["backfill"]["detail"]
    _, checks, _ = doctor(home, {**env, "SBZOOM_ZOOM_DAILY_LIMIT": "1"})
    backfill = checks["backfill"]
    assert backfill["status"] == "warn"
    assert "0 of 1 creates/updates left" not in backfill["detail"]  # nothing spent yet today
    assert "1 of 1 creates/updates left" in backfill["detail"]
    assert "when run daily" in backfill["detail"]
    assert "sbzoom bookings link --dry-run" in backfill["fix"]
    link(home, env)
    _, checks, _ = doctor(home, {**env, "SBZOOM_ZOOM_DAILY_LIMIT": "1"})
    assert checks["backfill"]["status"] == "ok"  # every meeting made: nothing waits
