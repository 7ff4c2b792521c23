"""Checks on what reaches the listener, as pure functions: no I/O, no printing, no clock reads.

SimplyBook's "API callback URL" POSTs ``{"booking_id", "booking_hash", "company",
"notification_type"}`` unsigned (simplybook-api-notes.md, "Callbacks"): the URL carries a long
random secret compared in constant time, the company must be ours, and the payload is only a hint
(the worker fetches the booking). Zoom signs every webhook: ``x-zm-signature`` is
``"v0=" + hex(HMAC_SHA256(secret, "v0:" + x-zm-request-timestamp + ":" + raw_body))`` and
``endpoint.url_validation`` is answered with ``hex(HMAC_SHA256(secret, plainToken))``
(zoom-api-notes.md, "Webhooks").
"""

from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import dataclass
from typing import Any

MAX_BODY_BYTES = 64 * 1024  # both services send well under 2 KiB
REPLAY_WINDOW_SECONDS = 300  # Zoom's documented 5 minutes
CALLBACK_TYPES = ("create", "change", "cancel", "notify")
ZOOM_EVENTS = ("meeting.deleted", "meeting.updated")


class Rejected(Exception):
    """The request is answered with ``status`` and nothing is queued."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason


@dataclass(frozen=True)
class Event:
    """One thing to do, as the queue stores it. ``key`` names what it is about."""

    source: str  # "simplybook" | "zoom"
    kind: str  # create|change|cancel  |  meeting.deleted|meeting.updated
    key: str  # booking id (simplybook) or meeting id (zoom)
    payload: str = ""  # the few fields the handler needs, as JSON (never a secret)


def same_secret(given: str, expected: str) -> bool:
    """Constant-time comparison (no early exit on the first differing character)."""
    return bool(expected) and hmac.compare_digest(given.encode(), expected.encode())


def check_size(declared: str | None, received: int | None = None) -> None:
    if received is not None and received > MAX_BODY_BYTES:
        raise Rejected(413, "body too large")
    if declared is not None:
        try:
            size = int(declared)
        except ValueError:
            raise Rejected(400, "bad Content-Length") from None
        if size > MAX_BODY_BYTES:
            raise Rejected(413, "body too large")


def _json_object(body: bytes) -> dict[str, Any]:
    try:
        data = json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise Rejected(400, "body is not JSON") from None
    if not isinstance(data, dict):
        raise Rejected(400, "body is not a JSON object")
    return data


def simplybook_event(body: bytes, company: str) -> Event | None:
    """The callback as an event; None for a reminder (``notify``), which changes nothing."""
    data = _json_object(body)
    booking_id = str(data.get("booking_id", "")).strip()
    kind = str(data.get("notification_type", "")).strip()
    if not booking_id.isdigit() or kind not in CALLBACK_TYPES:
        raise Rejected(400, "not a SimplyBook booking callback")
    if str(data.get("company", "")).strip().lower() != company.lower():
        raise Rejected(403, "callback for another company")
    if kind == "notify":
        return None
    return Event("simplybook", kind, booking_id)


def zoom_signature(secret: str, timestamp: str, body: bytes) -> str:
    message = b"v0:" + timestamp.encode() + b":" + body
    return "v0=" + hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def url_validation_answer(secret: str, plain_token: str) -> dict[str, str]:
    encrypted = hmac.new(secret.encode(), plain_token.encode(), hashlib.sha256).hexdigest()
    return {"plainToken": plain_token, "encryptedToken": encrypted}


def check_zoom_signature(
    secret: str, signature: str | None, timestamp: str | None, body: bytes, now: float
) -> None:
    """401 unless the signature is right and the timestamp within 5 minutes of ``now``."""
    if not signature or not timestamp:
        raise Rejected(401, "unsigned")
    try:
        sent = float(timestamp)
    except ValueError:
        raise Rejected(401, "bad timestamp") from None
    # Zoom sends seconds; accept milliseconds too (some SDKs and docs show them).
    if sent > 1e11:
        sent /= 1000
    if abs(now - sent) > REPLAY_WINDOW_SECONDS:
        raise Rejected(401, "stale timestamp")
    if not hmac.compare_digest(
        signature.encode(), zoom_signature(secret, timestamp, body).encode()
    ):
        raise Rejected(401, "bad signature")


@dataclass(frozen=True)
class ZoomNotice:
    """A checked Zoom webhook: either a URL validation to answer, or an event (maybe ignored)."""

    validation: dict[str, str] | None = None
    event: Event | None = None


def zoom_notice(body: bytes, secret: str, account_id: str | None) -> ZoomNotice:
    """What a (signature-checked) Zoom webhook asks for."""
    data = _json_object(body)
    name = str(data.get("event", ""))
    payload = data.get("payload")
    if not isinstance(payload, dict):
        raise Rejected(400, "no payload")
    if name == "endpoint.url_validation":
        plain = payload.get("plainToken")
        if not isinstance(plain, str) or not plain:
            raise Rejected(400, "no plainToken")
        return ZoomNotice(validation=url_validation_answer(secret, plain))
    if name not in ZOOM_EVENTS:
        return ZoomNotice()  # subscribed to more than we use: acknowledged, ignored
    sent_account = payload.get("account_id")
    if account_id and sent_account and str(sent_account) != account_id:
        raise Rejected(403, "event for another Zoom account")
    meeting = payload.get("object")
    if not isinstance(meeting, dict) or not str(meeting.get("id", "")).isdigit():
        raise Rejected(400, "no meeting id")
    kept: dict[str, Any] = {
        "object": {k: meeting[k] for k in ("start_time", "duration", "topic") if k in meeting},
        "operator": str(payload.get("operator", ""))[:200],
    }
    old = payload.get("old_object")
    if isinstance(old, dict):
        kept["old_object"] = {k: old[k] for k in ("start_time", "duration") if k in old}
    event = Event("zoom", name, str(meeting["id"]), json.dumps(kept, sort_keys=True))
    return ZoomNotice(event=event)
