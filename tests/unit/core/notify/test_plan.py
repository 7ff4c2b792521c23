"""The notice planner (pure), the invite it leads to, and template checks."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import icalendar
import pytest

from sbzoom.core.bookings.model import BookingView
from sbzoom.core.notify.deliver import record
from sbzoom.core.notify.message import Templates, email_message
from sbzoom.core.notify.plan import BookingFacts, PlanSettings, address_problem, plan_notices
from sbzoom.core.notify.run import LedgerHistory
from sbzoom.errors import UsageError
from sbzoom.store.config import KEYS, parse_value
from sbzoom.store.ledger import Ledger

ZONE = ZoneInfo("Europe/Copenhagen")
NOW = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)
SETTINGS = PlanSettings(sender="bookings@studio.example", uid_prefix="sbzoom-acme")
TEMPLATES = Templates.from_settings(lambda key: KEYS[key].default)


def view(booking_id: str = "1", **changes: object) -> BookingView:
    start = datetime(2026, 12, 1, 10, 0, tzinfo=ZONE)
    base = BookingView(
        id=booking_id,
        code=f"C{booking_id}",
        cancelled=False,
        start=start,
        end=start + timedelta(minutes=30),
        service_id="1",
        service_name="Consultation",
        provider_id="2",
        provider_name="Ben Okafor",
        client_name="Maria Gonzalez",
        client_email="maria@client.example",
    )
    return replace(base, **changes)  # type: ignore[arg-type]


def facts(booking: BookingView, **changes: object) -> BookingFacts:
    base = BookingFacts(
        booking=booking,
        is_class=False,
        linked=True,
        unit_key=f"b{booking.id}",
        join_url=f"https://zoom.example/j/9{booking.id}?pwd=x",
        meeting_join_url=f"https://zoom.example/j/9{booking.id}?pwd=x",
        passcode="123456",
        provider_email="ben@studio.example",
        timezone="Europe/Copenhagen",
    )
    return replace(base, **changes)  # type: ignore[arg-type]


@pytest.fixture
def ledger(tmp_path: Path) -> Ledger:
    return Ledger(tmp_path / "ledger.sqlite3")


def run(ledger: Ledger, items: list[BookingFacts], sent: bool = True) -> list[tuple[str, int, str]]:
    """Plan and record; mark everything recorded as sent (as a good SMTP run would)."""
    plan = plan_notices(items, LedgerHistory(ledger), SETTINGS)
    record(ledger, plan, NOW)
    if sent:
        for row in ledger.unsent_notices():
            ledger.mark_notice(row.id, "sent", NOW)
    return [(n.thread, n.sequence, n.kind) for n in plan.new]


def test_first_run_invites_client_and_provider_then_nothing(ledger: Ledger) -> None:
    assert run(ledger, [facts(view())]) == [("c1", 0, "request"), ("pb1", 0, "request")]
    assert run(ledger, [facts(view())]) == []


def test_time_change_bumps_sequence_and_cancel_follows(ledger: Ledger) -> None:
    run(ledger, [facts(view())])
    moved = view(start=view().start + timedelta(hours=1), end=view().end + timedelta(hours=1))
    assert run(ledger, [facts(moved)]) == [("c1", 1, "request"), ("pb1", 1, "request")]
    assert run(ledger, [facts(moved, join_url="https://zoom.example/j/new")]) == [
        ("c1", 2, "request")
    ]
    cancelled = facts(replace(moved, cancelled=True), linked=False)
    assert run(ledger, [cancelled]) == [("c1", 3, "cancel"), ("pb1", 2, "cancel")]
    assert run(ledger, [cancelled]) == []


def test_unsent_invite_of_a_cancelled_booking_is_dropped_not_cancelled(ledger: Ledger) -> None:
    run(ledger, [facts(view())], sent=False)  # SMTP was down: nothing left
    cancelled = facts(view(cancelled=True), linked=False)
    assert run(ledger, [cancelled]) == []
    assert ledger.unsent_notices() == []


def test_a_crash_while_sending_counts_as_maybe_sent(ledger: Ledger) -> None:
    run(ledger, [facts(view())], sent=False)
    for row in ledger.unsent_notices():
        ledger.mark_notice(row.id, "sending", NOW, attempt=True)
    cancelled = facts(view(cancelled=True), linked=False)
    assert run(ledger, [cancelled]) == [("c1", 1, "cancel"), ("pb1", 1, "cancel")]


def test_invalid_client_email_is_failed_with_its_reason_once(ledger: Ledger) -> None:
    bad = facts(view(client_email="maria@example"))
    plan = plan_notices([bad], LedgerHistory(ledger), SETTINGS)
    client = next(n for n in plan.new if n.role == "client")
    assert client.status == "failed" and "invalid e-mail address" in client.reason
    record(ledger, plan, NOW)
    assert [r.role for r in ledger.unsent_notices()] == ["provider"]
    assert run(ledger, [bad]) == []


@pytest.mark.parametrize(
    "address",
    [
        "",
        "maria",
        "maria@example",
        "a b@x.example",
        "x@y.example\r\nBcc: evil@z.example",
        "<x@y.co>",
    ],
)
def test_address_problems(address: str) -> None:
    assert address_problem(address)


def test_class_session_provider_lists_attendees_and_follows_them(ledger: Ledger) -> None:
    session = "s3.1.20261201T0900Z"

    def seat(booking_id: str, name: str) -> BookingFacts:
        return facts(
            view(booking_id, client_name=name, client_email=f"{name.lower()}@client.example"),
            is_class=True,
            unit_key=session,
        )

    first = run(ledger, [seat("11", "Tom"), seat("12", "Lena")])
    assert sorted(first) == [
        ("c11", 0, "request"),
        ("c12", 0, "request"),
        (f"p{session}", 0, "request"),
    ]
    provider = ledger.last_notice(f"p{session}")
    assert provider is not None and '"client": "Tom, Lena"' in provider.payload
    # Lena cancels: she gets a CANCEL, the provider an updated attendee list.
    lena_gone = facts(
        view("12", cancelled=True, client_name="Lena", client_email="lena@client.example"),
        is_class=True,
        linked=False,
        unit_key=session,
    )
    assert sorted(run(ledger, [lena_gone, seat("11", "Tom")])) == [
        ("c12", 1, "cancel"),
        (f"p{session}", 1, "request"),
    ]


def test_class_via_zoom_leaves_class_clients_to_zoom(ledger: Ledger) -> None:
    seat = facts(view("11"), is_class=True, unit_key="s3.1.x")
    plan = plan_notices([seat], LedgerHistory(ledger), replace(SETTINGS, class_via="zoom"))
    assert [n.role for n in plan.new] == ["provider"]


def test_email_message_and_invite(ledger: Ledger) -> None:
    plan = plan_notices([facts(view())], LedgerHistory(ledger), SETTINGS)
    client = next(n for n in plan.new if n.role == "client")
    message = email_message(client, TEMPLATES, SETTINGS.sender, NOW)
    assert message["To"] == "Maria Gonzalez <maria@client.example>"
    assert message["Subject"] == "Consultation with Ben Okafor on 2026-12-01 at 10:00"
    body = message.get_body(("plain",)).get_content()
    assert "https://zoom.example/j/91?pwd=x" in body and "123456" in body
    ics = next(p for p in message.walk() if p.get_filename() == "invite.ics")
    calendar = icalendar.Calendar.from_ical(ics.get_payload(decode=True))
    event = calendar.walk("VEVENT")[0]
    assert str(event["UID"]) == "sbzoom-acme-c1@studio.example"
    assert event["DTSTART"].params["TZID"] == "Europe/Copenhagen"
    assert event.decoded("DTEND") - event.decoded("DTSTART") == timedelta(minutes=30)
    cancel = replace(client, kind="cancel", sequence=1)
    cancelled = email_message(cancel, TEMPLATES, SETTINGS.sender, NOW)
    assert cancelled["Subject"].startswith("Cancelled: ")
    part = next(p for p in cancelled.walk() if p.get_content_type() == "text/calendar")
    assert part.get_param("method") == "CANCEL"


@pytest.mark.parametrize(
    "template",
    ["{join_url.__class__}", "{client[0]}", "{secret}", "{join_url!r}", "{time:>10}", "{", "}"],
)
def test_notice_templates_allow_only_documented_names(template: str) -> None:
    with pytest.raises(UsageError):
        parse_value("notify.client_body", template)


def test_notice_template_with_every_placeholder_is_accepted() -> None:
    text = "{service} {provider} {client} {code} {booking_id} {date} {time} {join_url} {passcode}"
    assert parse_value("notify.client_body", text) == text
    assert parse_value("notify.client_subject", "Réservation {{confirmée}}: {date}")
