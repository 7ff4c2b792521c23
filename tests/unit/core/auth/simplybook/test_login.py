"""`sbzoom auth login simplybook`, `auth status`, `auth logout simplybook` as a user runs them,
against the sandbox."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager

import httpx
import pytest
import respx

from sbzoom.sandbox import (
    DEMO_2FA_LOGIN,
    DEMO_GA_CODE,
    DEMO_LOGIN,
    DEMO_PASSWORD,
    DEMO_SMS_CODE,
    Sandbox,
)
from sbzoom.sandbox.data import DEMO_COMPANY_NAME
from tests.conftest import Home, ScriptedPrompter
from tests.unit.core.auth.simplybook.harness import env, exchanges, is_live, routes

LOGIN = ("auth", "login", "simplybook", "--company", "demo")


def secrets_text(home: Home) -> str:
    path = home.data_dir / "secrets.json"
    return path.read_text() if path.exists() else ""


def everything_but_the_secret_store(home: Home, *outputs: str) -> str:
    files = [p.read_text() for p in home.root.rglob("*") if p.is_file() and p.suffix != ".lock"
             and p.name != "secrets.json"]  # fmt: skip
    return "\n".join([*outputs, *files])


@contextmanager
def standing_at(sandbox: Sandbox, host: str) -> Iterator[list[str]]:
    """The sandbox's SimplyBook answers at ``https://{host}`` as if it stood there; yields the
    hosts sbzoom asked."""
    asked: list[str] = []

    def forward(request: httpx.Request) -> httpx.Response:
        asked.append(request.url.host)
        url = f"{sandbox.simplybook_api_url}{request.url.raw_path.decode()}"
        with httpx.Client() as client:
            answer = client.request(
                request.method, url, headers=request.headers, content=request.content
            )
        return httpx.Response(answer.status_code, headers=answer.headers, content=answer.content)

    with respx.mock(assert_all_called=False) as router:
        router.route(host=host).mock(side_effect=forward)
        router.route(host="127.0.0.1").pass_through()
        yield asked


def test_login_saves_settings_and_keeps_secrets_in_the_store(fast: Home, sandbox: Sandbox) -> None:
    result = fast.run(*LOGIN, "--login", DEMO_LOGIN, "--password-stdin",
                      stdin=DEMO_PASSWORD + "\n", extra_env=env(sandbox))  # fmt: skip
    assert result.exit_code == 0, result.stderr
    assert result.stdout == ""
    assert (
        f"Signed in to SimplyBook as admin at company demo ({DEMO_COMPANY_NAME})" in result.stderr
    )
    assert "America/New_York (from company info)" in result.stderr
    config = fast.config_path.read_text()
    for line in ('company = "demo"', 'login = "admin"', 'domain = "simplybook.me"',
                 'timezone = "America/New_York"'):  # fmt: skip
        assert line in config
    store = json.loads(secrets_text(fast))["default"]
    tokens = json.loads(store["simplybook.tokens"])
    assert is_live(sandbox, tokens["token"]) and store["simplybook.password"] == DEMO_PASSWORD
    leaked = everything_but_the_secret_store(fast, result.stdout, result.stderr)
    assert DEMO_PASSWORD not in leaked and tokens["token"] not in leaked
    assert tokens["refresh_token"] not in leaked


def test_login_with_two_factor_code_in_no_input_mode(fast: Home, sandbox: Sandbox) -> None:
    result = fast.run(
        *LOGIN, "--login", DEMO_2FA_LOGIN, "--password-stdin", "--code", DEMO_GA_CODE,
        stdin=DEMO_PASSWORD, extra_env=env(sandbox),
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    assert routes(sandbox) == ["auth.login", "auth.2fa", "company.info"]
    assert "simplybook.password" not in json.loads(secrets_text(fast))["default"]


def test_two_factor_by_prompt_asks_for_password_then_code(fast: Home, sandbox: Sandbox) -> None:
    prompter = ScriptedPrompter([DEMO_PASSWORD, DEMO_GA_CODE])
    result = fast.run(*LOGIN, "--login", DEMO_2FA_LOGIN, interactive=True, prompter=prompter,
                      extra_env=env(sandbox))  # fmt: skip
    assert result.exit_code == 0, result.stderr
    assert prompter.asked == [
        "SimplyBook password",
        "SimplyBook two-factor code (authenticator app)",
    ]


def test_two_factor_by_sms_sends_the_sms_first(fast: Home, sandbox: Sandbox) -> None:
    prompter = ScriptedPrompter([DEMO_SMS_CODE])  # the code the SMS brought
    with exchanges(sandbox) as seen:
        result = fast.run(
            *LOGIN, "--login", DEMO_2FA_LOGIN, "--password-stdin", "--code-type", "sms",
            stdin=DEMO_PASSWORD, interactive=True, prompter=prompter, extra_env=env(sandbox),
        )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    assert sandbox.simplybook.sms_sent() == 1 and "SMS" in result.stderr
    assert routes(sandbox).index("auth.sms") < routes(sandbox).index("auth.2fa")
    second_factor = [e for e in seen if e.route == "auth.2fa"]
    assert [json.loads(e.request_body)["type"] for e in second_factor] == ["sms"]


def test_two_factor_without_a_code_in_no_input_mode(fast: Home, sandbox: Sandbox) -> None:
    result = fast.run(*LOGIN, "--login", DEMO_2FA_LOGIN, "--password-stdin", stdin=DEMO_PASSWORD,
                      extra_env=env(sandbox))  # fmt: skip
    assert result.exit_code == 4
    assert "--code" in result.stderr and "API user key" in result.stderr
    assert "Traceback" not in result.stderr and sandbox.simplybook.sms_sent() == 0
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
    fast: Home, sandbox: Sandbox, args: tuple[str, ...], setup: str, code: int,
    words: list[str],
) -> None:  # fmt: skip
    before = fast.config_path.read_text()
    password = "wrong-password-1" if setup == "wrong-password" else DEMO_PASSWORD
    company = "nope" if setup == "unknown-company" else "demo"
    if setup == "locked":
        sandbox.simplybook.lock_out(DEMO_LOGIN)
    result = fast.run(
        "auth", "login", "simplybook", "--company", company, *args, "--password-stdin",
        stdin=password, extra_env=env(sandbox),
    )  # fmt: skip
    assert result.exit_code == code, result.stderr
    assert all(w in result.stderr for w in words), result.stderr
    assert "Traceback" not in result.stderr and password not in result.stderr
    assert fast.config_path.read_text() == before
    assert "simplybook" not in secrets_text(fast)
    assert routes(sandbox).count("auth.login") == 1  # a refused sign-in is never retried


def test_missing_time_zone_still_signs_in_and_says_how_to_set_it(
    fast: Home, sandbox: Sandbox
) -> None:
    sandbox.simplybook.set_info_timezone(False)
    result = fast.run(*LOGIN, "--login", DEMO_LOGIN, "--password-stdin", stdin=DEMO_PASSWORD,
                      extra_env=env(sandbox))  # fmt: skip
    assert result.exit_code == 0, result.stderr
    assert "sbzoom config set simplybook.timezone" in result.stderr
    config = fast.config_path.read_text()
    assert "timezone" not in config and "company" in config  # signed in, zone not guessed
    assert "simplybook" in secrets_text(fast) and "auth.logout" not in routes(sandbox)


def test_timezone_option_wins_and_is_validated_before_any_request(
    fast: Home, sandbox: Sandbox
) -> None:
    bad = fast.run(*LOGIN, "--login", DEMO_LOGIN, "--password-stdin", "--timezone", "Mars/Base",
                   stdin=DEMO_PASSWORD, extra_env=env(sandbox))  # fmt: skip
    assert bad.exit_code == 2 and "IANA" in bad.stderr and routes(sandbox) == []
    good = fast.run(*LOGIN, "--login", DEMO_LOGIN, "--password-stdin", "--timezone",
                    "Europe/Rome", stdin=DEMO_PASSWORD, extra_env=env(sandbox))  # fmt: skip
    assert good.exit_code == 0
    assert "Europe/Rome (from --timezone)" in good.stderr
    assert 'timezone = "Europe/Rome"' in fast.config_path.read_text()


def test_regional_domain_picks_the_regional_host(fast: Home, sandbox: Sandbox) -> None:
    with standing_at(sandbox, "user-api-v2.simplybook.it") as asked:
        result = fast.run(*LOGIN, "--login", DEMO_LOGIN, "--password-stdin", "--domain",
                          "simplybook.it", stdin=DEMO_PASSWORD)  # fmt: skip
    assert result.exit_code == 0, result.stderr
    assert "https://user-api-v2.simplybook.it" in result.stderr
    assert 'domain = "simplybook.it"' in fast.config_path.read_text()
    assert asked and set(asked) == {"user-api-v2.simplybook.it"}
    assert routes(sandbox)[0] == "auth.login"


def test_password_is_needed_and_no_input_names_the_flag(fast: Home, sandbox: Sandbox) -> None:
    result = fast.run(*LOGIN, "--login", DEMO_LOGIN, extra_env=env(sandbox))
    assert result.exit_code == 2
    assert "--password-stdin" in result.stderr and routes(sandbox) == []


def test_password_from_the_environment(fast: Home, sandbox: Sandbox) -> None:
    password = {"SBZOOM_SIMPLYBOOK_PASSWORD": DEMO_PASSWORD}
    result = fast.run(*LOGIN, "--login", DEMO_LOGIN, extra_env={**env(sandbox), **password})
    assert result.exit_code == 0, result.stderr


def test_debug_log_shows_the_exchange_without_secrets(fast: Home, sandbox: Sandbox) -> None:
    result = fast.run("--debug", *LOGIN, "--login", DEMO_LOGIN, "--password-stdin",
                      stdin=DEMO_PASSWORD, extra_env=env(sandbox))  # fmt: skip
    assert result.exit_code == 0, result.stderr
    assert f"POST {sandbox.simplybook_api_url}/admin/auth" in result.stderr
    assert f"GET {sandbox.simplybook_api_url}/admin/company/info" in result.stderr
    tokens = json.loads(json.loads(secrets_text(fast))["default"]["simplybook.tokens"])
    for secret in (DEMO_PASSWORD, tokens["token"], tokens["refresh_token"]):
        assert secret not in result.stderr


def test_a_new_named_profile_is_created_by_signing_in(fast: Home, sandbox: Sandbox) -> None:
    assert fast.run("--profile", "work", "auth", "status").exit_code == 4  # none yet
    result = fast.run("--profile", "work", *LOGIN, "--login", DEMO_LOGIN, "--password-stdin",
                      stdin=DEMO_PASSWORD, extra_env=env(sandbox))  # fmt: skip
    assert result.exit_code == 0, result.stderr
    assert "[work.simplybook]" in fast.config_path.read_text()


def test_status_and_logout(fast: Home, sandbox: Sandbox) -> None:
    fast.run(*LOGIN, "--login", DEMO_LOGIN, "--password-stdin", stdin=DEMO_PASSWORD,
             extra_env=env(sandbox))  # fmt: skip
    status = fast.run("auth", "status", "--json", extra_env=env(sandbox))
    simplybook = json.loads(status.stdout)["simplybook"]
    assert simplybook["connected"] is True and simplybook["source"] == "file"
    assert simplybook["company"] == "demo" and simplybook["timezone"] == "America/New_York"
    text = fast.run("auth", "status", extra_env=env(sandbox))
    assert "simplybook: connected" in text.stdout
    assert f"api_url: {sandbox.simplybook_api_url}" in text.stdout
    out = fast.run("auth", "logout", "simplybook", extra_env=env(sandbox))
    assert out.exit_code == 0 and "Signed out of simplybook" in out.stderr
    assert "simplybook" not in secrets_text(fast)
    after = fast.run("auth", "status", "--json", extra_env=env(sandbox))
    assert json.loads(after.stdout)["simplybook"]["connected"] is False
    assert "auth login simplybook" in json.loads(after.stdout)["simplybook"]["problem"]
