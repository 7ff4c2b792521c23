"""Writing a notice: the subject and body from the admin's templates, and the ``.ics`` invite.

The invite is built with ``icalendar`` (imported here only: sending mail is the only thing that
needs it). It holds what a calendar needs to import and later update or remove the event:
METHOD (REQUEST or CANCEL), a UID stable for the booking, SEQUENCE, DTSTAMP, DTSTART and DTEND
in the company's time zone (TZID, with its VTIMEZONE), SUMMARY, LOCATION and URL (the join
link), DESCRIPTION, ORGANIZER (the sender) and ATTENDEE (the recipient), STATUS.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from zoneinfo import ZoneInfo

from sbzoom.core.notify.model import Notice
from sbzoom.errors import ConfigError
from sbzoom.store.config import NOTICE_PLACEHOLDERS, template_problem

PRODID = "-//sbzoom//SimplyBook-Zoom notices//EN"
# English words the templates cannot reach; kept few and short (see README: notices).
CHANGE_PREFIX = {"updated": "Updated: ", "cancel": "Cancelled: "}
CANCEL_BODY = (
    "This meeting was cancelled and its link no longer works.\n\n"
    "{service} with {provider}, {date} at {time}.\n"
)


@dataclass(frozen=True)
class Templates:
    client_subject: str
    client_body: str
    provider_subject: str
    provider_body: str

    @classmethod
    def from_settings(cls, get: Callable[[str], object]) -> Templates:
        return cls(
            client_subject=str(get("notify.client_subject")),
            client_body=str(get("notify.client_body")),
            provider_subject=str(get("notify.provider_subject")),
            provider_body=str(get("notify.provider_body")),
        )


def fields(notice: Notice) -> dict[str, str]:
    local = notice.start.astimezone(ZoneInfo(notice.timezone))
    return {
        "service": notice.service,
        "provider": notice.provider,
        "client": notice.client,
        "code": notice.code,
        "booking_id": notice.booking_id,
        "date": local.strftime("%Y-%m-%d"),
        "time": local.strftime("%H:%M"),
        "join_url": notice.join_url,
        "passcode": notice.passcode,
    }


def fill(template: str, values: Mapping[str, str], key: str) -> str:
    """Fill a template checked like the config checks it (plain documented names only)."""
    problem = template_problem(template, NOTICE_PLACEHOLDERS)
    if problem:
        raise ConfigError(
            f"The template {key} {problem}.", f"Fix it with 'sbzoom config set {key} ...'."
        )
    return template.format_map(dict(values))


def subject_and_body(notice: Notice, templates: Templates) -> tuple[str, str]:
    values = fields(notice)
    role = notice.role
    subject_key, body_key = f"notify.{role}_subject", f"notify.{role}_body"
    subject_template = getattr(templates, f"{role}_subject")
    subject = " ".join(fill(subject_template, values, subject_key).split())
    if notice.kind == "cancel":
        return CHANGE_PREFIX["cancel"] + subject, CANCEL_BODY.format_map(values)
    body = fill(getattr(templates, f"{role}_body"), values, body_key)
    if notice.sequence > 0:
        subject = CHANGE_PREFIX["updated"] + subject
    return subject, body


def invite(notice: Notice, subject: str, body: str, sender: str, now: datetime) -> bytes:
    """The ``.ics`` text (RFC 5545) of the notice, METHOD REQUEST or CANCEL."""
    import icalendar

    zone = ZoneInfo(notice.timezone)
    method = "CANCEL" if notice.kind == "cancel" else "REQUEST"
    calendar = icalendar.Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("method", method)
    event = icalendar.Event()
    event.add("uid", notice.uid)
    event.add("sequence", notice.sequence)
    event.add("dtstamp", now)
    event.add("dtstart", notice.start.astimezone(zone))
    event.add("dtend", notice.end.astimezone(zone))
    event.add("summary", subject)
    event.add("description", body)
    if notice.join_url and notice.kind != "cancel":
        event.add("location", notice.join_url)
        event.add("url", notice.join_url)
    event.add("status", "CANCELLED" if notice.kind == "cancel" else "CONFIRMED")
    event.add("transp", "OPAQUE")
    organizer = icalendar.vCalAddress(f"mailto:{sender}")
    event.add("organizer", organizer)
    attendee = icalendar.vCalAddress(f"mailto:{notice.recipient}")
    attendee.params["CN"] = icalendar.vText(notice.recipient_name or notice.recipient)
    attendee.params["ROLE"] = icalendar.vText("REQ-PARTICIPANT")
    attendee.params["PARTSTAT"] = icalendar.vText("NEEDS-ACTION")
    attendee.params["RSVP"] = icalendar.vText("FALSE")
    event.add("attendee", attendee)
    calendar.add_component(event)
    # Time zone rules from a year before to a year after the meeting: what calendars need, in
    # a few lines instead of every change since 1970.
    day = notice.start.astimezone(zone).date()
    calendar.add_missing_timezones(
        first_date=day.replace(year=day.year - 1, day=1),
        last_date=day.replace(year=day.year + 2, day=1),
    )
    data: bytes = calendar.to_ical()
    return data


def email_message(notice: Notice, templates: Templates, sender: str, now: datetime) -> EmailMessage:
    """The e-mail: the text, the invite as a calendar part, and the same as ``invite.ics``."""
    subject, body = subject_and_body(notice, templates)
    ics = invite(notice, subject, body, sender, now)
    method = "CANCEL" if notice.kind == "cancel" else "REQUEST"
    message = EmailMessage()
    message["From"] = sender
    local, _, domain = notice.recipient.rpartition("@")
    message["To"] = Address(notice.recipient_name or "", local, domain)
    message["Subject"] = subject
    message["Date"] = format_datetime(now)
    message["Message-ID"] = make_msgid("sbzoom", domain=sender.rpartition("@")[2] or None)
    # Lets a support desk (and the tests) tell which notice a message is.
    message["X-Sbzoom-Notice"] = f"{notice.thread}/{notice.sequence}"
    message.set_content(body)
    message.add_alternative(ics.decode("utf-8"), subtype="calendar", params={"method": method})
    message.add_attachment(ics, maintype="application", subtype="ics", filename="invite.ics")
    return message
