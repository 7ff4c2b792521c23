"""`sandbox mail` on the terminal: a received message as a person reads it."""

from __future__ import annotations


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
