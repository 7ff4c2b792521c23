"""Zoom OAuth: ``/oauth/authorize`` (authorization code + PKCE), ``/oauth/token`` (code exchange,
strict refresh rotation, server-to-server ``account_credentials``), ``/oauth/revoke``, and the
bearer-token check every REST call goes through.

Every token acts as the account owner. A reauthorization invalidates the refresh tokens of
earlier ones (Zoom 4741).
"""

from __future__ import annotations

import base64
import hashlib
import re
import secrets
from datetime import timedelta
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from sbzoom.sandbox.data import ZOOM_ACCOUNT_ID, ZOOM_CLIENT_ID, ZOOM_CLIENT_SECRET, ZOOM_OWNER_ID
from sbzoom.sandbox.errors import ZoomApiError, ZoomOAuthError
from sbzoom.sandbox.wire import Request, Response, json_response
from sbzoom.sandbox.zoom.models import AccessToken, AuthCode, Grant, RefreshToken, Revocation

if TYPE_CHECKING:
    from sbzoom.sandbox.zoom.service import ZoomService

AUTH_CODE_TTL = timedelta(minutes=5)


def _invalid_client() -> ZoomOAuthError:
    return ZoomOAuthError(401, "Invalid client_id or client_secret", "invalid_client")


def authorize(zoom: ZoomService, request: Request, match: re.Match[str]) -> Response:
    """The consent page, approved at once: back to the redirect URL with a code (or an error)."""
    client_id = request.arg("client_id") or ""
    redirect_uri = request.arg("redirect_uri") or ""
    if client_id != ZOOM_CLIENT_ID:
        raise ZoomOAuthError(400, f"Invalid client_id: {client_id}", "invalid_client")
    if not zoom.redirect_allowed(redirect_uri):
        raise ZoomOAuthError(
            400, "Invalid redirect: redirect_uri mismatch (4709)", "invalid_request"
        )
    state = request.arg("state")

    def back(values: dict[str, str]) -> Response:
        if state is not None:
            values["state"] = state
        sep = "&" if "?" in redirect_uri else "?"
        return Response(302, b"", {"Location": f"{redirect_uri}{sep}{urlencode(values)}"})

    if request.arg("response_type") != "code":
        return back({"error": "unsupported_response_type"})
    challenge = request.arg("code_challenge") or ""
    method = request.arg("code_challenge_method") or "plain"  # Zoom's default when omitted
    if method not in ("S256", "plain"):
        return back(
            {
                "error": "invalid_request",
                "error_description": "code_challenge_method must be S256 or plain",
            }
        )
    if zoom._require_pkce and not challenge:
        return back({"error": "invalid_request", "error_description": "code_challenge required"})
    code = secrets.token_urlsafe(24)
    zoom._codes[code] = AuthCode(
        client_id, redirect_uri, challenge, method, zoom._clock.now() + AUTH_CODE_TTL
    )
    return back({"code": code})


def _client_ok(request: Request) -> bool:
    header = request.header("authorization") or ""
    scheme, _, value = header.partition(" ")
    if scheme.lower() != "basic":
        return False
    try:
        decoded = base64.b64decode(value.strip(), validate=True).decode()
    except (ValueError, UnicodeDecodeError):
        return False
    client_id, _, secret = decoded.partition(":")
    return secrets.compare_digest(client_id, ZOOM_CLIENT_ID) and secrets.compare_digest(
        secret, ZOOM_CLIENT_SECRET
    )


def _invalid_grant(zoom: ZoomService, reason: str = "Invalid Token!") -> ZoomOAuthError:
    zoom._invalid_grants += 1
    return ZoomOAuthError(400, reason, "invalid_grant")


def issue_token(zoom: ZoomService, request: Request, match: re.Match[str]) -> Response:
    if not _client_ok(request):
        raise _invalid_client()
    form = request.form()
    grant_type = form.get("grant_type", "")
    if not grant_type:
        raise ZoomOAuthError(400, "Missing grant type", "invalid_request")
    if grant_type == "authorization_code":
        return _exchange_code(zoom, form)
    if grant_type == "refresh_token":
        return _rotate(zoom, form.get("refresh_token", ""))
    if grant_type == "account_credentials":
        if form.get("account_id") != ZOOM_ACCOUNT_ID:
            raise ZoomOAuthError(400, "Invalid account_id", "invalid_request")
        grant = _new_grant(zoom, "account_credentials")
        return _token_response(zoom, grant, refresh=False)
    raise ZoomOAuthError(400, "unsupported grant type", "unsupported_grant_type")


