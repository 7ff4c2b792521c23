"""Zoom sign-in end to end: real ``sbzoom`` processes against the sandbox server.

Each test gets its own config and data dirs and the file secret backend, and points sbzoom at the
sandbox through SBZOOM_ZOOM_API_URL / SBZOOM_ZOOM_OAUTH_URL.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest

from sbzoom.sandbox import ZOOM_CLIENT_ID, ZOOM_CLIENT_SECRET, Sandbox
from sbzoom.sandbox.data import ZOOM_ALICE_ID, ZOOM_BEN_ID, ZOOM_CHLOE_ID, ZOOM_OWNER_ID
from tests.sandbox_fixture import MakeSandbox

DEMO_USER_IDS = {
    ZOOM_OWNER_ID,
    ZOOM_ALICE_ID,
    ZOOM_BEN_ID,
    ZOOM_CHLOE_ID,
}


class Cli:
    """Runs ``python -m sbzoom`` in an isolated home pointed at one sandbox."""

    def __init__(self, root: Path, sandbox: Sandbox, *, env_credentials: bool = False) -> None:
        self.root = root
        self.sandbox = sandbox
        self.env = {k: v for k, v in os.environ.items() if not k.startswith("SBZOOM_")}
        self.env.update(
            SBZOOM_CONFIG=str(root / "config" / "config.toml"),
            SBZOOM_DATA_DIR=str(root / "data"),
            SBZOOM_SECRET_BACKEND="file",
            SBZOOM_ZOOM_API_URL=sandbox.env["SBZOOM_ZOOM_API_URL"],
            SBZOOM_ZOOM_OAUTH_URL=sandbox.env["SBZOOM_ZOOM_OAUTH_URL"],
            NO_COLOR="1",
            COLUMNS="200",
        )
        if env_credentials:
            for key in ("ACCOUNT_ID", "CLIENT_ID", "CLIENT_SECRET"):
                self.env[f"SBZOOM_ZOOM_{key}"] = sandbox.env[f"SBZOOM_ZOOM_{key}"]

    def command(self, *args: str) -> list[str]:
        return [sys.executable, "-m", "sbzoom", *args]

    def run(self, *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            self.command(*args), env=self.env, input=stdin, capture_output=True, text=True,
            timeout=60, check=False,
        )  # fmt: skip

    def start(self, *args: str) -> subprocess.Popen[str]:
        return subprocess.Popen(
            self.command(*args), env=self.env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
            stderr=subprocess.PIPE, text=True,
        )  # fmt: skip

    @property
    def secrets_path(self) -> Path:
        return self.root / "data" / "secrets.json"

    def stored_tokens(self) -> dict[str, str]:
        data = json.loads(self.secrets_path.read_text())
        return json.loads(data["default"]["zoom.tokens"])  # type: ignore[no-any-return]

    def login(self) -> subprocess.CompletedProcess[str]:
        """``auth login zoom --no-browser``, with this test acting as the browser."""
        port = free_port()
        # Like Zoom, the sandbox accepts only registered redirect URLs (port included).
        self.sandbox.register_redirect_uri(f"http://127.0.0.1:{port}/callback")
        process = subprocess.Popen(
            self.command(
                "auth", "login", "zoom", "--no-browser", "--port", str(port),
                "--client-id", ZOOM_CLIENT_ID, "--client-secret-stdin", "--timeout", "30",
            ),
            env=self.env, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            text=True,
        )  # fmt: skip
        assert process.stdin is not None and process.stderr is not None
        try:
            process.stdin.write(ZOOM_CLIENT_SECRET + "\n")
            process.stdin.close()
            process.stdin = None  # handed over: communicate() must not touch it again
            seen = []
            url = ""
            while not url:
                line = process.stderr.readline()
                assert line, "sbzoom ended before printing the sign-in URL: " + "".join(seen)
                seen.append(line)
                if line.startswith("http"):
                    url = line.strip()
            # The "browser": the sandbox approves and redirects to sbzoom's loopback listener.
            page = httpx.get(url, follow_redirects=True, timeout=10)
            assert page.status_code == 200 and "close this tab" in page.text
            stdout, stderr = process.communicate(timeout=30)
        finally:
            stop(process)
        return subprocess.CompletedProcess(
            process.args, process.returncode, stdout, "".join(seen) + stderr
        )


def stop(process: subprocess.Popen[str]) -> None:
    """Reap the process and close its pipes, however the test went."""
    if process.poll() is None:
        process.kill()
    process.communicate()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def cli(tmp_path: Path, sandbox: Sandbox) -> Cli:
    return Cli(tmp_path, sandbox)


def user_ids(output: str) -> set[str]:
    return {u["id"] for u in json.loads(output)}


def test_browser_login_then_list_users(cli: Cli, sandbox: Sandbox) -> None:
    login = cli.login()
    assert login.returncode == 0, login.stderr
    assert "Signed in to Zoom as owner@sbzoom-demo.example" in login.stderr
    config = (cli.root / "config" / "config.toml").read_text()
    assert 'mode = "oauth"' in config and f"{sandbox.url}/zoom/v2" in config
    users = cli.run("zoom", "users", "--json")
    assert users.returncode == 0, users.stderr
    assert user_ids(users.stdout) >= DEMO_USER_IDS
    assert "" in user_ids(users.stdout)  # the pending user has no id


def test_two_processes_with_an_expired_token_refresh_once(cli: Cli, sandbox: Sandbox) -> None:
    assert cli.login().returncode == 0
    for round_ in range(3):
        if round_ == 2:
            # Expired by the clock this time: both refresh ahead of the call, not after a 401.
            data = json.loads(cli.secrets_path.read_text())
            tokens = json.loads(data["default"]["zoom.tokens"])
            tokens["expires_at"] = (datetime.now(UTC) - timedelta(minutes=5)).isoformat()
            data["default"]["zoom.tokens"] = json.dumps(tokens)
            cli.secrets_path.write_text(json.dumps(data))
        else:
            sandbox.expire_tokens()
        processes = [cli.start("zoom", "users", "--json") for _ in range(2)]
        try:
            answers = [process.communicate(timeout=60) for process in processes]
        finally:
            for process in processes:
                stop(process)
        for process, (stdout, stderr) in zip(processes, answers, strict=True):
            assert process.returncode == 0, stderr
            assert user_ids(stdout) >= DEMO_USER_IDS
    uses = sandbox.refresh_token_uses()
    assert len(uses) == 3  # one rotation per round
    assert set(uses.values()) == {1}  # no refresh token was presented twice
    assert sandbox.invalid_grant_count() == 0


def test_logout_revokes_and_leaves_no_secret_anywhere(cli: Cli, sandbox: Sandbox) -> None:
    outputs = [cli.login()]
    secrets = {ZOOM_CLIENT_SECRET}

    def remember_tokens() -> None:
        tokens = cli.stored_tokens()
        secrets.update((tokens["access_token"], tokens["refresh_token"]))

    remember_tokens()
    sandbox.expire_tokens()  # so a refresh (and its new tokens) shows up in the debug log
    outputs.append(cli.run("--debug", "zoom", "users", "--json"))
    remember_tokens()
    outputs.append(cli.run("--debug", "auth", "status", "--json"))
    remember_tokens()
    secrets.update(sandbox.refresh_token_uses())
    outputs.append(cli.run("--debug", "auth", "logout", "zoom"))
    assert all(o.returncode in (0, 4) for o in outputs), [o.stderr for o in outputs]
    assert "[debug]" in outputs[1].stderr and "Bearer ***" in outputs[1].stderr
    assert outputs[-1].returncode == 0 and "Signed out of zoom" in outputs[-1].stderr
    assert [r.token_kind for r in sandbox.revocations()] == ["refresh"]

    assert len(secrets) == 5  # the client secret, two access and two refresh tokens
    text = "".join(o.stdout + o.stderr for o in outputs)
    for secret in secrets:
        assert secret not in text
    for path in cli.root.rglob("*"):
        if path.is_file():
            content = path.read_text(errors="replace")
            for secret in secrets:
                assert secret not in content, path
    after = cli.run("zoom", "users")
    assert after.returncode == 4 and "sbzoom auth login zoom" in after.stderr


def test_env_credentials_need_no_login(tmp_path: Path, sandbox: Sandbox) -> None:
    cli = Cli(tmp_path, sandbox, env_credentials=True)
    users = cli.run("zoom", "users", "--json")
    assert users.returncode == 0, users.stderr
    assert user_ids(users.stdout) >= DEMO_USER_IDS
    status = cli.run("auth", "status", "--json")
    zoom = json.loads(status.stdout)["zoom"]
    assert zoom["connected"] is True and zoom["source"] == "env" and zoom["mode"] == "s2s"
    assert zoom["all_users"] is True


def test_a_missing_scope_is_named_with_the_fix(tmp_path: Path, make_sandbox: MakeSandbox) -> None:
    sandbox = make_sandbox(zoom_scopes=("user:read:user:admin",))
    cli = Cli(tmp_path, sandbox, env_credentials=True)
    users = cli.run("zoom", "users")
    assert users.returncode == 4
    assert "user:read:list_users:admin" in users.stderr
    assert "Zoom Marketplace" in users.stderr and "Traceback" not in users.stderr
    status = json.loads(cli.run("auth", "status", "--json").stdout)["zoom"]
    assert status["connected"] is True and status["all_users"] is False


def test_a_redirect_url_outside_the_allow_list_names_the_url_to_register(
    tmp_path: Path, make_sandbox: MakeSandbox
) -> None:
    sandbox = make_sandbox()  # registers only sbzoom's default, http://127.0.0.1:8765/callback
    cli = Cli(tmp_path, sandbox)
    port = free_port()
    process = subprocess.Popen(
        cli.command(
            "auth", "login", "zoom", "--no-browser", "--port", str(port),
            "--client-id", ZOOM_CLIENT_ID, "--client-secret-stdin", "--timeout", "5",
        ),
        env=cli.env, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        text=True,
    )  # fmt: skip
    assert process.stdin is not None and process.stderr is not None
    try:
        process.stdin.write(ZOOM_CLIENT_SECRET + "\n")
        process.stdin.close()
        process.stdin = None
        seen = []
        url = ""
        while not url:
            line = process.stderr.readline()
            assert line, "".join(seen)
            seen.append(line)
            if line.startswith("http"):
                url = line.strip()
        page = httpx.get(url, follow_redirects=False, timeout=30)  # the browser, refused
        assert page.status_code == 400 and "redirect" in page.text.lower()
        process.wait(timeout=120)  # a loaded CI machine
        # Read on through the same text stream: communicate() reads the raw pipe and would
        # miss the lines readline() had already buffered (the notice right after the URL).
        stderr = process.stderr.read()
    finally:
        stop(process)
    text = "".join(seen) + stderr
    registered = f"http://127.0.0.1:{port}/callback"
    assert process.returncode == 4
    assert f"must list exactly {registered}" in text  # said before the browser round trip
    assert "allow list" in text and "--port" in text and "Traceback" not in text
