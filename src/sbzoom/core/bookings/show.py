"""`bookings show`: where one booking stands, in one sentence with the next step, and its meeting
with the client links and a fresh provider start link."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from sbzoom.clients.zoom import MeetingGoneError
from sbzoom.core.bookings.adapters import booking_view, host_labels
from sbzoom.core.bookings.model import BookingView
from sbzoom.core.bookings.scope import parse_booking_ids
from sbzoom.core.bookings.units import marker, unit_key
from sbzoom.core.dates import company_time_long
from sbzoom.core.online import cancel_orphans_command, online_services, orphan_cause

if TYPE_CHECKING:
    from sbzoom.clients.simplybook import SimplyBookClient
    from sbzoom.clients.zoom import ZoomClient
    from sbzoom.clock import Clock
    from sbzoom.core.report import LedgerLookup
    from sbzoom.store.config import Profile

# Zoom's start_url is good for about two hours after it is fetched.
START_URL_LIFETIME = timedelta(hours=2)


@dataclass(frozen=True)
class ClientLink:
    client: str
    email: str
    join_url: str


@dataclass(frozen=True)
class BookingDetails:
    """A booking as support staff need it: its state in one sentence, the next step when
    something needs doing, and, when it has a meeting, the meeting with its links."""

    booking_id: str
    status: str  # as in the report: linked | missing | cancelled | failed | deferred | orphaned
    state: str  # one sentence a person can read aloud
    next_step: str  # a command that fixes it; "" when nothing needs doing
    client: str
    client_email: str
    service: str
    start: datetime  # aware
    zone: ZoneInfo  # the company's
    meeting_id: int | None = None
    passcode: str = ""
    client_links: list[ClientLink] = field(default_factory=list)
    provider_link: str = ""
    provider_link_expires_at: datetime | None = None
    topic: str = ""
    host: str = ""


def show_booking(
    booking_id: str,
    *,
    simplybook: Callable[[], SimplyBookClient],
    zoom: Callable[[], ZoomClient],
    profile: Callable[[], Profile],
    ledger: Callable[[], LedgerLookup | None],
    clock: Clock,
) -> BookingDetails:
    """Where the booking stands. Each dependency is built when first needed, so problems come in
    the order a person fixes them: ``zoom`` only when the booking has a meeting (a booking
    without one needs no Zoom sign-in); ``ledger`` gives None when the profile has none."""
    from sbzoom.core.report import EmptyLedger, derive_status

    (number,) = parse_booking_ids([booking_id])
    sb = simplybook()
    booking = booking_view(sb.get_booking(number))
    settings = profile()
    online = online_services(settings, sb)
    zone = sb.timezone
    hosts = settings.family("providers")
    found = ledger()
    lookup: LedgerLookup = EmptyLedger() if found is None else found
    row = lookup.booking(booking.id)
    is_online = booking.service_id in online
    key = unit_key(booking, online.get(booking.service_id) == "class") if is_online else ""
    key = key or (row.unit_key if row else f"b{booking.id}")
    meeting_row = lookup.meeting(row.unit_key if row else key)
    mapped = hosts.get(booking.provider_id)
    cause = orphan_cause(
        provider_id=booking.provider_id,
        provider_name=booking.provider_name,
        service_id=booking.service_id,
        service_name=booking.service_name,
        hosts=hosts,
        online=online,
    )
    derived = derive_status(booking, key, row, meeting_row, mapped, cause)
    when = company_time_long(booking.start, zone)
    who = booking.client_name
    base = BookingDetails(
        booking_id=booking.id,
        status=derived.status,
        state="",
        next_step="",
        client=who,
        client_email=booking.client_email,
        service=booking.service_name,
        start=booking.start,
        zone=zone,
    )
    meeting_id = derived.meeting_id if derived.status in ("linked", "orphaned") else None
    found_by_marker = False
    if derived.status == "missing" and is_online and mapped and row is None:
        tag = marker(key)  # the ledger may be gone: look for the meeting by its marker
        meetings = zoom().list_meetings(mapped, type="scheduled")
        meeting_id = next((m.id for m in meetings if m.agenda.startswith(tag)), None)
        found_by_marker = meeting_id is not None
    if meeting_id is None:
        state, step = _not_linked(booking, derived.status, derived.reason, is_online, when)
        return replace(base, state=state, next_step=step)
    zoom_client = zoom()  # only now: a booking with no meeting needs no Zoom sign-in
    fetched_at = clock.now()
    try:
        meeting = zoom_client.get_meeting(meeting_id)
    except MeetingGoneError:
        return replace(
            base,
            status="missing",
            state=f"missing: booking {booking.id} ({who}, {when}) was linked to meeting "
            f"{meeting_id}, which is gone from Zoom.",
            next_step=f"run 'sbzoom bookings link {booking.id}'",
        )
    # A class seat has a registrant (also when its service is no longer online: orphaned).
    if online.get(booking.service_id) == "class" or (row is not None and row.registrant_id):
        wanted = booking.client_email.lower()
        links = [
            ClientLink(who, r.email, r.join_url)
            for r in zoom_client.list_registrants(meeting_id)
            if r.email.lower() == wanted
        ]
    else:
        links = [ClientLink(who, booking.client_email, meeting.join_url)]
    host = meeting.host_email or host_labels(zoom)(meeting.host_id)
    if derived.status == "orphaned":
        why = cause.why if cause else "sbzoom no longer keeps it right"
        state = (
            f"orphaned: meeting {meeting.id} for {who} on {when} still works, but {why}, "
            "so sbzoom no longer moves or cancels it with the booking."
        )
        step = (
            f"{cause.fix if cause else 'fix the mapping'}, or cancel the meeting with "
            f"'{cancel_orphans_command(booking.id)}' (add --dry-run to preview)"
        )
    else:
        state = f"linked: meeting {meeting.id} for {who} on {when}, hosted by {host}."
        if found_by_marker:
            state += " (Found on Zoom by its marker; the next 'sbzoom bookings link' records it.)"
        elif row is not None and row.comment_url:
            state += " The client link is in the booking comment in SimplyBook."
        step = ""
    return replace(
        base,
        state=state,
        next_step=step,
        meeting_id=meeting.id,
        passcode=meeting.password,
        client_links=links,
        provider_link=meeting.start_url,
        provider_link_expires_at=fetched_at + START_URL_LIFETIME,
        topic=meeting.topic,
        host=host,
    )


def _not_linked(
    booking: BookingView, status: str, reason: str, is_online: bool, when: str
) -> tuple[str, str]:
    """The sentence and the next step for a booking without a meeting."""
    subject = f"booking {booking.id} ({booking.client_name}, {when})"
    if status == "cancelled":
        if reason:  # cancelled, but its meeting was left behind
            fix = reason.split("'")[1] if "'" in reason else f"sbzoom bookings link {booking.id}"
            return (
                f"cancelled: {subject} is cancelled in SimplyBook, but its meeting still exists.",
                f"run '{fix}'",
            )
        return f"cancelled: {subject} is cancelled in SimplyBook; it needs no meeting.", ""
    if not is_online:
        return (
            f"not linked: {subject} is of service {booking.service_name} "
            f"({booking.service_id}), which is not online, so sbzoom gives it no meeting.",
            f"run 'sbzoom services enable-online {booking.service_id}', then "
            f"'sbzoom bookings link {booking.id}'",
        )
    why, _, fix = reason.partition(": run ")
    step = f"run {fix}" if fix else f"run 'sbzoom bookings link {booking.id}'"
    label = "not linked" if status == "missing" else status
    return f"{label}: {subject} has no Zoom meeting: {why}.", step
