"""Which notices a set of bookings needs now, from the bookings and the ledger's memory (pure).

For every invite thread the planner compares what the recipient should see with the newest
notice of the thread:

- nothing yet, and the booking is linked: an invite (METHOD REQUEST, SEQUENCE 0);
- the time, the link, the passcode, the people or the address changed: an updated invite
  (same UID, SEQUENCE + 1);
- the booking is cancelled (or its class session emptied) after an invite went out, or may have
  gone out (a crash while sending): a cancellation (METHOD CANCEL, SEQUENCE + 1); an invite that
  never left is only dropped;
- otherwise nothing: a re-run sends nothing twice.

It neither sends nor writes: ``deliver`` records what it returns, then sends.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from typing import Protocol

from sbzoom.core.bookings.model import BookingView
from sbzoom.core.notify.model import Attendee, Notice
from sbzoom.store.ledger import NoticeRow

# Deliberately plain: a mailbox, an @, a domain with a dot; no spaces, quotes or brackets (a
# header-injection attempt or a typo such as "maria@example" is skipped with its reason).
EMAIL = re.compile(r"[^@\s<>\"(),;:\\\[\]]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")


def address_problem(email: str) -> str | None:
    if not email.strip():
        return "no e-mail address"
    if len(email) > 254 or not EMAIL.fullmatch(email.strip()):
        return f"invalid e-mail address {email!r}"
    return None


@dataclass(frozen=True)
class BookingFacts:
    """One booking as the notices see it, after linking."""

    booking: BookingView
    is_class: bool
    linked: bool  # the ledger holds a working link for it
    unit_key: str  # its meeting's unit in the ledger ("" when never linked)
    join_url: str  # the client's link (a class: their personal registrant link)
    meeting_join_url: str  # the meeting's own link, for the provider
    passcode: str
    provider_email: str
    timezone: str


@dataclass(frozen=True)
class PlanSettings:
    sender: str  # smtp.from: the ORGANIZER, and the UID's domain
    uid_prefix: str  # e.g. "sbzoom-acme": with the thread, a UID stable for the booking
    class_via: str = "email"  # email | zoom (Zoom's registrant e-mail reaches class clients)
    resend: bool = False  # send every thread's current state again, even if sent


class NoticeHistory(Protocol):
    def last_notice(self, thread: str) -> NoticeRow | None: ...
    def last_sent(self, thread: str) -> NoticeRow | None: ...
    def linked_in(self, unit_key: str) -> set[str]: ...


@dataclass(frozen=True)
class Plan:
    new: list[Notice]  # to record (pending, or failed with a reason) and then send
    drop: list[int]  # ids of unsent notices that nobody needs any more


def plan_notices(
    facts: Sequence[BookingFacts], history: NoticeHistory, settings: PlanSettings
) -> Plan:
    new: list[Notice] = []
    drop: list[int] = []
    for fact in facts:
        if fact.is_class and settings.class_via == "zoom":
            continue  # Zoom's own registrant e-mail tells class clients
        _thread(_client_notice(fact, settings), f"c{fact.booking.id}", history, settings, new, drop)
    for unit, members, previous in _provider_units(facts, history):
        wanted = _provider_notice(unit, members, previous, settings)
        _thread(wanted, f"p{unit}", history, settings, new, drop, fallback=previous)
    return Plan(new, drop)


def _thread(
    wanted: Notice | None,
    thread: str,
    history: NoticeHistory,
    settings: PlanSettings,
    new: list[Notice],
    drop: list[int],
    fallback: Notice | None = None,
) -> None:
    """Compare what the thread's recipient should have with what they were last sent."""
    last = history.last_notice(thread)
    if wanted is not None and wanted.kind == "request":
        if last is None:
            new.append(wanted)
        elif settings.resend or last.content != wanted.content or last.kind != "request":
            new.append(replace(wanted, sequence=last.sequence + 1))
        return
    # The thread should end: cancel what may have reached the recipient.
    if last is None or (last.kind == "cancel" and not settings.resend):
        return
    reached = last.status in ("sent", "sending") or history.last_sent(thread) is not None
    if not reached:
        if last.status in ("pending", "failed"):
            drop.append(last.id)
        return
    base = wanted or fallback or Notice.from_payload(last.payload)
    new.append(replace(_as_cancel(base, last), sequence=last.sequence + 1))


def _as_cancel(base: Notice, last: NoticeRow) -> Notice:
    """A cancellation goes to whoever holds the invite: the last recipient, as last told."""
    sent = Notice.from_payload(last.payload)
    return replace(
        sent if sent.kind == "request" else base,
        kind="cancel",
        status="pending",
        reason="",
    )


