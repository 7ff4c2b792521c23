"""The Zoom connection: which credentials are in use, tokens that stay fresh, the ready client.

Where the credentials come from, first match wins::

    SBZOOM_ZOOM_ACCOUNT_ID + _CLIENT_ID + _CLIENT_SECRET   Server-to-Server, source "env"
    config zoom.mode = "oauth" + secret store              user OAuth (PKCE login)
    config zoom.mode = "s2s"   + secret store              Server-to-Server login

Tokens live in the secret store as JSON (``zoom.tokens``; ``zoom.env_tokens`` caches the token
minted for environment credentials). Zoom rotates refresh tokens and may invalidate older
Server-to-Server tokens, so every renewal happens under a per-profile cross-process lock, after
re-reading the stored tokens: a process that waited for the lock finds the fresh token another
process just got, and uses it instead of spending the refresh token a second time.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sbzoom.clients.http import HttpSession, Pacer, Redactor, RetryPolicy, build_client
from sbzoom.clients.zoom import (
    LOGIN_HINT,
    TokenGrant,
    TokenRequestError,
    ZoomClient,
    ZoomOAuth,
    rate_budgets,
)
from sbzoom.clients.zoom.scopes import is_user_level
from sbzoom.core.auth.common import ConnectionInputs, Rejections
from sbzoom.errors import AuthError, ConfigError
from sbzoom.store.config import DEFAULT_ZOOM_MAX_RPS
from sbzoom.store.files import file_lock

if TYPE_CHECKING:
    from sbzoom.clock import Clock
    from sbzoom.store.secrets import SecretStore

ENV_ACCOUNT_ID = "SBZOOM_ZOOM_ACCOUNT_ID"
ENV_CLIENT_ID = "SBZOOM_ZOOM_CLIENT_ID"
ENV_CLIENT_SECRET = "SBZOOM_ZOOM_CLIENT_SECRET"
ENV_API_URL = "SBZOOM_ZOOM_API_URL"
ENV_OAUTH_URL = "SBZOOM_ZOOM_OAUTH_URL"
DEFAULT_API_URL = "https://api.zoom.us/v2"
DEFAULT_OAUTH_URL = "https://zoom.us"

TOKENS = "zoom.tokens"
ENV_TOKENS = "zoom.env_tokens"
CLIENT_SECRET = "zoom.client_secret"
REFRESH_MARGIN = timedelta(seconds=60)
REMOVE_APP = (
    "To cut sbzoom off on Zoom's side, remove the app in Zoom Marketplace → Manage → "
    "Added apps → Remove."
)


# -- settings ----------------------------------------------------------------------------------


def _env_url(inputs: ConnectionInputs, name: str, example: str) -> str | None:
    """An endpoint override from the environment, checked like the config keys are."""
    from sbzoom.store.config import masked, url_problem

    value = inputs.env.get(name, "")
    if not value:
        return None
    problem = url_problem(value)
    if problem:
        raise ConfigError(
            f"{name}={masked(value)} {problem}.", f"Set it to e.g. {example}, or unset it."
        )
    return value


def oauth_url(inputs: ConnectionInputs) -> str:
    """Environment, then config, then Zoom's global host."""
    configured = inputs.profile.values.get("zoom.oauth_url")
    from_env = _env_url(inputs, ENV_OAUTH_URL, DEFAULT_OAUTH_URL)
    return (from_env or str(configured or "") or DEFAULT_OAUTH_URL).rstrip("/")


def api_url(inputs: ConnectionInputs, token_api_url: str | None = None) -> str:
    """Environment, then config (set at login from Zoom's answer), then the token's region."""
    configured = inputs.profile.values.get("zoom.api_url")
    from_env = _env_url(inputs, ENV_API_URL, DEFAULT_API_URL)
    if from_env:
        return from_env.rstrip("/")
    if configured:
        return str(configured).rstrip("/")
    if token_api_url:
        return v2_url(token_api_url)
    return DEFAULT_API_URL


