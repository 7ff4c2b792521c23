"""Bad input, end to end in real processes: each mistake gets a clear message (one ``Error:`` line,
at most a line of candidates and a line with the fix), its documented exit code (PRODUCT.md: 2
usage, 3 config, 4 auth, 5 remote), no traceback, and nothing written — the config file keeps
its bytes, Zoom gets no meeting, the ledger's audit log stays empty.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import httpx
import pytest

from sbzoom.clients._http import RetryPolicy
from sbzoom.sandbox import MINIMUM_GRANULAR_SCOPES, ZOOM_CLIENT_ID, ZOOM_CLIENT_SECRET, Sandbox
from tests.conftest import Home
from tests.reliability.harness import (
    BEN,
    Installation,
    Run,
    install,
    login_zoom,
    serving,
)
from tests.sandbox_fixture import MakeSandbox


def assert_fails_cleanly(run: Run, exit_code: int, *mentions: str) -> None:
    stderr = run.stderr
    assert run.returncode == exit_code, (run.returncode, stderr)
    assert "Traceback" not in stderr + run.stdout
    assert "This is a bug in sbzoom" not in stderr  # cli/main.py's catch-all for the unexpected
    lines = [line for line in stderr.splitlines() if line.strip()]
    lines = [line for line in lines if not line.startswith("No system keyring is available")]
    assert len([line for line in lines if line.startswith("Error: ")]) == 1, stderr
    assert lines[0].startswith("Error: ") and len(lines) <= 3, stderr
    assert run.stdout == "", run.stdout  # no half a result on stdout
    for text in mentions:
        assert text in stderr, (text, stderr)


@dataclass
class Guard:
    """What must stay as it was: the config file's bytes, no meeting, nothing audited."""

    app: Installation
    config: bytes

    def assert_untouched(self) -> None:
        assert self.app.config_path.read_bytes() == self.config
        assert self.app.sandbox.meetings() == []
        assert self.app.audit() == []


@pytest.fixture
def app(home: Home, sandbox: Sandbox) -> Installation:
    return install(home, sandbox)


@pytest.fixture
def guard(app: Installation) -> Guard:
    return Guard(app, app.config_path.read_bytes())


# -- configuration ------------------------------------------------------------------------------


BROKEN_CONFIGS = {
    "malformed TOML": ("[default.zoom\nmax_rps = 3\n", ["is not valid TOML", "line "]),
    "a number as text": (
        '[default.zoom]\nmax_rps = "fast"\n',
        ["'zoom.max_rps' must be a float, not str", "line 2", "config unset zoom.max_rps"],
    ),
    "a service as true": (
        "[default.services]\n1 = true\n",
        ["'services.1' must be a str, not bool", "line 2"],
    ),
    "an unknown mode": (
        '[default.services]\n1 = "sometimes"\n',
        ["'services.1' = 'sometimes' must be one of online, class", "line 2"],
    ),
    "a negative rate": (
        "[default.simplybook]\nmax_rps = -1\n",
        ["'simplybook.max_rps' = -1 must be greater than 0"],
    ),
    "a profile that is not a table": ("default = 3\n", ["must be a table of settings"]),
    "an unknown key": ('[default.zoom]\nspeed = "fast"\n', ["Unknown config key 'zoom.speed'"]),
}


@pytest.mark.parametrize("case", list(BROKEN_CONFIGS))
def test_a_broken_config_file_is_exit_3_naming_file_line_and_key(
    app: Installation, case: str
) -> None:
    text, mentions = BROKEN_CONFIGS[case]
    app.config_path.write_text(text)
    before = app.config_path.read_bytes()
    for args in (("bookings", "link"), ("config", "set", "zoom.max_rps", "5")):
        run = app.run(*args)
        assert_fails_cleanly(run, 3, str(app.config_path), *mentions)
        assert app.config_path.read_bytes() == before  # `config set` refuses to rewrite it
    assert app.sandbox.meetings() == []