def _exchange_code(zoom: ZoomService, form: dict[str, str]) -> Response:
    code = zoom._codes.get(form.get("code", ""))
    if code is None or code.used or code.client_id != ZOOM_CLIENT_ID:
        raise _invalid_grant(zoom, f"Invalid authorization code {form.get('code', '')}")
    code.used = True  # single use, whatever the outcome
    if zoom._clock.now() >= code.expires_at:
        raise _invalid_grant(zoom, "Authorization code is expired")
    if form.get("redirect_uri", "") != code.redirect_uri:
        raise _invalid_grant(zoom, "Redirect URI mismatch.")
    verifier = form.get("code_verifier", "")
    if code.challenge:
        if code.method == "S256":
            digest = hashlib.sha256(verifier.encode()).digest()
            expected = base64.urlsafe_b64encode(digest).decode().rstrip("=")
        else:
            expected = verifier
        if not verifier or not secrets.compare_digest(expected, code.challenge):
            raise _invalid_grant(zoom)
    # The last authorization wins: refresh tokens of earlier ones stop working (4741).
    for grant in zoom._grants.values():
        if grant.kind == "authorization_code" and grant.user_id == ZOOM_OWNER_ID:
            for refresh in zoom._refresh.values():
                if refresh.grant_id == grant.id:
                    refresh.revoked = True
    grant = _new_grant(zoom, "authorization_code")
    return _token_response(zoom, grant, refresh=True)


def _rotate(zoom: ZoomService, value: str) -> Response:
    zoom._refresh_uses[value] = zoom._refresh_uses.get(value, 0) + 1
    refresh = zoom._refresh.get(value)
    if refresh is None or refresh.used or refresh.revoked:
        raise _invalid_grant(zoom)
    grant = zoom._grants[refresh.grant_id]
    if grant.revoked:
        raise _invalid_grant(zoom)
    refresh.used = True
    return _token_response(zoom, grant, refresh=True)


def _new_grant(zoom: ZoomService, kind: str) -> Grant:
    grant = Grant(secrets.token_hex(8), kind, ZOOM_OWNER_ID, zoom._scopes)
    zoom._grants[grant.id] = grant
    return grant


def _token_response(zoom: ZoomService, grant: Grant, *, refresh: bool) -> Response:
    access = secrets.token_urlsafe(48)
    zoom._access[access] = AccessToken(
        grant.id, zoom._clock.now() + timedelta(seconds=zoom._token_ttl)
    )
    body: dict[str, Any] = {"access_token": access, "token_type": "bearer"}
    if refresh:
        value = secrets.token_urlsafe(48)
        zoom._refresh[value] = RefreshToken(grant.id)
        body["refresh_token"] = value
    body.update(
        expires_in=zoom._token_ttl,
        scope=" ".join(sorted(grant.scopes)),
        api_url=zoom.base_url,
    )
    return json_response(200, body)


def revoke_token(zoom: ZoomService, request: Request, match: re.Match[str]) -> Response:
    if not _client_ok(request):
        raise _invalid_client()
    presented = request.form().get("token", "")
    if presented in zoom._access:
        kind, grant_id = "access", zoom._access[presented].grant_id
    elif presented in zoom._refresh:
        kind, grant_id = "refresh", zoom._refresh[presented].grant_id
    else:
        raise ZoomOAuthError(400, "Invalid Token!", "invalid_request")
    zoom._grants[grant_id].revoked = True
    for refresh in zoom._refresh.values():
        if refresh.grant_id == grant_id:
            refresh.revoked = True
    zoom._revocations.append(Revocation(kind, grant_id, zoom._clock.now()))
    return json_response(200, {"status": "success"})


def authenticate(zoom: ZoomService, request: Request) -> Grant:
    """The grant behind the request's bearer token; 124 when it is missing, revoked or expired."""
    header = request.header("authorization") or ""
    scheme, _, value = header.partition(" ")
    access = zoom._access.get(value.strip()) if scheme.lower() == "bearer" else None
    if access is None or zoom._grants[access.grant_id].revoked:
        raise ZoomApiError(401, 124, "Invalid access token.")
    if zoom._clock.now() >= access.expires_at:
        raise ZoomApiError(401, 124, "Access token is expired.")
    return zoom._grants[access.grant_id]