def v2_url(token_api_url: str) -> str:
    """Zoom's ``api_url`` (``https://eu01api.zoom.us``) as the REST base (``…/v2``)."""
    base = token_api_url.rstrip("/")
    return base if base.endswith("/v2") else base + "/v2"


@dataclass(frozen=True)
class ZoomCredentials:
    mode: str  # "oauth" | "s2s"
    source: str  # "env" | "keyring" | "file"
    client_id: str
    client_secret: str = field(repr=False)
    account_id: str | None = None
    token_name: str = TOKENS  # the secret-store entry that caches this login's tokens


def env_credentials(inputs: ConnectionInputs) -> ZoomCredentials | None:
    account, client, secret = (
        inputs.env.get(ENV_ACCOUNT_ID, "").strip(),
        inputs.env.get(ENV_CLIENT_ID, "").strip(),
        inputs.env.get(ENV_CLIENT_SECRET, "").strip(),
    )
    if account and client and secret:
        return ZoomCredentials("s2s", "env", client, secret, account, ENV_TOKENS)
    return None


def stored_credentials(inputs: ConnectionInputs) -> ZoomCredentials | None:
    """The login saved by ``auth login zoom``; None when there is none."""
    profile = inputs.profile
    mode = profile.text("zoom.mode")
    client_id = profile.text("zoom.client_id")
    if mode not in ("oauth", "s2s") or not client_id:
        return None
    secrets = inputs.secrets
    secret = secrets.get(CLIENT_SECRET) or inputs.env.get(ENV_CLIENT_SECRET, "")
    if not secret:
        return None
    account = profile.text("zoom.account_id") if mode == "s2s" else None
    if mode == "s2s" and not account:
        return None
    return ZoomCredentials(mode, secrets.backend, client_id, secret, account, TOKENS)


def credentials(inputs: ConnectionInputs) -> ZoomCredentials | None:
    """Environment credentials win over stored ones."""
    return env_credentials(inputs) or stored_credentials(inputs)


def require_credentials(inputs: ConnectionInputs) -> ZoomCredentials:
    found = credentials(inputs)
    if found is None:
        raise AuthError(
            "Not signed in to Zoom.",
            "Run 'sbzoom auth login zoom' (or 'sbzoom auth login zoom --s2s'), or set "
            f"{ENV_ACCOUNT_ID}, {ENV_CLIENT_ID} and {ENV_CLIENT_SECRET}.",
        )
    return found


# -- refused credentials (see core/auth/common.py) ---------------------------------------------


def rejection_identity(creds: ZoomCredentials) -> tuple[str, ...]:
    return (creds.mode, creds.account_id or "", creds.client_id)


def describe(creds: ZoomCredentials) -> str:
    account = f" of account {creds.account_id}" if creds.account_id else ""
    where = " (from the environment)" if creds.source == "env" else ""
    return f"app {creds.client_id}{account}{where}"


def rejected_fix(creds: ZoomCredentials) -> str:
    if creds.source == "env":
        return (
            f"Set {ENV_CLIENT_ID} and {ENV_CLIENT_SECRET} to the app's current values (App "
            "Credentials page in the Zoom Marketplace); new values are tried at once."
        )
    login = "sbzoom auth login zoom --s2s" if creds.mode == "s2s" else "sbzoom auth login zoom"
    return (
        f"Copy the app's current client secret from the Zoom Marketplace and run '{login}' "
        "(which also lets sbzoom try again)."
    )


# -- stored tokens -----------------------------------------------------------------------------


def grant_to_json(grant: TokenGrant, creds: ZoomCredentials) -> str:
    return json.dumps(
        {
            "mode": creds.mode,
            "client_id": creds.client_id,
            "account_id": creds.account_id,
            "access_token": grant.access_token,
            "refresh_token": grant.refresh_token,
            "expires_at": grant.expires_at.isoformat(),
            "issued_at": grant.issued_at.isoformat() if grant.issued_at else None,
            "scope": " ".join(grant.scopes),
            "api_url": grant.api_url,
        }
    )


