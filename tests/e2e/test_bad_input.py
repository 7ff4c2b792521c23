"""Bad input, end to end in real processes: each mistake gets a clear message (one ``Error:`` line,
at most a line of candidates and a line with the fix), its documented exit code (PRODUCT.md: 2
usage, 3 config, 4 auth, 5 remote), no traceback, and nothing written — the config file keeps
its bytes, Zoom gets no meeting, the ledger's audit log stays empty.
"""

from __future__ import annotations

import json
import stat
from dataclasses import dataclass

import httpx
import pytest

from sbzoom.clients.circuit import COLD_THRESHOLD
from sbzoom.clients.http import RetryPolicy
from sbzoom.sandbox import (
    DEMO_COMPANY,
    DEMO_LOGIN,
    DEMO_PASSWORD,
    MINIMUM_GRANULAR_SCOPES,
    ZOOM_ACCOUNT_ID,
    ZOOM_CLIENT_ID,
    ZOOM_CLIENT_SECRET,
    Sandbox,
)
from tests.conftest import Home, Result
from tests.reliability.harness import (
    BEN,
    Installation,
    Run,
    install,
    login_simplybook,
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
        ["'simplybook.max_rps' = -1 must be a number of requests per second from 0.1 to 10000"],
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


def test_a_wrong_simplybook_password_is_sent_once_and_never_locks_the_login(
    home: Home, make_sandbox: MakeSandbox
) -> None:
    # SimplyBook locks a login after a few refusals, and then refuses the right password too.
    sandbox = make_sandbox(max_login_failures=2)
    app = install(home, sandbox)
    config = app.config_path.read_bytes()
    wrong = {"SBZOOM_SIMPLYBOOK_PASSWORD": "not-the-password"}
    first = app.run("bookings", "link", extra_env=wrong)
    assert_fails_cleanly(first, 4, "rejected the login", "password")
    for _ in range(3):  # cron goes on running with the same wrong password: nothing is sent
        again = app.run("bookings", "link", extra_env=wrong)
        assert_fails_cleanly(
            again, 4, "refused these credentials", "will not send them again",
            "SBZOOM_SIMPLYBOOK_PASSWORD", "sbzoom auth login simplybook",
        )  # fmt: skip
    logins = [r for r in sandbox.requests("simplybook") if r.route == "auth.login"]
    assert len(logins) == 1 and sandbox.simplybook.failed_logins() == {DEMO_LOGIN: 1}
    memory = app.data_dir / "rejected-sign-ins.json"
    assert stat.S_IMODE(memory.stat().st_mode) == 0o600
    assert "not-the-password" not in memory.read_text() and DEMO_PASSWORD not in memory.read_text()
    # The fix the message names: the right password. The login was never locked, so it works.
    fixed = app.run("bookings", "link", "--json")
    assert fixed.returncode == 0, fixed.stderr
    assert sandbox.meetings() and app.config_path.read_bytes() == config


def test_auth_login_tries_refused_credentials_again_and_remembers_a_new_refusal(
    home: Home, make_sandbox: MakeSandbox
) -> None:
    sandbox = make_sandbox(max_login_failures=5)
    app = install(home, sandbox)
    wrong = {"SBZOOM_SIMPLYBOOK_PASSWORD": "not-the-password"}
    assert app.run("bookings", "link", extra_env=wrong).returncode == 4
    assert app.run("bookings", "link", extra_env=wrong).returncode == 4  # not sent
    # An admin signing in is there to try: the same password is sent (and refused) again.
    del app.env["SBZOOM_SIMPLYBOOK_PASSWORD"]
    admin = login_simplybook(app, "not-the-password")
    assert_fails_cleanly(admin, 4, "rejected the login")
    assert sandbox.simplybook.failed_logins() == {DEMO_LOGIN: 2}
    # ... and that refusal is remembered for cron too.
    assert_fails_cleanly(app.run("bookings", "link", extra_env=wrong), 4, "will not send them")
    assert sandbox.simplybook.failed_logins() == {DEMO_LOGIN: 2}
    assert login_simplybook(app).returncode == 0  # the right password, by the admin
    assert app.run("bookings", "link").returncode == 0


def test_a_locked_simplybook_login_is_left_alone_until_the_lock_can_have_ended(
    home: Home, make_sandbox: MakeSandbox
) -> None:
    sandbox = make_sandbox(max_login_failures=1)
    app = install(home, sandbox)
    # Someone else (another machine, a person in a browser) locked the login.
    locked = httpx.post(
        f"{sandbox.simplybook_api_url}/admin/auth", timeout=10,
        json={"company": DEMO_COMPANY, "login": DEMO_LOGIN, "password": "guess"},
    )  # fmt: skip
    assert locked.status_code == 400
    sandbox.clear_requests()
    first = app.run("bookings", "link")  # the right password, refused while the lock lasts
    assert_fails_cleanly(first, 4, "too many login attempts", "Wait")
    second = app.run("bookings", "link")
    assert_fails_cleanly(second, 4, "will not try again before", "sbzoom auth login simplybook")
    assert [r.route for r in sandbox.requests("simplybook")] == ["auth.login"]  # asked once
    sandbox.simplybook.unlock()  # the lock ends; the admin follows the fix and signs in now
    del app.env["SBZOOM_SIMPLYBOOK_PASSWORD"]
    assert login_simplybook(app).returncode == 0, app.runs[-1].stderr
    assert app.run("bookings", "link").returncode == 0


def test_a_refused_zoom_secret_is_sent_once(app: Installation) -> None:
    sandbox = app.sandbox
    wrong = {"SBZOOM_ZOOM_CLIENT_SECRET": "rotated-away"}
    first = app.run("zoom", "users", extra_env=wrong)
    assert_fails_cleanly(first, 4, "rejected the app's client ID or secret")
    for args in (("zoom", "users"), ("bookings", "link")):
        again = app.run(*args, extra_env=wrong)
        assert_fails_cleanly(again, 4, "Zoom refused these credentials", "will not send them")
        assert "SBZOOM_ZOOM_CLIENT_SECRET" in again.stderr  # the fix: the app's current secret
    tokens = [r for r in sandbox.requests("zoom-oauth") if r.route == "oauth.token"]
    assert len(tokens) == 1
    assert "rotated-away" not in (app.data_dir / "rejected-sign-ins.json").read_text()
    # New values are tried at once: the app's real secret works.
    assert app.run("zoom", "users").returncode == 0
    assert sandbox.meetings() == []


def test_a_refused_s2s_login_is_remembered_for_unattended_runs(app: Installation) -> None:
    sandbox = app.sandbox
    secret = app.env.pop("SBZOOM_ZOOM_CLIENT_SECRET")
    login = (
        "auth", "login", "zoom", "--s2s", "--account-id", app.env["SBZOOM_ZOOM_ACCOUNT_ID"],
        "--client-id", app.env["SBZOOM_ZOOM_CLIENT_ID"], "--client-secret-stdin",
    )  # fmt: skip
    for _ in range(2):  # an admin may try as often as they like
        refused = app.run(*login, stdin="typo\n")
        assert_fails_cleanly(refused, 4, "rejected the app's client ID or secret")
    tokens = [r for r in sandbox.requests("zoom-oauth") if r.route == "oauth.token"]
    assert len(tokens) == 2
    cron = app.run("zoom", "users", extra_env={"SBZOOM_ZOOM_CLIENT_SECRET": "typo"})
    assert_fails_cleanly(cron, 4, "refused these credentials")
    assert len([r for r in sandbox.requests("zoom-oauth") if r.route == "oauth.token"]) == 2
    assert app.run(*login, stdin=secret + "\n").returncode == 0, app.runs[-1].stderr


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
    # bounded number of times (a service that never answered in this run: until its circuit
    # opens, clients/circuit.py); an answer that arrived whole but is not JSON is not.
    retried = answer in ("cut off mid-body", "proxy error page")
    assert garbage.hits == (min(COLD_THRESHOLD, RetryPolicy().attempts) if retried else 1)
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
    assert_fails_cleanly(run, 3, str(app.ledger), "is damaged", f"mv {app.ledger}")
    assert app.ledger.read_bytes() == before and app.sandbox.meetings() == []
    # The advice works and loses nothing: set aside, the next run links everything.
    app.ledger.rename(app.ledger.with_name(app.ledger.name + ".damaged"))
    assert app.run("bookings", "link").returncode == 0
    assert app.ledger.with_name(app.ledger.name + ".damaged").read_bytes() == before


# -- settings and arguments checked when given ---------------------------------------------------

# key: [(bad value, what the message says)]; each is refused by `config set` (exit 2, the file
# keeps its bytes) and, written into the file by hand, at load (exit 3, the same message).
BAD_SETTINGS: dict[str, list[tuple[str, str]]] = {
    "zoom.max_rps": [
        ("1e-9", "from 0.1 to 10000"),  # would pace one request per 31 years: every command hangs
        ("0", "from 0.1 to 10000"),
        ("-2", "from 0.1 to 10000"),
        ("nan", "from 0.1 to 10000"),
        ("inf", "from 0.1 to 10000"),
        ("1e12", "from 0.1 to 10000"),
    ],
    "zoom.api_url": [
        ("api.zoom.us/v2", "must be an http(s) URL"),
        ("ftp://api.zoom.us", "must be an http(s) URL"),
        ("https://", "must be an http(s) URL"),
        ("https://api.zoom.us:99999/v2", "port"),
        ("https://api.zoom.us/v2?x=1", "without ?query"),
        ("https://api.zoom.us/v 2", "without spaces"),
    ],
    "simplybook.api_url": [("https://admin:hunter2@user-api-v2.simplybook.me", "user name")],
    "simplybook.company": [("", "must not be empty"), ("   ", "must not be empty")],
    "zoom.client_id": [("", "must not be empty"), (" abc ", "spaces around it")],
    "meeting.topic": [
        ("{service.upper}", "{service.upper}"),  # a Python repr in a client's meeting topic
        ("{client[0]}", "{client[0]}"),
        ("{code!r}", "{code!r}"),
        ("{service:>40}", "{service:>40}"),
        ("{password}", "{password}"),
        ("{service", "not a valid template"),
        ("}", "not a valid template"),
    ],
    "meeting.agenda": [("{client.__class__}", "{client.__class__}")],
    "providers.١٢": [("zoom-user", "digits other than 0-9")],
    "providers.-3": [("zoom-user", "negative")],
    "providers.007": [("zoom-user", "without leading zeros")],
    "providers.3": [("", "must not be empty")],
}
TOML_TABLES = {"providers.١٢": None, "providers.-3": None, "providers.007": None}


def _as_toml(key: str, raw: str) -> str:
    section, _, leaf = key.rpartition(".")
    literal = json.dumps(raw)
    if key.endswith("max_rps"):
        literal = {"nan": "nan", "inf": "inf"}.get(raw, raw)
    return f'[default.{section}]\n"{leaf}" = {literal}\n'


def _in_process(result: Result, args: tuple[str, ...]) -> Run:
    return Run(args, result.exit_code, result.stdout, result.stderr)


def test_bad_settings_are_refused_by_config_set_and_at_load(app: Installation) -> None:
    # In-process (the same CLI, without ~70 interpreter start-ups); one case of each way also
    # runs as a real process below.
    home = app.home
    config = app.config_path
    before = config.read_bytes()
    for key, cases in BAD_SETTINGS.items():
        for raw, says in cases:
            args = ("config", "set", key, raw)
            result = _in_process(home.run(*args), args)
            assert_fails_cleanly(result, 2, key, says)
            assert "hunter2" not in result.stderr  # a password in a URL is never echoed
            assert config.read_bytes() == before
    for key, cases in BAD_SETTINGS.items():
        if key in TOML_TABLES:
            continue  # not a key a TOML file can hold under that name; covered by config set
        for raw, says in cases:
            config.write_text(_as_toml(key, raw))
            args = ("bookings", "link")
            result = _in_process(home.run(*args), args)
            assert_fails_cleanly(result, 3, key, says, str(config), "line 2")
            assert "hunter2" not in result.stderr
    config.write_bytes(before)
    real = app.run("config", "set", "zoom.max_rps", "1e-9")
    assert_fails_cleanly(real, 2, "zoom.max_rps", "from 0.1 to 10000")
    config.write_text(_as_toml("meeting.topic", "{service.upper}"))
    real = app.run("bookings", "link")
    assert_fails_cleanly(real, 3, "meeting.topic", "{service.upper}", "line 2")
    assert app.sandbox.meetings() == [] and app.audit() == []


def test_a_topic_may_be_empty_and_then_is_the_default(app: Installation) -> None:
    assert app.run("config", "set", "meeting.topic", "").returncode == 0
    assert app.run("bookings", "link").returncode == 0
    topics = {str(m["topic"]) for m in app.sandbox.meetings()}
    assert topics and all(t.strip() for t in topics)
    assert any(" with " in t for t in topics)  # "{service} with {provider}"


def test_a_template_of_placeholders_only_renders_plain_text(app: Installation) -> None:
    assert app.run("config", "set", "meeting.topic", "{date} {time}: {service}").returncode == 0
    assert app.run("bookings", "link").returncode == 0
    for meeting in app.sandbox.meetings():
        assert "<" not in str(meeting["topic"]) and "method" not in str(meeting["topic"])


@pytest.mark.parametrize(
    ("args", "mentions"),
    [
        (("--from", "9999-12-31"), ["outside the days sbzoom works with", "2199-12-31"]),
        (("--to", "9999-12-31"), ["outside the days"]),
        (("--from", "0001-01-01"), ["outside the days"]),
        (("--from", "+9999w"), ["outside the days"]),
        (("--from", "-9999w"), ["outside the days"]),
        (("--from", "２０２６-05-01"), ["characters other than ASCII"]),
        (("--from", "+١٢d"), ["characters other than ASCII"]),
        (("--from", "20260501"), ["is not a date"]),
        (("--from", ""), ["is not a date"]),
    ],
)
def test_dates_out_of_range_or_in_lookalike_digits_are_exit_2(
    app: Installation, guard: Guard, args: tuple[str, ...], mentions: list[str]
) -> None:
    for command in (("bookings", "link", "--json"), ("report", "meetings", "--format", "json")):
        assert_fails_cleanly(app.run(*command, *args), 2, *mentions)
    guard.assert_untouched()


def test_ids_with_lookalike_or_negative_digits_are_refused_by_name(
    app: Installation, guard: Guard
) -> None:
    cases = {
        ("bookings", "link", "١٠٠١"): ["'١٠٠١' is written with digits other than 0-9", "(1001)"],
        ("bookings", "link", "１００１"): ["digits other than 0-9", "(1001)"],
        ("bookings", "link", "--", "-1001"): ["'-1001' is negative"],
        ("bookings", "link", "+1001"): ["not a plain number"],
        ("bookings", "show", "١٠٠١"): ["digits other than 0-9"],
        ("providers", "map", "٢", BEN): ["Provider id '٢' is written with digits other than 0-9"],
        ("providers", "map", "--", "-2", BEN): ["Provider id '-2' is negative"],
        ("providers", "unmap", "--", "-2"): ["is negative"],
        ("services", "enable-online", "١"): ["Service id '١'", "(1)"],
        ("services", "disable-online", "--", "-1"): ["Service id '-1' is negative"],
        ("report", "meetings", "--provider", "٢"): ["digits other than 0-9"],
    }
    for args, mentions in cases.items():
        assert_fails_cleanly(app.run(*args), 2, *mentions)
    guard.assert_untouched()


def test_endpoint_urls_in_the_environment_are_checked(app: Installation, guard: Guard) -> None:
    for name in ("SBZOOM_ZOOM_API_URL", "SBZOOM_ZOOM_OAUTH_URL", "SBZOOM_SIMPLYBOOK_API_URL"):
        for bad in ("localhost:8080", "https://user:secret@host.example"):
            run = app.run("bookings", "link", extra_env={name: bad})
            assert_fails_cleanly(run, 3, name)
            assert "secret@" not in run.stderr
    guard.assert_untouched()


# -- a cron job never waits for a person -------------------------------------------------------


def test_zoom_browser_login_without_a_person_fails_at_once(app: Installation) -> None:
    for key in ("SBZOOM_ZOOM_ACCOUNT_ID", "SBZOOM_ZOOM_CLIENT_ID", "SBZOOM_ZOOM_CLIENT_SECRET"):
        del app.env[key]
    base = ("auth", "login", "zoom", "--client-id", ZOOM_CLIENT_ID, "--client-secret-stdin")
    cases = [
        (base, {}),  # no terminal, a browser to open: nobody would see it
        (("--no-input", *base, "--no-browser"), {}),  # asked for no person at all
        ((*base, "--no-browser"), {"SBZOOM_NO_INPUT": "1"}),
    ]
    for args, env in cases:
        run = app.run(*args, stdin=ZOOM_CLIENT_SECRET + "\n", timeout=20, extra_env=env)
        assert_fails_cleanly(run, 2, "needs a person", "--s2s", "SBZOOM_ZOOM_CLIENT_SECRET")
    assert app.sandbox.requests("zoom-oauth") == []
    # What the message names works without a person: Server-to-Server with the secret on stdin.
    s2s = app.run(
        "--no-input", "auth", "login", "zoom", "--s2s", "--account-id", ZOOM_ACCOUNT_ID,
        "--client-id", ZOOM_CLIENT_ID, "--client-secret-stdin", stdin=ZOOM_CLIENT_SECRET + "\n",
    )  # fmt: skip
    assert s2s.returncode == 0, s2s.stderr
    assert app.run("--no-input", "zoom", "users").returncode == 0


# -- waiting for another run (issue 14, kind 6) ----------------------------------------------------


@pytest.mark.parametrize("value", ["-1", "nan", "86401", "soon", ""])
def test_a_bad_lock_timeout_is_exit_2_and_a_bad_setting_is_refused(
    app: Installation, guard: Guard, value: str
) -> None:
    run = app.run("bookings", "link", "--lock-timeout", value)
    assert run.returncode == 2, run.stderr
    assert "--lock-timeout" in run.stderr and "Traceback" not in run.stderr + run.stdout
    refused = app.run("config", "set", "link.lock_timeout", "--", value)
    assert refused.returncode in (2, 3), refused.stderr
    assert "link.lock_timeout" in refused.stderr and "Traceback" not in refused.stderr
    guard.assert_untouched()


def test_another_run_holding_the_lock_with_no_wait_is_exit_5_naming_the_option(
    app: Installation, guard: Guard
) -> None:
    import fcntl
    import os

    lock = app.data_dir / "locks" / "link-default.lock"
    lock.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(lock, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        run = app.run("bookings", "link", "--lock-timeout", "0")
    finally:
        os.close(fd)
    assert run.returncode == 5, run.stderr
    assert "Another 'sbzoom bookings link'" in run.stderr and "--lock-timeout" in run.stderr
    assert "Traceback" not in run.stderr and run.stdout == ""
    guard.assert_untouched()
