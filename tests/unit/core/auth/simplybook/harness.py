"""What the SimplyBook sign-in tests share: signing in through the CLI, a Context, the store."""

from __future__ import annotations

import json

from sbzoom.context import Context
from sbzoom.core.auth.common import ServiceStatus
from sbzoom.core.auth.simplybook import status as sb_status
from sbzoom.core.auth.simplybook.connection import TOKENS_SECRET
from tests.conftest import Home
from tests.unit.simplybook_fake import API, PASSWORD

ENV = {"SBZOOM_SIMPLYBOOK_API_URL": API}


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


def status_of(home: Home, ctx: Context) -> ServiceStatus:
    """SimplyBook's half of `auth status`, as the command asks for it."""
    factory = home.factory(ctx)
    return sb_status.status(factory.connection_inputs, lambda: factory.simplybook)