def grant_from_json(text: str | None, creds: ZoomCredentials) -> TokenGrant | None:
    """The stored grant, if it is readable and belongs to these credentials."""
    if not text:
        return None
    try:
        data: Any = json.loads(text)
        if not isinstance(data, dict) or data.get("client_id") != creds.client_id:
            return None
        if creds.mode == "s2s" and data.get("account_id") != creds.account_id:
            return None
        expires = datetime.fromisoformat(str(data["expires_at"]))
        issued = datetime.fromisoformat(data["issued_at"]) if data.get("issued_at") else None
        token = data["access_token"]
    except (ValueError, KeyError, TypeError):
        return None
    if not isinstance(token, str) or not token or expires.tzinfo is None:
        return None
    if issued is not None and issued.tzinfo is None:
        issued = None
    refresh = data.get("refresh_token")
    return TokenGrant(
        access_token=token,
        expires_at=expires,
        refresh_token=refresh if isinstance(refresh, str) and refresh else None,
        scopes=tuple(str(data.get("scope") or "").split()),
        api_url=data.get("api_url") or None,
        issued_at=issued,
    )


def lock_path(inputs: ConnectionInputs) -> Path:
    return inputs.lock_path("zoom")


class ZoomTokens:
    """Hands out a valid access token; refreshes (OAuth) or mints (S2S) when it must.

    Safe across threads (one in-process lock) and processes (the profile's lock file).
    """

    def __init__(
        self,
        creds: ZoomCredentials,
        oauth: ZoomOAuth,
        redactor: Redactor,
        *,
        secrets: SecretStore,
        clock: Clock,
        lock: Path,
        rejections: Rejections,
    ) -> None:
        self.secrets = secrets
        self.clock = clock
        self.lock = lock
        self.rejections = rejections
        self.creds = creds
        self.oauth = oauth
        self.redactor = redactor
        self._grant: TokenGrant | None = None
        self._lock = threading.Lock()
        # Set when Zoom declared the grant dead: every worker that was waiting to renew the same
        # rejected token then reports that cause, not a later "no refresh token" of its own.
        self._dead: AuthError | None = None

    def _fresh(self, grant: TokenGrant | None) -> bool:
        return grant is not None and grant.renew_after(REFRESH_MARGIN) > self.clock.now()

    def stored(self) -> TokenGrant | None:
        grant = grant_from_json(self.secrets.get(self.creds.token_name), self.creds)
        if grant is not None:
            self.redactor.add(grant.access_token, grant.refresh_token)
        return grant

    def current(self) -> TokenGrant | None:
        """The grant in use (or stored), without any network call."""
        with self._lock:
            if self._grant is None:
                self._grant = self.stored()
            return self._grant

    def access_token(self) -> str:
        with self._lock:
            if self._grant is None:
                self._grant = self.stored()
            if self._fresh(self._grant):
                assert self._grant is not None
                return self._grant.access_token
            return self._renew(rejected=None)

    def renew(self, rejected: str) -> str:
        with self._lock:
            return self._renew(rejected=rejected)

    def _renew(self, rejected: str | None) -> str:
        if self._dead is not None:
            raise self._dead
        with file_lock(self.lock):
            # Another process may have renewed while this one waited for the lock.
            stored = self.stored()
            if (
                stored is not None
                and self._fresh(stored)
                and (rejected is None or stored.access_token != rejected)
            ):
                self._grant = stored
                return stored.access_token
            grant = self._obtain(stored)
            self.secrets.set(self.creds.token_name, grant_to_json(grant, self.creds))
            self._grant = grant
            return grant.access_token

    def _obtain(self, stored: TokenGrant | None) -> TokenGrant:
        creds = self.creds
        identity = rejection_identity(creds)
        self.rejections.refuse_if_rejected(
            "zoom", identity, creds.client_secret, rejected_fix(creds)
        )
        try:
            return self._obtain_from_zoom(stored)
        except TokenRequestError as exc:
            if exc.error == "invalid_client":
                self.rejections.remember(
                    "zoom", identity, creds.client_secret, who=describe(creds), error=exc
                )
            raise

    def _obtain_from_zoom(self, stored: TokenGrant | None) -> TokenGrant:
        if self.creds.mode == "s2s":
            assert self.creds.account_id is not None
            try:
                return self.oauth.account_token(self.creds.account_id)
            except TokenRequestError as exc:
                if self.creds.source == "env":
                    exc.hint = (
                        f"Check {ENV_ACCOUNT_ID}, {ENV_CLIENT_ID} and {ENV_CLIENT_SECRET}, and "
                        "that the Server-to-Server app is activated in the Zoom Marketplace."
                    )
                else:
                    exc.hint = (
                        "Check that the Server-to-Server app is activated, then run "
                        "'sbzoom auth login zoom --s2s' again."
                    )
                raise
        if stored is None or not stored.refresh_token:
            self.forget()
            raise AuthError("The stored Zoom sign-in has no usable refresh token.", LOGIN_HINT)
        try:
            grant = self.oauth.refresh(stored.refresh_token)
        except TokenRequestError as exc:
            if exc.grant_is_dead:
                self.forget()
                self._dead = AuthError(
                    "Zoom no longer accepts the stored sign-in (invalid_grant: it was revoked, "
                    "re-authorized elsewhere or expired); sbzoom forgot it.",
                    LOGIN_HINT,
                )
                raise self._dead from None
            raise
        if grant.refresh_token is None:  # Zoom always rotates; keep the old one if it did not
            grant = replace(grant, refresh_token=stored.refresh_token)
        return grant

    def forget(self) -> None:
        self.secrets.delete(self.creds.token_name)
        self._grant = None


