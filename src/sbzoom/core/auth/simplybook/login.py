"""`sbzoom auth login simplybook`: password or API user key, with two-factor codes."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from sbzoom.clients.simplybook import (
    DEFAULT_DOMAIN,
    FixedToken,
    SimplyBookAuth,
    SimplyBookClient,
    Tokens,
    TwoFactorChallenge,
    api_url_for_domain,
)
from sbzoom.core.auth.common import ConnectionInputs, LoginTerminal
from sbzoom.core.auth.simplybook.connection import (
    ENV_COMPANY,
    ENV_LOGIN,
    ENV_PASSWORD,
    LOCKOUT_PAUSE,
    PASSWORD_SECRET,
    build_session,
    lock_path,
    rejection_identity,
    resolve_api_url,
    save_tokens,
)
from sbzoom.errors import (
    ApiError,
    AuthError,
    SignInRejectedError,
    UsageError,
)
from sbzoom.store.config import parse_value
from sbzoom.store.files import file_lock

if TYPE_CHECKING:
    from sbzoom.core.ports import Notifier

CODE_TYPES = ("ga", "sms")


@dataclass(frozen=True)
class LoginRequest:
    company: str | None = None
    login: str | None = None
    password_stdin: bool = False
    code: str | None = None
    code_type: str | None = None  # "ga" | "sms"; None: what SimplyBook offers, ga first
    domain: str | None = None
    timezone: str | None = None


@dataclass(frozen=True)
class LoginResult:
    company: str
    login: str
    company_name: str | None
    user_id: int | None
    api_url: str
    timezone: str | None  # None: SimplyBook did not say; simplybook.timezone must be set
    timezone_source: str  # "--timezone" | "company info" | "" (not known)
    two_factor: bool
    password_saved: bool


# -- login --------------------------------------------------------------------------------------


def login(inputs: ConnectionInputs, terminal: LoginTerminal, request: LoginRequest) -> LoginResult:
    """Sign in, learn the company time zone, then save everything at once (or nothing)."""
    # Not inputs.profile: signing in is how a new profile comes to exist.
    profile = inputs.config.load(inputs.profile_name)
    domain = str(
        parse_value(
            "simplybook.domain",
            (request.domain or profile.text("simplybook.domain") or DEFAULT_DOMAIN).lower(),
        )
    )
    zone = str(parse_value("simplybook.timezone", request.timezone)) if request.timezone else None
    if request.code_type is not None and request.code_type not in CODE_TYPES:
        raise UsageError(f"--code-type must be ga or sms, not '{request.code_type}'.")
    company = _value(
        terminal,
        request.company or inputs.env.get(ENV_COMPANY) or profile.text("simplybook.company"),
        "SimplyBook company login",
        "--company",
    )
    user = _value(
        terminal,
        request.login or inputs.env.get(ENV_LOGIN) or profile.text("simplybook.login"),
        "SimplyBook user login",
        "--login",
    )
    password = _password(inputs, terminal, request)
    api_url = resolve_api_url(inputs, domain, profile)
    if request.domain and api_url != api_url_for_domain(domain):
        inputs.notifier.notice(
            f"Using {api_url} (set by SBZOOM_SIMPLYBOOK_API_URL or simplybook.api_url)."
        )

    inputs.rejections.forget("simplybook")  # an admin is here to try: let them
    session = build_session(inputs, profile)
    try:
        auth = SimplyBookAuth(session, api_url)
        try:
            outcome = auth.login(company, user, password)
        except SignInRejectedError as exc:
            # Remembered, so that unattended runs with the same password do not try it again.
            inputs.rejections.remember(
                "simplybook", rejection_identity(company, user), password,
                who=f"login '{user}' at company '{company}'", error=exc,
                retry_after=LOCKOUT_PAUSE if exc.locked else None,
            )  # fmt: skip
            raise
        two_factor = isinstance(outcome, TwoFactorChallenge)
        tokens = (
            outcome
            if isinstance(outcome, Tokens)
            else _second_factor(inputs.notifier, terminal, auth, outcome, request)
        )
        client = SimplyBookClient(session, api_url, company, FixedToken(tokens.token))
        company_name, zone_source = None, "--timezone"
        try:
            info = client.company_info()
            company_name = info.name
            if zone is None and info.timezone:
                zone, zone_source = info.timezone, "company info"
        except (ApiError, AuthError):
            if zone is None:
                raise
        # No zone (company info may carry none: docs/simplybook-facts.md §4): the sign-in is
        # still kept; the result says how to set it, and linking refuses to guess until then.
    finally:
        session.client.close()

    secrets = inputs.secrets
    with file_lock(lock_path(inputs)):
        save_tokens(secrets, inputs.clock, tokens, api_url)
        if two_factor:
            # Signing in again unattended would need a code too: keeping the password buys nothing.
            secrets.delete(PASSWORD_SECRET)
        else:
            secrets.set(PASSWORD_SECRET, password)
    inputs.config.update(
        inputs.profile_name,
        {
            "simplybook.company": company,
            "simplybook.login": user,
            "simplybook.domain": domain,
            "simplybook.timezone": zone,
        },
    )
    inputs.reload_profile()
    return LoginResult(
        company=company,
        login=tokens.login or user,
        company_name=company_name,
        user_id=tokens.user_id,
        api_url=api_url,
        timezone=zone,
        timezone_source=zone_source if zone else "",
        two_factor=two_factor,
        password_saved=not two_factor,
    )


def _value(terminal: LoginTerminal, given: str | None, label: str, flag: str) -> str:
    value = (given or "").strip() or terminal.prompter.text(label, flag=flag).strip()
    if not value:
        raise UsageError(f"{label} is needed.", f"Pass {flag}.")
    return value


def _password(inputs: ConnectionInputs, terminal: LoginTerminal, request: LoginRequest) -> str:
    if request.password_stdin:
        text = terminal.stdin.read()
        password = text.splitlines()[0] if text else ""
        if not password:
            raise UsageError(
                "--password-stdin was given but standard input was empty.",
                "Pipe the password or API user key in, e.g. "
                "'printf %s \"$SB_PASSWORD\" | sbzoom auth login simplybook --password-stdin'.",
            )
        return password
    from_env = inputs.env.get(ENV_PASSWORD)
    if from_env:
        return from_env
    password = terminal.prompter.text("SimplyBook password", secret=True, flag="--password-stdin")
    if not password:
        raise UsageError(
            "No password was given.", "Type it at the prompt, or use --password-stdin."
        )
    return password


def _second_factor(
    notifier: Notifier,
    terminal: LoginTerminal,
    auth: SimplyBookAuth,
    challenge: TwoFactorChallenge,
    request: LoginRequest,
) -> Tokens:
    offered = challenge.providers
    code_type = request.code_type or ("ga" if "ga" in offered or not offered else offered[0])
    if offered and code_type not in offered:
        raise UsageError(
            f"SimplyBook offers {', '.join(offered)} as second factor for '{challenge.login}', "
            f"not {code_type}.",
            f"Pass --code-type {offered[0]}.",
        )
    code = (request.code or "").strip()
    if not code and not terminal.can_prompt:
        raise AuthError(
            f"SimplyBook wants a two-factor code for '{challenge.login}', and sbzoom may not "
            "prompt (--no-input).",
            "Pass --code (with --code-type ga or sms), or use an API user key as the password.",
        )
    if code_type == "sms":
        auth.request_sms(challenge)
        notifier.notice("SimplyBook sent a two-factor code by SMS.")
    if not code:
        label = (
            "SimplyBook code from the SMS"
            if code_type == "sms"
            else "SimplyBook two-factor code (authenticator app)"
        )
        code = terminal.prompter.text(label, flag="--code").strip()
    if not code:
        raise UsageError("No two-factor code was given.", "Pass --code.")
    return auth.verify_code(challenge, code, code_type)
