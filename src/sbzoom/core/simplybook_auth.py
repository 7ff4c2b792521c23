"""Use cases behind `auth login simplybook`, and SimplyBook's half of `auth status` / `auth logout`.

``simplybook_client`` and ``company_timezone`` live in ``simplybook_session`` and are re-exported
here for callers that think of them as "the SimplyBook sign-in".
"""

from __future__ import annotations

from dataclasses import dataclass

from sbzoom.clients.simplybook import (
    DEFAULT_DOMAIN,
    FixedToken,
    SimplyBookAuth,
    SimplyBookClient,
    Tokens,
    TwoFactorChallenge,
    api_url_for_domain,
)
from sbzoom.context import Context
from sbzoom.core.auth_common import (
    LogoutResult,
    ServiceStatus,
    forget_rejections,
    remember_rejection,
)
from sbzoom.core.simplybook_session import (
    ENV_COMPANY,
    ENV_LOGIN,
    ENV_PASSWORD,
    LOCKOUT_PAUSE,
    PASSWORD_SECRET,
    SIGN_IN_HINT,
    TOKENS_SECRET,
    build_session,
    company_timezone,
    env_credentials,
    identity,
    lock_path,
    password_for,
    read_tokens,
    rejection_identity,
    resolve_api_url,
    save_tokens,
    simplybook_client,
)
from sbzoom.errors import (
    ApiError,
    AuthError,
    SbzoomError,
    SignInRejectedError,
    UsageError,
)
from sbzoom.store.config import parse_value
from sbzoom.store.files import file_lock

__all__ = [
    "LoginRequest",
    "LoginResult",
    "company_timezone",
    "login",
    "logout",
    "simplybook_client",
    "status",
]

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


