"""SimplyBook's error answers: what they hold, and the errors only SimplyBook raises.

Most failures are errors of ``sbzoom.errors``:

    AuthError             401/419 that renewals did not cure; 403 (the user lacks the right); a
                          rejected 2FA code; an unknown company
    SignInRejectedError   a rejected login or password, or too many attempts (never resent)
    NotFoundError         a booking id SimplyBook does not know
    ConfigError           bookings asked for while no company time zone is known
    RemoteError           unavailable after retries, or an HTML / non-JSON answer where JSON belongs
    ApiError              any other error answer
    └── EndpointMissingError   the company's API has no such endpoint (404/405 on the comment)
"""

from __future__ import annotations

from collections.abc import Mapping

import httpx

from sbzoom.clients.http import Redactor
from sbzoom.clients.simplybook.models import as_int, as_text
from sbzoom.errors import ApiError

SERVICE = "SimplyBook"
LOGIN_HINT = "Sign in again with 'sbzoom auth login simplybook'."
TOKEN_EXPIRED = 419  # SimplyBook's "Token Expired"


class EndpointMissingError(ApiError):
    """The company's API answers 404/405 for an endpoint itself (not for a missing record)."""


def error_details(response: httpx.Response, redactor: Redactor) -> tuple[str, int | None]:
    """SimplyBook's ``{"code", "message"}``, scrubbed of known secrets; ("", None) when the error
    is not JSON (an HTML 404 page for an unknown company, a proxy's 502 page): callers decide by
    the HTTP status first, so such a page still means what its status says."""
    try:
        body = response.json()
    except (ValueError, UnicodeDecodeError):
        return "", None
    if isinstance(body, Mapping):
        message = as_text(body.get("message")) or as_text(body.get("error")) or ""
        return redactor.scrub(message[:300]), as_int(body.get("code"))
    return "", None


def message_suffix(message: str) -> str:
    return f" ({message.rstrip('.')})" if message else ""