def test_an_unknown_profile_is_exit_3_naming_the_profiles(app: Installation, guard: Guard) -> None:
    by_flag = app.run("--profile", "staging", "bookings", "link")
    by_env = app.run("bookings", "link", extra_env={"SBZOOM_PROFILE": "staging"})
    for run in (by_flag, by_env):
        assert_fails_cleanly(run, 3, "no profile named 'staging'", "profiles: default")
    guard.assert_untouched()


# -- names ----------------------------------------------------------------------------------------


def test_unknown_provider_service_and_zoom_user_are_exit_2_with_candidates(
    app: Installation, guard: Guard
) -> None:
    cases = {
        ("providers", "map", "Bem Okafor", BEN): ["'Bem Okafor'", "Candidates: ", "2 Ben Okafor"],
        ("providers", "map", "Ben Okafor", "ben@nowhere.example"): ["ben@nowhere.example"],
        ("providers", "unmap", "Nobody"): ["'Nobody'"],
        ("services", "enable-online", "2", "Yoga"): ["'Yoga'", "3 Group Yoga Class"],
        ("services", "disable-online", "99"): ["'99'"],
        ("report", "meetings", "--provider", "Nobody"): ["'Nobody'"],
        ("report", "meetings", "--service", "Yoga"): ["'Yoga'"],
    }
    for args, mentions in cases.items():
        assert_fails_cleanly(app.run(*args), 2, *mentions)
    guard.assert_untouched()


def test_names_shared_by_two_are_ambiguous_exit_2_and_listed_with_ids(
    app: Installation, guard: Guard
) -> None:
    simplybook = app.sandbox.simplybook
    # The demo company has no namesakes: give provider 4 Ben's name and service 2 service 1's.
    with app.sandbox._lock:
        simplybook._provider_json[4]["name"] = "Ben Okafor"
        simplybook._service_json[2]["name"] = "Intro Consultation"
    provider = app.run("providers", "map", "Ben Okafor", BEN)
    assert_fails_cleanly(provider, 2, "'Ben Okafor' matches 2 providers (ids 2, 4)", "Use the id")
    service = app.run("services", "enable-online", "Intro Consultation")
    assert_fails_cleanly(service, 2, "'Intro Consultation' matches 2 services (ids 1, 2)")
    report = app.run("report", "meetings", "--provider", "Ben Okafor")
    assert_fails_cleanly(report, 2, "matches 2 providers")
    guard.assert_untouched()


# -- dates and booking ids ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "mentions"),
    [
        (("--from", "2026-13-01"), ["--from '2026-13-01' is not a date", "YYYY-MM-DD"]),
        (("--to", "2026-02-30"), ["--to '2026-02-30' is not a date"]),
        (("--from", "next tuesday"), ["--from 'next tuesday' is not a date"]),
        (("--from", "2026-05-10", "--to", "2026-05-01"), ["--to 2026-05-01 is before --from"]),
        (("--from", "+10d", "--to", "+2d"), ["is before --from"]),
    ],
)
def test_invalid_dates_and_ranges_are_exit_2(
    app: Installation, guard: Guard, args: tuple[str, ...], mentions: list[str]
) -> None:
    for command in (("bookings", "link", "--json"), ("report", "meetings", "--format", "json")):
        assert_fails_cleanly(app.run(*command, *args), 2, *mentions)
    guard.assert_untouched()


def test_unknown_and_malformed_booking_ids_are_exit_2(app: Installation, guard: Guard) -> None:
    assert_fails_cleanly(app.run("bookings", "link", "424242"), 2, "no booking 424242")
    assert_fails_cleanly(app.run("bookings", "link", "1001", "424242"), 2, "424242")
    assert_fails_cleanly(app.run("bookings", "show", "424242"), 2, "no booking 424242")
    assert_fails_cleanly(app.run("bookings", "link", "12ab"), 2, "'12ab' is not a number")
    guard.assert_untouched()


# -- the secret store -----------------------------------------------------------------------------


