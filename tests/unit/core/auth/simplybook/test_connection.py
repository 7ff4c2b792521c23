"""The SimplyBook connection over time: stored tokens, 419 renewal, re-login, env mode, the
company's time zone."""

from __future__ import annotations

import json
from zoneinfo import ZoneInfo

import pytest

from sbzoom.core.auth.simplybook.connection import (
    PASSWORD_SECRET,
    resolve_api_url,
)
from sbzoom.errors import AuthError, ConfigError, ExitCode
from tests.conftest import Home
from tests.unit.core.auth.simplybook.harness import ENV, context, sign_in, status_of, stored
from tests.unit.simplybook_fake import API, PASSWORD, FakeSimplyBook


def test_a_419_mid_listing_is_refreshed_and_the_newest_tokens_are_kept(
    fast: Home, fake: FakeSimplyBook
) -> None:
    sign_in(fast)
    ctx = context(fast)
    client = fast.factory(ctx).simplybook
    stream = client.iter_bookings(on_page=10)
    first_page = [next(stream) for _ in range(10)]
    fake.expire_tokens()
    rest = list(stream)
    assert [b.id for b in first_page + rest] == list(range(1, 26))
    assert fake.paths().count("/admin/auth/refresh-token") == 1
    tokens = stored(ctx)
    assert tokens["token"] in fake.live_tokens and tokens["refresh_token"] in fake.live_refresh
    assert rest[0].start.tzinfo == ZoneInfo("America/New_York")


def test_a_second_process_uses_the_tokens_another_one_renewed(
    fast: Home, fake: FakeSimplyBook
) -> None:
    sign_in(fast)
    one, two = fast.factory(context(fast)), fast.factory(context(fast))  # two runs, one client each
    one.simplybook.list_providers()
    two.simplybook.list_providers()  # both hold the same token now
    fake.expire_tokens()
    one.simplybook.list_providers()  # refreshes (rotates)
    two.simplybook.list_providers()  # must not reuse the dead refresh
    assert fake.paths().count("/admin/auth/refresh-token") == 1
    assert fake.paths().count("/admin/auth") == 1  # the sign-in only, no re-login


def test_a_rejected_refresh_signs_in_again_with_the_saved_password(
    fast: Home, fake: FakeSimplyBook
) -> None:
    sign_in(fast)
    fake.expire_tokens()
    fake.live_refresh.clear()  # e.g. the password changed elsewhere, then back
    ctx = context(fast)
    assert len(fast.factory(ctx).simplybook.list_providers()) == 3
    assert fake.paths().count("/admin/auth") == 2
    assert stored(ctx)["token"] in fake.live_tokens


def test_a_rejected_refresh_without_a_password_names_the_fix(
    fast: Home, fake: FakeSimplyBook
) -> None:
    sign_in(fast, "admin2fa", "--code", "123456")
    ctx = context(fast)
    assert ctx.secrets.get(PASSWORD_SECRET) is None  # useless without a code: not kept
    fake.expire_tokens()
    fake.live_refresh.clear()
    with pytest.raises(AuthError) as caught:
        fast.factory(ctx).simplybook.list_providers()
    assert caught.value.exit_code == ExitCode.AUTH
    assert "sbzoom auth login simplybook" in (caught.value.hint or "")


def test_a_two_factor_user_cannot_be_signed_in_again_unattended(
    fast: Home, fake: FakeSimplyBook
) -> None:
    sign_in(fast, "admin2fa", "--code", "123456")
    ctx = context(fast, SBZOOM_SIMPLYBOOK_PASSWORD=PASSWORD)
    fake.expire_tokens()
    fake.live_refresh.clear()
    with pytest.raises(AuthError, match="two-factor code") as caught:
        fast.factory(ctx).simplybook.list_providers()
    assert "API user key" in (caught.value.hint or "")


def test_not_signed_in_is_exit_4_naming_both_fixes(fast: Home) -> None:
    with pytest.raises(AuthError) as caught:
        _ = fast.factory(context(fast)).simplybook
    assert "sbzoom auth login simplybook" in (caught.value.hint or "")
    assert "SBZOOM_SIMPLYBOOK_PASSWORD" in (caught.value.hint or "")


def test_environment_credentials_need_no_login_step(fast: Home, fake: FakeSimplyBook) -> None:
    env = {
        "SBZOOM_SIMPLYBOOK_COMPANY": "demo",
        "SBZOOM_SIMPLYBOOK_LOGIN": "admin",
        "SBZOOM_SIMPLYBOOK_PASSWORD": PASSWORD,
    }
    ctx = context(fast, **env)
    factory = fast.factory(ctx)
    assert len(factory.simplybook.list_providers()) == 3
    assert factory.company_timezone == ZoneInfo("America/New_York")
    status = status_of(fast, context(fast, **env))
    assert status.connected and status.source == "env"
    assert fake.paths().count("/admin/auth") == 1  # the second run reused the cached token


def test_environment_credentials_win_over_the_stored_sign_in(
    fast: Home, fake: FakeSimplyBook
) -> None:
    sign_in(fast)
    fake.users["other"] = "other-password"
    env = {
        "SBZOOM_SIMPLYBOOK_COMPANY": "demo",
        "SBZOOM_SIMPLYBOOK_LOGIN": "other",
        "SBZOOM_SIMPLYBOOK_PASSWORD": "other-password",
    }
    ctx = context(fast, **env)
    fast.factory(ctx).simplybook.list_providers()
    logins = [json.loads(r.content) for r in fake.requests if r.url.path == "/admin/auth"]
    assert [body["login"] for body in logins] == ["admin", "other"]


def test_api_url_precedence(fast: Home) -> None:
    assert (
        resolve_api_url(fast.factory(fast.context()).connection_inputs)
        == "https://user-api-v2.simplybook.me"
    )
    fast.run("config", "set", "simplybook.domain", "simplybook.it")
    assert (
        resolve_api_url(fast.factory(fast.context()).connection_inputs)
        == "https://user-api-v2.simplybook.it"
    )
    fast.run("config", "set", "simplybook.api_url", "https://proxy.example/sb/")
    assert (
        resolve_api_url(fast.factory(fast.context()).connection_inputs)
        == "https://proxy.example/sb"
    )
    assert resolve_api_url(fast.factory(fast.context(extra_env=ENV)).connection_inputs) == API


def test_time_zone_comes_from_config_first_then_company_info(
    fast: Home, fake: FakeSimplyBook
) -> None:
    sign_in(fast)
    fast.run("config", "set", "simplybook.timezone", "Europe/Copenhagen")
    assert fast.factory(context(fast)).company_timezone == ZoneInfo("Europe/Copenhagen")
    fast.run("config", "unset", "simplybook.timezone")
    assert fast.factory(context(fast)).company_timezone == ZoneInfo("America/New_York")
    fake.company_timezone = None
    with pytest.raises(ConfigError) as caught:
        _ = fast.factory(context(fast)).company_timezone
    assert caught.value.exit_code == ExitCode.CONFIG
    assert "simplybook.timezone" in (caught.value.hint or "")
    assert "--timezone" in (caught.value.hint or "")


def test_threads_of_one_run_share_a_single_refresh(fast: Home, fake: FakeSimplyBook) -> None:
    from concurrent.futures import ThreadPoolExecutor

    sign_in(fast)
    client = fast.factory(context(fast)).simplybook
    client.list_providers()
    fake.expire_tokens()
    with ThreadPoolExecutor(4) as pool:
        results = list(pool.map(lambda _: client.company_info().name, range(8)))
    assert results == ["Demo Studio"] * 8
    assert fake.paths().count("/admin/auth/refresh-token") == 1
