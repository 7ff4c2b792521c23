"""What the SimplyBook sign-in tests share: the sandbox standing in for SimplyBook, signing in
through the CLI, a Context over it, the store, and what the sandbox was asked."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager

from sbzoom.context import Context
from sbzoom.core.auth.common import ServiceStatus
from sbzoom.core.auth.simplybook import status as sb_status
from sbzoom.core.auth.simplybook.connection import TOKENS_SECRET
from sbzoom.factory import Factory
from sbzoom.sandbox import DEMO_LOGIN, DEMO_PASSWORD, Exchange, Sandbox
from sbzoom.store.secrets import SecretStore
from tests.conftest import Home


def env(sandbox: Sandbox) -> dict[str, str]:
    """Only the sandbox's SimplyBook URL: no credentials in the environment, the sign-in (or
    the test) must give them."""
    return {"SBZOOM_SIMPLYBOOK_API_URL": sandbox.simplybook_api_url}


def sign_in(home: Home, sandbox: Sandbox, login: str = DEMO_LOGIN, *extra: str) -> None:
    result = home.run(
        "auth", "login", "simplybook", "--company", "demo", "--login", login,
        "--password-stdin", *extra, stdin=DEMO_PASSWORD + "\n", extra_env=env(sandbox),
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr


def context(home: Home, sandbox: Sandbox, **extra_env: str) -> Context:
    return home.context(extra_env={**env(sandbox), **extra_env})


def secrets(ctx: Context) -> SecretStore:
    """The profile's secret store as a command over ``ctx`` opens it (read afresh)."""
    return Factory(ctx).secrets


def stored(ctx: Context) -> dict[str, object]:
    raw = secrets(ctx).get(TOKENS_SECRET)
    assert raw is not None
    data = json.loads(raw)
    assert isinstance(data, dict)
    return data


def status_of(home: Home, ctx: Context) -> ServiceStatus:
    """SimplyBook's half of `auth status`, as the command asks for it."""
    factory = home.factory(ctx)
    return sb_status.status(factory.connection_inputs, lambda: factory.simplybook)


def routes(sandbox: Sandbox) -> list[str]:
    """The SimplyBook endpoints asked so far, oldest first (auth.login, auth.refresh, ...)."""
    return [r.route for r in sandbox.requests("simplybook")]


def is_live(sandbox: Sandbox, token: object) -> bool:
    """``token`` is an access token SimplyBook accepts now."""
    return sandbox.simplybook.token_states().get(str(token)) == "live"


def end_sessions(sandbox: Sandbox, login: str = DEMO_LOGIN) -> None:
    """Every access token expires and ``login``'s refresh tokens die, as when its password is
    changed elsewhere and then back (the password saved at sign-in still works)."""
    sandbox.simplybook.expire_tokens()
    sandbox.simplybook.change_password(login, "changed-elsewhere")
    sandbox.simplybook.change_password(login, DEMO_PASSWORD)


@contextmanager
def exchanges(sandbox: Sandbox) -> Iterator[list[Exchange]]:
    """The whole SimplyBook exchanges (bodies too) while the block runs."""
    seen: list[Exchange] = []

    def listen(exchange: Exchange) -> None:
        if exchange.service == "simplybook":
            seen.append(exchange)

    sandbox.add_listener(listen)
    try:
        yield seen
    finally:
        sandbox.remove_listener(listen)
