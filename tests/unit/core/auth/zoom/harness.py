"""What the Zoom sign-in tests share: the fake's endpoints, a Context over it, the CLI."""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Callable
from typing import Any

import httpx
from typer.testing import CliRunner

from sbzoom.cli.main import app
from sbzoom.factory import Factory
from tests.conftest import Home, Result
from tests.fakes import FakeZoomApi

OAUTH = "https://zoom.test"
API = "https://api.zoom.test/v2"
CLIENT_ID = FakeZoomApi.CLIENT_ID
CLIENT_SECRET = FakeZoomApi.CLIENT_SECRET
ENDPOINTS = {"SBZOOM_ZOOM_OAUTH_URL": OAUTH}
ENV_CREDS = {
    "SBZOOM_ZOOM_ACCOUNT_ID": "acc-env",
    "SBZOOM_ZOOM_CLIENT_ID": CLIENT_ID,
    "SBZOOM_ZOOM_CLIENT_SECRET": CLIENT_SECRET,
    "SBZOOM_ZOOM_API_URL": API,
}


def browser_for(
    fake: FakeZoomApi, *, tamper: Callable[[str], str] | None = None
) -> Callable[[str], bool]:
    """A browser that approves at Zoom and follows the redirect to the loopback listener."""

    def open_url(url: str) -> bool:
        redirect, query = fake.authorize(url)
        if tamper is not None:
            query = tamper(query)

        def visit() -> None:
            with httpx.Client() as client:  # the real network: 127.0.0.1 only
                client.get(f"{redirect}?{query}", timeout=5)

        threading.Thread(target=visit, daemon=True).start()
        return True

    return open_url


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def make_factory(
    home: Home,
    fake: FakeZoomApi,
    *,
    stdin: str = "",
    env: dict[str, str] | None = None,
    browser: Callable[[str], bool] | None = None,
    debug: bool = False,
) -> Factory:
    """A command's factory talking to ``fake`` on its clock (``obj=`` for a command run)."""
    ctx = home.context(stdin=stdin, extra_env={**ENDPOINTS, **(env or {})})
    ctx.debug = debug
    return home.factory(
        ctx,
        http_transport=httpx.MockTransport(fake.handle),
        clock=fake.clock,
        open_browser=browser,
    )


def run(
    home: Home,
    fake: FakeZoomApi,
    *args: str,
    stdin: str = "",
    env: dict[str, str] | None = None,
    browser: Callable[[str], bool] | None = None,
    debug: bool = False,
) -> Result:
    factory = make_factory(home, fake, stdin=stdin, env=env, browser=browser, debug=debug)
    result = CliRunner().invoke(app, list(args), obj=factory)
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return Result(result.exit_code, home.out.getvalue(), home.err.getvalue())


def secrets_file(home: Home) -> dict[str, dict[str, str]]:
    path = home.data_dir / "secrets.json"
    return json.loads(path.read_text()) if path.exists() else {}


def stored_tokens(home: Home) -> dict[str, Any]:
    return json.loads(secrets_file(home)["default"]["zoom.tokens"])


def login(home: Home, fake: FakeZoomApi, *extra: str) -> Result:
    return run(
        home,
        fake,
        "auth", "login", "zoom", "--client-id", CLIENT_ID, "--client-secret-stdin",
        "--port", str(free_port()), *extra,
        stdin=CLIENT_SECRET + "\n",
        browser=browser_for(fake),
    )  # fmt: skip
