"""`sbzoom auth login zoom`: OAuth with PKCE through the loopback listener, and Server-to-Server.

Zoom is ``FakeZoomApi`` behind an ``httpx.MockTransport``; only the loopback callback uses a real
socket on 127.0.0.1.
"""

from __future__ import annotations

import socket
import threading

import httpx
import pytest

from sbzoom.core.auth.zoom import login as zoom_login
from sbzoom.errors import AuthError, UsageError
from tests.conftest import Home
from tests.fakes import FakeZoomApi
from tests.unit.core.auth.zoom.harness import (
    CLIENT_ID,
    CLIENT_SECRET,
    OAUTH,
    browser_for,
    free_port,
    login,
    make_factory,
    run,
    secrets_file,
    stored_tokens,
)


def test_browser_login_with_pkce_stores_tokens_and_settings(home: Home, fake: FakeZoomApi) -> None:
    result = login(home, fake)
    assert result.exit_code == 0, result.stderr
    assert "Signed in to Zoom as ann@x.test" in result.stderr
    assert fake.grants["authorization_code"] == 1
    tokens = stored_tokens(home)
    assert tokens["access_token"] in fake.access and tokens["refresh_token"] in fake.refresh
    assert secrets_file(home)["default"]["zoom.client_secret"] == CLIENT_SECRET
    config = home.config_path.read_text()
    assert 'mode = "oauth"' in config and f'client_id = "{CLIENT_ID}"' in config
    assert 'api_url = "https://api.zoom.test/v2"' in config  # from the token's api_url
    assert oct((home.data_dir / "secrets.json").stat().st_mode & 0o777) == "0o600"


def test_login_checks_state(home: Home, fake: FakeZoomApi) -> None:
    browser = browser_for(fake, tamper=lambda q: q.replace("state=", "state=forged"))
    result = run(
        home, fake, "auth", "login", "zoom", "--client-id", CLIENT_ID, "--client-secret-stdin",
        "--port", str(free_port()), stdin=CLIENT_SECRET, browser=browser,
    )  # fmt: skip
    assert result.exit_code == 4
    assert "state mismatch" in result.stderr
    assert fake.grants["authorization_code"] == 0 and not secrets_file(home)


def test_login_reports_a_denied_authorization(home: Home, fake: FakeZoomApi) -> None:
    browser = browser_for(fake, tamper=lambda q: "error=access_denied&" + q)
    result = run(
        home, fake, "auth", "login", "zoom", "--client-id", CLIENT_ID, "--client-secret-stdin",
        "--port", str(free_port()), stdin=CLIENT_SECRET, browser=browser,
    )  # fmt: skip
    assert result.exit_code == 4 and "access_denied" in result.stderr


def test_no_browser_prints_the_url_on_stderr_and_times_out(home: Home, fake: FakeZoomApi) -> None:
    factory = make_factory(
        home, fake, stdin=CLIENT_SECRET, browser=lambda url: pytest.fail("must not open a browser")
    )
    with pytest.raises(AuthError, match="within 0 s"):
        zoom_login.login_oauth(
            factory.connection_inputs, factory.login_terminal, client_id=CLIENT_ID,
            secret_from_stdin=True, port=0, timeout=0.2, open_browser=False,
        )  # fmt: skip
    err = home.err.getvalue()
    assert f"{OAUTH}/oauth/authorize?" in err and "code_challenge_method=S256" in err
    assert "redirect_uri=http%3A%2F%2F127.0.0.1%3A" in err


def test_listener_ignores_other_paths_and_takes_one_callback(home: Home) -> None:
    seen: list[dict[str, str]] = []

    def check(params: dict[str, str]) -> str | None:
        seen.append(params)
        return None

    listener = zoom_login.LoopbackListener(0, check)
    base = f"http://127.0.0.1:{listener.port}"
    answers: list[httpx.Response] = []

    def browser() -> None:
        with httpx.Client() as client:
            answers.append(client.get(f"{base}/favicon.ico", timeout=5))
            answers.append(client.get(f"{base}/callback?code=c&state=s", timeout=5))

    thread = threading.Thread(target=browser)
    thread.start()
    callback = listener.wait(5)
    thread.join()
    assert callback is not None and callback.params == {"code": "c", "state": "s"}
    assert [a.status_code for a in answers] == [404, 200]
    assert "close this tab" in answers[1].text
    with pytest.raises(httpx.ConnectError), httpx.Client() as client:
        client.get(f"{base}/callback?code=again", timeout=2)  # closed after one callback


def test_busy_port_is_a_usage_error(home: Home) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        port = sock.getsockname()[1]
        with pytest.raises(UsageError, match="already in use") as caught:
            zoom_login.LoopbackListener(port, lambda p: None)
    assert "--port" in (caught.value.hint or "")


def test_missing_secret_without_a_terminal_names_the_flag(home: Home, fake: FakeZoomApi) -> None:
    result = run(home, fake, "auth", "login", "zoom", "--client-id", CLIENT_ID, "--no-browser")
    assert result.exit_code == 2 and "--client-secret-stdin" in result.stderr


def test_s2s_login(home: Home, fake: FakeZoomApi) -> None:
    result = run(
        home, fake, "auth", "login", "zoom", "--s2s", "--account-id", "acc-1",
        "--client-id", CLIENT_ID, "--client-secret-stdin", stdin=CLIENT_SECRET,
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    assert fake.grants["account_credentials"] == 1
    config = home.config_path.read_text()
    assert 'mode = "s2s"' in config and 'account_id = "acc-1"' in config
    users = run(home, fake, "zoom", "users", "--json")
    assert users.exit_code == 0 and fake.grants["account_credentials"] == 1  # token reused