# -- the ready client --------------------------------------------------------------------------


def new_session(
    inputs: ConnectionInputs,
    service: str,
    redactor: Redactor,
    max_rps: float,
    categories: dict[str, float] | None = None,
) -> HttpSession:
    return HttpSession(
        build_client(inputs.http_transport),
        service=service,
        pacer=Pacer(max_rps, inputs.clock, categories),
        clock=inputs.clock,
        retry=RetryPolicy(),
        log=inputs.http_log,
        redactor=redactor,
    )


def new_oauth(
    inputs: ConnectionInputs, client_id: str, client_secret: str, redactor: Redactor
) -> ZoomOAuth:
    session = new_session(inputs, "Zoom", redactor, 0)
    return ZoomOAuth(session, oauth_url(inputs), client_id, client_secret)


@dataclass
class ZoomConnection:
    """One run's authorised Zoom client, with the token source behind it."""

    creds: ZoomCredentials
    tokens: ZoomTokens
    client: ZoomClient
    oauth: ZoomOAuth

    def close(self) -> None:
        self.client.close()
        self.oauth.close()


def open_connection(inputs: ConnectionInputs) -> ZoomConnection:
    """The profile's Zoom connection (the factory builds it once per command). Raises AuthError
    naming the fix when there are no credentials."""
    creds = require_credentials(inputs)
    redactor = Redactor()
    redactor.add_basic(creds.client_id, creds.client_secret)
    oauth = new_oauth(inputs, creds.client_id, creds.client_secret, redactor)
    tokens = ZoomTokens(
        creds,
        oauth,
        redactor,
        secrets=inputs.secrets,
        clock=inputs.clock,
        lock=lock_path(inputs),
        rejections=inputs.rejections,
    )
    held = tokens.current()
    max_rps = float(inputs.profile.get("zoom.max_rps") or DEFAULT_ZOOM_MAX_RPS)
    session = new_session(inputs, "Zoom", redactor, max_rps, rate_budgets(max_rps))

    def user_level() -> bool:
        tokens.access_token()  # a grant in hand (minted or refreshed if need be)
        grant = tokens.current()
        return grant is not None and is_user_level(grant.scopes)

    client = ZoomClient(
        session,
        api_url(inputs, held.api_url if held else None),
        tokens,
        user_level=user_level,
    )
    return ZoomConnection(creds, tokens, client, oauth)
