"""`sbzoom auth login zoom`: OAuth with PKCE through a loopback redirect, or Server-to-Server.

The browser flow::

    bind 127.0.0.1:<port>           fail now, not after the browser round trip, if it is taken
    open <oauth>/oauth/authorize    response_type=code, state, code_challenge (S256)
    Zoom redirects the browser to   http://127.0.0.1:<port>/callback?code=…&state=…
    the listener answers one        /callback request, checks state, then closes
    POST <oauth>/oauth/token        code + code_verifier + Basic client credentials
    store                           tokens and client secret in the secret store, the rest in config
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import html
import secrets
import time
import webbrowser
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from sbzoom.clients.http import Redactor
from sbzoom.clients.zoom import LOGIN_HINT, TokenGrant, TokenRequestError, ZoomClient, ZoomUser
from sbzoom.core.auth.common import ConnectionInputs, LoginTerminal
from sbzoom.core.auth.zoom.connection import (
    CLIENT_SECRET,
    ENV_ACCOUNT_ID,
    ENV_API_URL,
    ENV_CLIENT_ID,
    ENV_CLIENT_SECRET,
    TOKENS,
    ZoomCredentials,
    api_url,
    describe,
    env_credentials,
    grant_to_json,
    lock_path,
    new_oauth,
    new_session,
    rejection_identity,
    v2_url,
)
from sbzoom.errors import AuthError, SbzoomError, UsageError
from sbzoom.store.files import file_lock

CALLBACK_PATH = "/callback"


@dataclass(frozen=True)
class LoginResult:
    mode: str  # oauth | s2s
    client_id: str
    account_id: str | None
    user: str | None  # e-mail of the signed-in user, when the token may read it
    scopes: tuple[str, ...]
    can_list_all_users: bool
    expires_at: datetime
    api_url: str
    secret_backend: str  # keyring | file
    env_overrides: bool  # SBZOOM_ZOOM_* credentials are set and win over this login
    warnings: tuple[str, ...] = field(default=())


# -- PKCE --------------------------------------------------------------------------------------


def pkce_pair() -> tuple[str, str]:
    """A code verifier (RFC 7636: 43–128 characters) and its S256 challenge."""
    verifier = secrets.token_urlsafe(64)
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    challenge = base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")
    return verifier, challenge


# -- the loopback listener ---------------------------------------------------------------------


@dataclass
class Callback:
    """What the browser brought back to /callback."""

    params: dict[str, str] = field(default_factory=dict, repr=False)
    error: str | None = None  # set when the callback is unusable (the page already said so)


_PAGE = """<!doctype html><html><head><meta charset="utf-8"><title>sbzoom</title></head>
<body style="font-family:sans-serif;margin:3em"><h1>{title}</h1><p>{text}</p></body></html>"""


class LoopbackListener:
    """An HTTP listener on 127.0.0.1 that takes one /callback request, answers it, and stops.

    Requests to other paths (a browser's favicon fetch) get 404 and do not end the wait.
    """

    def __init__(self, port: int, check: Callable[[dict[str, str]], str | None]) -> None:
        self.check = check
        self.result: Callback | None = None
        listener = self

        class Handler(BaseHTTPRequestHandler):
            timeout = 10  # a connection that never sends a request must not block the wait

            def do_GET(self) -> None:
                parts = urlsplit(self.path)
                if parts.path != CALLBACK_PATH or listener.result is not None:
                    self._answer(404, "Not found", "This is not the sbzoom sign-in address.")
                    return
                params = {k: v[0] for k, v in parse_qs(parts.query).items() if v}
                problem = listener.check(params)
                listener.result = Callback(params, problem)
                if problem:
                    self._answer(400, "Sign-in failed", problem + " Return to the terminal.")
                else:
                    self._answer(
                        200,
                        "Signed in to Zoom",
                        "sbzoom received the sign-in. You can close this tab and return to "
                        "the terminal.",
                    )

            def _answer(self, status: int, title: str, text: str) -> None:
                body = _PAGE.format(title=html.escape(title), text=html.escape(text)).encode()
                self.send_response(status)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.send_header("Cache-Control", "no-store")
                self.send_header("Connection", "close")
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: Any) -> None:
                """Silence: the default logs the request line, which carries the code."""

        try:
            self.server = HTTPServer(("127.0.0.1", port), Handler)
        except OSError as exc:
            raise UsageError(
                f"Cannot listen on 127.0.0.1:{port} for Zoom's redirect ({exc.strerror}).",
                "Another program uses that port: pass --port with a free one (and allow "
                "that redirect URL in the Zoom app).",
            ) from None

    @property
    def port(self) -> int:
        return int(self.server.server_address[1])

    @property
    def redirect_uri(self) -> str:
        return f"http://127.0.0.1:{self.port}{CALLBACK_PATH}"

    def wait(self, timeout: float) -> Callback | None:
        """The callback, or None when none came within ``timeout`` seconds."""
        deadline = time.monotonic() + timeout  # a real wait on a real socket
        try:
            while self.result is None:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return None
                self.server.timeout = min(remaining, 0.5)
                self.server.handle_request()
            return self.result
        finally:
            self.close()

    def close(self) -> None:
        self.server.server_close()


# -- shared steps ------------------------------------------------------------------------------


def _secret(
    inputs: ConnectionInputs, terminal: LoginTerminal, from_stdin: bool, stored: str | None
) -> str:
    if from_stdin:
        secret = terminal.stdin.read().strip()
        if not secret:
            raise UsageError("--client-secret-stdin was given but stdin was empty.")
        return secret
    if inputs.env.get(ENV_CLIENT_SECRET, "").strip():
        return inputs.env[ENV_CLIENT_SECRET].strip()
    if stored:
        return stored
    secret = terminal.prompter.text("Zoom client secret", secret=True, flag="--client-secret-stdin")
    if not secret.strip():
        raise UsageError("The Zoom client secret is empty.")
    return secret.strip()


def _client_id(inputs: ConnectionInputs, terminal: LoginTerminal, given: str | None) -> str:
    value = (
        given
        or inputs.env.get(ENV_CLIENT_ID, "").strip()
        or inputs.profile.text("zoom.client_id")
        or terminal.prompter.text("Zoom client ID", flag="--client-id")
    )
    if not value.strip():
        raise UsageError("The Zoom client ID is empty.", "Pass --client-id.")
    return value.strip()


def _stored_secret_for(inputs: ConnectionInputs, client_id: str) -> str | None:
    """Re-use the stored secret when signing in again with the same app."""
    if inputs.profile.text("zoom.client_id") != client_id:
        return None
    return inputs.secrets.get(CLIENT_SECRET)


def _identity(
    inputs: ConnectionInputs, grant: TokenGrant, api_base: str, redactor: Redactor
) -> ZoomUser:
    class Fixed:
        def access_token(self) -> str:
            return grant.access_token

        def renew(self, rejected: str) -> str:
            raise AuthError("Zoom rejected the token it just issued.", LOGIN_HINT)

    session = new_session(inputs, "Zoom", redactor, 0)
    client = ZoomClient(session, api_base, Fixed())
    try:
        return client.get_user("me")
    finally:
        client.close()


def _save(inputs: ConnectionInputs, creds: ZoomCredentials, grant: TokenGrant) -> None:
    """Secrets first, then config: a half-saved login is one that status reports as absent."""
    with file_lock(lock_path(inputs)):
        inputs.secrets.set(CLIENT_SECRET, creds.client_secret)
        inputs.secrets.set(TOKENS, grant_to_json(grant, creds))
    changes: dict[str, str | None] = {
        "zoom.mode": creds.mode,
        "zoom.client_id": creds.client_id,
        "zoom.account_id": creds.account_id,
    }
    if grant.api_url:
        changes["zoom.api_url"] = v2_url(grant.api_url)
    inputs.config.update(inputs.profile_name, changes)
    inputs.reload_profile()


def _finish(
    inputs: ConnectionInputs, creds: ZoomCredentials, grant: TokenGrant, redactor: Redactor
) -> LoginResult:
    # The region Zoom just named beats a base remembered from an earlier login.
    if grant.api_url and not inputs.env.get(ENV_API_URL):
        api_base = v2_url(grant.api_url)
    else:
        api_base = api_url(inputs)
    _save(inputs, creds, grant)
    warnings: list[str] = []
    user: ZoomUser | None = None
    try:
        user = _identity(inputs, grant, api_base, redactor)
    except SbzoomError as exc:
        warnings.append(f"Could not read the signed-in Zoom user: {exc.message}")
    if not grant.can_list_all_users:
        warnings.append(
            "The token cannot list the account's users (scope user:read:list_users:admin); "
            "only the signed-in user can host meetings."
        )
    env = env_credentials(inputs) is not None
    return LoginResult(
        mode=creds.mode,
        client_id=creds.client_id,
        account_id=(user.account_id if user and user.account_id else creds.account_id),
        user=user.email if user else None,
        scopes=grant.scopes,
        can_list_all_users=grant.can_list_all_users,
        expires_at=grant.expires_at,
        api_url=api_base,
        secret_backend=inputs.secrets.backend,
        env_overrides=env,
        warnings=tuple(warnings),
    )


# -- the two logins ----------------------------------------------------------------------------


def login_oauth(
    inputs: ConnectionInputs,
    terminal: LoginTerminal,
    *,
    client_id: str | None,
    secret_from_stdin: bool,
    port: int = 8765,
    timeout: float = 300.0,
    open_browser: bool = True,
) -> LoginResult:
    """User OAuth: authorization code with PKCE (S256) and state, via a loopback redirect."""
    _require_a_person(terminal, open_browser)
    client = _client_id(inputs, terminal, client_id)
    secret = _secret(inputs, terminal, secret_from_stdin, _stored_secret_for(inputs, client))
    inputs.rejections.forget("zoom")  # an admin is here to try: let them
    redactor = Redactor()
    oauth = new_oauth(inputs, client, secret, redactor)
    try:
        verifier, challenge = pkce_pair()
        state = secrets.token_urlsafe(24)
        redactor.add(verifier)

        def check(params: dict[str, str]) -> str | None:
            if params.get("error"):
                return f"Zoom did not authorize sbzoom ({params['error']})."
            if not secrets.compare_digest(params.get("state", ""), state):
                return "The sign-in answer does not belong to this login (state mismatch)."
            if not params.get("code"):
                return "Zoom's answer carried no authorization code."
            return None

        listener = LoopbackListener(port, check)
        url = oauth.authorize_url(
            redirect_uri=listener.redirect_uri, state=state, code_challenge=challenge
        )
        opened = False
        if open_browser:
            opener = terminal.open_browser or webbrowser.open
            try:
                opened = bool(opener(url))
            except Exception:  # no browser is a normal case: the URL is printed below
                opened = False
        if opened:
            inputs.notifier.notice(
                f"Opened the browser to sign in to Zoom. If it did not, open:\n{url}"
            )
        else:
            inputs.notifier.notice(f"Open this URL in a browser to sign in to Zoom:\n{url}")
        inputs.notifier.notice(
            f"The Zoom app must list exactly {listener.redirect_uri} as its Redirect URL for "
            "OAuth and in its OAuth allow list (port included)."
        )
        inputs.notifier.notice(
            f"Waiting for Zoom to redirect to {listener.redirect_uri} (up to {timeout:.0f} s)…"
        )
        callback = listener.wait(timeout)
        if callback is None:
            raise AuthError(
                f"No sign-in arrived from the browser within {timeout:.0f} s.",
                "Run the command again and finish the sign-in in time. If Zoom showed "
                "'Invalid redirect' (4709), add exactly "
                f"{listener.redirect_uri} to the app's Redirect URL and OAuth allow list in the "
                "Zoom Marketplace, or pass --port with the port registered there.",
            )
        if callback.error:
            raise AuthError(callback.error, "Run 'sbzoom auth login zoom' again.")
        code = callback.params["code"]
        redactor.add(code)
        creds = ZoomCredentials("oauth", inputs.secrets.backend, client, secret, None)
        with _remembering(inputs, creds):
            grant = oauth.exchange_code(
                code, redirect_uri=listener.redirect_uri, code_verifier=verifier
            )
    finally:
        oauth.close()
    return _finish(inputs, creds, grant, redactor)


UNATTENDED = (
    "For unattended use, sign in with Server-to-Server OAuth, which needs no person: "
    "'sbzoom auth login zoom --s2s --account-id ID --client-id ID --client-secret-stdin' (or "
    f"the secret in {ENV_CLIENT_SECRET}), or set {ENV_ACCOUNT_ID}, {ENV_CLIENT_ID} and "
    f"{ENV_CLIENT_SECRET} and skip the sign-in."
)


def _require_a_person(terminal: LoginTerminal, open_browser: bool) -> None:
    """The browser sign-in needs a person to approve it in a browser: fail at once, not after
    the timeout, where none can be there.

    * ``--no-input`` (or SBZOOM_NO_INPUT=1): nobody may be asked anything, so no browser flow,
      even with ``--no-browser``.
    * No terminal at all (stdin and stderr not TTYs) and a browser to open: no one would see it.
      With ``--no-browser`` the URL goes to stderr and the wait is bounded by ``--timeout``:
      someone reading that output (a remote shell, a supervising script) can finish it.
    """
    if terminal.no_input:
        raise UsageError(
            "The Zoom browser sign-in needs a person, and --no-input (or SBZOOM_NO_INPUT) says "
            "there is none.",
            UNATTENDED,
        )
    if open_browser and not terminal.attended:
        raise UsageError(
            "The Zoom browser sign-in needs a person at a browser, and sbzoom has no terminal "
            "here (or pass --no-browser to print the URL and wait --timeout seconds).",
            UNATTENDED,
        )


def login_s2s(
    inputs: ConnectionInputs,
    terminal: LoginTerminal,
    *,
    account_id: str | None,
    client_id: str | None,
    secret_from_stdin: bool,
) -> LoginResult:
    """Server-to-Server OAuth: check the credentials by getting a token, then keep them."""
    account = (
        account_id
        or inputs.env.get(ENV_ACCOUNT_ID, "").strip()
        or inputs.profile.text("zoom.account_id")
        or terminal.prompter.text("Zoom account ID", flag="--account-id")
    ).strip()
    if not account:
        raise UsageError("The Zoom account ID is empty.", "Pass --account-id.")
    client = _client_id(inputs, terminal, client_id)
    stored = _stored_secret_for(inputs, client) if not inputs.env.get(ENV_CLIENT_SECRET) else None
    secret = _secret(inputs, terminal, secret_from_stdin, stored)
    inputs.rejections.forget("zoom")  # an admin is here to try: let them
    redactor = Redactor()
    oauth = new_oauth(inputs, client, secret, redactor)
    creds = ZoomCredentials("s2s", inputs.secrets.backend, client, secret, account)
    try:
        with _remembering(inputs, creds):
            grant = oauth.account_token(account)
    finally:
        oauth.close()
    return _finish(inputs, creds, grant, redactor)


@contextlib.contextmanager
def _remembering(inputs: ConnectionInputs, creds: ZoomCredentials) -> Iterator[None]:
    """Remember an ``invalid_client`` refusal, so that unattended runs with the same
    credentials (env or stored) do not send them again."""
    try:
        yield
    except TokenRequestError as exc:
        if exc.error == "invalid_client":
            inputs.rejections.remember(
                "zoom", rejection_identity(creds), creds.client_secret,
                who=describe(creds), error=exc,
            )  # fmt: skip
        raise
