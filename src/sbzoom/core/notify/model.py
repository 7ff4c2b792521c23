"""What a notice is: one e-mail with its calendar invite, to one client or provider.

Each invite belongs to a *thread* with a stable UID: ``c<booking id>`` for a client,
``p<unit key>`` for the provider of a booking (``pb1001``) or of a class session
(``ps3.1.20261128T2300Z``). A thread's notices carry a rising ``sequence`` (the invite's
SEQUENCE): 0 for the first invite, one more for every updated invite and for the cancellation.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field
from datetime import datetime

from sbzoom.errors import SbzoomError

ROLES = ("client", "provider")
KINDS = ("request", "cancel")
# A notice's life: pending (recorded, not yet sent) -> sending (on the wire) -> sent | failed;
# pending again when the server is unavailable; superseded when a newer one replaces it unsent.
DELIVERY_STATES = ("sent", "pending", "failed", "off")


@dataclass(frozen=True)
class Attendee:
    booking_id: str
    name: str
    email: str


@dataclass(frozen=True)
class Notice:
    """One planned e-mail, with everything needed to write it later (stored as its payload)."""

    thread: str
    booking_id: str
    unit_key: str
    role: str  # client | provider
    kind: str  # request | cancel
    sequence: int
    uid: str
    recipient: str
    recipient_name: str
    start: datetime  # aware, company zone
    end: datetime
    timezone: str  # IANA, for the invite's TZID
    service: str
    provider: str
    client: str  # the client's name; for a class session's provider, the attendees' names
    code: str
    join_url: str
    passcode: str
    attendees: tuple[Attendee, ...] = ()
    status: str = "pending"
    reason: str = ""  # why it cannot be sent (an invalid address), when status is failed

    @property
    def content(self) -> str:
        """What the recipient sees, hashed: a change means a new invite (higher SEQUENCE)."""
        seen = self.payload()
        for key in ("sequence", "status", "reason"):
            seen.pop(key)
        return hashlib.sha256(json.dumps(seen, sort_keys=True).encode()).hexdigest()[:20]

    def payload(self) -> dict[str, object]:
        data = asdict(self)
        data["start"] = self.start.isoformat()
        data["end"] = self.end.isoformat()
        data["attendees"] = [asdict(a) for a in self.attendees]
        return data

    def payload_json(self) -> str:
        return json.dumps(self.payload(), sort_keys=True, ensure_ascii=False)

    @classmethod
    def from_payload(cls, text: str) -> Notice:
        data = json.loads(text)
        data["start"] = datetime.fromisoformat(data["start"])
        data["end"] = datetime.fromisoformat(data["end"])
        data["attendees"] = tuple(Attendee(**a) for a in data.get("attendees", []))
        return cls(**data)


@dataclass(frozen=True)
class NoticeResult:
    """What happened to one notice in this run (or, in a dry run, what would)."""

    booking_id: str
    role: str
    recipient: str
    kind: str
    sequence: int
    status: str  # sent | pending | failed | would-send
    subject: str = ""
    reason: str = ""


@dataclass(frozen=True)
class NotifyReport:
    results: list[NoticeResult] = field(default_factory=list)
    dry_run: bool = False
    # Why sending stopped (the SMTP server refused the sign-in: exit 4; bad settings: exit 3).
    problem: SbzoomError | None = None

    @property
    def summary(self) -> dict[str, int]:
        counts = dict.fromkeys(("sent", "pending", "failed"), 0)
        for result in self.results:
            key = "pending" if result.status == "would-send" else result.status
            counts[key] = counts.get(key, 0) + 1
        return counts

    @property
    def ok(self) -> bool:
        return not any(r.status == "failed" for r in self.results)

    @property
    def waiting(self) -> bool:
        return any(r.status == "pending" for r in self.results)
