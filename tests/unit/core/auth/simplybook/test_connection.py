"""The SimplyBook connection over time, against the sandbox: stored tokens, 419 renewal,
re-login, env mode, the company's time zone."""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor
from zoneinfo import ZoneInfo

import pytest

from sbzoom.core.auth.simplybook.connection import PASSWORD_SECRET, resolve_api_url
from sbzoom.errors import AuthError, ConfigError, ExitCode
from sbzoom.sandbox import DEMO_2FA_LOGIN, DEMO_GA_CODE, DEMO_LOGIN, DEMO_PASSWORD, Sandbox
from sbzoom.sandbox.data import DEMO_COMPANY_NAME, PROVIDERS
from tests.conftest import Home
from tests.unit.core.auth.simplybook.harness import (
    context,
    end_sessions,
    env,
    exchanges,
    is_live,
    routes,
    secrets,
    sign_in,
    status_of,
    stored,
)

NY = ZoneInfo("America/New_York")


def test_a_419_mid_listing_is_refreshed_and_the_newest_tokens_are_kept(
    fast: Home, sandbox: Sandbox
) -> None:
    sign_in(fast, sandbox)
    ctx = context(fast, sandbox)
    client = fast.factory(ctx).simplybook
    stream = client.iter_bookings(on_page=10)
    first_page = [next(stream) for _ in range(10)]
    sandbox.simplybook.expire_tokens()
    rest = list(stream)
    ids = [b.id for b in first_page + rest]
    assert ids == [b["id"] for b in sandbox.simplybook.bookings()]  # none lost, none twice
    assert rest  # the token expired between two pages
    assert routes(sandbox).count("auth.refresh") == 1
    tokens = stored(ctx)
    assert is_live(sandbox, tokens["token"])
    assert sandbox.simplybook.refresh_token_states()[str(tokens["refresh_token"])] == "live"
    assert rest[0].start.tzinfo == NY


def test_a_second_process_uses_the_tokens_another_one_renewed(fast: Home, sandbox: Sandbox) -> None:
    sign_in(fast, sandbox)
    one = fast.factory(context(fast, sandbox))  # two runs, one client each
    two = fast.factory(context(fast, sandbox))
    one.simplybook.list_providers()
    two.simplybook.list_providers()  # both hold the same token now
    sandbox.simplybook.expire_tokens()
    one.simplybook.list_providers()  # refreshes (rotates)
    two.simplybook.list_providers()  # must not reuse the dead refresh
    assert routes(sandbox).count("auth.refresh") == 1
    assert routes(sandbox).count("auth.login") == 1  # the sign-in only, no re-login
    assert all(n == 1 for n in sandbox.simplybook.refresh_token_uses().values())


def test_a_rejected_refresh_signs_in_again_with_the_saved_password(
    fast: Home, sandbox: Sandbox
) -> None:
    sign_in(fast, sandbox)
    end_sessions(sandbox)  # the password changed elsewhere, then back
    ctx = context(fast, sandbox)
    assert len(fast.factory(ctx).simplybook.list_providers()) == len(PROVIDERS)
    assert routes(sandbox).count("auth.login") == 2
    assert is_live(sandbox, stored(ctx)["token"])


def test_a_rejected_refresh_without_a_password_names_the_fix(fast: Home, sandbox: Sandbox) -> None:
    sign_in(fast, sandbox, DEMO_2FA_LOGIN, "--code", DEMO_GA_CODE)
    ctx = context(fast, sandbox)
    assert secrets(ctx).get(PASSWORD_SECRET) is None  # useless without a code: not kept
    end_sessions(sandbox, DEMO_2FA_LOGIN)
    with pytest.raises(AuthError) as caught:
        fast.factory(ctx).simplybook.list_providers()
    assert caught.value.exit_code == ExitCode.AUTH
    assert "sbzoom auth login simplybook" in (caught.value.hint or "")


def test_a_two_factor_user_cannot_be_signed_in_again_unattended(
    fast: Home, sandbox: Sandbox
) -> None:
    sign_in(fast, sandbox, DEMO_2FA_LOGIN, "--code", DEMO_GA_CODE)
    ctx = context(fast, sandbox, SBZOOM_SIMPLYBOOK_PASSWORD=DEMO_PASSWORD)
    end_sessions(sandbox, DEMO_2FA_LOGIN)
    with pytest.raises(AuthError, match="two-factor code") as caught:
        fast.factory(ctx).simplybook.list_providers()
    assert "API user key" in (caught.value.hint or "")


