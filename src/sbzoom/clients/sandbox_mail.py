"""The running sandbox's mail box, over HTTP: what its SMTP server received (`sandbox mail`).

A client of the sandbox's control endpoint, like the Zoom and SimplyBook clients are of theirs:
the sandbox package itself is never imported outside its command."""

from __future__ import annotations

from typing import Any

from sbzoom.errors import RemoteError


def received_mail(url: str, *, raw: bool = False) -> list[dict[str, Any]]:
    import httpx

    try:
        response = httpx.get(
            f"{url.rstrip('/')}/_sandbox/mail", params={"raw": "1" if raw else "0"}, timeout=10
        )
        response.raise_for_status()
        messages: list[dict[str, Any]] = response.json()["messages"]
    except (httpx.HTTPError, ValueError, KeyError) as exc:
        raise RemoteError(
            f"Cannot read the sandbox's mail at {url}: {exc}.",
            "Is 'sbzoom sandbox' running? Check SBZOOM_SANDBOX_URL or --url.",
        ) from None
    return messages
