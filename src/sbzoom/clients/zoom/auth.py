"""Zoom's OAuth endpoints: the sign-in URL, the token endpoint's grants, and revoking.

    ZoomOAuth(session, oauth_url, client_id, client_secret)
      authorize_url, exchange_code, refresh, account_token, revoke

A refused grant is a ``TokenRequestError``; ``grant_is_dead`` tells when only a new sign-in helps.
"""

from __future__ import annotations

import base64
from collections.abc import Mapping
from datetime import timedelta
from urllib.parse import urlencode

import httpx

from sbzoom.clients.http import HttpSession, MaybeCommittedError, response_json
from sbzoom.clients.zoom.errors import LOGIN_HINT, SERVICE, TokenRequestError, error_fields
from sbzoom.clients.zoom.models import TokenGrant, as_int, as_text
from sbzoom.errors import ApiError, RemoteError


class ZoomOAuth:
    """Zoom's OAuth endpoints (``<oauth_url>/oauth/...``) for one app's client id and secret."""

    def __init__(
        self, session: HttpSession, oauth_url: str, client_id: str, client_secret: str
    ) -> None:
        self.session = session
        self.oauth_url = oauth_url.rstrip("/")
        self.client_id = client_id
        self._secret = client_secret
        session.redactor.add_basic(client_id, client_secret)

    def close(self) -> None:
        self.session.client.close()

    def _headers(self) -> dict[str, str]:
        pair = base64.b64encode(f"{self.client_id}:{self._secret}".encode()).decode("ascii")
        return {"Authorization": f"Basic {pair}"}

    def authorize_url(self, *, redirect_uri: str, state: str, code_challenge: str) -> str:
        query = {
            "response_type": "code",
            "client_id": self.client_id,
            "redirect_uri": redirect_uri,
            "state": state,
            "code_challenge": code_challenge,
            "code_challenge_method": "S256",
        }
        return f"{self.oauth_url}/oauth/authorize?{urlencode(query)}"

    def exchange_code(self, code: str, *, redirect_uri: str, code_verifier: str) -> TokenGrant:
        self.session.redactor.add(code, code_verifier)
        form = {
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": redirect_uri,
            "code_verifier": code_verifier,
        }
        return self._token(form, idempotent=False, what="exchange the sign-in code")

    def refresh(self, refresh_token: str) -> TokenGrant:
        """A new grant; Zoom rotates refresh tokens, so the old one is spent from now on."""
        self.session.redactor.add(refresh_token)
        form = {"grant_type": "refresh_token", "refresh_token": refresh_token}
        try:
            return self._token(form, idempotent=False, what="refresh the access token")
        except MaybeCommittedError:
            raise RemoteError(
                "Zoom did not answer the token refresh; the stored refresh token may be spent.",
                "Run the command again; if it asks you to sign in, run 'sbzoom auth login zoom'.",
            ) from None

    def account_token(self, account_id: str) -> TokenGrant:
        """Server-to-Server OAuth: a fresh token for the account (there is no refresh token)."""
        form = {"grant_type": "account_credentials", "account_id": account_id}
        return self._token(form, idempotent=True, what="get a Server-to-Server token")

    def revoke(self, token: str) -> None:
        self.session.redactor.add(token)
        response = self.session.send(
            "POST",
            f"{self.oauth_url}/oauth/revoke",
            headers=self._headers(),
            form={"token": token},
            idempotent=True,
        )
        if not response.is_success:
            code, message = error_fields(response)
            raise ApiError(
                f"Zoom did not revoke the token: {self.session.redactor.scrub(message)} "
                f"(HTTP {response.status_code}).",
                service=SERVICE,
                status=response.status_code,
                code=code,
            )

    def _token(self, form: Mapping[str, str], *, idempotent: bool, what: str) -> TokenGrant:
        response = self.session.send(
            "POST",
            f"{self.oauth_url}/oauth/token",
            headers=self._headers(),
            form=form,
            idempotent=idempotent,
        )
        if not response.is_success:
            raise self._token_error(response, what)
        data = response_json(response, SERVICE)
        token = data.get("access_token") if isinstance(data, dict) else None
        if not isinstance(token, str) or not token:
            raise RemoteError(
                f"Zoom's token endpoint answered without an access token (trying to {what}).",
                "Try again later, or run with --debug to see the answer.",
            )
        refresh = data.get("refresh_token") or None
        self.session.redactor.add(token, refresh)
        expires_in = as_int(data.get("expires_in"), 3599)
        now = self.session.clock.now()
        return TokenGrant(
            access_token=token,
            refresh_token=refresh,
            expires_at=now + timedelta(seconds=expires_in),
            scopes=tuple(as_text(data.get("scope")).split()),
            api_url=as_text(data.get("api_url")) or None,
            issued_at=now,
        )

    def _token_error(self, response: httpx.Response, what: str) -> TokenRequestError:
        code, message = error_fields(response)
        error = ""
        try:
            data = response.json()
            if isinstance(data, dict):
                error = as_text(data.get("error"))
        except (ValueError, UnicodeDecodeError):
            pass
        message = self.session.redactor.scrub(message).rstrip(".")
        if error == "invalid_client" or code in (4702, 4704) or response.status_code == 401:
            return TokenRequestError(
                f"Zoom rejected the app's client ID or secret ({message}).",
                "Check the client ID and secret on the app's 'App Credentials' page, then run "
                "'sbzoom auth login zoom' again.",
                error=error or "invalid_client",
                code=code,
            )
        detail = f"{error}: {message}" if error and error != message else message
        if code == 4709 or "redirect" in message.lower():
            return TokenRequestError(
                f"Zoom refused the sign-in's redirect URL ({detail}).",
                "The redirect URL must match the Zoom app's Redirect URL and OAuth allow list "
                "exactly, port included: add the URL 'sbzoom auth login zoom' printed, or pass "
                "--port with the registered port.",
                error=error,
                code=code,
            )
        return TokenRequestError(
            f"Zoom refused to {what} ({detail}).", LOGIN_HINT, error=error, code=code
        )
