"""The SimplyBook connection: who, which host, the tokens and renewing them, the ready client,
and the company's time zone. The factory builds the client (``open_client``) and resolves the
zone (``resolve_timezone``) once per command.

Where the pieces come from:

* identity: ``SBZOOM_SIMPLYBOOK_COMPANY`` + ``_LOGIN`` + ``_PASSWORD`` all set win (source
  ``env``, for cron); otherwise ``simplybook.company`` / ``simplybook.login`` from the profile;
* host: ``SBZOOM_SIMPLYBOOK_API_URL`` > ``simplybook.api_url`` > ``https://user-api-v2.<domain>``;
* secrets (secret store, per profile): ``simplybook.tokens`` (JSON: token, refresh token and whom
  they belong to) and ``simplybook.password`` (saved at login, to sign in again unattended when
  the refresh token dies).

Renewal: SimplyBook answers 419 when the token expired. Refresh tokens rotate and are single-use,
so two processes refreshing at once would burn each other's. Renewal therefore runs under a
per-profile lock file in ``<data dir>/locks``; inside it the stored tokens are read again (another
process may have renewed already), then refreshed; a rejected refresh falls back to signing in
with the saved or environment password, and without one, to an AuthError naming the fix.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from sbzoom.clients.http import HttpSession, Pacer, build_client
from sbzoom.clients.simplybook import (
    DEFAULT_DOMAIN,
    SERVICE,
    SimplyBookAuth,
    SimplyBookClient,
    Tokens,
    TwoFactorChallenge,
    api_url_for_domain,
)
from sbzoom.core.auth.common import ConnectionInputs, Rejections
from sbzoom.errors import AuthError, ConfigError, SignInRejectedError
from sbzoom.store.config import Profile
from sbzoom.store.files import file_lock

if TYPE_CHECKING:
    from collections.abc import Callable

    from sbzoom.clock import Clock
    from sbzoom.core.ports import Notifier
    from sbzoom.store.secrets import SecretStore

TOKENS_SECRET = "simplybook.tokens"
PASSWORD_SECRET = "simplybook.password"
ENV_COMPANY = "SBZOOM_SIMPLYBOOK_COMPANY"
ENV_LOGIN = "SBZOOM_SIMPLYBOOK_LOGIN"
ENV_PASSWORD = "SBZOOM_SIMPLYBOOK_PASSWORD"
ENV_API_URL = "SBZOOM_SIMPLYBOOK_API_URL"
LOGIN_COMMAND = "sbzoom auth login simplybook"
SIGN_IN_HINT = (
    f"Run '{LOGIN_COMMAND}', or for unattended runs set SBZOOM_SIMPLYBOOK_COMPANY, "
    "SBZOOM_SIMPLYBOOK_LOGIN and SBZOOM_SIMPLYBOOK_PASSWORD."
)


REJECTED_FIX = (
    "Set the right password or API user key (SBZOOM_SIMPLYBOOK_PASSWORD, or sign in with "
    f"'{LOGIN_COMMAND}', which also lets sbzoom try again)."
)
# After SimplyBook's 403 "Too many login attempts", sbzoom leaves the login alone this long.
# SimplyBook does not publish its lock-out threshold or duration (see sandbox/simplybook/auth.py).
LOCKOUT_PAUSE = timedelta(minutes=15)


def rejection_identity(company: str, login: str) -> tuple[str, ...]:
    """Who a SimplyBook password belongs to, as the refusal memory keys it (case-insensitive)."""
    return (company.strip().lower(), login.strip().lower())


@dataclass(frozen=True)
class Identity:
    company: str
    login: str
    api_url: str
    source: str  # "env" | "config"


@dataclass(frozen=True)
class StoredTokens:
    token: str = field(repr=False)
    refresh_token: str = field(repr=False)
    company: str
    login: str
    api_url: str
    obtained_at: datetime | None = None
    expires_at: datetime | None = None  # only when SimplyBook said how long the token lives
    user_id: int | None = None

    def belongs_to(self, who: Identity) -> bool:
        return (
            self.company.lower() == who.company.lower()
            and self.login.lower() == who.login.lower()
            and self.api_url.rstrip("/") == who.api_url.rstrip("/")
        )

    def expired(self, now: datetime) -> bool:
        return self.expires_at is not None and now >= self.expires_at

    def to_json(self) -> str:
        return json.dumps(
            {
                "token": self.token,
                "refresh_token": self.refresh_token,
                "company": self.company,
                "login": self.login,
                "api_url": self.api_url,
                "obtained_at": self.obtained_at.isoformat() if self.obtained_at else None,
                "expires_at": self.expires_at.isoformat() if self.expires_at else None,
                "user_id": self.user_id,
            }
        )

    @classmethod
    def from_json(cls, text: str) -> StoredTokens | None:
        try:
            data = json.loads(text)
            return cls(
                token=str(data["token"]),
                refresh_token=str(data.get("refresh_token") or ""),
                company=str(data["company"]),
                login=str(data["login"]),
                api_url=str(data["api_url"]),
                obtained_at=_when(data.get("obtained_at")),
                expires_at=_when(data.get("expires_at")),
                user_id=data.get("user_id") if isinstance(data.get("user_id"), int) else None,
            )
        except (ValueError, KeyError, TypeError, AttributeError):
            return None  # unreadable: as good as absent, a new sign-in overwrites it


def _when(value: object) -> datetime | None:
    if not isinstance(value, str):
        return None
    parsed = datetime.fromisoformat(value)
    return parsed if parsed.tzinfo is not None else None


# -- where things come from ---------------------------------------------------------------------


def env_credentials(inputs: ConnectionInputs) -> tuple[str, str, str] | None:
    """Company, login and password from the environment, only when all three are set."""
    values = tuple((inputs.env.get(k) or "").strip() for k in (ENV_COMPANY, ENV_LOGIN))
    password = inputs.env.get(ENV_PASSWORD) or ""
    if all(values) and password:
        return values[0], values[1], password
    return None


def resolve_api_url(
    inputs: ConnectionInputs, domain: str | None = None, profile: Profile | None = None
) -> str:
    from_env = (inputs.env.get(ENV_API_URL) or "").strip()
    if from_env:
        from sbzoom.store.config import masked, url_problem

        problem = url_problem(from_env)
        if problem:
            raise ConfigError(
                f"{ENV_API_URL}={masked(from_env)} {problem}.",
                f"Set it to the REST v2 base URL, e.g. {api_url_for_domain(DEFAULT_DOMAIN)}.",
            )
        return from_env.rstrip("/")
    settings = profile or inputs.profile
    configured = settings.text("simplybook.api_url")
    if configured:
        return configured.rstrip("/")
    return api_url_for_domain(domain or settings.text("simplybook.domain") or DEFAULT_DOMAIN)


def identity(inputs: ConnectionInputs) -> Identity | None:
    """Whom sbzoom signs in as, or None when neither the environment nor the profile says."""
    env = env_credentials(inputs)
    if env is not None:
        return Identity(env[0], env[1], resolve_api_url(inputs), "env")
    company = inputs.profile.text("simplybook.company")
    login = inputs.profile.text("simplybook.login")
    if company and login:
        return Identity(company, login, resolve_api_url(inputs), "config")
    return None


def password_for(inputs: ConnectionInputs) -> str | None:
    """The password to sign in again unattended: the environment's, else the saved one."""
    return inputs.env.get(ENV_PASSWORD) or inputs.secrets.get(PASSWORD_SECRET) or None


