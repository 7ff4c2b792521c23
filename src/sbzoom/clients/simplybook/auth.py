"""SimplyBook's sign-in calls (``/admin/auth*``), which need no token.

    SimplyBookAuth(session, api_url)
      login, request_sms, verify_code, refresh, logout
    FixedToken         a token source that cannot renew: for the calls right after signing in

Answers become ``Tokens``, a ``TwoFactorChallenge``, or an ``AuthError`` that says what to fix.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

import httpx

from sbzoom.clients.http import HttpSession, response_json
from sbzoom.clients.simplybook.errors import (
    LOGIN_HINT,
    SERVICE,
    TOKEN_EXPIRED,
    error_details,
    message_suffix,
)
from sbzoom.clients.simplybook.models import (
    Tokens,
    TwoFactorChallenge,
    as_bool,
    as_mapping,
    as_text,
    parse_tokens,
)
from sbzoom.errors import ApiError, AuthError, RemoteError, SignInRejectedError


class FixedToken:
    """A token that cannot be renewed: for the few calls made right after signing in."""

    def __init__(self, token: str) -> None:
        self._token = token

    def __repr__(self) -> str:
        return "FixedToken(***)"

    def access_token(self) -> str:
        return self._token

    def renew(self, rejected: str) -> str:
        raise AuthError("SimplyBook rejected the token it had just issued.", LOGIN_HINT)


class SimplyBookAuth:
    """``/admin/auth*``: answers become ``Tokens``, a ``TwoFactorChallenge`` or an AuthError."""

    def __init__(self, session: HttpSession, api_url: str) -> None:
        self.session = session
        self.api_url = api_url.rstrip("/")

    def _url(self, path: str) -> str:
        return f"{self.api_url}{path}"

    def _remember(self, *secrets: str | None) -> None:
        self.session.redactor.add(*secrets)

    def login(self, company: str, login: str, password: str) -> Tokens | TwoFactorChallenge:
        self._remember(password)
        response = self.session.send(
            "POST",
            self._url("/admin/auth"),
            idempotent=True,  # signing in twice is harmless; a 502 here changed nothing to keep
            json_body={"company": company, "login": login, "password": password},
        )
        body = self._signed_in(response, company, login, step="login")
        if as_bool(body.get("require2fa")):
            session_id = as_text(body.get("auth_session_id"))
            if not session_id:
                raise RemoteError(
                    "SimplyBook asked for a two-factor code but sent no session to use it with.",
                    "Try again, or use an API user key as the password.",
                )
            self._remember(session_id)
            providers = body.get("allowed2fa_providers")
            names = tuple(str(p) for p in providers) if isinstance(providers, list) else ()
            return TwoFactorChallenge(company, login, session_id, names)
        return self._tokens(body, company, login)

    def request_sms(self, challenge: TwoFactorChallenge) -> None:
        response = self.session.send(
            "GET",
            self._url("/admin/auth/sms"),
            params={"company": challenge.company, "session_id": challenge.session_id},
        )
        if response.is_success:
            return
        message, _ = error_details(response, self.session.redactor)
        raise AuthError(
            f"SimplyBook could not send the two-factor SMS{message_suffix(message)}.",
            "Use --code-type ga with your authenticator app, or an API user key as the password.",
        )

    def verify_code(self, challenge: TwoFactorChallenge, code: str, code_type: str) -> Tokens:
        self._remember(code)
        response = self.session.send(
            "POST",
            self._url("/admin/auth/2fa"),
            json_body={
                "company": challenge.company,
                "session_id": challenge.session_id,
                "code": code,
                "type": code_type,
            },
        )
        body = self._signed_in(response, challenge.company, challenge.login, step="2fa")
        return self._tokens(body, challenge.company, challenge.login)

    def refresh(self, company: str, login: str, refresh_token: str) -> Tokens | None:
        """New tokens, or ``None`` when SimplyBook no longer accepts the refresh token (401)."""
        self._remember(refresh_token)
        response = self.session.send(
            "POST",
            self._url("/admin/auth/refresh-token"),
            json_body={"company": company, "refresh_token": refresh_token},
        )
        if response.status_code in (400, 401, 403, 404, TOKEN_EXPIRED):
            error_details(
                response, self.session.redactor
            )  # an HTML page here is an outage, not a dead token
            return None
        if not response.is_success:
            message, code = error_details(response, self.session.redactor)
            raise ApiError(
                f"SimplyBook could not renew the sign-in{message_suffix(message)} "
                f"(HTTP {response.status_code}).",
                LOGIN_HINT,
                service=SERVICE,
                status=response.status_code,
                code=code,
            )
        tokens = self._tokens(as_mapping(response_json(response, SERVICE)), company, login)
        if not tokens.refresh_token:  # not rotated this time: the old one stays valid
            tokens = Tokens(
                tokens.token, refresh_token, tokens.company, tokens.login, tokens.domain,
                tokens.user_id, tokens.expires_in,
            )  # fmt: skip
        return tokens

    def logout(self, company: str, token: str) -> bool:
        """Ends the server session; ``True`` when SimplyBook confirmed it."""
        self._remember(token)
        response = self.session.send(
            "POST",
            self._url("/admin/auth/logout"),
            headers={"X-Company-Login": company, "X-Token": token},
            json_body={"auth_token": token},
        )
        return response.is_success

    def _tokens(self, body: Mapping[str, Any], company: str, login: str) -> Tokens:
        tokens = parse_tokens(body, company, login)
        self._remember(tokens.token, tokens.refresh_token)
        return tokens

    def _signed_in(
        self, response: httpx.Response, company: str, login: str, *, step: str
    ) -> Mapping[str, Any]:
        status = response.status_code
        if response.is_success:
            return as_mapping(response_json(response, SERVICE))
        message, _ = error_details(response, self.session.redactor)
        where = f"company '{company}' at {self.api_url}"
        if status == 404:
            # By status first: SimplyBook answers an unknown company with an HTML 404 page.
            domain = urlsplit(self.api_url).hostname or self.api_url
            raise AuthError(
                f"SimplyBook has no {where}{message_suffix(message)}.",
                f"Check the company login '{company}' (as in https://{company}.simplybook.me) "
                f"and the domain ({domain.removeprefix('user-api-v2.')}): pass --company, or "
                "--domain for a company on another regional host (e.g. simplybook.it).",
            )
        if not message and status not in (401, 403):
            response_json(response, SERVICE)  # an HTML page where JSON belongs: a RemoteError
        if status == 403:
            raise SignInRejectedError(
                "SimplyBook refused the sign-in: too many login attempts"
                f"{message_suffix(message)}.",
                "Wait before trying again (a few minutes at least), and check the password "
                "first; sbzoom does not retry this by itself.",
                locked=True,
            )
        if status == 400 and "company" in message.lower():
            raise AuthError(
                f"SimplyBook has no {where}{message_suffix(message)}.",
                "Check --company (the company login, as in https://<company>.simplybook.me), or "
                "pass --domain for a company on another regional host (e.g. simplybook.it).",
            )
        if step == "2fa" and status in (400, 401):
            raise AuthError(
                f"SimplyBook did not accept the two-factor code{message_suffix(message)}.",
                "Run the command again with a fresh code (--code), or use an API user key as the "
                "password.",
            )
        if status in (400, 401):
            raise SignInRejectedError(
                f"SimplyBook rejected the login '{login}' or its password for {where}"
                f"{message_suffix(message)}.",
                "Check --login and the password; an API user key also works as the password.",
            )
        raise ApiError(
            f"SimplyBook answered the sign-in with HTTP {status}{message_suffix(message)}.",
            "Try again later; run with --debug to see the exchange.",
            service=SERVICE,
            status=status,
        )