def _uid(settings: PlanSettings, thread: str) -> str:
    domain = settings.sender.rpartition("@")[2] or "sbzoom.invalid"
    return f"{settings.uid_prefix}-{thread}@{domain}"


def _client_notice(fact: BookingFacts, settings: PlanSettings) -> Notice | None:
    b = fact.booking
    active = fact.linked and not b.cancelled and bool(fact.join_url)
    notice = Notice(
        thread=f"c{b.id}",
        booking_id=b.id,
        unit_key=fact.unit_key,
        role="client",
        kind="request" if active else "cancel",
        sequence=0,
        uid=_uid(settings, f"c{b.id}"),
        recipient=b.client_email.strip(),
        recipient_name=b.client_name,
        start=b.start,
        end=b.end,
        timezone=fact.timezone,
        service=b.service_name,
        provider=b.provider_name,
        client=b.client_name,
        code=b.code,
        join_url=fact.join_url,
        passcode=fact.passcode,
    )
    if not active:
        return notice if b.cancelled or not fact.linked else None
    problem = address_problem(b.client_email)
    return replace(notice, status="failed", reason=problem) if problem else notice


def _provider_units(
    facts: Sequence[BookingFacts], history: NoticeHistory
) -> Iterable[tuple[str, list[BookingFacts | Attendee], Notice | None]]:
    """Every provider thread the bookings touch: their unit now, and the unit a client's last
    invite was for (a client who moved to another class session leaves the old one)."""
    units: dict[str, list[BookingFacts]] = {}
    for fact in facts:
        if fact.unit_key:
            units.setdefault(fact.unit_key, [])
            if fact.linked and not fact.booking.cancelled:
                units[fact.unit_key].append(fact)
        last_client = history.last_notice(f"c{fact.booking.id}")
        if last_client is not None and last_client.unit_key:
            units.setdefault(last_client.unit_key, [])
    in_run = {f.booking.id for f in facts}
    for unit, members in units.items():
        last = history.last_notice(f"p{unit}")
        previous = Notice.from_payload(last.payload) if last is not None else None
        kept: list[BookingFacts | Attendee] = list(members)
        if previous is not None:
            # Attendees linked by earlier runs stay listed while the ledger holds them there.
            still = history.linked_in(unit)
            kept += [
                a
                for a in previous.attendees
                if a.booking_id in still and a.booking_id not in in_run
            ]
        yield unit, kept, previous


def _provider_notice(
    unit: str,
    members: list[BookingFacts | Attendee],
    previous: Notice | None,
    settings: PlanSettings,
) -> Notice | None:
    facts = [m for m in members if isinstance(m, BookingFacts)]
    if not facts:
        if previous is None or not members:
            return None  # nothing left in the session: the thread ends (a cancellation)
        # Only attendees from earlier runs remain: the invite stays as it was for them.
        return None if previous.kind == "cancel" else _with_attendees(previous, members)
    first = facts[0]
    b = first.booking
    attendees = sorted(
        (
            m if isinstance(m, Attendee) else Attendee(m.booking.id, m.booking.client_name,
                                                         m.booking.client_email)
            for m in members
        ),
        key=lambda a: (a.booking_id.zfill(12), a.name),
    )  # fmt: skip
    thread = f"p{unit}"
    notice = Notice(
        thread=thread,
        booking_id=b.id if not first.is_class else min(a.booking_id for a in attendees),
        unit_key=unit,
        role="provider",
        kind="request",
        sequence=0,
        uid=_uid(settings, thread),
        recipient=first.provider_email.strip(),
        recipient_name=b.provider_name,
        start=b.start,
        end=b.end,
        timezone=first.timezone,
        service=b.service_name,
        provider=b.provider_name,
        client=", ".join(a.name for a in attendees),
        code=b.code if not first.is_class else "",
        join_url=first.meeting_join_url,
        passcode=first.passcode,
        attendees=tuple(attendees),
    )
    problem = address_problem(first.provider_email)
    if problem:
        why = f"provider {b.provider_name} ({b.provider_id}) has {problem}"
        if problem == "no e-mail address":
            why += "; add it to the provider in SimplyBook"
        return replace(notice, status="failed", reason=why)
    return notice


def _with_attendees(previous: Notice, members: list[BookingFacts | Attendee]) -> Notice:
    attendees = tuple(m for m in members if isinstance(m, Attendee))
    return replace(
        previous,
        kind="request",
        status="pending",
        reason="",
        attendees=attendees,
        client=", ".join(a.name for a in attendees),
    )