def read_tokens(secrets: SecretStore) -> StoredTokens | None:
    raw = secrets.get(TOKENS_SECRET)
    return StoredTokens.from_json(raw) if raw else None


def save_tokens(secrets: SecretStore, clock: Clock, tokens: Tokens, api_url: str) -> StoredTokens:
    now = clock.now()
    stored = StoredTokens(
        token=tokens.token,
        refresh_token=tokens.refresh_token,
        company=tokens.company,
        login=tokens.login,
        api_url=api_url.rstrip("/"),
        obtained_at=now,
        expires_at=now + timedelta(seconds=tokens.expires_in) if tokens.expires_in else None,
        user_id=tokens.user_id,
    )
    secrets.set(TOKENS_SECRET, stored.to_json())
    return stored


def lock_path(inputs: ConnectionInputs) -> Path:
    return inputs.lock_path("simplybook")


def build_session(inputs: ConnectionInputs, profile: Profile | None = None) -> HttpSession:
    max_rps = float((profile or inputs.profile).get("simplybook.max_rps") or 2.0)
    return HttpSession(
        build_client(inputs.http_transport),
        service=SERVICE,
        pacer=Pacer(max_rps, inputs.clock),
        clock=inputs.clock,
        log=inputs.http_log,
    )


# -- the token source the client uses ---------------------------------------------------------


