"""`report meetings` without a network: status rules, rows from bookings and the ledger, filters."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from sbzoom.clients.simplybook import Booking, Client, Provider, Service
from sbzoom.clients.zoom import MeetingGoneError
from sbzoom.core.bookings.model import BookingView
from sbzoom.core.dates import Window
from sbzoom.core.report import (
    EmptyLedger,
    HostDirectory,
    MeetingReport,
    ZoomMeetingCheck,
    derive_status,
    resolve_provider,
    resolve_service,
)
from sbzoom.errors import NotFoundError, SbzoomError, UsageError
from sbzoom.render.report import summary_line
from sbzoom.store.ledger import BookingRow, MeetingRow

NY = ZoneInfo("America/New_York")
START = datetime(2026, 11, 25, 10, 0, tzinfo=NY)
PRODUCT_KEYS = {
    "booking_id", "code", "start", "end", "service", "provider", "client", "client_email",
    "zoom_user", "meeting_id", "join_url", "status",
}  # fmt: skip


def view(cancelled: bool = False, provider_id: str = "2") -> BookingView:
    return BookingView(
        id="1001", code="abc", cancelled=cancelled, start=START, end=START + timedelta(minutes=30),
        service_id="1", service_name="Intro", provider_id=provider_id, provider_name="Ben",
        client_name="Maria", client_email="maria@example.com",
    )  # fmt: skip


def linked(key: str = "b1001", status: str = "linked", reason: str = "") -> BookingRow:
    return BookingRow("1001", key, "", "https://zoom.test/j/5", status, reason, "")


def meeting(status: str = "active", key: str = "b1001") -> MeetingRow:
    return MeetingRow(key, 5, "zoomBen", "h", "https://zoom.test/j/5", "pw", status)


# -- status -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("booking", "row", "meeting_row", "host", "status", "reason_has"),
    [
        (view(), linked(), meeting(), "zoomBen", "linked", ""),
        (view(), None, None, "zoomBen", "missing", "sbzoom bookings link 1001"),
        (view(provider_id="4"), None, None, None, "missing", "sbzoom providers map 4 ZOOM_USER"),
        (view(), linked(status="failed", reason="Zoom said no"), None, "zoomBen", "failed",
         "Zoom said no"),
        (view(), linked(status="deferred", reason="daily limit"), None, "zoomBen", "deferred",
         "daily limit"),
        (view(), linked(), meeting("deleted"), "zoomBen", "missing", "meeting was removed"),
        (view(), linked(), None, "zoomBen", "missing", "meeting was removed"),
        (view(), linked(key="s1.2.20261125T1500Z"), meeting(key="s1.2.20261125T1500Z"),
         "zoomBen", "missing", "moved to another session"),
        (view(), linked(status="cancelled"), meeting("deleted"), "zoomBen", "missing",
         "no meeting"),
        (view(cancelled=True), None, None, "zoomBen", "cancelled", ""),
        (view(cancelled=True), linked(), meeting(), "zoomBen", "cancelled",
         "its meeting still exists"),
    ],
    ids=[
        "linked", "never-linked", "unmapped-provider", "failed", "deferred", "meeting-deleted",
        "meeting-row-lost", "moved-session", "ledger-cancelled-booking-active", "cancelled",
        "cancelled-with-leftover-meeting",
    ],
)  # fmt: skip
def test_status_comes_from_simplybook_and_the_ledger(
    booking: BookingView,
    row: BookingRow | None,
    meeting_row: MeetingRow | None,
    host: str | None,
    status: str,
    reason_has: str,
) -> None:
    derived = derive_status(booking, "b1001", row, meeting_row, host)
    assert derived.status == status
    assert reason_has in derived.reason
    if status == "linked":
        assert (derived.meeting_id, derived.join_url, derived.host_id) == (
            5,
            "https://zoom.test/j/5",
            "zoomBen",
        )
    else:
        assert derived.join_url == ""


# -- the report over fakes --------------------------------------------------------------------


def booking(
    ident: int, service: int = 1, provider: int = 2, status: str = "confirmed", hour: int = 10
) -> Booking:
    start = datetime(2026, 11, 25, hour, 0, tzinfo=NY)
    return Booking(
        id=ident, code=f"c{ident}", status=status, start=start, end=start + timedelta(hours=1),
        service_id=service, service_name={1: "Intro", 3: "Yoga"}.get(service, "Other"),
        provider_id=provider, provider_name={1: "Alice", 2: "Ben", 4: "Dan"}[provider],
        client=Client(ident, f"Client {ident}", f"c{ident}@example.com"), is_confirmed=True,
    )  # fmt: skip


class DictLedger:
    def __init__(self, bookings: list[BookingRow], meetings: list[MeetingRow]) -> None:
        self.bookings = {b.booking_id: b for b in bookings}
        self.meetings = {m.unit_key: m for m in meetings}
        self.lookups = 0

    def booking(self, booking_id: str) -> BookingRow | None:
        self.lookups += 1
        return self.bookings.get(booking_id)

    def meeting(self, unit_key: str) -> MeetingRow | None:
        self.lookups += 1
        return self.meetings.get(unit_key)


WINDOW = Window(date(2026, 11, 24), date(2026, 12, 24), NY)
ONLINE = {"1": "online", "3": "class"}
HOSTS = {"1": "zoomAlice", "2": "zoomBen"}


def make_report(
    bookings: list[Booking],
    ledger: DictLedger | EmptyLedger,
    loads: list[int] | None = None,
    verifier: ZoomMeetingCheck | None = None,
) -> MeetingReport:
    def load() -> dict[str, str]:
        if loads is not None:
            loads.append(1)
        return {"zoomAlice": "alice@zoom.test", "zoomBen": "ben@zoom.test"}

    return MeetingReport(
        WINDOW, bookings, ONLINE, HOSTS, ledger, HostDirectory(load), verifier, None
    )


def test_class_clients_get_their_own_links_into_one_meeting_and_hosts_show_as_emails() -> None:
    session = "s3.1.20261125T1800Z"
    ledger = DictLedger(
        [
            BookingRow("11", session, "r1", "https://zoom.test/j/7?tk=one", "linked", "", ""),
            BookingRow("12", session, "r2", "https://zoom.test/j/7?tk=two", "linked", "", ""),
        ],
        [MeetingRow(session, 7, "zoomAlice", "h", "https://zoom.test/j/7", "", "active")],
    )
    loads: list[int] = []
    report = make_report(
        [booking(11, 3, 1, hour=13), booking(12, 3, 1, hour=13), booking(13, provider=4)],
        ledger,
        loads,
    )
    rows = list(report.rows())
    assert [(r.booking_id, r.status, r.meeting_id) for r in rows] == [
        ("11", "linked", 7),
        ("12", "linked", 7),
        ("13", "missing", None),
    ]
    assert rows[0].join_url != rows[1].join_url
    assert [r.zoom_user for r in rows] == ["alice@zoom.test", "alice@zoom.test", ""]
    assert loads == [1]  # one list_users call for the whole report
    assert report.counts == {"linked": 2, "missing": 1}
    assert summary_line(report).startswith("3 bookings of online services from 2026-11-24")


def test_bookings_of_services_that_are_not_online_are_left_out() -> None:
    rows = list(make_report([booking(1, service=2), booking(2)], EmptyLedger()).rows())
    assert [r.booking_id for r in rows] == ["2"]


def test_zoom_user_lookup_failure_falls_back_to_ids() -> None:
    def load() -> dict[str, str]:
        raise SbzoomError("The Zoom app lacks the scope user:read:list_users:admin.")

    directory = HostDirectory(load)
    report = MeetingReport(WINDOW, [booking(1)], ONLINE, HOSTS, EmptyLedger(), directory)
    assert next(report.rows()).zoom_user == "zoomBen"
    assert directory.problem is not None and "list_users" in directory.problem


def test_no_zoom_call_when_no_row_has_a_host() -> None:
    loads: list[int] = []
    rows = list(make_report([booking(1, provider=4)], EmptyLedger(), loads).rows())
    assert rows[0].zoom_user == "" and loads == []


def test_verify_reports_a_vanished_meeting_as_missing_and_asks_zoom_once_per_meeting() -> None:
    asked: list[int] = []

    def get_meeting(meeting_id: int) -> object:
        asked.append(meeting_id)
        if meeting_id == 5:
            raise MeetingGoneError("gone", None, meeting_id=5, status=404)
        return object()

    session = "s3.1.20261125T1800Z"
    ledger = DictLedger(
        [
            BookingRow("1", "b1", "", "https://zoom.test/j/5", "linked", "", ""),
            BookingRow("11", session, "r1", "https://zoom.test/j/7?tk=1", "linked", "", ""),
            BookingRow("12", session, "r2", "https://zoom.test/j/7?tk=2", "linked", "", ""),
        ],
        [
            MeetingRow("b1", 5, "zoomBen", "h", "https://zoom.test/j/5", "", "active"),
            MeetingRow(session, 7, "zoomAlice", "h", "https://zoom.test/j/7", "", "active"),
        ],
    )
    report = make_report(
        [booking(1), booking(11, 3, 1, hour=13), booking(12, 3, 1, hour=13)],
        ledger,
        verifier=ZoomMeetingCheck(get_meeting),
    )
    rows = list(report.rows())
    assert [(r.status, r.meeting_id) for r in rows] == [
        ("missing", 5),
        ("linked", 7),
        ("linked", 7),
    ]
    assert rows[0].join_url == "" and "gone from Zoom" in rows[0].reason
    assert asked == [5, 7]


def test_ledger_lookups_are_two_per_row() -> None:
    ledger = DictLedger([], [])
    list(make_report([booking(i) for i in range(1, 51)], ledger).rows())
    assert ledger.lookups == 100


# -- filters ----------------------------------------------------------------------------------


PROVIDERS = [
    Provider(1, "Alice Romero", "a@x", 12, True, True, (3,)),
    Provider(2, "Ben Okafor", "b@x", 1, True, True, (1, 2)),
]
SERVICES = [
    Service(1, "Intro Consultation", 30, (2,), None, True, True),
    Service(4, "In-Person Assessment", 45, (2,), None, True, True),
]


def test_filters_take_an_id_or_an_exact_name() -> None:
    assert resolve_provider("2", PROVIDERS) == 2
    assert resolve_provider("Alice Romero", PROVIDERS) == 1
    assert resolve_service("Intro Consultation", SERVICES, {"1": "online"}) == 1


def test_an_unknown_filter_lists_the_candidates() -> None:
    with pytest.raises(NotFoundError) as caught:
        resolve_provider("Zed", PROVIDERS)
    assert caught.value.exit_code == 2
    assert caught.value.candidates == ["1 Alice Romero", "2 Ben Okafor"]


def test_an_offline_service_filter_names_the_command_that_makes_it_online() -> None:
    with pytest.raises(UsageError) as caught:
        resolve_service("4", SERVICES, {"1": "online"})
    assert "sbzoom services enable-online 4" in (caught.value.hint or "")
