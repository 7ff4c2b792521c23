"""SimplyBook's half of `auth status` and `auth logout`."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sbzoom.core.auth.simplybook import status as sb_status
from sbzoom.core.auth.simplybook.connection import PASSWORD_SECRET, TOKENS_SECRET, read_tokens
from tests.conftest import Home
from tests.unit.core.auth.simplybook.harness import context, sign_in, status_of, stored
from tests.unit.simplybook_fake import API, FakeSimplyBook


def test_status_is_connected_only_after_a_live_call(fast: Home, fake: FakeSimplyBook) -> None:
    before = status_of(fast, context(fast))
    assert not before.connected and before.source is None
    assert "sbzoom auth login simplybook" in (before.problem or "")
    sign_in(fast)
    after = status_of(fast, context(fast))
    assert after.connected and after.source == "file"
    assert after.details["company"] == "demo" and after.details["login"] == "admin"
    assert after.details["api_url"] == API
    assert after.details["timezone"] == "America/New_York"
    fake.expire_tokens()
    fake.live_refresh.clear()
    fake.users.clear()  # the saved password no longer works either
    broken = status_of(fast, context(fast))
    assert not broken.connected and "rejected" in (broken.problem or "")


def test_token_expiry_is_shown_when_simplybook_gives_it(fast: Home, fake: FakeSimplyBook) -> None:
    original = fake.issue
    fake.issue = lambda login: {**original(login), "expires_in": 3600}  # type: ignore[method-assign]
    sign_in(fast)
    ctx = context(fast)
    tokens = read_tokens(ctx.secrets)
    assert tokens is not None and tokens.obtained_at is not None
    assert tokens.expires_at == tokens.obtained_at + timedelta(seconds=3600)
    assert status_of(fast, ctx).details["token_expires"] == tokens.expires_at.isoformat()


def test_logout_ends_the_server_session_and_forgets_secrets(
    fast: Home, fake: FakeSimplyBook
) -> None:
    sign_in(fast)
    token = stored(context(fast))["token"]
    result = sb_status.logout(fast.factory(context(fast)).connection_inputs)
    assert result.revoked and result.forgotten
    assert fake.logged_out == [token]
    ctx = context(fast)
    assert ctx.secrets.get(TOKENS_SECRET) is None and ctx.secrets.get(PASSWORD_SECRET) is None


def test_logout_with_an_expired_token_still_ends_the_session(
    fast: Home, fake: FakeSimplyBook
) -> None:
    sign_in(fast)
    fake.expire_tokens()
    result = sb_status.logout(fast.factory(context(fast)).connection_inputs)
    assert result.revoked and len(fake.logged_out) == 1
    assert fake.paths()[-2:] == ["/admin/auth/refresh-token", "/admin/auth/logout"]


def test_logout_when_simplybook_is_unreachable_still_forgets(
    fast: Home, fake: FakeSimplyBook
) -> None:
    sign_in(fast)
    fake.outage.add("/admin/auth/logout")
    ctx = context(fast)
    ctx.clock = _NoSleepClock()  # the HTTP layer backs off between its retries
    result = sb_status.logout(fast.factory(ctx).connection_inputs)
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
