"""Small helpers for the sandbox's own tests: plain httpx against the running server."""

from __future__ import annotations

import base64
import hashlib
import secrets
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx

from sbzoom.sandbox import (
    DEMO_COMPANY,
    DEMO_LOGIN,
    DEMO_PASSWORD,
    ZOOM_ACCOUNT_ID,
    ZOOM_CLIENT_ID,
    ZOOM_CLIENT_SECRET,
    Sandbox,
)

CLIENT_AUTH = (ZOOM_CLIENT_ID, ZOOM_CLIENT_SECRET)
REDIRECT = "http://127.0.0.1:8765/callback"


def s2s_token(http: httpx.Client, sandbox: Sandbox) -> str:
    response = http.post(
        f"{sandbox.zoom_oauth_url}/oauth/token",
        params={"grant_type": "account_credentials", "account_id": ZOOM_ACCOUNT_ID},
        auth=CLIENT_AUTH,
    )
    assert response.status_code == 200, response.text
    return str(response.json()["access_token"])


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def pkce_pair() -> tuple[str, str]:
    verifier = secrets.token_urlsafe(48)
    digest = hashlib.sha256(verifier.encode()).digest()
    return verifier, base64.urlsafe_b64encode(digest).decode().rstrip("=")


def authorize(http: httpx.Client, sandbox: Sandbox, challenge: str, state: str = "st4te") -> str:
    """Run the (auto-approving) authorize step; returns the code from the redirect."""
    response = http.get(
        f"{sandbox.zoom_oauth_url}/oauth/authorize",
        params={
            "response_type": "code",
            "client_id": ZOOM_CLIENT_ID,
            "redirect_uri": REDIRECT,
            "state": state,
            "code_challenge": challenge,
            "code_challenge_method": "S256",
        },
    )
    assert response.status_code == 302, response.text
    query = parse_qs(urlsplit(response.headers["Location"]).query)
    return query["code"][0]


def exchange(http: httpx.Client, sandbox: Sandbox, code: str, verifier: str) -> httpx.Response:
    return http.post(
        f"{sandbox.zoom_oauth_url}/oauth/token",
        data={
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": REDIRECT,
            "code_verifier": verifier,
        },
        auth=CLIENT_AUTH,
    )


def user_tokens(http: httpx.Client, sandbox: Sandbox) -> dict[str, Any]:
    verifier, challenge = pkce_pair()
    response = exchange(http, sandbox, authorize(http, sandbox, challenge), verifier)
    assert response.status_code == 200, response.text
    return dict(response.json())


def refresh(http: httpx.Client, sandbox: Sandbox, token: str) -> httpx.Response:
    return http.post(
        f"{sandbox.zoom_oauth_url}/oauth/token",
        data={"grant_type": "refresh_token", "refresh_token": token},
        auth=CLIENT_AUTH,
    )


def sb_login(
    http: httpx.Client, sandbox: Sandbox, login: str = DEMO_LOGIN, password: str = DEMO_PASSWORD
) -> httpx.Response:
    return http.post(
        f"{sandbox.simplybook_api_url}/admin/auth",
        json={"company": DEMO_COMPANY, "login": login, "password": password},
    )


def sb_headers(token: str) -> dict[str, str]:
    return {"X-Company-Login": DEMO_COMPANY, "X-Token": token}


def sb_session(http: httpx.Client, sandbox: Sandbox) -> dict[str, str]:
    response = sb_login(http, sandbox)
    assert response.status_code == 200, response.text
    return sb_headers(response.json()["token"])


def create_meeting(
    http: httpx.Client, sandbox: Sandbox, token: str, user: str, **body: Any
) -> httpx.Response:
    payload = {
        "topic": "Demo",
        "type": 2,
        "start_time": "2030-01-15T15:00:00Z",
        "duration": 30,
        "timezone": "America/New_York",
        **body,
    }
    return http.post(
        f"{sandbox.zoom_api_url}/users/{user}/meetings", json=payload, headers=bearer(token)
    )