def test_not_signed_in_is_exit_4_naming_both_fixes(fast: Home, sandbox: Sandbox) -> None:
    with pytest.raises(AuthError) as caught:
        _ = fast.factory(context(fast, sandbox)).simplybook
    assert "sbzoom auth login simplybook" in (caught.value.hint or "")
    assert "SBZOOM_SIMPLYBOOK_PASSWORD" in (caught.value.hint or "")
    assert routes(sandbox) == []


def test_environment_credentials_need_no_login_step(fast: Home, sandbox: Sandbox) -> None:
    credentials = {
        "SBZOOM_SIMPLYBOOK_COMPANY": "demo",
        "SBZOOM_SIMPLYBOOK_LOGIN": DEMO_LOGIN,
        "SBZOOM_SIMPLYBOOK_PASSWORD": DEMO_PASSWORD,
    }
    factory = fast.factory(context(fast, sandbox, **credentials))
    assert len(factory.simplybook.list_providers()) == len(PROVIDERS)
    assert factory.company_timezone == NY
    status = status_of(fast, context(fast, sandbox, **credentials))
    assert status.connected and status.source == "env"
    assert routes(sandbox).count("auth.login") == 1  # the second run reused the cached token


def test_environment_credentials_win_over_the_stored_sign_in(fast: Home, sandbox: Sandbox) -> None:
    sign_in(fast, sandbox)
    sandbox.simplybook.add_user("other", "other-password")
    credentials = {
        "SBZOOM_SIMPLYBOOK_COMPANY": "demo",
        "SBZOOM_SIMPLYBOOK_LOGIN": "other",
        "SBZOOM_SIMPLYBOOK_PASSWORD": "other-password",
    }
    with exchanges(sandbox) as seen:
        fast.factory(context(fast, sandbox, **credentials)).simplybook.list_providers()
    logins = [json.loads(e.request_body)["login"] for e in seen if e.route == "auth.login"]
    assert logins == ["other"]  # the stored sign-in of admin was not used
    assert routes(sandbox).count("auth.login") == 2


def test_api_url_precedence(fast: Home, sandbox: Sandbox) -> None:
    def api_url(**extra_env: str) -> str:
        return resolve_api_url(fast.factory(fast.context(extra_env=extra_env)).connection_inputs)

    assert api_url() == "https://user-api-v2.simplybook.me"
    fast.run("config", "set", "simplybook.domain", "simplybook.it")
    assert api_url() == "https://user-api-v2.simplybook.it"
    fast.run("config", "set", "simplybook.api_url", "https://proxy.example/sb/")
    assert api_url() == "https://proxy.example/sb"
    assert api_url(**env(sandbox)) == sandbox.simplybook_api_url


def test_time_zone_comes_from_config_first_then_company_info(fast: Home, sandbox: Sandbox) -> None:
    sign_in(fast, sandbox)
    fast.run("config", "set", "simplybook.timezone", "Europe/Copenhagen")
    assert fast.factory(context(fast, sandbox)).company_timezone == ZoneInfo("Europe/Copenhagen")
    fast.run("config", "unset", "simplybook.timezone")
    assert fast.factory(context(fast, sandbox)).company_timezone == NY
    sandbox.simplybook.set_info_timezone(False)
    with pytest.raises(ConfigError) as caught:
        _ = fast.factory(context(fast, sandbox)).company_timezone
    assert caught.value.exit_code == ExitCode.CONFIG
    assert "simplybook.timezone" in (caught.value.hint or "")
    assert "--timezone" in (caught.value.hint or "")


def test_threads_of_one_run_share_a_single_refresh(fast: Home, sandbox: Sandbox) -> None:
    sign_in(fast, sandbox)
    client = fast.factory(context(fast, sandbox)).simplybook
    client.list_providers()
    sandbox.simplybook.expire_tokens()
    with ThreadPoolExecutor(4) as pool:
        results = list(pool.map(lambda _: client.company_info().name, range(8)))
    assert results == [DEMO_COMPANY_NAME] * 8
    assert routes(sandbox).count("auth.refresh") == 1
