"""The meeting a unit should have: the profile's templates filled in, the request for Zoom, the
state hash that tells a run whether Zoom's meeting is still as wanted, and the name a class
client is registered under."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, timedelta
from typing import TYPE_CHECKING, Any

from sbzoom.clients.zoom import (
    MAX_AGENDA,
    MAX_TOPIC,
    MeetingRequest,
    MeetingSettings,
    cut_text,
    zoom_time,
)
from sbzoom.core.bookings.units import marker
from sbzoom.errors import ConfigError
from sbzoom.store.config import KEYS

if TYPE_CHECKING:
    from sbzoom.core.bookings.model import BookingView, LinkPlan, ZoomMeeting
    from sbzoom.core.bookings.units import Unit

MINUTE = timedelta(minutes=1)


@dataclass(frozen=True)
class MeetingTemplate:
    """How the profile wants every meeting (``meeting.*`` settings): templates and security."""

    topic: str = "{service} with {provider}"
    agenda: str = "Booking {code} for {client}"
    waiting_room: bool = True
    passcode: str = "auto"
    auto_recording: str = "none"
    join_before_host: bool = False
    registrant_emails: bool = False  # notify.class_via = zoom: Zoom e-mails class registrants


def _fields(booking: BookingView, is_class: bool) -> dict[str, str]:
    local = booking.start
    return {
        "service": booking.service_name,
        "provider": booking.provider_name,
        "client": "" if is_class else booking.client_name,
        "code": "" if is_class else booking.code,
        "booking_id": "" if is_class else booking.id,
        "date": local.strftime("%Y-%m-%d"),
        "time": local.strftime("%H:%M"),
    }


def _render(template: str, values: dict[str, str]) -> str:
    try:
        return template.format_map(values).strip()
    except (KeyError, ValueError, IndexError) as exc:
        raise ConfigError(
            f"The meeting template {template!r} cannot be filled: {exc}.",
            "Use only {service} {provider} {client} {code} {booking_id} {date} {time}; "
            "fix it with 'sbzoom config set meeting.topic ...'.",
        ) from None


def meeting_request(unit: Unit, plan: LinkPlan) -> MeetingRequest:
    """The create/update request for the unit's meeting, from the profile's templates."""
    first = unit.first
    values = _fields(first, unit.is_class)
    template = plan.meeting
    # An empty template (or one whose fields are all empty) falls back to the default topic.
    topic = _render(template.topic, values) or _render(str(KEYS["meeting.topic"].default), values)
    if unit.is_class:
        topic = topic.removesuffix(" with").strip() or first.service_name
    agenda_text = _render(template.agenda, values) if not unit.is_class else first.service_name
    waiting_room = template.waiting_room
    join_before_host = template.join_before_host and not template.waiting_room
    password = None
    if template.passcode == "none":
        # No passcode is sent, and the waiting room is the meeting's security option: Zoom
        # requires one of passcode, waiting room or authentication, and overwrites a body with
        # none of them ("Meeting API Security Enhancements"). `default_password: false` is not a
        # way to ask for no passcode (spec: it only chooses the PMI/default passcode) and the
        # update body does not take it. Config refuses `none` without the waiting room.
        waiting_room, join_before_host = True, False
    elif template.passcode != "auto":
        password = template.passcode
    # Classes: Zoom e-mails registrants only when notify.class_via = zoom.
    registrant_emails = template.registrant_emails if unit.is_class else None
    return MeetingRequest(
        topic=cut_text(topic, MAX_TOPIC),
        type=2,
        start_time=first.start,
        # Subtract in UTC: Python subtracts same-zone datetimes as wall times, wrong across DST.
        duration=max(1, int((first.end.astimezone(UTC) - first.start.astimezone(UTC)) / MINUTE)),
        timezone=plan.timezone,
        # The marker stays whole at the start; only the text after it is cut to Zoom's limit.
        agenda=f"{marker(unit.key)} "
        + cut_text(agenda_text, MAX_AGENDA - len(marker(unit.key)) - 1),
        password=password,
        settings=MeetingSettings(
            waiting_room=waiting_room,
            join_before_host=join_before_host,
            auto_recording=template.auto_recording,
            # Classes: registration with manual approval, and sbzoom approves each client it
            # adds (auto_approve). Approval type 0 would let anyone holding the link
            # self-register.
            approval_type=1 if unit.is_class else 2,
            registrants_email_notification=registrant_emails,
            registrants_confirmation_email=registrant_emails,
        ),
    )


def passcode_problem(settings: MeetingTemplate) -> ConfigError | None:
    """Why the passcode setting cannot be honoured, or None (see docs/zoom-facts in README)."""
    if settings.passcode == "none" and not settings.waiting_room:
        return ConfigError(
            "meeting.passcode = none needs the waiting room: Zoom secures every meeting with a "
            "passcode or a waiting room, and adds one itself when a meeting has neither.",
            "Run 'sbzoom config set meeting.waiting_room true', or set meeting.passcode back "
            "to auto.",
        )
    return None


def state_hash(host_id: str, request: MeetingRequest) -> str:
    """What the ledger remembers of a meeting as sbzoom last sent it: a hash of the host and the
    request as it goes over the wire, so ledgers written before the request was typed (when the
    engine built the JSON itself) keep matching, and any change to what is sent is an update."""
    text = json.dumps({"host": host_id, **request.to_json()}, sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()[:20]


def matches(meeting: ZoomMeeting, request: MeetingRequest) -> bool:
    """Does an adopted meeting (as the list shows it) already look as wanted?"""
    start = zoom_time(meeting.start) if meeting.start else None
    wanted = zoom_time(request.start_time) if request.start_time else None
    return (
        start == wanted and meeting.duration == request.duration and meeting.topic == request.topic
    )


def split_name(name: str) -> tuple[str, str]:
    """A client's name as a Zoom registrant's first and last name."""
    parts = name.strip().split(None, 1)
    if not parts:
        return ("Client", "")
    return (parts[0], parts[1] if len(parts) > 1 else "")


def meeting_template(get: Callable[[str], Any]) -> MeetingTemplate:
    """The profile's meeting settings (``meeting.*``, ``notify.class_via``)."""
    return MeetingTemplate(
        topic=str(get("meeting.topic")),
        agenda=str(get("meeting.agenda")),
        waiting_room=bool(get("meeting.waiting_room")),
        passcode=str(get("meeting.passcode")),
        auto_recording=str(get("meeting.auto_recording")),
        join_before_host=bool(get("meeting.join_before_host")),
        registrant_emails=get("notify.class_via") == "zoom",
    )
