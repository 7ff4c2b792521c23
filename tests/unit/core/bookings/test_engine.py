"""The linking rules of PRODUCT.md §4, over an in-memory Zoom: no network, exact call records."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from sbzoom.clients.zoom import MeetingRequest
from sbzoom.core.bookings.engine import Linker
from sbzoom.core.bookings.meeting import meeting_request
from sbzoom.core.bookings.model import (
    BookingView,
    LinkPlan,
    ZoomMeeting,
)
from sbzoom.core.bookings.units import Unit
from sbzoom.core.bookings.write_back import comment_with_link
from sbzoom.render.bookings import backfill_line, link_report_json
from sbzoom.store.ledger import Ledger
from tests.fakes import FakeComments, FakeZoom

NY = ZoneInfo("America/New_York")
NOW = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)


def booking(
    bid: str,
    *,
    start_hour: int = 10,
    day: int = 1,
    service: str = "1",
    provider: str = "1",
    client: str = "Ann Lee",
    cancelled: bool = False,
) -> BookingView:
    start = datetime(2026, 12, day, start_hour, 0, tzinfo=NY)
    return BookingView(
        bid,
        f"code{bid}",
        cancelled,
        start,
        start + timedelta(minutes=45),
        service,
        f"Service {service}",
        provider,
        f"Provider {provider}",
        client,
        f"{client.split(maxsplit=1)[0].lower()}@example.com",
    )


PLAN = LinkPlan(
    online={"1": "online", "2": "class"},
    hosts={"1": "zu1", "2": "zu2"},
    timezone="America/New_York",
    workers=1,
)


@pytest.fixture
def ledger(tmp_path: Path) -> Iterator[Ledger]:
    led = Ledger(tmp_path / "ledger.sqlite3")
    yield led
    led.close()


def run(
    zoom: FakeZoom,
    ledger: Ledger | None,
    bookings: list[BookingView],
    plan: LinkPlan = PLAN,
    comments: FakeComments | None = None,
) -> dict[str, str]:
    report = Linker(zoom, comments, ledger, plan, now=lambda: NOW).run(bookings)
    return {r.booking_id: r.status for r in report.results}


def test_one_to_one_booking_gets_one_meeting_and_second_run_changes_nothing(ledger: Ledger) -> None:
    zoom = FakeZoom()
    assert run(zoom, ledger, [booking("11")]) == {"11": "created"}
    assert len(zoom.meetings) == 1
    zoom.calls.clear()
    assert run(zoom, ledger, [booking("11")]) == {"11": "unchanged"}
    assert zoom.calls == [("upcoming", "zu1")]  # one read per host: is it still on Zoom?


def test_meeting_time_is_utc_with_z_and_iana_zone_across_dst() -> None:
    before = booking("1", day=1)  # EST, UTC-5
    body = meeting_request(Unit("b1", False, "zu1", [before]), PLAN).to_json()
    assert body["start_time"] == "2026-12-01T15:00:00Z"
    assert body["timezone"] == "America/New_York"
    assert body["duration"] == 45
    assert str(body["agenda"]).startswith("[sbzoom:b1] ")


def test_reschedule_patches_and_keeps_the_link(ledger: Ledger) -> None:
    zoom = FakeZoom()
    run(zoom, ledger, [booking("11")])
    (mid,) = zoom.meetings
    zoom.calls.clear()
    report = Linker(zoom, None, ledger, PLAN, now=lambda: NOW).run([booking("11", start_hour=14)])
    assert [r.status for r in report.results] == ["updated"]
    assert report.results[0].join_url == f"https://zoom.test/j/{mid}"
    assert zoom.writes() == [("update", mid)]
    assert zoom.meetings[mid]["start_time"] == "2026-12-01T19:00:00Z"


def test_cancel_deletes_the_meeting_once(ledger: Ledger) -> None:
    zoom = FakeZoom()
    run(zoom, ledger, [booking("11")])
    assert run(zoom, ledger, [booking("11", cancelled=True)]) == {"11": "cancelled"}
    assert zoom.meetings == {}
    zoom.calls.clear()
    assert run(zoom, ledger, [booking("11", cancelled=True)]) == {"11": "unchanged"}
    assert zoom.writes() == []
    assert [a.action for a in ledger.audit_log("11")] == ["create", "delete"]


def test_lost_ledger_adopts_instead_of_duplicating(tmp_path: Path) -> None:
    zoom = FakeZoom()
    first = Ledger(tmp_path / "a.sqlite3")
    run(zoom, first, [booking("11"), booking("12", start_hour=11)])
    first.close()
    fresh = Ledger(tmp_path / "b.sqlite3")  # the state directory was deleted
    zoom.calls.clear()
    assert run(zoom, fresh, [booking("11"), booking("12", start_hour=11)]) == {
        "11": "unchanged",
        "12": "unchanged",
    }
    assert len(zoom.meetings) == 2
    assert zoom.writes() == []
    assert [c for c in zoom.calls if c[0] == "upcoming"] == [("upcoming", "zu1")]  # once per host
    fresh.close()


def test_timeout_after_commit_adopts_the_committed_meeting(ledger: Ledger) -> None:
    zoom = FakeZoom()
    zoom.drop_next_create = True
    assert run(zoom, ledger, [booking("11")]) == {"11": "created"}
    assert len(zoom.meetings) == 1


def test_crash_between_create_and_ledger_write_is_repaired(ledger: Ledger) -> None:
    zoom = FakeZoom()
    zoom.drop_next_create = True

    class Crash(Exception):
        pass

    original = zoom.upcoming
    calls = {"n": 0}

    def crashing_upcoming(host: str) -> list[ZoomMeeting]:
        calls["n"] += host == "zu1"
        if calls["n"] == 2:  # zu1's re-list after the dropped create: the process "dies" here
            raise Crash
        return original(host)

    zoom.upcoming = crashing_upcoming  # type: ignore[method-assign]
    with pytest.raises(Crash):
        run(zoom, ledger, [booking("11")])
    zoom.upcoming = original  # type: ignore[method-assign]
    assert ledger.meeting("b11").status == "pending"  # type: ignore[union-attr]
    assert run(zoom, ledger, [booking("11")]) == {"11": "unchanged"}
    assert len(zoom.meetings) == 1


def test_unmapped_provider_is_skipped_with_the_fix(ledger: Ledger) -> None:
    zoom = FakeZoom()
    report = Linker(zoom, None, ledger, PLAN, now=lambda: NOW).run([booking("11", provider="9")])
    (result,) = report.results
    assert result.status == "skipped" and "providers map 9" in result.reason
    assert zoom.calls == []


def test_host_change_recreates_and_deletes_old(ledger: Ledger) -> None:
    zoom = FakeZoom()
    run(zoom, ledger, [booking("11")])
    (old,) = zoom.meetings
    moved = replace(PLAN, hosts={"1": "zu2", "2": "zu2"})
    assert run(zoom, ledger, [booking("11")], plan=moved) == {"11": "updated"}
    (new,) = zoom.meetings
    assert new != old and zoom.meetings[new]["host"] == "zu2"


def test_class_session_one_meeting_unique_links(ledger: Ledger) -> None:
    zoom = FakeZoom()
    group = [booking(str(i), service="2", provider="2", client=f"C{i} X") for i in (21, 22, 23)]
    assert run(zoom, ledger, group) == {"21": "created", "22": "created", "23": "created"}
    assert len(zoom.meetings) == 1
    (mid,) = zoom.meetings
    links = {ledger.booking(b.id).join_url for b in group}  # type: ignore[union-attr]
    assert len(links) == 3 and all(str(mid) in link for link in links)
    assert zoom.meetings[mid]["settings"]["approval_type"] == 1  # type: ignore[index]
    zoom.calls.clear()
    assert set(run(zoom, ledger, group).values()) == {"unchanged"}
    assert zoom.writes() == []


def test_class_cancel_one_then_all(ledger: Ledger) -> None:
    zoom = FakeZoom()
    group = [booking(str(i), service="2", provider="2", client=f"C{i} X") for i in (21, 22)]
    run(zoom, ledger, group)
    (mid,) = zoom.meetings
    group[0] = replace(group[0], cancelled=True)
    assert run(zoom, ledger, group) == {"21": "cancelled", "22": "unchanged"}
    assert mid in zoom.meetings and len(zoom.reg[mid]) == 1
    group[1] = replace(group[1], cancelled=True)
    statuses = run(zoom, ledger, group)
    assert statuses["22"] == "cancelled"
    assert zoom.meetings == {}


def test_daily_limit_defers_that_host_and_goes_on(ledger: Ledger) -> None:
    zoom = FakeZoom()
    zoom.exhausted.add("zu1")
    plan = replace(PLAN, online={"1": "online", "3": "online"}, hosts={"1": "zu1", "2": "zu2"})
    items = [booking("11"), booking("12", start_hour=11), booking("31", service="3", provider="2")]
    report = Linker(zoom, None, ledger, plan, now=lambda: NOW).run(items)
    statuses = {r.booking_id: r.status for r in report.results}
    assert statuses == {"11": "deferred", "12": "deferred", "31": "created"}
    assert "2026-11-25 00:00 UTC" in report.results[0].reason
    assert [c for c in zoom.calls if c == ("create", "zu1")] == [("create", "zu1")]  # tried once
    assert not report.ok


def test_dry_run_writes_nothing(ledger: Ledger) -> None:
    zoom = FakeZoom()
    plan = replace(PLAN, dry_run=True)
    assert run(zoom, ledger, [booking("11")], plan=plan) == {"11": "created"}
    assert zoom.writes() == [] and zoom.meetings == {}
    assert ledger.meeting("b11") is None and ledger.audit_log() == []


def test_write_back_replaces_only_its_own_line(ledger: Ledger) -> None:
    zoom = FakeZoom()
    comments = FakeComments()
    comments.comments["11"] = "Bring the forms.\nsbzoom: Zoom link https://old (meeting 1)"
    run(zoom, ledger, [booking("11")], plan=replace(PLAN, write_back=True), comments=comments)
    (mid,) = zoom.meetings
    assert comments.comments["11"] == (
        f"Bring the forms.\nsbzoom: Zoom link https://zoom.test/j/{mid} (meeting {mid})"
    )
    assert comment_with_link("", "u", 1) == "sbzoom: Zoom link u (meeting 1)"


def test_start_time_is_right_on_both_sides_of_a_dst_change() -> None:
    winter = booking("1", day=1)
    summer_start = datetime(2027, 3, 15, 10, 0, tzinfo=NY)  # after the March change: EDT, UTC-4
    summer = replace(winter, id="2", start=summer_start, end=summer_start + timedelta(hours=1))
    assert meeting_request(Unit("b1", False, "zu1", [winter]), PLAN).to_json()["start_time"] == (
        "2026-12-01T15:00:00Z"
    )
    assert meeting_request(Unit("b2", False, "zu1", [summer]), PLAN).to_json()["start_time"] == (
        "2027-03-15T14:00:00Z"
    )


def test_forget_ends_meetings_of_bookings_simplybook_lost(ledger: Ledger) -> None:
    zoom = FakeZoom()
    group = [booking(str(i), service="2", provider="2", client=f"C{i} X") for i in (21, 22)]
    run(zoom, ledger, [booking("11"), *group])
    linker = Linker(zoom, None, ledger, PLAN, now=lambda: NOW)
    results = linker.forget(["11", "21", "404"])
    assert {r.booking_id: r.status for r in results} == {"11": "cancelled", "21": "cancelled"}
    remaining = list(zoom.meetings)
    assert len(remaining) == 1 and len(zoom.reg[remaining[0]]) == 1  # the class goes on for 22
    assert linker.forget(["22"])[0].status == "cancelled"
    assert zoom.meetings == {}


def test_old_ledger_is_migrated_without_losing_rows(tmp_path: Path) -> None:
    import sqlite3

    path = tmp_path / "old.sqlite3"
    db = sqlite3.connect(path)
    db.executescript(
        "CREATE TABLE bookings (booking_id TEXT PRIMARY KEY, unit_key TEXT NOT NULL, "
        "registrant_id TEXT NOT NULL DEFAULT '', join_url TEXT NOT NULL DEFAULT '', "
        "status TEXT NOT NULL, reason TEXT NOT NULL DEFAULT '', "
        "comment_url TEXT NOT NULL DEFAULT '', updated_at TEXT NOT NULL);"
        "INSERT INTO bookings VALUES ('7', 'b7', '', 'https://j', 'linked', '', '', 'x');"
        "PRAGMA user_version = 1;"
    )
    db.close()
    ledger = Ledger(path)
    try:
        row = ledger.booking("7")
        assert row is not None and row.join_url == "https://j" and row.start_utc == ""
    finally:
        ledger.close()
    assert oct(path.stat().st_mode & 0o777) == "0o600"


def test_linking_one_cancelled_seat_by_id_keeps_the_session(ledger: Ledger) -> None:
    zoom = FakeZoom()
    group = [booking(str(i), service="2", provider="2", client=f"C{i} X") for i in (21, 22)]
    run(zoom, ledger, group)
    (mid,) = zoom.meetings
    # `sbzoom bookings link 21` after 21 cancelled: only 21 is in the run
    assert run(zoom, ledger, [replace(group[0], cancelled=True)]) == {"21": "cancelled"}
    assert mid in zoom.meetings and [r.email for r in zoom.reg[mid]] == ["c22@example.com"]


def test_moving_one_client_by_id_keeps_the_old_session_for_the_others(ledger: Ledger) -> None:
    zoom = FakeZoom()
    group = [booking(str(i), service="2", provider="2", client=f"C{i} X") for i in (21, 22)]
    run(zoom, ledger, group)
    (old,) = zoom.meetings
    moved = replace(group[0], start=group[0].start + timedelta(hours=3),
                    end=group[0].end + timedelta(hours=3))  # fmt: skip
    assert run(zoom, ledger, [moved]) == {"21": "created"}
    assert old in zoom.meetings and [r.email for r in zoom.reg[old]] == ["c22@example.com"]
    assert len(zoom.meetings) == 2


def test_two_seats_with_one_email_share_a_registrant_until_the_last_goes(ledger: Ledger) -> None:
    zoom = FakeZoom()
    seats = [booking(str(i), service="2", provider="2", client="Pat Doe") for i in (31, 32)]
    seats.append(booking("33", service="2", provider="2", client="Kim Roe"))
    run(zoom, ledger, seats)
    (mid,) = zoom.meetings
    seats[0] = replace(seats[0], cancelled=True)
    assert run(zoom, ledger, seats)["31"] == "cancelled"
    assert sorted(r.email for r in zoom.reg[mid]) == ["kim@example.com", "pat@example.com"]
    seats[1] = replace(seats[1], cancelled=True)
    run(zoom, ledger, seats)
    assert [r.email for r in zoom.reg[mid]] == ["kim@example.com"]


def test_meeting_deleted_on_zoom_is_recreated(ledger: Ledger) -> None:
    zoom = FakeZoom()
    run(zoom, ledger, [booking("11")])
    zoom.meetings.clear()  # someone deleted it in the Zoom web portal
    assert run(zoom, ledger, [booking("11")]) == {"11": "created"}
    assert len(zoom.meetings) == 1


def test_service_that_became_a_class_moves_its_bookings_into_one_session(ledger: Ledger) -> None:
    zoom = FakeZoom()
    pair = [booking(str(i), client=f"C{i} X") for i in (41, 42)]  # same slot, one-to-one so far
    run(zoom, ledger, pair)
    assert len(zoom.meetings) == 2
    as_class = replace(PLAN, online={"1": "class", "2": "class"})
    assert run(zoom, ledger, pair, plan=as_class) == {"41": "created", "42": "created"}
    (session,) = zoom.meetings  # both one-to-one meetings are gone, one session holds both
    assert len(zoom.reg[session]) == 2


def test_exit_code_is_5_when_every_failure_is_an_unavailable_service(ledger: Ledger) -> None:
    from sbzoom.errors import RemoteError

    class DownZoom(FakeZoom):
        def create(self, host_id: str, request: MeetingRequest) -> ZoomMeeting:
            raise RemoteError("Zoom is unavailable: HTTP 503 after 5 attempts.")

    report = Linker(DownZoom(), None, ledger, PLAN, now=lambda: NOW).run([booking("11")])
    assert (
        report.results[0].status == "failed" and not report.ok and report.only_unavailable
    )  # exit 5
    zoom = FakeZoom()
    zoom.exhausted.add("zu1")
    deferred = Linker(zoom, None, ledger, PLAN, now=lambda: NOW).run([booking("12")])
    # a deferral is a partial run, not an outage
    assert not deferred.ok and not deferred.only_unavailable  # exit 1
    assert Linker(FakeZoom(), None, ledger, PLAN, now=lambda: NOW).run([]).ok  # exit 0


# -- runs that share no disk: duplicates converge (issue 14) -------------------------------------


class HidingZoom(FakeZoom):
    """A Zoom whose listings leave out ``hidden`` meetings: what a run on another machine, which
    listed before this one created, saw."""

    def __init__(self) -> None:
        super().__init__()
        self.hidden: set[int] = set()

    def upcoming(self, host_id: str) -> list[ZoomMeeting]:
        return [m for m in super().upcoming(host_id) if m.id not in self.hidden]


def twin_runs(
    tmp_path: Path, bookings: list[BookingView], plan: LinkPlan = PLAN
) -> tuple[HidingZoom, Ledger, Ledger]:
    """Runner A links; runner B (its own ledger) does not see A's meetings and makes its own."""
    zoom = HidingZoom()
    first, second = Ledger(tmp_path / "a.sqlite3"), Ledger(tmp_path / "b.sqlite3")
    Linker(zoom, None, first, plan, now=lambda: NOW).run(bookings)
    zoom.hidden = set(zoom.meetings)
    Linker(zoom, None, second, plan, now=lambda: NOW).run(bookings)
    zoom.hidden = set()
    return zoom, first, second


