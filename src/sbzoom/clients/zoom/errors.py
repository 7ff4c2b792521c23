"""Zoom's error answers: the exceptions they become, and how an answer is read.

The rest of the tree is in ``sbzoom.errors``; ``error_for_answer`` maps one failed REST answer:

    AuthError
    ├── MissingScopeError        4711 (older: 4700): names the scope(s) the app lacks
    ├── TokenRejectedError       401 / 124 even after renewing the token
    └── TokenRequestError        the OAuth token endpoint said no (invalid_grant, bad client…)
    RateLimitedError
    └── DailyLimitError          429 daily limit: knows the host and when it resets; never retried
    ApiError                     any other 4xx, with Zoom's code and message
    ├── ZoomUserGoneError        1001 (also 1010, 1120): the user is not in the account
    ├── MeetingGoneError         3001, or 300 "not found or has expired" on registrant calls:
    │                            deleted or expired (delete_meeting treats it as done)
    ├── HostNotAllowedError      3161: this user may not host or schedule meetings
    └── RegistrantLinkError      a class client registered, but Zoom gave no personal join link
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import httpx

from sbzoom.clients.http import Redactor, reset_time
from sbzoom.clients.zoom.scopes import scope_for
from sbzoom.clock import Clock
from sbzoom.errors import ApiError, AuthError, MissingScopeError, RateLimitedError

SERVICE = "Zoom"
LOGIN_HINT = "Run 'sbzoom auth login zoom' to sign in again."
SCOPE_HINT = "Add the scope in the Zoom Marketplace app, then run 'sbzoom auth login zoom'."
USER_GONE_CODES = frozenset({1001, 1010, 1120})
# Token-endpoint answers after which the stored grant can never work again.
DEAD_GRANT_CODES = frozenset({4735, 4737, 4738, 4740, 4741})
# "Invalid access token, does not contain scopes:[…]": 4711 on today's Zoom, 4700 on older answers.
SCOPE_CODES = frozenset({4700, 4711})


class TokenRejectedError(AuthError):
    """Zoom refused the access token even after it was renewed."""


class TokenRequestError(AuthError):
    """The OAuth token endpoint refused a grant (``error`` is e.g. ``invalid_grant``)."""

    def __init__(
        self, message: str, hint: str | None = None, *, error: str = "", code: int | None = None
    ) -> None:
        super().__init__(message, hint)
        self.error = error
        self.code = code

    @property
    def grant_is_dead(self) -> bool:
        """The refresh token (or sign-in) is spent or revoked: only a new login helps."""
        return self.error == "invalid_grant" or self.code in DEAD_GRANT_CODES


class DailyLimitError(RateLimitedError):
    """Zoom's daily limit (e.g. 100 meeting creates/updates per host per UTC day) is reached."""

    def __init__(
        self, message: str, hint: str | None = None, *, host: str | None, reset_at: datetime
    ) -> None:
        super().__init__(message, hint, reset_at=reset_at)
        self.host = host


class ZoomUserGoneError(ApiError):
    """The user (a host, or the one asked for) is not in this Zoom account (1001, 1010, 1120)."""

    def __init__(self, message: str, hint: str | None, *, user: str, status: int, code: int):
        super().__init__(message, hint, service=SERVICE, status=status, code=code)
        self.user = user


class MeetingGoneError(ApiError):
    """The meeting no longer exists on Zoom: deleted (by hand, or by another run) or expired.

    Raised by every call that names a meeting; ``delete_meeting`` treats it as done.
    """

    def __init__(
        self,
        message: str,
        hint: str | None = None,
        *,
        meeting_id: int | None = None,
        status: int = 404,
        code: int = 3001,
    ):
        super().__init__(message, hint, service=SERVICE, status=status, code=code)
        self.meeting_id = meeting_id


class RegistrantLinkError(ApiError):
    """Zoom registered a class client but gave no personal join link for them."""


class HostNotAllowedError(ApiError):
    """The user may not host or schedule meetings (3161): meetings are off for them in Zoom."""

    def __init__(self, message: str, hint: str | None, *, host: str | None, status: int):
        super().__init__(message, hint, service=SERVICE, status=status, code=3161)
        self.host = host


# -- reading an error answer -------------------------------------------------------------------


def error_fields(response: httpx.Response) -> tuple[int | None, str]:
    """Zoom's ``{"code", "message"}`` (or OAuth's ``{"error", "reason"}``), tolerating junk."""
    try:
        data = response.json()
    except (ValueError, UnicodeDecodeError):
        return None, response.reason_phrase or f"HTTP {response.status_code}"
    if not isinstance(data, dict):
        return None, f"HTTP {response.status_code}"
    code = data.get("code")
    message = (
        data.get("message")
        or data.get("reason")
        or data.get("error_description")
        or data.get("error")
        or f"HTTP {response.status_code}"
    )
    return (code if isinstance(code, int) else None), str(message)


