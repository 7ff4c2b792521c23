"""SimplyBook's half of `auth status` and `auth logout`, against the sandbox."""

from __future__ import annotations

from datetime import timedelta

from sbzoom.core.auth.simplybook import status as sb_status
from sbzoom.core.auth.simplybook.connection import PASSWORD_SECRET, TOKENS_SECRET, read_tokens
from sbzoom.sandbox import DEMO_LOGIN, Sandbox
from tests.conftest import Home
from tests.fakes import FakeClock
from tests.unit.core.auth.simplybook.harness import (
    context,
    routes,
    secrets,
    sign_in,
    status_of,
    stored,
)


def test_status_is_connected_only_after_a_live_call(fast: Home, sandbox: Sandbox) -> None:
    before = status_of(fast, context(fast, sandbox))
    assert not before.connected and before.source is None
    assert "sbzoom auth login simplybook" in (before.problem or "")
    sign_in(fast, sandbox)
    after = status_of(fast, context(fast, sandbox))
    assert after.connected and after.source == "file"
    assert after.details["company"] == "demo" and after.details["login"] == DEMO_LOGIN
    assert after.details["api_url"] == sandbox.simplybook_api_url
    assert after.details["timezone"] == "America/New_York"
    sandbox.simplybook.expire_tokens()
    # The password changed elsewhere: the refresh token dies and the saved password with it.
    sandbox.simplybook.change_password(DEMO_LOGIN, "changed-elsewhere")
    broken = status_of(fast, context(fast, sandbox))
    assert not broken.connected and "rejected" in (broken.problem or "")


def test_token_expiry_is_shown_when_simplybook_gives_it(fast: Home, sandbox: Sandbox) -> None:
    # SimplyBook's sign-in answer has no expires_in; a refresh answer may (the notes §1.2).
    sandbox.simplybook.refresh_expires_in = True
    sign_in(fast, sandbox)
    ctx = context(fast, sandbox)
    signed_in = read_tokens(secrets(ctx))
    assert signed_in is not None and signed_in.expires_at is None
    sandbox.simplybook.expire_tokens()
    fast.factory(ctx).simplybook.list_providers()  # 419, then a refresh
    tokens = read_tokens(secrets(ctx))
    assert tokens is not None and tokens.obtained_at is not None
    assert tokens.expires_at == tokens.obtained_at + timedelta(seconds=3600)
    assert status_of(fast, ctx).details["token_expires"] == tokens.expires_at.isoformat()


def test_logout_ends_the_server_session_and_forgets_secrets(fast: Home, sandbox: Sandbox) -> None:
    sign_in(fast, sandbox)
    token = stored(context(fast, sandbox))["token"]
    result = sb_status.logout(fast.factory(context(fast, sandbox)).connection_inputs)
    assert result.revoked and result.forgotten
    assert routes(sandbox).count("auth.logout") == 1
    assert sandbox.simplybook.token_states()[str(token)] == "revoked"
    ctx = context(fast, sandbox)
    assert secrets(ctx).get(TOKENS_SECRET) is None and secrets(ctx).get(PASSWORD_SECRET) is None


def test_logout_with_an_expired_token_still_ends_the_session(fast: Home, sandbox: Sandbox) -> None:
    sign_in(fast, sandbox)
    sandbox.simplybook.expire_tokens()
    result = sb_status.logout(fast.factory(context(fast, sandbox)).connection_inputs)
    assert result.revoked
    assert routes(sandbox)[-2:] == ["auth.refresh", "auth.logout"]
    assert "live" not in sandbox.simplybook.token_states().values()
    assert "live" not in sandbox.simplybook.refresh_token_states().values()


def test_logout_when_simplybook_is_unreachable_still_forgets(fast: Home, sandbox: Sandbox) -> None:
    sign_in(fast, sandbox)
    # a fake clock: the HTTP layer backs off between its retries
    factory = fast.factory(context(fast, sandbox), clock=FakeClock())
    sandbox.stop()  # nothing answers at its address any more
    result = sb_status.logout(factory.connection_inputs)
    assert not result.revoked and result.forgotten
    assert "ends by itself" in (result.note or "")
    assert fast.factory().secrets.get(TOKENS_SECRET) is None  # read afresh from the store