def test_a_corrupt_secrets_file_is_exit_3_and_left_alone(app: Installation, guard: Guard) -> None:
    secrets = app.data_dir / "secrets.json"
    secrets.parent.mkdir(parents=True, exist_ok=True)
    for content in ("{not json", '{"default": {"zoom.tokens": 3}}', "[]"):
        secrets.write_text(content)
        for args in (("bookings", "link"), ("auth", "status")):
            assert_fails_cleanly(app.run(*args), 3, str(secrets), "is corrupt", "auth login")
        assert secrets.read_text() == content
    guard.assert_untouched()


def test_an_unreadable_secrets_file_is_exit_3_naming_it(app: Installation, guard: Guard) -> None:
    secrets = app.data_dir / "secrets.json"
    secrets.mkdir(parents=True)  # we run as root: a directory is what no chmod can fake
    for args in (("bookings", "link"), ("auth", "status")):
        assert_fails_cleanly(app.run(*args), 3, str(secrets), "Cannot read")
    assert secrets.is_dir() and not any(secrets.iterdir())
    guard.assert_untouched()


# -- the remote side says no ----------------------------------------------------------------------


def test_a_revoked_zoom_app_is_exit_4_naming_the_login(app: Installation) -> None:
    sandbox = app.sandbox
    for key in ("SBZOOM_ZOOM_ACCOUNT_ID", "SBZOOM_ZOOM_CLIENT_ID", "SBZOOM_ZOOM_CLIENT_SECRET"):
        del app.env[key]  # Zoom through `auth login zoom` (OAuth), SimplyBook through the env
    assert login_zoom(app).returncode == 0, app.runs[-1].stderr
    store = json.loads((app.data_dir / "secrets.json").read_text())
    tokens = json.loads(store["default"]["zoom.tokens"])
    # The admin removes the app on Zoom's side: the grant and its refresh token are dead.
    revoked = httpx.post(
        f"{sandbox.zoom_oauth_url}/oauth/revoke", auth=(ZOOM_CLIENT_ID, ZOOM_CLIENT_SECRET),
        data={"token": tokens["refresh_token"]}, timeout=10,
    )  # fmt: skip
    assert revoked.status_code == 200
    config = app.config_path.read_bytes()
    for args in (("bookings", "link"), ("zoom", "users")):
        run = app.run(*args)
        assert_fails_cleanly(run, 4, "sbzoom auth login zoom")
    assert "invalid_grant" in app.runs[-2].stderr  # the first run says why; later ones just how
    assert sandbox.invalid_grant_count() >= 1
    assert app.config_path.read_bytes() == config and sandbox.meetings() == []


def test_a_missing_zoom_scope_is_exit_4_naming_the_scope(
    home: Home, make_sandbox: MakeSandbox
) -> None:
    scopes = tuple(s for s in MINIMUM_GRANULAR_SCOPES if s != "meeting:write:meeting:admin")
    sandbox = make_sandbox(zoom_scopes=scopes)
    app = install(home, sandbox)
    config = app.config_path.read_bytes()
    run = app.run("bookings", "link")
    assert_fails_cleanly(run, 4, "meeting:write:meeting:admin", "Zoom Marketplace")
    assert sandbox.meetings() == [] and app.config_path.read_bytes() == config


def test_a_simplybook_lockout_is_exit_4_and_not_retried(
    home: Home, make_sandbox: MakeSandbox
) -> None:
    sandbox = make_sandbox(max_login_failures=2)
    app = install(home, sandbox)
    config = app.config_path.read_bytes()
    wrong = {"SBZOOM_SIMPLYBOOK_PASSWORD": "not-the-password"}
    for _ in range(2):
        assert_fails_cleanly(app.run("bookings", "link", extra_env=wrong), 4, "password")
    sandbox.clear_requests()
    locked = app.run("bookings", "link")  # the right password, too late
    assert_fails_cleanly(locked, 4, "too many login attempts", "Wait")
    assert [r.route for r in sandbox.requests("simplybook")] == ["auth.login"]  # asked once
    assert sandbox.meetings() == [] and app.config_path.read_bytes() == config