def test_duplicates_from_another_runner_converge_on_the_lowest_id(tmp_path: Path) -> None:
    bookings = [booking("11"), booking("12", start_hour=11)]
    zoom, first, second = twin_runs(tmp_path, bookings)
    assert len(zoom.meetings) == 4  # two per booking: what issue 14 saw
    kept = {str(m["agenda"])[:12]: mid for mid, m in sorted(zoom.meetings.items(), reverse=True)}
    report = Linker(zoom, None, second, PLAN, now=lambda: NOW).run(bookings)
    assert len(zoom.meetings) == 2 and set(zoom.meetings) == set(kept.values())
    # runner B's links pointed into the deleted twins: replaced, and reported as such
    assert [r.status for r in report.results] == ["updated", "updated"]
    assert all("duplicate" in r.reason for r in report.results)
    assert {r.join_url for r in report.results} == {
        f"https://zoom.test/j/{mid}" for mid in kept.values()
    }
    deleted = [a.meeting_id for a in second.audit_log() if a.action == "delete"]
    assert sorted(deleted) == sorted(set(range(81000000001, 81000000005)) - set(kept.values()))
    # runner A's links were the kept ones: nothing to do, nothing reported as changed
    zoom.calls.clear()
    again = Linker(zoom, None, first, PLAN, now=lambda: NOW).run(bookings)
    assert [r.status for r in again.results] == ["unchanged", "unchanged"]
    assert zoom.writes() == []


