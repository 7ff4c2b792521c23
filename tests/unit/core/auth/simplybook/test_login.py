"""`sbzoom auth login simplybook`, `auth status`, `auth logout simplybook` as a user runs them."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
import respx

from tests.conftest import Home, ScriptedPrompter
from tests.unit.simplybook_fake import API, HOST, PASSWORD, FakeSimplyBook

ENV = {"SBZOOM_SIMPLYBOOK_API_URL": API}
LOGIN = ("auth", "login", "simplybook", "--company", "demo")


@pytest.fixture
def fake() -> Iterator[FakeSimplyBook]:
    server = FakeSimplyBook()
    with respx.mock(assert_all_called=False) as router:
        router.route(host=HOST).mock(side_effect=server.handle)
        yield server


@pytest.fixture
def fast(home: Home) -> Home:
    home.config_path.parent.mkdir(parents=True, exist_ok=True)
    home.config_path.write_text("[default.simplybook]\nmax_rps = 10000.0\n")
    return home


def secrets_text(home: Home) -> str:
    path = home.data_dir / "secrets.json"
    return path.read_text() if path.exists() else ""


def everything_but_the_secret_store(home: Home, *outputs: str) -> str:
    files = [p.read_text() for p in home.root.rglob("*") if p.is_file() and p.suffix != ".lock"
             and p.name != "secrets.json"]  # fmt: skip
    return "\n".join([*outputs, *files])


def test_login_saves_settings_and_keeps_secrets_in_the_store(
    fast: Home, fake: FakeSimplyBook
) -> None:
    result = fast.run(
        *LOGIN, "--login", "admin", "--password-stdin", stdin=PASSWORD + "\n", extra_env=ENV
    )
    assert result.exit_code == 0, result.stderr
    assert result.stdout == ""
    assert "Signed in to SimplyBook as admin at company demo (Demo Studio)" in result.stderr
    assert "America/New_York (from company info)" in result.stderr
    config = fast.config_path.read_text()
    for line in ('company = "demo"', 'login = "admin"', 'domain = "simplybook.me"',
                 'timezone = "America/New_York"'):  # fmt: skip
        assert line in config
    store = json.loads(secrets_text(fast))["default"]
    tokens = json.loads(store["simplybook.tokens"])
    assert tokens["token"] in fake.live_tokens and store["simplybook.password"] == PASSWORD
    leaked = everything_but_the_secret_store(fast, result.stdout, result.stderr)
    assert PASSWORD not in leaked and tokens["token"] not in leaked
    assert tokens["refresh_token"] not in leaked


def test_login_with_two_factor_code_in_no_input_mode(fast: Home, fake: FakeSimplyBook) -> None:
    result = fast.run(
        *LOGIN, "--login", "admin2fa", "--password-stdin", "--code", "123456",
        stdin=PASSWORD, extra_env=ENV,
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    assert fake.paths() == ["/admin/auth", "/admin/auth/2fa", "/admin/company/info"]
    assert "simplybook.password" not in json.loads(secrets_text(fast))["default"]


def test_two_factor_by_prompt_asks_for_password_then_code(fast: Home, fake: FakeSimplyBook) -> None:
    prompter = ScriptedPrompter([PASSWORD, "123456"])
    result = fast.run(
        *LOGIN, "--login", "admin2fa", interactive=True, prompter=prompter, extra_env=ENV
    )
    assert result.exit_code == 0, result.stderr
    assert prompter.asked == [
        "SimplyBook password",
        "SimplyBook two-factor code (authenticator app)",
    ]


def test_two_factor_by_sms_sends_the_sms_first(fast: Home, fake: FakeSimplyBook) -> None:
    prompter = ScriptedPrompter(["123456"])
    result = fast.run(
        *LOGIN, "--login", "admin2fa", "--password-stdin", "--code-type", "sms",
        stdin=PASSWORD, interactive=True, prompter=prompter, extra_env=ENV,
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    assert fake.sms_sent == 1 and "SMS" in result.stderr
    assert fake.paths().index("/admin/auth/sms") < fake.paths().index("/admin/auth/2fa")
    assert json.loads(fake.requests[2].content)["type"] == "sms"


def test_two_factor_without_a_code_in_no_input_mode(fast: Home, fake: FakeSimplyBook) -> None:
    result = fast.run(*LOGIN, "--login", "admin2fa", "--password-stdin", stdin=PASSWORD,
                      extra_env=ENV)  # fmt: skip
    assert result.exit_code == 4
    assert "--code" in result.stderr and "API user key" in result.stderr
    assert "Traceback" not in result.stderr and fake.sms_sent == 0
    assert 'login = "admin2fa"' not in fast.config_path.read_text()


@pytest.mark.parametrize(
    ("args", "setup", "code", "words"),
    [
        (("--login", "admin"), "wrong-password", 4, ["rejected the login 'admin'", "API user key"]),
        (("--login", "admin"), "unknown-company", 4, ["has no company 'nope'", "--domain"]),
        (("--login", "admin"), "locked", 4, ["too many login attempts", "Wait before trying"]),
        (("--login", "admin2fa", "--code", "000000"), "", 4,
         ["did not accept the two-factor code"]),
    ],
)  # fmt: skip
def test_login_errors_exit_with_the_fix_and_write_nothing(
    fast: Home, fake: FakeSimplyBook, args: tuple[str, ...], setup: str, code: int,
    words: list[str],
) -> None:  # fmt: skip
    before = fast.config_path.read_text()
    password = "wrong-password-1" if setup == "wrong-password" else PASSWORD
    company = "nope" if setup == "unknown-company" else "demo"
    if setup == "locked":
        fake.failed_logins = 5
    result = fast.run(
        "auth", "login", "simplybook", "--company", company, *args, "--password-stdin",
        stdin=password, extra_env=ENV,
    )  # fmt: skip
    assert result.exit_code == code, result.stderr
    assert all(w in result.stderr for w in words), result.stderr
    assert "Traceback" not in result.stderr and password not in result.stderr
    assert fast.config_path.read_text() == before
    assert "simplybook" not in secrets_text(fast)
    assert fake.paths().count("/admin/auth") == 1  # a refused sign-in is never retried


def test_missing_time_zone_still_signs_in_and_says_how_to_set_it(
    fast: Home, fake: FakeSimplyBook
) -> None:
    fake.company_timezone = None
    result = fast.run(*LOGIN, "--login", "admin", "--password-stdin", stdin=PASSWORD,
                      extra_env=ENV)  # fmt: skip
    assert result.exit_code == 0, result.stderr
    assert "sbzoom config set simplybook.timezone" in result.stderr
    config = fast.config_path.read_text()
    assert "timezone" not in config and "company" in config  # signed in, zone not guessed
    assert "simplybook" in secrets_text(fast) and fake.logged_out == []


def test_timezone_option_wins_and_is_validated_before_any_request(
    fast: Home, fake: FakeSimplyBook
) -> None:
    bad = fast.run(*LOGIN, "--login", "admin", "--password-stdin", "--timezone", "Mars/Base",
                   stdin=PASSWORD, extra_env=ENV)  # fmt: skip
    assert bad.exit_code == 2 and "IANA" in bad.stderr and fake.calls == []
    good = fast.run(*LOGIN, "--login", "admin", "--password-stdin", "--timezone",
                    "Europe/Rome", stdin=PASSWORD, extra_env=ENV)  # fmt: skip
    assert good.exit_code == 0
    assert "Europe/Rome (from --timezone)" in good.stderr
    assert 'timezone = "Europe/Rome"' in fast.config_path.read_text()


def test_regional_domain_picks_the_regional_host(fast: Home) -> None:
    server = FakeSimplyBook()
    with respx.mock(assert_all_called=False) as router:
        router.route(host="user-api-v2.simplybook.it").mock(side_effect=server.handle)
        result = fast.run(*LOGIN, "--login", "admin", "--password-stdin", "--domain",
                          "simplybook.it", stdin=PASSWORD)  # fmt: skip
    assert result.exit_code == 0, result.stderr
    assert "https://user-api-v2.simplybook.it" in result.stderr
    assert 'domain = "simplybook.it"' in fast.config_path.read_text()
    assert server.requests[0].url.host == "user-api-v2.simplybook.it"


def test_password_is_needed_and_no_input_names_the_flag(fast: Home, fake: FakeSimplyBook) -> None:
    result = fast.run(*LOGIN, "--login", "admin", extra_env=ENV)
    assert result.exit_code == 2
    assert "--password-stdin" in result.stderr and fake.calls == []


def test_password_from_the_environment(fast: Home, fake: FakeSimplyBook) -> None:
    result = fast.run(
        *LOGIN, "--login", "admin", extra_env={**ENV, "SBZOOM_SIMPLYBOOK_PASSWORD": PASSWORD}
    )
    assert result.exit_code == 0, result.stderr


def test_debug_log_shows_the_exchange_without_secrets(fast: Home, fake: FakeSimplyBook) -> None:
    result = fast.run(
        "--debug", *LOGIN, "--login", "admin", "--password-stdin", stdin=PASSWORD, extra_env=ENV
    )
    assert result.exit_code == 0, result.stderr
    assert "POST https://sb.test/admin/auth" in result.stderr
    assert "GET https://sb.test/admin/company/info" in result.stderr
    tokens = json.loads(json.loads(secrets_text(fast))["default"]["simplybook.tokens"])
    for secret in (PASSWORD, tokens["token"], tokens["refresh_token"]):
        assert secret not in result.stderr


def test_a_new_named_profile_is_created_by_signing_in(fast: Home, fake: FakeSimplyBook) -> None:
    assert fast.run("--profile", "work", "auth", "status").exit_code == 4  # none yet
    result = fast.run("--profile", "work", *LOGIN, "--login", "admin", "--password-stdin",
                      stdin=PASSWORD, extra_env=ENV)  # fmt: skip
    assert result.exit_code == 0, result.stderr
    assert "[work.simplybook]" in fast.config_path.read_text()


def test_status_and_logout(fast: Home, fake: FakeSimplyBook) -> None:
    fast.run(*LOGIN, "--login", "admin", "--password-stdin", stdin=PASSWORD, extra_env=ENV)
    status = fast.run("auth", "status", "--json", extra_env=ENV)
    simplybook = json.loads(status.stdout)["simplybook"]
    assert simplybook["connected"] is True and simplybook["source"] == "file"
    assert simplybook["company"] == "demo" and simplybook["timezone"] == "America/New_York"
    text = fast.run("auth", "status", extra_env=ENV)
    assert "simplybook: connected" in text.stdout and "api_url: https://sb.test" in text.stdout
    out = fast.run("auth", "logout", "simplybook", extra_env=ENV)
    assert out.exit_code == 0 and "Signed out of simplybook" in out.stderr
    assert "simplybook" not in secrets_text(fast)
    after = json.loads(fast.run("auth", "status", "--json", extra_env=ENV).stdout)["simplybook"]
    assert after["connected"] is False and "auth login simplybook" in after["problem"]