class SessionTokens:
    """The stored sign-in, renewed under the profile's lock when SimplyBook rejects it."""

    def __init__(
        self,
        who: Identity,
        auth: SimplyBookAuth,
        *,
        secrets: SecretStore,
        clock: Clock,
        lock: Path,
        rejections: Rejections,
        notifier: Notifier,
        env_password: str | None,
    ) -> None:
        self.secrets = secrets
        self.clock = clock
        self.lock = lock
        self.rejections = rejections
        self.notifier = notifier
        self.env_password = env_password
        self.who = who
        self.auth = auth
        self._token: str | None = None
        self._expires_at: datetime | None = None
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"SessionTokens({self.who.company!r}, {self.who.login!r})"

    def _adopt(self, stored: StoredTokens) -> str:
        self.auth.session.redactor.add(stored.token, stored.refresh_token)
        self._token, self._expires_at = stored.token, stored.expires_at
        return stored.token

    def _usable(self, stored: StoredTokens | None) -> StoredTokens | None:
        if stored is None or not stored.belongs_to(self.who):
            return None
        self.auth.session.redactor.add(stored.token, stored.refresh_token)
        return stored

    def access_token(self) -> str:
        with self._lock:
            if self._token is None:
                stored = self._usable(read_tokens(self.secrets))
                if stored is not None:
                    self._adopt(stored)
            fresh = self._expires_at is None or self.clock.now() < self._expires_at
            if self._token is not None and fresh:
                return self._token
            rejected = self._token or ""
        return self.renew(rejected)

    def renew(self, rejected: str) -> str:
        with self._lock:
            if self._token and self._token != rejected:
                return self._token  # another thread of this run renewed meanwhile
            with file_lock(self.lock):
                now = self.clock.now()
                stored = self._usable(read_tokens(self.secrets))
                if stored and stored.token != rejected and not stored.expired(now):
                    self.notifier.debug("SimplyBook: using the sign-in another run renewed")
                    return self._adopt(stored)
                tokens: Tokens | None = None
                if stored and stored.refresh_token:
                    self.notifier.debug("SimplyBook: token expired; refreshing it")
                    tokens = self.auth.refresh(stored.company, stored.login, stored.refresh_token)
                    if tokens is None:
                        self.notifier.debug("SimplyBook: refresh token rejected")
                if tokens is None:
                    tokens = self._sign_in_again(had_tokens=stored is not None)
                saved = save_tokens(self.secrets, self.clock, tokens, self.who.api_url)
                return self._adopt(saved)

    def _sign_in_again(self, *, had_tokens: bool) -> Tokens:
        who = self.who
        # The environment's password, else the saved one.
        password = self.env_password or self.secrets.get(PASSWORD_SECRET) or None
        if not password:
            if had_tokens:
                raise AuthError(
                    f"SimplyBook no longer accepts the saved sign-in of '{who.login}' at company "
                    f"'{who.company}', and no password is saved to renew it.",
                    SIGN_IN_HINT,
                )
            raise AuthError(
                f"Not signed in to SimplyBook as '{who.login}' at company '{who.company}'.",
                SIGN_IN_HINT,
            )
        identity = rejection_identity(who.company, who.login)
        self.rejections.refuse_if_rejected("simplybook", identity, password, REJECTED_FIX)
        self.notifier.debug("SimplyBook: signing in again with the saved password")
        try:
            outcome = self.auth.login(who.company, who.login, password)
        except SignInRejectedError as exc:
            self.rejections.remember(
                "simplybook", identity, password,
                who=f"login '{who.login}' at company '{who.company}'", error=exc,
                retry_after=LOCKOUT_PAUSE if exc.locked else None,
            )  # fmt: skip
            raise
        if isinstance(outcome, TwoFactorChallenge):
            raise AuthError(
                f"SimplyBook wants a two-factor code to sign '{who.login}' in again.",
                f"Run '{LOGIN_COMMAND}' (it asks for the code, or pass --code), or use an API "
                "user key as the password so unattended runs need no code.",
            )
        return outcome


# -- the ready client and the company's time zone -----------------------------------------------


def open_client(inputs: ConnectionInputs, timezone: Callable[[], ZoneInfo]) -> SimplyBookClient:
    """The signed-in SimplyBook client (the factory builds it once per command). Raises
    AuthError, exit 4, naming the fix when there is no sign-in to use. Tokens are renewed as
    needed on first use; ``timezone`` gives the company's zone when the client needs it."""
    who = identity(inputs)
    if who is None:
        raise AuthError("Not signed in to SimplyBook.", SIGN_IN_HINT)
    stored = read_tokens(inputs.secrets)
    if not (stored and stored.belongs_to(who)) and not password_for(inputs):
        raise AuthError(
            f"Not signed in to SimplyBook as '{who.login}' at company '{who.company}'.",
            SIGN_IN_HINT,
        )
    session = build_session(inputs)
    auth = SimplyBookAuth(session, who.api_url)
    tokens = SessionTokens(
        who,
        auth,
        secrets=inputs.secrets,
        clock=inputs.clock,
        lock=lock_path(inputs),
        rejections=inputs.rejections,
        notifier=inputs.notifier,
        env_password=inputs.env.get(ENV_PASSWORD),
    )
    return SimplyBookClient(session, who.api_url, who.company, tokens, timezone=timezone)


def resolve_timezone(profile: Profile, client: Callable[[], SimplyBookClient]) -> ZoneInfo:
    """The company's zone: ``simplybook.timezone`` from the profile, else company info's (asked
    of ``client()``). Neither → ConfigError (exit 3): sbzoom never guesses a booking's zone."""
    configured = profile.text("simplybook.timezone")
    if configured:
        return ZoneInfo(configured)
    info = client().company_info()
    if info.timezone:
        return ZoneInfo(info.timezone)
    raise ConfigError(
        "The SimplyBook company's time zone is not known: it is not configured and SimplyBook's "
        "company info does not give it.",
        "Set it with 'sbzoom config set simplybook.timezone <IANA zone>' (e.g. Europe/Copenhagen), "
        f"or sign in again with '{LOGIN_COMMAND} --timezone <IANA zone>'.",
    )
