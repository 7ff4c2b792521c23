"""The SimplyBook sign-in over time: stored tokens, 419 renewal, re-login, env mode."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import respx

from sbzoom.context import Context
from sbzoom.core.auth.simplybook import status as sb_status
from sbzoom.core.auth.simplybook.connection import (
    PASSWORD_SECRET,
    TOKENS_SECRET,
    company_timezone,
    read_tokens,
    resolve_api_url,
    simplybook_client,
)
from sbzoom.errors import AuthError, ConfigError, ExitCode
from tests.conftest import Home
from tests.unit.simplybook_fake import API, HOST, PASSWORD, FakeSimplyBook

ENV = {"SBZOOM_SIMPLYBOOK_API_URL": API}


@pytest.fixture
def fake() -> Iterator[FakeSimplyBook]:
    server = FakeSimplyBook(
        providers=[{"id": str(i), "name": f"P{i}", "services": ["1"]} for i in range(1, 4)],
        bookings=[
            {"id": i, "code": f"b{i}", "status": "confirmed", "service_id": 1, "provider_id": 1,
             "start_datetime": f"2025-03-{i:02d} 10:00:00",
             "end_datetime": f"2025-03-{i:02d} 11:00:00"}
            for i in range(1, 26)
        ],
    )  # fmt: skip
    with respx.mock(assert_all_called=False) as router:
        router.route(host=HOST).mock(side_effect=server.handle)
        yield server


@pytest.fixture
def fast(home: Home) -> Home:
    """A home whose profile does not pace SimplyBook requests (tests run on the real clock)."""
    home.config_path.parent.mkdir(parents=True, exist_ok=True)
    home.config_path.write_text("[default.simplybook]\nmax_rps = 10000.0\n")
    return home


def sign_in(home: Home, login: str = "admin", *extra: str) -> None:
    result = home.run(
        "auth", "login", "simplybook", "--company", "demo", "--login", login,
        "--password-stdin", *extra, stdin=PASSWORD + "\n", extra_env=ENV,
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr


def context(home: Home, **env: str) -> Context:
    return home.context(extra_env={**ENV, **env})


def stored(ctx: Context) -> dict[str, object]:
    raw = ctx.secrets.get(TOKENS_SECRET)
    assert raw is not None
    data = json.loads(raw)
    assert isinstance(data, dict)
    return data


def test_a_419_mid_listing_is_refreshed_and_the_newest_tokens_are_kept(
    fast: Home, fake: FakeSimplyBook
) -> None:
    sign_in(fast)
    ctx = context(fast)
    client = simplybook_client(ctx)
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
    one, two = context(fast), context(fast)
    simplybook_client(one).list_providers()
    simplybook_client(two).list_providers()  # both hold the same token now
    fake.expire_tokens()
    simplybook_client(one).list_providers()  # refreshes (rotates)
    simplybook_client(two).list_providers()  # must not reuse the dead refresh
    assert fake.paths().count("/admin/auth/refresh-token") == 1
    assert fake.paths().count("/admin/auth") == 1  # the sign-in only, no re-login


def test_a_rejected_refresh_signs_in_again_with_the_saved_password(
    fast: Home, fake: FakeSimplyBook
) -> None:
    sign_in(fast)
    fake.expire_tokens()
    fake.live_refresh.clear()  # e.g. the password changed elsewhere, then back
    ctx = context(fast)
    assert len(simplybook_client(ctx).list_providers()) == 3
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
        simplybook_client(ctx).list_providers()
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
        simplybook_client(ctx).list_providers()
    assert "API user key" in (caught.value.hint or "")


def test_not_signed_in_is_exit_4_naming_both_fixes(fast: Home) -> None:
    with pytest.raises(AuthError) as caught:
        simplybook_client(context(fast))
    assert "sbzoom auth login simplybook" in (caught.value.hint or "")
    assert "SBZOOM_SIMPLYBOOK_PASSWORD" in (caught.value.hint or "")


def test_environment_credentials_need_no_login_step(fast: Home, fake: FakeSimplyBook) -> None:
    env = {
        "SBZOOM_SIMPLYBOOK_COMPANY": "demo",
        "SBZOOM_SIMPLYBOOK_LOGIN": "admin",
        "SBZOOM_SIMPLYBOOK_PASSWORD": PASSWORD,
    }
    ctx = context(fast, **env)
    assert len(simplybook_client(ctx).list_providers()) == 3
    assert company_timezone(ctx) == ZoneInfo("America/New_York")
    status = sb_status.status(context(fast, **env))
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
    simplybook_client(ctx).list_providers()
    logins = [json.loads(r.content) for r in fake.requests if r.url.path == "/admin/auth"]
    assert [body["login"] for body in logins] == ["admin", "other"]


def test_api_url_precedence(fast: Home) -> None:
    assert resolve_api_url(fast.context()) == "https://user-api-v2.simplybook.me"
    fast.run("config", "set", "simplybook.domain", "simplybook.it")
    assert resolve_api_url(fast.context()) == "https://user-api-v2.simplybook.it"
    fast.run("config", "set", "simplybook.api_url", "https://proxy.example/sb/")
    assert resolve_api_url(fast.context()) == "https://proxy.example/sb"
    assert resolve_api_url(fast.context(extra_env=ENV)) == API


def test_time_zone_comes_from_config_first_then_company_info(
    fast: Home, fake: FakeSimplyBook
) -> None:
    sign_in(fast)
    fast.run("config", "set", "simplybook.timezone", "Europe/Copenhagen")
    assert company_timezone(context(fast)) == ZoneInfo("Europe/Copenhagen")
    fast.run("config", "unset", "simplybook.timezone")
    assert company_timezone(context(fast)) == ZoneInfo("America/New_York")
    fake.company_timezone = None
    with pytest.raises(ConfigError) as caught:
        company_timezone(context(fast))
    assert caught.value.exit_code == ExitCode.CONFIG
    assert "simplybook.timezone" in (caught.value.hint or "")
    assert "--timezone" in (caught.value.hint or "")


def test_status_is_connected_only_after_a_live_call(fast: Home, fake: FakeSimplyBook) -> None:
    before = sb_status.status(context(fast))
    assert not before.connected and before.source is None
    assert "sbzoom auth login simplybook" in (before.problem or "")
    sign_in(fast)
    after = sb_status.status(context(fast))
    assert after.connected and after.source == "file"
    assert after.details["company"] == "demo" and after.details["login"] == "admin"
    assert after.details["api_url"] == API
    assert after.details["timezone"] == "America/New_York"
    fake.expire_tokens()
    fake.live_refresh.clear()
    fake.users.clear()  # the saved password no longer works either
    broken = sb_status.status(context(fast))
    assert not broken.connected and "rejected" in (broken.problem or "")


def test_token_expiry_is_shown_when_simplybook_gives_it(fast: Home, fake: FakeSimplyBook) -> None:
    original = fake.issue
    fake.issue = lambda login: {**original(login), "expires_in": 3600}  # type: ignore[method-assign]
    sign_in(fast)
    ctx = context(fast)
    tokens = read_tokens(ctx)
    assert tokens is not None and tokens.obtained_at is not None
    assert tokens.expires_at == tokens.obtained_at + timedelta(seconds=3600)
    assert sb_status.status(ctx).details["token_expires"] == tokens.expires_at.isoformat()


def test_logout_ends_the_server_session_and_forgets_secrets(
    fast: Home, fake: FakeSimplyBook
) -> None:
    sign_in(fast)
    token = stored(context(fast))["token"]
    result = sb_status.logout(context(fast))
    assert result.revoked and result.forgotten
    assert fake.logged_out == [token]
    ctx = context(fast)
    assert ctx.secrets.get(TOKENS_SECRET) is None and ctx.secrets.get(PASSWORD_SECRET) is None


def test_logout_with_an_expired_token_still_ends_the_session(
    fast: Home, fake: FakeSimplyBook
) -> None:
    sign_in(fast)
    fake.expire_tokens()
    result = sb_status.logout(context(fast))
    assert result.revoked and len(fake.logged_out) == 1
    assert fake.paths()[-2:] == ["/admin/auth/refresh-token", "/admin/auth/logout"]


def test_logout_when_simplybook_is_unreachable_still_forgets(
    fast: Home, fake: FakeSimplyBook
) -> None:
    sign_in(fast)
    fake.outage.add("/admin/auth/logout")
    ctx = context(fast)
    ctx.clock = _NoSleepClock()  # the HTTP layer backs off between its retries
    result = sb_status.logout(ctx)
    assert not result.revoked and result.forgotten
    assert "ends by itself" in (result.note or "")
    assert context(fast).secrets.get(TOKENS_SECRET) is None


class _NoSleepClock:
    def now(self) -> datetime:
        return datetime.now(UTC)

    def monotonic(self) -> float:
        return 0.0

    def sleep(self, seconds: float) -> None:
        pass


def test_threads_of_one_run_share_a_single_refresh(fast: Home, fake: FakeSimplyBook) -> None:
    from concurrent.futures import ThreadPoolExecutor

    sign_in(fast)
    client = simplybook_client(context(fast))
    client.list_providers()
    fake.expire_tokens()
    with ThreadPoolExecutor(4) as pool:
        results = list(pool.map(lambda _: client.company_info().name, range(8)))
    assert results == ["Demo Studio"] * 8
    assert fake.paths().count("/admin/auth/refresh-token") == 1