# -- answers that are not what an API answers -----------------------------------------------------


PROXY_PAGE = (
    b"<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n"
    b"<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n"
    b"</html>\r\n"
)
ANSWERS: dict[str, tuple[int, str, bytes, int | None]] = {
    # name: (status, content type, body, Content-Length to claim; None = the true length)
    "plain text": (200, "text/plain", b"OK", None),
    "truncated JSON": (200, "application/json", b'{"data": [{"id": 1, "na', None),
    "cut off mid-body": (200, "application/json", b'{"token": "', 4096),
    "proxy error page": (502, "text/html", PROXY_PAGE, None),
    "captive portal": (
        200,
        "text/html",
        b"<html><body>Please log in to the Wi-Fi</body></html>",
        None,
    ),
}


@pytest.mark.parametrize("answer", list(ANSWERS))
def test_simplybook_answering_garbage_is_a_remote_error(
    app: Installation, guard: Guard, answer: str
) -> None:
    with serving(*ANSWERS[answer]) as garbage:
        app.env["SBZOOM_SIMPLYBOOK_API_URL"] = garbage.url
        run = app.run("bookings", "link")  # signs in first
    assert_fails_cleanly(run, 5, "SimplyBook")
    # Signing in is safe to repeat: a 502 or a cut-off answer is retried with back-off, a
    # bounded number of times; an answer that arrived whole but is not JSON is not.
    retried = answer in ("cut off mid-body", "proxy error page")
    assert garbage.hits == (RetryPolicy().attempts if retried else 1)
    guard.assert_untouched()


# A 502 page or a cut-off answer is retried with back-off (seconds of waiting); the SimplyBook
# test above covers those answers, on the sign-in.
@pytest.mark.parametrize("answer", ["plain text", "truncated JSON", "captive portal"])
def test_zoom_answering_garbage_is_a_remote_error(
    app: Installation, guard: Guard, answer: str
) -> None:
    with serving(*ANSWERS[answer]) as garbage:
        app.env["SBZOOM_ZOOM_API_URL"] = garbage.url
        api = app.run("zoom", "users")
        app.env["SBZOOM_ZOOM_OAUTH_URL"] = garbage.url  # the token endpoint too
        (app.data_dir / "secrets.json").unlink()  # no cached token: ask the endpoint
        oauth = app.run("zoom", "users")
    assert_fails_cleanly(api, 5, "Zoom")
    assert_fails_cleanly(oauth, 5, "Zoom")
    guard.assert_untouched()


def test_a_link_run_against_a_broken_zoom_reports_each_booking_failed(
    app: Installation, guard: Guard
) -> None:
    with serving(*ANSWERS["captive portal"]) as garbage:
        app.env["SBZOOM_ZOOM_API_URL"] = garbage.url
        run = app.run("bookings", "link", "--json")
    # every booking failed because Zoom could not be reached properly: exit 5, "try again later"
    assert run.returncode == 5 and "Traceback" not in run.stderr
    results = json.loads(run.stdout)["results"]
    failed = [r for r in results if r["status"] == "failed"]
    assert failed and all("HTML page" in r["reason"] for r in failed)
    assert "failed" in run.stderr.splitlines()[-1]
    assert app.sandbox.meetings() == [] and app.config_path.read_bytes() == guard.config


def test_a_corrupt_ledger_is_exit_3_naming_it_and_the_fix(app: Installation) -> None:
    app.ledger.parent.mkdir(parents=True, exist_ok=True)
    app.ledger.write_bytes(b"this is not a database, just some text\n" * 100)
    before = app.ledger.read_bytes()
    run = app.run("bookings", "link")
    assert_fails_cleanly(run, 3, str(app.ledger), "Move it away")
    assert app.ledger.read_bytes() == before and app.sandbox.meetings() == []
