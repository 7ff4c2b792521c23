"""`sandbox mail`: what the running sandbox's SMTP server received, read from its control
endpoint over HTTP (the sandbox package itself is never imported outside its command)."""

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


def readable(raw: str) -> str:
    """A received message as a person reads it: headers, the text, then the invite decoded."""
    from email import message_from_string, policy

    message = message_from_string(raw, policy=policy.default)
    lines = [f"{name}: {message[name]}" for name in ("From", "To", "Subject", "Date")]
    body = message.get_body(("plain",))
    lines += ["", body.get_content().rstrip() if body is not None else ""]
    for part in message.walk():
        if part.get_filename() == "invite.ics":
            data = part.get_payload(decode=True)
            text = data.decode("utf-8", "replace") if isinstance(data, bytes) else str(data)
            lines += ["", "invite.ics:", text.replace("\r\n", "\n").rstrip()]
    return "\n".join(lines) + "\n"
