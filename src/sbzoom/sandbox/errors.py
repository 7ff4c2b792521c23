"""The refusals an endpoint raises; ``server.py`` turns each into its service's wire answer.

    SandboxError
     ├── ZoomApiError        Zoom REST: {"code": int, "message": str, ...extra} (+ headers)
     ├── ZoomOAuthError      Zoom OAuth: {"reason": str, "error": str}
     ├── SimplyBookApiError  SimplyBook REST v2: {"code", "message", "data", "message_data"}
     ├── HtmlPageError       an HTML page: Zoom's link pages, a front end's 404
     ├── ControlError        /_control: {"error": str}
     └── SandboxApiError     /_sandbox: {"message": str}

A handler stops at the first refusal, as the real services do; any state it changed before
(a spent authorization code, a counted login failure) stays changed.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


class SandboxError(Exception):
    """An endpoint's refusal, with the HTTP status it is answered with."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


class ZoomApiError(SandboxError):
    """A Zoom REST error: ``code`` is Zoom's own (124, 300, 1001, 3001, 4711, ...)."""

    def __init__(
        self,
        status: int,
        code: int,
        message: str,
        *,
        extra: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(status, message)
        self.code = code
        self.extra = dict(extra or {})
        self.headers = dict(headers or {})


def zoom_validation_error(*fields: str) -> ZoomApiError:
    """Zoom's 300 "Validation Failed." naming each refused field."""
    errors = [{"field": name, "message": "Invalid field."} for name in fields]
    return ZoomApiError(400, 300, "Validation Failed.", extra={"errors": errors})


class ZoomOAuthError(SandboxError):
    """An OAuth endpoint's refusal: ``reason`` is the text, ``error`` the OAuth error code."""

    def __init__(self, status: int, reason: str, error: str) -> None:
        super().__init__(status, reason)
        self.reason = reason
        self.error = error


class SimplyBookApiError(SandboxError):
    """A SimplyBook REST v2 error; ``data`` holds per-field messages (``[]`` when none)."""

    def __init__(self, status: int, message: str, data: Any = None) -> None:
        super().__init__(status, message)
        self.data = data


class HtmlPageError(SandboxError):
    """An HTML page instead of JSON: a link that leads nowhere, a front end's 404 page."""

    def __init__(self, status: int, title: str, text: str = "") -> None:
        super().__init__(status, title)
        self.title = title
        self.text = text


class ControlError(SandboxError):
    """A refused call to the control API (``/_control``)."""


class SandboxApiError(SandboxError):
    """A refused call to the sandbox's own settings endpoints (``/_sandbox``)."""