def test_a_written_back_link_wins_over_the_lowest_id(tmp_path: Path) -> None:
    plan = replace(PLAN, write_back=True)
    zoom, first, _ = twin_runs(tmp_path, [booking("11")])
    _, high = sorted(zoom.meetings)
    comments = FakeComments()
    comments.comments["11"] = comment_with_link("note", f"https://zoom.test/j/{high}", high)
    report = Linker(zoom, comments, first, plan, now=lambda: NOW).run([booking("11")])
    assert set(zoom.meetings) == {high}  # the link the client already has survives
    (result,) = report.results
    assert (result.status, result.meeting_id) == ("updated", high)
    assert comments.comments["11"].startswith("note\nsbzoom: Zoom link https://zoom.test/j/")


def test_class_duplicates_keep_one_session_with_every_client(tmp_path: Path) -> None:
    ann = booking("21", service="2", provider="2", client="Ann Lee")
    bob = booking("22", service="2", provider="2", client="Bob Roe")
    cat = booking("23", service="2", provider="2", client="Cat Poe")
    zoom = HidingZoom()
    first, second = Ledger(tmp_path / "a.sqlite3"), Ledger(tmp_path / "b.sqlite3")
    Linker(zoom, None, first, PLAN, now=lambda: NOW).run([ann, bob])
    (low,) = zoom.meetings
    zoom.hidden = {low}
    Linker(zoom, None, second, PLAN, now=lambda: NOW).run([ann, bob, cat])
    zoom.hidden = set()
    report = Linker(zoom, None, second, PLAN, now=lambda: NOW).run([ann, bob, cat])
    assert set(zoom.meetings) == {low}
    assert sorted(r.email for r in zoom.reg[low]) == [
        "ann@example.com",
        "bob@example.com",
        "cat@example.com",
    ]
    links = {r.email: r.join_url for r in zoom.reg[low]}
    assert [r.status for r in report.results] == ["updated", "updated", "updated"]
    assert [r.join_url for r in report.results] == [
        links["ann@example.com"],
        links["bob@example.com"],
        links["cat@example.com"],
    ]
    # runner A still has the right links, and no more work
    again = Linker(zoom, None, first, PLAN, now=lambda: NOW).run([ann, bob, cat])
    assert {r.booking_id: r.status for r in again.results} == {
        "21": "unchanged",
        "22": "unchanged",
        "23": "unchanged",
    }


