"""The listener's settings and secrets: where it listens, the URLs to paste, the two secrets.

The callback path secret is sbzoom's own: made once (256 random bits) and kept in the secret
store; ``--rotate-secret`` makes a new one, and the old URL then answers 404. Containers give it
as ``SBZOOM_CALLBACK_SECRET``. Zoom's webhook secret token is made by Zoom (the app's Feature
page); the admin gives it once on stdin, or as ``SBZOOM_ZOOM_WEBHOOK_SECRET``. Neither ever goes
to argv, config.toml or a log line.
"""

from __future__ import annotations

import secrets as random_secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from sbzoom.errors import ConfigError, UsageError

if TYPE_CHECKING:
    from sbzoom.store.config import Profile
    from sbzoom.store.secrets import SecretStore

CALLBACK_SECRET = "listen.callback_secret"
ZOOM_WEBHOOK_SECRET = "listen.zoom_webhook_secret"
ENV_CALLBACK_SECRET = "SBZOOM_CALLBACK_SECRET"
ENV_ZOOM_WEBHOOK_SECRET = "SBZOOM_ZOOM_WEBHOOK_SECRET"
MIN_SECRET_LENGTH = 16
DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8780


@dataclass(frozen=True)
class ListenSecrets:
    callback: str = field(repr=False)
    callback_source: str  # "env" | "store"
    zoom: str | None = field(repr=False)
    zoom_source: str | None


@dataclass(frozen=True)
class ListenUrls:
    simplybook: str = field(repr=False)  # carries the callback secret
    zoom: str
    zoom_enabled: bool


def new_secret() -> str:
    return random_secrets.token_urlsafe(32)


def callback_secret(
    env: Mapping[str, str], secrets: SecretStore, *, create: bool = True
) -> tuple[str, str]:
    """(secret, source); made and stored on first use."""
    given = env.get(ENV_CALLBACK_SECRET, "").strip()
    if given:
        if len(given) < MIN_SECRET_LENGTH:
            raise ConfigError(
                f"{ENV_CALLBACK_SECRET} is too short to protect the callback URL.",
                f"Use at least {MIN_SECRET_LENGTH} random characters, e.g. the output of "
                "'python3 -c \"import secrets; print(secrets.token_urlsafe(32))\"'.",
            )
        return given, "env"
    stored = secrets.get(CALLBACK_SECRET)
    if not stored and create:
        stored = new_secret()
        secrets.set(CALLBACK_SECRET, stored)
    return stored or "", "store"


def rotate_callback_secret(env: Mapping[str, str], secrets: SecretStore) -> str:
    if env.get(ENV_CALLBACK_SECRET, "").strip():
        raise UsageError(
            f"The callback secret comes from {ENV_CALLBACK_SECRET}, so sbzoom cannot rotate it.",
            f"Set a new value in {ENV_CALLBACK_SECRET} (and paste the new URL into SimplyBook).",
        )
    fresh = new_secret()
    secrets.set(CALLBACK_SECRET, fresh)
    return fresh


def zoom_secret(env: Mapping[str, str], secrets: SecretStore) -> tuple[str | None, str | None]:
    given = env.get(ENV_ZOOM_WEBHOOK_SECRET, "").strip()
    if given:
        return given, "env"
    stored = secrets.get(ZOOM_WEBHOOK_SECRET)
    return (stored, "store") if stored else (None, None)


def store_zoom_secret(secrets: SecretStore, read: Callable[[], str]) -> None:
    """Keep the secret token Zoom shows on the app's page (read from stdin by the caller)."""
    value = read().strip()
    if not value:
        raise UsageError(
            "No Zoom webhook secret token arrived on stdin.",
            "Copy it from your Zoom app (Features → Access → Secret Token) and pipe it in: "
            "'sbzoom listen --zoom-secret-stdin < token.txt'.",
        )
    if any(ch.isspace() for ch in value) or len(value) < 8:
        raise UsageError(
            "That does not look like a Zoom secret token (one word of letters and digits).",
            "Copy it again from the app's Features page.",
        )
    secrets.set(ZOOM_WEBHOOK_SECRET, value)


def load_secrets(env: Mapping[str, str], secrets: SecretStore) -> ListenSecrets:
    callback, source = callback_secret(env, secrets)
    zoom, zoom_source = zoom_secret(env, secrets)
    return ListenSecrets(callback, source, zoom, zoom_source)


def public_base(profile: Profile, host: str, port: int) -> str:
    configured = profile.text("listen.public_url")
    if configured:
        return configured.rstrip("/")
    shown = f"[{host}]" if ":" in host else host
    return f"http://{shown}:{port}"


def listen_urls(profile: Profile, host: str, port: int, secret: str, zoom: bool) -> ListenUrls:
    base = public_base(profile, host, port)
    return ListenUrls(f"{base}/simplybook/{secret}", f"{base}/zoom/webhook", zoom)
