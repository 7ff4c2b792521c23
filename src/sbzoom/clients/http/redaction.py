"""Masking secrets in the debug log: by key name, and by the secret values seen so far.

``Redactor`` renders URLs, headers and bodies for ``--debug``; the API clients tell it each secret
they send or receive (tokens, passwords, codes) so it is masked wherever it turns up again.
"""

from __future__ import annotations

import base64
import json
import re
import threading
from collections.abc import Iterable
from typing import Any
from urllib.parse import parse_qsl, quote, quote_plus, urlencode, urlsplit, urlunsplit

SENSITIVE_KEYS = frozenset(
    {
        "authorization",
        "x-token",
        "x-user-token",
        "access_token",
        "refresh_token",
        "token",
        "auth_token",
        "id_token",
        "password",
        "client_secret",
        "secret",
        "code",
        "code_verifier",
        "zak",
        "start_url",
        "api_key",
        "cookie",
        "set-cookie",
        "pwd",
        "tk",
        "session_id",  # SimplyBook's 2FA session: whoever holds it can finish the sign-in
        "auth_session_id",
    }
)
# Key endings that always hold a secret (``h323_password``, ``encrypted_password``, ``x_secret``…).
SENSITIVE_SUFFIXES = ("password", "_secret", "_token")
# Not secrets although their names end like one: masking them would only hide what paging did.
NOT_SENSITIVE = frozenset({"next_page_token", "token_type"})
MASK = "***"
# Secret values that travel inside URLs found in JSON bodies (join_url ?pwd=, start_url ?zak=).
_URL_SECRET = re.compile(r"(?<![\w-])((?:zak|token|access_token|pwd|tk)=)[^&\s\"#]+")


def is_sensitive(key: str, value: object = "x") -> bool:
    """Whether ``key`` names a secret. A numeric ``code`` is Zoom's error number, shown as is."""
    lowered = key.lower()
    if lowered in NOT_SENSITIVE:
        return False
    if lowered == "code":
        return isinstance(value, str)
    return lowered in SENSITIVE_KEYS or lowered.endswith(SENSITIVE_SUFFIXES)


class Redactor:
    """Masks secrets in anything headed for a log: by key name, and by known secret values."""

    def __init__(self) -> None:
        self._values: set[str] = set()
        self._lock = threading.Lock()

    def add(self, *values: str | None) -> None:
        """Remember secret values; they are masked wherever they turn up, also URL-encoded."""
        with self._lock:
            for value in values:
                if not value or len(value) < 6:
                    continue
                self._values.add(value)
                self._values.update({quote(value, safe=""), quote_plus(value, safe="")})

    def add_basic(self, user: str, password: str) -> None:
        """Remember a secret and the ``Basic`` credentials built from it."""
        self.add(password, base64.b64encode(f"{user}:{password}".encode()).decode("ascii"))

    def scrub(self, text: str) -> str:
        with self._lock:
            values = sorted(self._values, key=len, reverse=True)
        for value in values:
            text = text.replace(value, MASK)
        return text

    def url(self, url: str) -> str:
        parts = urlsplit(url)
        if not parts.query:
            return self.scrub(url)
        query = [
            (k, MASK if is_sensitive(k, v) and v else v)
            for k, v in parse_qsl(parts.query, keep_blank_values=True)
        ]
        return self.scrub(urlunsplit(parts._replace(query=urlencode(query, safe="[]*"))))

    def headers(self, headers: Iterable[tuple[str, str]]) -> str:
        shown = []
        for key, value in headers:
            if is_sensitive(key):
                scheme = value.split(" ", 1)[0] if " " in value else ""
                shown.append(f"{key}: {scheme} {MASK}".rstrip())
            else:
                shown.append(f"{key}: {value}")
        return self.scrub(", ".join(shown))

    def body(self, content: bytes, content_type: str) -> str:
        """A short, masked rendering of a body. Masks first, then shortens: a secret cut in half
        by the shortening would no longer match the known value."""
        if not content:
            return ""
        text = content.decode("utf-8", errors="replace")
        if "json" in content_type:
            try:
                return _shorten(self.scrub(json.dumps(_mask_json(json.loads(content)))), 2000)
            except ValueError:
                pass
        if "x-www-form-urlencoded" in content_type:
            pairs = parse_qsl(text, keep_blank_values=True)
            return _shorten(
                self.scrub(urlencode([(k, MASK if is_sensitive(k, v) else v) for k, v in pairs])),
                2000,
            )
        return _shorten(self.scrub(_URL_SECRET.sub(r"\1" + MASK, re.sub(r"\s+", " ", text))), 300)


def _shorten(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[:limit] + "…"


def _mask_json(value: Any) -> Any:
    if isinstance(value, dict):
        return {
            k: (MASK if is_sensitive(str(k), v) and v else _mask_json(v)) for k, v in value.items()
        }
    if isinstance(value, list):
        return [_mask_json(v) for v in value]
    if isinstance(value, str) and "=" in value:
        return _URL_SECRET.sub(r"\1" + MASK, value)
    return value