def test_the_marker_is_looked_for_again_right_before_a_create(
    ledger: Ledger, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The host was listed a while ago; meanwhile a run elsewhere made the meeting: adopt it."""
    zoom = HidingZoom()
    zoom.meetings[81000000999] = {
        **meeting_request(Unit("b11", False, "zu1", [booking("11")]), PLAN).to_json(),
        "host": "zu1",
        "join_url": "https://zoom.test/j/81000000999",
    }
    zoom.hidden = {81000000999}  # not there yet when this run lists the host
    clock = iter(NOW + timedelta(seconds=s) for s in itertools.count(0, 3))

    linker = Linker(zoom, None, ledger, PLAN, now=lambda: next(clock))
    ensure_new = linker.meetings.ensure_new

    def reveal(*args: Any, **kwargs: Any) -> Any:
        zoom.hidden = set()  # ... and there by the time it is about to create
        return ensure_new(*args, **kwargs)

    monkeypatch.setattr(linker.meetings, "ensure_new", reveal)
    report = linker.run([booking("11")])
    assert [(r.status, r.meeting_id) for r in report.results] == [("created", 81000000999)]
    assert [c for c in zoom.calls if c[0] == "create"] == []
    assert len(zoom.meetings) == 1


# -- useful work per request, and the no-op run ---------------------------------------------


def test_new_class_meeting_is_not_asked_for_its_registrants(ledger: Ledger) -> None:
    zoom = FakeZoom()
    group = [booking(str(i), service="2", provider="2", client=f"C{i} X") for i in (31, 32)]
    assert run(zoom, ledger, group) == {"31": "created", "32": "created"}
    assert not [c for c in zoom.calls if c[0] == "registrants"]  # made in this run: empty


def test_adopted_class_meeting_is_still_asked_for_its_registrants(tmp_path: Path) -> None:
    zoom = FakeZoom()
    group = [booking("41", service="2", provider="2", client="Ann Lee")]
    first = Ledger(tmp_path / "a.sqlite3")
    run(zoom, first, group)
    first.close()
    zoom.calls.clear()
    lost = Ledger(tmp_path / "b.sqlite3")  # a lost ledger: the meeting is adopted, not made
    assert run(zoom, lost, group) == {"41": "unchanged"}
    assert [c for c in zoom.calls if c[0] == "registrants"]
    assert not [c for c in zoom.calls if c[0] == "add_registrant"]
    lost.close()


def test_cancelled_never_linked_seat_is_checked_once_and_remembered(tmp_path: Path) -> None:
    zoom = FakeZoom()
    staying = booking("51", service="2", provider="2", client="Ann Lee")
    gone = booking("52", service="2", provider="2", client="Bo Ray", cancelled=True)
    first = Ledger(tmp_path / "a.sqlite3")
    run(zoom, first, [staying])
    first.close()
    ledger = Ledger(tmp_path / "b.sqlite3")  # knows neither seat: asks Zoom about the cancelled one
    run(zoom, ledger, [staying, gone])
    zoom.calls.clear()
    assert run(zoom, ledger, [staying, gone])["52"] == "unchanged"
    assert zoom.calls == [("upcoming", "zu2")]  # no registrant listing any more
    ledger.close()


def test_unchanged_run_writes_nothing_to_the_ledger(ledger: Ledger) -> None:
    zoom = FakeZoom()
    bookings = [booking(str(i), day=1 + i % 20) for i in range(60, 90)]
    run(zoom, ledger, bookings)
    changes = ledger._db.total_changes
    assert set(run(zoom, ledger, bookings).values()) == {"unchanged"}
    assert ledger._db.total_changes == changes


def test_soonest_bookings_are_linked_first(ledger: Ledger) -> None:
    zoom = FakeZoom()
    late, soon = booking("71", day=20), booking("72", day=2)
    run(zoom, ledger, [late, soon])
    created = [m["start_time"] for m in zoom.meetings.values()]
    assert created == sorted(created)  # the meeting of the soonest booking was made first


# -- the backfill plan: 100 creates/updates per host per UTC day ----------------------------


def test_over_the_daily_limit_the_soonest_are_linked_and_the_rest_planned(ledger: Ledger) -> None:
    zoom = FakeZoom()
    bookings = [booking(str(1000 + i), day=1 + i % 28, start_hour=8 + i % 10) for i in range(130)]
    report = Linker(zoom, None, ledger, PLAN, now=lambda: NOW, used_today={"zu1": 40}).run(bookings)
    statuses = {r.booking_id: r.status for r in report.results}
    assert list(statuses.values()).count("created") == 60  # 100 a day, 40 already used today
    assert list(statuses.values()).count("deferred") == 70
    assert len(zoom.writes()) == 60  # no request beyond the allowance
    linked = sorted(b.start for b in bookings if statuses[b.id] == "created")
    waiting = sorted(b.start for b in bookings if statuses[b.id] == "deferred")
    assert linked[-1] <= waiting[0]  # the soonest got the allowance
    (plan,) = report.backfill
    assert (plan.host_id, plan.used_before, plan.spent) == ("zu1", 40, 60)
    assert (plan.bookings_today, plan.bookings_waiting, plan.over) == (60, 70, True)
    assert plan.done_by(NOW.date()) == NOW.date() + timedelta(days=1)
    data = link_report_json(report)["backfill"]
    assert data[0]["done_by"] == "2026-11-25" and data[0]["used_today"] == 100  # type: ignore[index]


def test_dry_run_plans_the_backfill_without_changing_anything(ledger: Ledger) -> None:
    zoom = FakeZoom()
    bookings = [booking(str(2000 + i), day=1 + i % 28) for i in range(250)]
    plan = replace(PLAN, dry_run=True)
    report = Linker(zoom, None, ledger, plan, now=lambda: NOW).run(bookings)
    (host,) = report.backfill
    assert (host.bookings_today, host.bookings_waiting) == (100, 150)
    assert host.done_by(NOW.date()).isoformat() == "2026-11-26"  # 150 more: two more days
    assert "would use 100 of 100" in backfill_line(host, NOW.date(), dry_run=True)
    assert zoom.writes() == [] and zoom.meetings == {}


def test_ledger_counts_todays_creates_and_updates_per_host(ledger: Ledger) -> None:
    zoom = FakeZoom()
    run(zoom, ledger, [booking("3001"), booking("3002", provider="2", service="1")])
    run(zoom, ledger, [booking("3001", start_hour=11)])  # one update
    midnight = NOW.replace(hour=0)
    assert ledger.creates_updates_since(midnight) == {"zu1": 2, "zu2": 1}
    assert ledger.creates_updates_since(NOW + timedelta(hours=1)) == {}


def test_cancelled_seat_of_a_new_session_is_remembered_in_the_first_run(ledger: Ledger) -> None:
    zoom = FakeZoom()
    staying = booking("61", service="2", provider="2", client="Ann Lee")
    gone = booking("62", service="2", provider="2", client="Bo Ray", cancelled=True)
    run(zoom, ledger, [staying, gone])
    zoom.calls.clear()
    assert run(zoom, ledger, [staying, gone]) == {"61": "unchanged", "62": "unchanged"}
    assert zoom.calls == [("upcoming", "zu2")]  # the no-op run: one listing, nothing else
