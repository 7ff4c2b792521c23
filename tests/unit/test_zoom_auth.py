"""Zoom sign-in as a user sees it: login (PKCE, S2S, env), token lifecycle, status, logout.

Zoom is a small fake behind an ``httpx.MockTransport`` (rotating refresh tokens, PKCE check,
revocation); only the loopback callback uses a real socket on 127.0.0.1.
"""

from __future__ import annotations

import base64
import hashlib
import json
import socket
import threading
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from typer.testing import CliRunner

from sbzoom.cli.main import app
from sbzoom.context import Context
from sbzoom.core.auth.zoom import connection as zoom_auth
from sbzoom.core.auth.zoom import login as zoom_login
from sbzoom.errors import AuthError, UsageError
from tests.conftest import Home, Result
from tests.fakes import FakeClock

OAUTH = "https://zoom.test"
API = "https://api.zoom.test/v2"
CLIENT_ID = "client-abc"
CLIENT_SECRET = "client-secret-0123456789"
ENDPOINTS = {"SBZOOM_ZOOM_OAUTH_URL": OAUTH}


class FakeZoom:
    """Just enough of Zoom's OAuth and REST API to sign in and list users."""

    def __init__(self, clock: FakeClock) -> None:
        self.clock = clock
        self.counter = 0
        self.codes: dict[str, str] = {}  # code -> code_challenge
        self.access: dict[str, float] = {}  # token -> expiry (fake monotonic seconds)
        self.refresh: set[str] = set()  # refresh tokens that are still valid
        self.refresh_uses: Counter[str] = Counter()
        self.grants: Counter[str] = Counter()
        self.invalid_grants = 0
        self.revoked: list[str] = []
        self.scope = "user:read:list_users:admin user:read:user:admin meeting:write:meeting:admin"
        self.ttl = 3599
        self.me_status = 200
        self.revoke_status = 200
        self.requests: list[httpx.Request] = []
        self.issued: list[str] = []  # every secret value this fake ever handed out

    def authorize(self, url: str) -> tuple[str, str]:
        """What a browser does: Zoom approves, and redirects back with a code and the state."""
        query = {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}
        assert query["code_challenge_method"] == "S256"
        self.counter += 1
        code = f"authcode-{self.counter}-xyz"
        self.codes[code] = query["code_challenge"]
        self.issued.append(code)
        return query["redirect_uri"], f"code={code}&state={query['state']}"

    def _issue(self, refresh: bool) -> dict[str, Any]:
        self.counter += 1
        access = f"access-{self.counter}-0123456789"
        self.access[access] = self.clock.monotonic() + self.ttl
        body: dict[str, Any] = {
            "access_token": access,
            "token_type": "bearer",
            "expires_in": self.ttl,
            "scope": self.scope,
            "api_url": "https://api.zoom.test",
        }
        self.issued.append(access)
        if refresh:
            token = f"refresh-{self.counter}-0123456789"
            self.refresh.add(token)
            self.issued.append(token)
            body["refresh_token"] = token
        return body

    def expire_all(self) -> None:
        self.access.clear()

    def handle(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        path = request.url.path
        if path == "/oauth/token":
            return self._token(request)
        if path == "/oauth/revoke":
            form = {k: v[0] for k, v in parse_qs(request.content.decode()).items()}
            if self.revoke_status != 200:
                return httpx.Response(self.revoke_status, json={"error": "server_error"})
            self.revoked.append(form["token"])
            self.refresh.discard(form["token"])
            self.access.pop(form["token"], None)
            return httpx.Response(200, json={"status": "success"})
        token = request.headers.get("Authorization", "").removeprefix("Bearer ")
        if self.access.get(token, -1) < self.clock.monotonic():
            return httpx.Response(401, json={"code": 124, "message": "Invalid access token."})
        if path == "/v2/users/me":
            if self.me_status == 4700:
                return httpx.Response(
                    400,
                    json={"code": 4700, "message": "does not contain scopes:[user:read:user]"},
                )
            return httpx.Response(
                200, json={"id": "u1", "email": "ann@x.test", "account_id": "acc-9", "type": 2}
            )
        if path == "/v2/users":
            status = request.url.params.get("status", "active")
            users = {
                "active": [
                    {
                        "id": "u1",
                        "email": "ann@x.test",
                        "first_name": "Ann",
                        "type": 2,
                        "status": "active",
                    },
                    {
                        "id": "u2",
                        "email": "bo@x.test",
                        "first_name": "Bo",
                        "type": 1,
                        "status": "active",
                    },
                ],
                "inactive": [],
                "pending": [{"email": "new@x.test", "type": 1, "status": "pending"}],
            }[status]
            return httpx.Response(200, json={"next_page_token": "", "users": users})
        return httpx.Response(404, json={"code": 404, "message": "no such path"})

    def _token(self, request: httpx.Request) -> httpx.Response:
        basic = base64.b64encode(f"{CLIENT_ID}:{CLIENT_SECRET}".encode()).decode()
        if request.headers.get("Authorization") != f"Basic {basic}":
            return httpx.Response(401, json={"reason": "Invalid client", "error": "invalid_client"})
        form = {k: v[0] for k, v in parse_qs(request.content.decode()).items()}
        grant = form["grant_type"]
        self.grants[grant] += 1
        if grant == "authorization_code":
            challenge = self.codes.pop(form["code"], None)
            digest = hashlib.sha256(form["code_verifier"].encode()).digest()
            if challenge != base64.urlsafe_b64encode(digest).rstrip(b"=").decode():
                return httpx.Response(
                    400, json={"reason": "Invalid Token!", "error": "invalid_grant"}
                )
            return httpx.Response(200, json=self._issue(refresh=True))
        if grant == "refresh_token":
            token = form["refresh_token"]
            self.refresh_uses[token] += 1
            if token not in self.refresh:
                self.invalid_grants += 1
                return httpx.Response(
                    400, json={"reason": "Invalid Token!", "error": "invalid_grant"}
                )
            self.refresh.discard(token)  # rotation: single use
            return httpx.Response(200, json=self._issue(refresh=True))
        if grant == "account_credentials":
            return httpx.Response(200, json=self._issue(refresh=False))
        return httpx.Response(400, json={"error": "unsupported_grant_type"})


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def fake(clock: FakeClock) -> FakeZoom:
    return FakeZoom(clock)


def browser_for(
    fake: FakeZoom, *, tamper: Callable[[str], str] | None = None
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


def make_context(
    home: Home,
    fake: FakeZoom,
    *,
    stdin: str = "",
    env: dict[str, str] | None = None,
    browser: Callable[[str], bool] | None = None,
    debug: bool = False,
) -> Context:
    ctx = home.context(stdin=stdin, extra_env={**ENDPOINTS, **(env or {})})
    ctx.http_transport = httpx.MockTransport(fake.handle)
    ctx.clock = fake.clock
    ctx.open_browser = browser
    ctx.debug = debug
    return ctx


def run(
    home: Home,
    fake: FakeZoom,
    *args: str,
    stdin: str = "",
    env: dict[str, str] | None = None,
    browser: Callable[[str], bool] | None = None,
    debug: bool = False,
) -> Result:
    ctx = make_context(home, fake, stdin=stdin, env=env, browser=browser, debug=debug)
    result = CliRunner().invoke(app, list(args), obj=ctx)
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return Result(result.exit_code, home.out.getvalue(), home.err.getvalue())


def secrets_file(home: Home) -> dict[str, dict[str, str]]:
    path = home.data_dir / "secrets.json"
    return json.loads(path.read_text()) if path.exists() else {}


def stored_tokens(home: Home) -> dict[str, Any]:
    return json.loads(secrets_file(home)["default"]["zoom.tokens"])


def login(home: Home, fake: FakeZoom, *extra: str) -> Result:
    return run(
        home,
        fake,
        "auth", "login", "zoom", "--client-id", CLIENT_ID, "--client-secret-stdin",
        "--port", str(free_port()), *extra,
        stdin=CLIENT_SECRET + "\n",
        browser=browser_for(fake),
    )  # fmt: skip


# -- login -------------------------------------------------------------------------------------


def test_browser_login_with_pkce_stores_tokens_and_settings(home: Home, fake: FakeZoom) -> None:
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


def test_login_checks_state(home: Home, fake: FakeZoom) -> None:
    browser = browser_for(fake, tamper=lambda q: q.replace("state=", "state=forged"))
    result = run(
        home, fake, "auth", "login", "zoom", "--client-id", CLIENT_ID, "--client-secret-stdin",
        "--port", str(free_port()), stdin=CLIENT_SECRET, browser=browser,
    )  # fmt: skip
    assert result.exit_code == 4
    assert "state mismatch" in result.stderr
    assert fake.grants["authorization_code"] == 0 and not secrets_file(home)


def test_login_reports_a_denied_authorization(home: Home, fake: FakeZoom) -> None:
    browser = browser_for(fake, tamper=lambda q: "error=access_denied&" + q)
    result = run(
        home, fake, "auth", "login", "zoom", "--client-id", CLIENT_ID, "--client-secret-stdin",
        "--port", str(free_port()), stdin=CLIENT_SECRET, browser=browser,
    )  # fmt: skip
    assert result.exit_code == 4 and "access_denied" in result.stderr


def test_no_browser_prints_the_url_on_stderr_and_times_out(home: Home, fake: FakeZoom) -> None:
    ctx = make_context(home, fake, stdin=CLIENT_SECRET)
    ctx.open_browser = lambda url: pytest.fail("must not open a browser")
    with pytest.raises(AuthError, match="within 0 s"):
        zoom_login.login_oauth(
            ctx, client_id=CLIENT_ID, secret_from_stdin=True, port=0, timeout=0.2,
            open_browser=False,
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


def test_missing_secret_without_a_terminal_names_the_flag(home: Home, fake: FakeZoom) -> None:
    result = run(home, fake, "auth", "login", "zoom", "--client-id", CLIENT_ID, "--no-browser")
    assert result.exit_code == 2 and "--client-secret-stdin" in result.stderr


def test_s2s_login(home: Home, fake: FakeZoom) -> None:
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


# -- token lifecycle ---------------------------------------------------------------------------


def test_tokens_are_refreshed_ahead_of_expiry_and_rotated(
    home: Home, fake: FakeZoom, clock: FakeClock
) -> None:
    login(home, fake)
    first = stored_tokens(home)
    clock.elapsed += 3599 - 30  # 30 s left: inside the 60 s margin
    result = run(home, fake, "zoom", "users", "--json")
    assert result.exit_code == 0, result.stderr
    second = stored_tokens(home)
    assert fake.grants["refresh_token"] == 1
    assert fake.refresh_uses[first["refresh_token"]] == 1
    assert second["refresh_token"] != first["refresh_token"]
    assert second["access_token"] != first["access_token"]


def test_a_valid_token_is_used_without_refreshing(home: Home, fake: FakeZoom) -> None:
    login(home, fake)
    assert run(home, fake, "zoom", "users").exit_code == 0
    assert fake.grants["refresh_token"] == 0


def test_rejected_token_is_refreshed_once_and_the_call_retried(home: Home, fake: FakeZoom) -> None:
    login(home, fake)
    fake.expire_all()  # Zoom forgets the token although it has not reached its expiry
    result = run(home, fake, "zoom", "users", "--json")
    assert result.exit_code == 0, result.stderr
    assert fake.grants["refresh_token"] == 1


def test_a_second_process_reuses_the_token_the_first_one_refreshed(
    home: Home, fake: FakeZoom
) -> None:
    login(home, fake)
    fake.expire_all()
    one = zoom_auth.connect(make_context(home, fake))
    two = zoom_auth.connect(make_context(home, fake))
    stale = two.tokens.access_token()  # read before the other process refreshed
    assert one.client.get_user().email == "ann@x.test"  # 401 → refresh
    assert two.client.get_user().email == "ann@x.test"  # 401 → re-read under the lock
    assert stale not in fake.access
    assert fake.grants["refresh_token"] == 1 and fake.invalid_grants == 0


def test_short_lived_tokens_are_not_renewed_on_every_call(
    home: Home, fake: FakeZoom, clock: FakeClock
) -> None:
    fake.ttl = 30  # shorter than the 60 s margin
    login(home, fake)
    assert run(home, fake, "zoom", "users").exit_code == 0  # three calls, one token
    assert fake.grants["refresh_token"] == 0
    clock.elapsed += 20  # past half its life: renewed ahead of expiry
    assert run(home, fake, "zoom", "users").exit_code == 0
    assert fake.grants["refresh_token"] == 1


def test_invalid_grant_forgets_the_tokens_and_asks_for_login(home: Home, fake: FakeZoom) -> None:
    login(home, fake)
    fake.refresh.clear()  # revoked on Zoom's side
    fake.expire_all()
    result = run(home, fake, "zoom", "users")
    assert result.exit_code == 4
    assert "sbzoom auth login zoom" in result.stderr
    assert "zoom.tokens" not in secrets_file(home).get("default", {})
    assert "Traceback" not in result.stderr


def test_not_signed_in(home: Home, fake: FakeZoom) -> None:
    result = run(home, fake, "zoom", "users")
    assert result.exit_code == 4 and "sbzoom auth login zoom" in result.stderr


# -- environment credentials -------------------------------------------------------------------

ENV_CREDS = {
    "SBZOOM_ZOOM_ACCOUNT_ID": "acc-env",
    "SBZOOM_ZOOM_CLIENT_ID": CLIENT_ID,
    "SBZOOM_ZOOM_CLIENT_SECRET": CLIENT_SECRET,
    "SBZOOM_ZOOM_API_URL": API,
}


def test_env_credentials_work_without_login_and_share_one_token(home: Home, fake: FakeZoom) -> None:
    for _ in range(2):
        result = run(home, fake, "zoom", "users", "--json", env=ENV_CREDS)
        assert result.exit_code == 0, result.stderr
    assert fake.grants["account_credentials"] == 1
    users = json.loads(result.stdout)
    assert [u["id"] for u in users] == ["u1", "u2", ""]
    assert users[0] == {
        "id": "u1", "email": "ann@x.test", "name": "Ann", "first_name": "Ann", "last_name": "",
        "licensed": True, "type": 2, "status": "active",
    }  # fmt: skip
    assert users[2]["status"] == "pending" and users[2]["email"] == "new@x.test"


def test_rejected_s2s_token_is_minted_again_once(home: Home, fake: FakeZoom) -> None:
    assert run(home, fake, "zoom", "users", env=ENV_CREDS).exit_code == 0
    fake.expire_all()
    result = run(home, fake, "zoom", "users", env=ENV_CREDS)
    assert result.exit_code == 0, result.stderr
    assert fake.grants["account_credentials"] == 2


def test_bad_env_credentials_name_the_variables(home: Home, fake: FakeZoom) -> None:
    env = {**ENV_CREDS, "SBZOOM_ZOOM_CLIENT_SECRET": "wrong-secret-123456"}
    result = run(home, fake, "zoom", "users", env=env)
    assert result.exit_code == 4
    assert "SBZOOM_ZOOM_CLIENT_SECRET" in result.stderr
    assert "wrong-secret-123456" not in result.stderr


def test_env_credentials_win_over_a_stored_login(home: Home, fake: FakeZoom) -> None:
    login(home, fake)
    result = run(home, fake, "auth", "status", "--json", env=ENV_CREDS)
    zoom = json.loads(result.stdout)["zoom"]
    assert zoom["source"] == "env" and zoom["mode"] == "s2s" and zoom["connected"] is True


def test_env_api_url_wins_over_config(home: Home, fake: FakeZoom) -> None:
    login(home, fake)
    run(home, fake, "zoom", "users", env={"SBZOOM_ZOOM_API_URL": "https://other.zoom.test/v2"})
    assert fake.requests[-1].url.host == "other.zoom.test"


def test_users_table(home: Home, fake: FakeZoom) -> None:
    result = run(home, fake, "zoom", "users", env=ENV_CREDS)
    lines = result.stdout.splitlines()
    assert any("ann@x.test" in line and "yes" in line for line in lines)
    assert any("new@x.test" in line and "pending" in line for line in lines)


# -- status ------------------------------------------------------------------------------------


def test_status_after_login(home: Home, fake: FakeZoom) -> None:
    login(home, fake)
    result = run(home, fake, "auth", "status", "--json")
    zoom = json.loads(result.stdout)["zoom"]
    assert zoom["connected"] is True and zoom["verified_by"] == "api"
    assert zoom["mode"] == "oauth" and zoom["source"] == "file"
    assert zoom["user"] == "ann@x.test" and zoom["account_id"] == "acc-9"
    assert "user:read:list_users:admin" in zoom["scopes"] and zoom["all_users"] is True
    assert zoom["expires_at"].startswith("2026-03-02T12:59")


def test_status_with_a_token_that_cannot_read_me(home: Home, fake: FakeZoom) -> None:
    fake.scope = "meeting:write:meeting"
    login(home, fake)
    fake.me_status = 4700
    zoom = json.loads(run(home, fake, "auth", "status", "--json").stdout)["zoom"]
    assert zoom["connected"] is True and zoom["verified_by"] == "token"
    assert zoom["all_users"] is False


def test_status_not_signed_in(home: Home, fake: FakeZoom) -> None:
    result = run(home, fake, "auth", "status")
    assert result.exit_code == 4
    assert "zoom: not connected" in result.stdout and "sbzoom auth login zoom" in result.stdout


# -- logout ------------------------------------------------------------------------------------


def test_logout_revokes_then_forgets(home: Home, fake: FakeZoom) -> None:
    login(home, fake)
    refresh = stored_tokens(home)["refresh_token"]
    result = run(home, fake, "auth", "logout", "zoom")
    assert result.exit_code == 0, result.stderr
    assert fake.revoked == [refresh]
    assert "Signed out of zoom" in result.stderr
    assert not secrets_file(home).get("default")
    assert "mode" not in home.config_path.read_text()
    assert run(home, fake, "zoom", "users").exit_code == 4


def test_logout_forgets_even_when_revoke_fails(home: Home, fake: FakeZoom) -> None:
    login(home, fake)
    fake.revoke_status = 400
    result = run(home, fake, "auth", "logout", "zoom")
    assert result.exit_code == 0
    assert "Marketplace" in result.stderr and "Added apps" in result.stderr
    assert not secrets_file(home).get("default")


def test_no_secret_leaks_into_files_output_or_debug_log(home: Home, fake: FakeZoom) -> None:
    outputs = [login(home, fake)]
    fake.expire_all()
    outputs.append(run(home, fake, "--debug", "zoom", "users", "--json"))
    outputs.append(run(home, fake, "--debug", "auth", "status", "--json"))
    outputs.append(run(home, fake, "--debug", "auth", "logout", "zoom"))
    assert "[debug]" in outputs[1].stderr and "Bearer ***" in outputs[1].stderr
    secrets = [*fake.issued, CLIENT_SECRET]
    text = "".join(o.stdout + o.stderr for o in outputs)
    for secret in secrets:
        assert secret not in text
    for path in Path(home.root).rglob("*"):
        if path.is_file():
            content = path.read_bytes().decode(errors="replace")
            for secret in secrets:
                assert secret not in content, path


def test_secret_never_appears_in_reprs(home: Home, fake: FakeZoom) -> None:
    login(home, fake)
    connection = zoom_auth.connect(make_context(home, fake))
    shown = repr(connection.creds) + repr(connection.tokens.current())
    assert CLIENT_SECRET not in shown
    assert all(token not in shown for token in fake.issued)
