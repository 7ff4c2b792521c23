"""The meeting model: the typed request the engine hands the Zoom client, and the state hash.

The hashes below were computed by the engine before the request was typed (when it built Zoom's
JSON itself). Ledgers on disk hold such hashes: if one changed here, every existing meeting would
look changed and be updated on the next run.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from sbzoom.core.bookings.meeting import MeetingTemplate, meeting_request, state_hash
from sbzoom.core.bookings.model import BookingView, LinkPlan
from sbzoom.core.bookings.units import Unit

NY = ZoneInfo("America/New_York")


def booking(bid: str, service: str = "1") -> BookingView:
    start = datetime(2026, 12, 1, 10, 0, tzinfo=NY)
    return BookingView(
        bid, f"code{bid}", False, start, start + timedelta(minutes=45), service,
        f"Service {service}", "1", "Provider 1", "Ann Lee", "ann@example.com",
    )  # fmt: skip


CASES = {
    "default one-to-one": (
        Unit("b1", False, "zu1", [booking("1")]),
        MeetingTemplate(),
        "2ec2d9d4ca86b93e1ef2",
    ),
    "class, Zoom e-mails the registrants": (
        Unit("s2.1.20261201T1500Z", True, "zu1", [booking("2", "2")]),
        MeetingTemplate(registrant_emails=True),
        "bf0c6f1536fc474dd295",
    ),
    "no passcode: the waiting room secures it": (
        Unit("b3", False, "zu1", [booking("3")]),
        MeetingTemplate(passcode="none", waiting_room=True, join_before_host=True),
        "aebcf01ff3d0fcbd8bb4",
    ),
    "a fixed passcode, templates, recording": (
        Unit("b4", False, "zu1", [booking("4")]),
        MeetingTemplate(
            passcode="abc123",
            waiting_room=False,
            join_before_host=True,
            auto_recording="cloud",
            topic="{client} {date} {time}",
            agenda="",
        ),
        "37f8afc7e0d079a7e2f3",
    ),
}


@pytest.mark.parametrize("name", list(CASES))
def test_state_hash_is_the_one_existing_ledgers_hold(name: str) -> None:
    unit, template, expected = CASES[name]
    plan = LinkPlan(
        online={"1": "online", "2": "class"},
        hosts={"1": "zu1"},
        timezone="America/New_York",
        meeting=template,
    )
    assert state_hash("zu1", meeting_request(unit, plan)) == expected


def test_the_request_goes_to_zoom_as_before() -> None:
    plan = LinkPlan(
        online={"2": "class"},
        hosts={"1": "zu1"},
        timezone="America/New_York",
        meeting=MeetingTemplate(registrant_emails=True),
    )
    unit = Unit("s2.1.20261201T1500Z", True, "zu1", [booking("2", "2")])
    assert meeting_request(unit, plan).to_json() == {
        "topic": "Service 2 with Provider 1",
        "type": 2,
        "start_time": "2026-12-01T15:00:00Z",
        "duration": 45,
        "timezone": "America/New_York",
        "agenda": "[sbzoom:s2.1.20261201T1500Z] Service 2",
        "settings": {
            "waiting_room": True,
            "join_before_host": False,
            "auto_recording": "none",
            "approval_type": 1,
            "registrants_email_notification": True,
            "registrants_confirmation_email": True,
        },
    }