_SCOPE_LIST = re.compile(r"scopes?\s*:?\s*\[([^\]]*)\]", re.IGNORECASE)
_SCOPE_NAME = re.compile(r"\b[a-z_]+(?::[a-z_]+)+\b")


def missing_scopes(message: str) -> list[str]:
    """The scope names in Zoom's 4700 message ("… does not contain scopes:[a:b, c:d].")."""
    listed = _SCOPE_LIST.search(message)
    text = listed.group(1) if listed else message
    found: list[str] = []
    for name in _SCOPE_NAME.findall(text):
        if name not in found:
            found.append(name)
    return found


def is_daily_limit(response: httpx.Response) -> bool:
    """A 429 that will not lift before 00:00 UTC: never worth retrying."""
    if response.headers.get("X-RateLimit-Type", "").lower().startswith("daily"):
        return True
    _, message = error_fields(response)
    return "daily" in message.lower()


def _next_utc_midnight(now: datetime) -> datetime:
    today = now.astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    return today + timedelta(days=1)


def error_for_answer(
    method: str,
    path: str,
    response: httpx.Response,
    *,
    redactor: Redactor,
    clock: Clock,
    user: str | None,
    host: str | None,
    meeting_id: int | None,
) -> Exception:
    """The exception a failed REST answer stands for (``clock`` dates a daily limit's reset)."""
    status = response.status_code
    code, raw_message = error_fields(response)
    message = redactor.scrub(raw_message).rstrip(".")
    if status == 429 or (code == 300 and "in one day" in message.lower()):
        now = clock.now()
        reset = reset_time(response.headers.get("Retry-After"), now)
        reset = reset or _next_utc_midnight(now)
        if status != 429 or is_daily_limit(response):
            who = f" for host {host or user}" if (host or user) else ""
            return DailyLimitError(
                f"Zoom's daily limit{who} is reached ({message}).",
                f"Zoom accepts these requests again after {reset:%Y-%m-%d %H:%M} UTC.",
                host=host or user,
                reset_at=reset,
            )
        return RateLimitedError(
            f"Zoom rate limit reached ({message}).",
            "Run the command again later, or lower 'zoom.max_rps'.",
            reset_at=reset,
        )
    if code in SCOPE_CODES:
        scopes = missing_scopes(message)
        if not scopes:  # Zoom did not name it: the scope table knows what this call needs
            needed = scope_for(method, path.split("?", 1)[0])
            scopes = [needed] if needed else []
        named = ", ".join(scopes) if scopes else "a scope this call needs"
        return MissingScopeError(
            f"The Zoom app lacks the scope {named} ({method} {path}).", SCOPE_HINT, scopes
        )
    if status == 401 or code == 124:
        return TokenRejectedError(
            f"Zoom rejected the access token even after renewing it ({message}).", LOGIN_HINT
        )
    if code in USER_GONE_CODES:
        gone = user or host or "the user"
        return ZoomUserGoneError(
            f"Zoom user {gone} does not exist in this Zoom account ({message}).",
            "The mapping is stale: check 'sbzoom zoom users', then 'sbzoom providers map "
            "PROVIDER ZOOM_USER'.",
            user=gone,
            status=status,
            code=code or 0,
        )
    if code == 3001 or (code == 300 and _gone_message(message) and "/meetings/" in path):
        # Registrant endpoints answer a deleted or expired meeting with code 300 ("Meeting
        # {id} is not found or has expired", spec: meetingRegistrants/…Create/…Get).
        return MeetingGoneError(
            f"Zoom meeting {meeting_id} was not found or has expired.",
            None,
            meeting_id=meeting_id,
            status=status,
            code=code,
        )
    if code == 3161:
        return HostNotAllowedError(
            f"Zoom user {host or user or ''} may not host or schedule meetings ({message}).",
            "Enable meetings for that user in Zoom, or map the provider to another user.",
            host=host or user,
            status=status,
        )
    shown = f"code {code}, HTTP {status}" if code is not None else f"HTTP {status}"
    return ApiError(
        f"Zoom refused {method} {path}: {message} ({shown}).",
        "Run with --debug to see the request and the answer.",
        service=SERVICE,
        status=status,
        code=code,
    )


def _gone_message(message: str) -> bool:
    text = message.lower()
    return "not found" in text or "expired" in text or "not valid" in text
