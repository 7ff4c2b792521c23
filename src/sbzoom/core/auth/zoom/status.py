"""`sbzoom auth status` and `auth logout`, Zoom's half."""

from __future__ import annotations

from collections.abc import Callable

from sbzoom.clients.http import Redactor
from sbzoom.clients.zoom import TokenGrant
from sbzoom.core.auth.common import ConnectionInputs, LogoutResult, ServiceStatus
from sbzoom.core.auth.zoom.connection import (
    CLIENT_SECRET,
    ENV_ACCOUNT_ID,
    ENV_CLIENT_ID,
    ENV_CLIENT_SECRET,
    ENV_TOKENS,
    REMOVE_APP,
    TOKENS,
    ZoomConnection,
    ZoomCredentials,
    credentials,
    env_credentials,
    grant_from_json,
    new_oauth,
    stored_credentials,
)
from sbzoom.errors import AuthError, MissingScopeError, SbzoomError


def status(inputs: ConnectionInputs, connect: Callable[[], ZoomConnection]) -> ServiceStatus:
    """Who is signed in, how, and whether Zoom takes the sign-in (``connect`` gives the
    command's connection, built when first needed)."""
    try:
        creds = credentials(inputs)
    except SbzoomError as exc:
        return ServiceStatus("zoom", False, None, problem=exc.with_hint)
    if creds is None:
        return ServiceStatus(
            "zoom",
            False,
            None,
            {"mode": None},
            problem="Not signed in: run 'sbzoom auth login zoom'.",
        )
    details: dict[str, object] = {
        "mode": creds.mode,
        "client_id": creds.client_id,
        "account_id": creds.account_id,
    }
    try:
        connection = connect()
        connection.tokens.access_token()
    except SbzoomError as exc:
        held = _held(inputs, creds)
        details.update(_grant_details(held))
        unreachable = not isinstance(exc, AuthError)
        if unreachable and held is not None and held.expires_at > inputs.clock.now():
            details["verified_by"] = "token"
            details["note"] = f"valid token held; Zoom not reachable ({exc.message})"
            return ServiceStatus("zoom", True, creds.source, details)
        return ServiceStatus("zoom", False, creds.source, details, problem=exc.with_hint)
    details.update(_grant_details(connection.tokens.current()))
    details["api_url"] = connection.client.api_url
    try:
        me = connection.client.get_user("me")
    except MissingScopeError:
        details["verified_by"] = "token"
        details["note"] = "valid token held; it may not read the signed-in user (GET /users/me)"
        return ServiceStatus("zoom", True, creds.source, details)
    except AuthError as exc:
        return ServiceStatus("zoom", False, creds.source, details, problem=exc.with_hint)
    except SbzoomError as exc:
        details["verified_by"] = "token"
        details["note"] = f"valid token held; GET /users/me failed ({exc.message})"
        return ServiceStatus("zoom", True, creds.source, details)
    details["user"] = me.email
    details["account_id"] = me.account_id or creds.account_id
    details["verified_by"] = "api"
    return ServiceStatus("zoom", True, creds.source, details)


def _held(inputs: ConnectionInputs, creds: ZoomCredentials) -> TokenGrant | None:
    try:
        return grant_from_json(inputs.secrets.get(creds.token_name), creds)
    except SbzoomError:
        return None


def _grant_details(grant: TokenGrant | None) -> dict[str, object]:
    if grant is None:
        return {}
    return {
        "scopes": list(grant.scopes),
        "all_users": grant.can_list_all_users,
        "expires_at": grant.expires_at.isoformat(),
    }


def logout(inputs: ConnectionInputs) -> LogoutResult:
    """Revoke on Zoom, then forget every local Zoom secret of the profile, whatever Zoom said."""
    env = env_credentials(inputs)
    stored = stored_credentials(inputs)
    held: list[tuple[ZoomCredentials, TokenGrant]] = []
    for creds in (stored, env):
        grant = _held(inputs, creds) if creds is not None else None
        if creds is not None and grant is not None:
            held.append((creds, grant))
    revoked, failures = False, []
    for creds, grant in held:
        redactor = Redactor()
        redactor.add_basic(creds.client_id, creds.client_secret)
        oauth = new_oauth(inputs, creds.client_id, creds.client_secret, redactor)
        try:
            # Revoking the refresh token ends the whole grant, also when the access token expired.
            oauth.revoke(grant.refresh_token or grant.access_token)
            revoked = True
        except SbzoomError as exc:
            failures.append(exc.message)
        finally:
            oauth.close()
    secrets, profile = inputs.secrets, inputs.profile
    had_local = bool(held or stored or secrets.get(CLIENT_SECRET) or profile.text("zoom.mode"))
    for name in (TOKENS, ENV_TOKENS, CLIENT_SECRET):
        secrets.delete(name)
    # The app's client and account ids stay: signing in again then needs only the secret.
    if {"zoom.mode", "zoom.api_url"} & set(profile.values):
        inputs.config.update(inputs.profile_name, {"zoom.mode": None, "zoom.api_url": None})
        inputs.reload_profile()
    notes = []
    if failures:
        notes.append(f"Zoom did not confirm the revocation ({failures[0]}). {REMOVE_APP}")
    elif not held and had_local:
        notes.append(f"No Zoom token was held, so there was nothing to revoke. {REMOVE_APP}")
    elif not had_local:
        notes.append("sbzoom held no Zoom sign-in for this profile.")
    if env is not None:
        notes.append(
            f"{ENV_ACCOUNT_ID}, {ENV_CLIENT_ID} and {ENV_CLIENT_SECRET} are still set; sbzoom "
            "uses them until you unset them."
        )
    return LogoutResult(
        "zoom", revoked=revoked and not failures, forgotten=True, note=" ".join(notes) or None
    )
