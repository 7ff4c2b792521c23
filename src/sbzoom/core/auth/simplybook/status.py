"""`sbzoom auth status` and `auth logout`, SimplyBook's half."""

from __future__ import annotations

from sbzoom.clients.simplybook import SimplyBookAuth
from sbzoom.context import Context
from sbzoom.core.auth.common import LogoutResult, ServiceStatus
from sbzoom.core.auth.simplybook.connection import (
    PASSWORD_SECRET,
    SIGN_IN_HINT,
    TOKENS_SECRET,
    build_session,
    env_credentials,
    identity,
    lock_path,
    password_for,
    read_tokens,
    simplybook_client,
)
from sbzoom.errors import SbzoomError
from sbzoom.store.files import file_lock


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