def login(context: Context, request: LoginRequest) -> LoginResult:
    """Sign in, learn the company time zone, then save everything at once (or nothing)."""
    # Not context.profile: signing in is how a new profile comes to exist.
    profile = context.config.load(context.profile_name)
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
        context,
        request.company or context.env.get(ENV_COMPANY) or profile.text("simplybook.company"),
        "SimplyBook company login",
        "--company",
    )
    user = _value(
        context,
        request.login or context.env.get(ENV_LOGIN) or profile.text("simplybook.login"),
        "SimplyBook user login",
        "--login",
    )
    password = _password(context, request)
    api_url = resolve_api_url(context, domain, profile)
    if request.domain and api_url != api_url_for_domain(domain):
        context.notice(f"Using {api_url} (set by SBZOOM_SIMPLYBOOK_API_URL or simplybook.api_url).")

    forget_rejections(context, "simplybook")  # an admin is here to try: let them
    session = build_session(context, profile)
    try:
        auth = SimplyBookAuth(session, api_url)
        try:
            outcome = auth.login(company, user, password)
        except SignInRejectedError as exc:
            # Remembered, so that unattended runs with the same password do not try it again.
            remember_rejection(
                context, "simplybook", rejection_identity(company, user), password,
                who=f"login '{user}' at company '{company}'", error=exc,
                retry_after=LOCKOUT_PAUSE if exc.locked else None,
            )  # fmt: skip
            raise
        two_factor = isinstance(outcome, TwoFactorChallenge)
        tokens = (
            outcome
            if isinstance(outcome, Tokens)
            else _second_factor(context, auth, outcome, request)
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

    with file_lock(lock_path(context)):
        save_tokens(context, tokens, api_url)
        if two_factor:
            # Signing in again unattended would need a code too: keeping the password buys nothing.
            context.secrets.delete(PASSWORD_SECRET)
        else:
            context.secrets.set(PASSWORD_SECRET, password)
    context.config.update(
        context.profile_name,
        {
            "simplybook.company": company,
            "simplybook.login": user,
            "simplybook.domain": domain,
            "simplybook.timezone": zone,
        },
    )
    context.reload_profile()
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


def _value(context: Context, given: str | None, label: str, flag: str) -> str:
    value = (given or "").strip() or context.ask.text(label, flag=flag).strip()
    if not value:
        raise UsageError(f"{label} is needed.", f"Pass {flag}.")
    return value


def _password(context: Context, request: LoginRequest) -> str:
    if request.password_stdin:
        text = context.stdin.read()
        password = text.splitlines()[0] if text else ""
        if not password:
            raise UsageError(
                "--password-stdin was given but standard input was empty.",
                "Pipe the password or API user key in, e.g. "
                "'printf %s \"$SB_PASSWORD\" | sbzoom auth login simplybook --password-stdin'.",
            )
        return password
    from_env = context.env.get(ENV_PASSWORD)
    if from_env:
        return from_env
    password = context.ask.text("SimplyBook password", secret=True, flag="--password-stdin")
    if not password:
        raise UsageError(
            "No password was given.", "Type it at the prompt, or use --password-stdin."
        )
    return password


def _can_prompt(context: Context) -> bool:
    prompter = context.prompter
    if prompter is None:
        return context.interactive
    return bool(getattr(prompter, "interactive", True))


def _second_factor(
    context: Context, auth: SimplyBookAuth, challenge: TwoFactorChallenge, request: LoginRequest
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
    if not code and not _can_prompt(context):
        raise AuthError(
            f"SimplyBook wants a two-factor code for '{challenge.login}', and sbzoom may not "
            "prompt (--no-input).",
            "Pass --code (with --code-type ga or sms), or use an API user key as the password.",
        )
    if code_type == "sms":
        auth.request_sms(challenge)
        context.notice("SimplyBook sent a two-factor code by SMS.")
    if not code:
        label = (
            "SimplyBook code from the SMS"
            if code_type == "sms"
            else "SimplyBook two-factor code (authenticator app)"
        )
        code = context.ask.text(label, flag="--code").strip()
    if not code:
        raise UsageError("No two-factor code was given.", "Pass --code.")
    return auth.verify_code(challenge, code, code_type)


# -- status -------------------------------------------------------------------------------------


def status(context: Context) -> ServiceStatus:
    """Who, where, from which store; ``connected`` only after a live call succeeded."""
    try:
        who = identity(context)
    except SbzoomError as exc:
        return ServiceStatus("simplybook", False, None, problem=exc.with_hint)
    if who is None:
        return ServiceStatus("simplybook", False, None, problem=f"Not signed in. {SIGN_IN_HINT}")
    details: dict[str, object] = {
        "company": who.company,
        "login": who.login,
        "api_url": who.api_url,
        "timezone": context.profile.text("simplybook.timezone"),
    }
    stored = read_tokens(context)
    has_tokens = stored is not None and stored.belongs_to(who)
    if who.source == "env":
        source: str | None = "env"
    elif has_tokens or password_for(context):
        source = context.secrets.backend
    else:
        return ServiceStatus(
            "simplybook", False, None, details, problem=f"Not signed in. {SIGN_IN_HINT}"
        )
    problem: str | None = None
    try:
        info = simplybook_client(context).company_info()
        details["company_name"] = info.name
        details["timezone"] = details["timezone"] or info.timezone
        if not details["timezone"]:
            problem = (
                "The company time zone is not known. Set it with "
                "'sbzoom config set simplybook.timezone <IANA zone>'."
            )
    except SbzoomError as exc:
        problem = exc.with_hint
    latest = read_tokens(context)
    if latest is not None and latest.belongs_to(who) and latest.expires_at is not None:
        details["token_expires"] = latest.expires_at.isoformat()
    return ServiceStatus("simplybook", problem is None, source, details, problem)


# -- logout -------------------------------------------------------------------------------------


def logout(context: Context) -> LogoutResult:
    """End the session on SimplyBook (best effort), then forget the saved token and password."""
    with file_lock(lock_path(context)):
        stored = read_tokens(context)
        had_password = context.secrets.get(PASSWORD_SECRET) is not None
        revoked, notes = False, []
        if stored is not None:
            session = build_session(context, context.config.load(context.profile_name))
            try:
                auth = SimplyBookAuth(session, stored.api_url)
                revoked = auth.logout(stored.company, stored.token)
                if not revoked and stored.refresh_token:
                    # The token had expired: the refresh token still lives, so end that session.
                    fresh = auth.refresh(stored.company, stored.login, stored.refresh_token)
                    revoked = fresh is not None and auth.logout(stored.company, fresh.token)
            except SbzoomError as exc:
                notes.append(
                    f"SimplyBook could not be told to end the session ({exc.message}); "
                    "it ends by itself when the token expires."
                )
            finally:
                session.client.close()
        context.secrets.delete(TOKENS_SECRET)
        context.secrets.delete(PASSWORD_SECRET)
    if stored is None and not had_password:
        notes.append("There was no saved SimplyBook sign-in.")
    if env_credentials(context) is not None:
        notes.append(
            "SBZOOM_SIMPLYBOOK_COMPANY, _LOGIN and _PASSWORD are still set in the environment; "
            "sbzoom signs in with them until you unset them."
        )
    return LogoutResult(
        "simplybook",
        revoked=revoked,
        forgotten=stored is not None or had_password,
        note=" ".join(notes) or None,
    )
