"""`sbzoom auth status` and `auth logout`, SimplyBook's half."""

from __future__ import annotations

from collections.abc import Callable

from sbzoom.clients.simplybook import SimplyBookAuth, SimplyBookClient
from sbzoom.core.auth.common import ConnectionInputs, LogoutResult, ServiceStatus
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
)
from sbzoom.errors import SbzoomError
from sbzoom.store.files import file_lock


def status(inputs: ConnectionInputs, client: Callable[[], SimplyBookClient]) -> ServiceStatus:
    """Who, where, from which store; ``connected`` only after a live call succeeded (``client``
    gives the command's client, built when first needed)."""
    try:
        who = identity(inputs)
    except SbzoomError as exc:
        return ServiceStatus("simplybook", False, None, problem=exc.with_hint)
    if who is None:
        return ServiceStatus("simplybook", False, None, problem=f"Not signed in. {SIGN_IN_HINT}")
    details: dict[str, object] = {
        "company": who.company,
        "login": who.login,
        "api_url": who.api_url,
        "timezone": inputs.profile.text("simplybook.timezone"),
    }
    stored = read_tokens(inputs.secrets)
    has_tokens = stored is not None and stored.belongs_to(who)
    if who.source == "env":
        source: str | None = "env"
    elif has_tokens or password_for(inputs):
        source = inputs.secrets.backend
    else:
        return ServiceStatus(
            "simplybook", False, None, details, problem=f"Not signed in. {SIGN_IN_HINT}"
        )
    problem: str | None = None
    try:
        info = client().company_info()
        details["company_name"] = info.name
        details["timezone"] = details["timezone"] or info.timezone
        if not details["timezone"]:
            problem = (
                "The company time zone is not known. Set it with "
                "'sbzoom config set simplybook.timezone <IANA zone>'."
            )
    except SbzoomError as exc:
        problem = exc.with_hint
    latest = read_tokens(inputs.secrets)
    if latest is not None and latest.belongs_to(who) and latest.expires_at is not None:
        details["token_expires"] = latest.expires_at.isoformat()
    return ServiceStatus("simplybook", problem is None, source, details, problem)


# -- logout -------------------------------------------------------------------------------------


def logout(inputs: ConnectionInputs) -> LogoutResult:
    """End the session on SimplyBook (best effort), then forget the saved token and password."""
    secrets = inputs.secrets
    with file_lock(lock_path(inputs)):
        stored = read_tokens(secrets)
        had_password = secrets.get(PASSWORD_SECRET) is not None
        revoked, notes = False, []
        if stored is not None:
            session = build_session(inputs, inputs.config.load(inputs.profile_name))
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
        secrets.delete(TOKENS_SECRET)
        secrets.delete(PASSWORD_SECRET)
    if stored is None and not had_password:
        notes.append("There was no saved SimplyBook sign-in.")
    if env_credentials(inputs) is not None:
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
