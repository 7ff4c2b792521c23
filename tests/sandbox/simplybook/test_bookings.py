"""SimplyBook bookings (sandbox/simplybook/bookings.py): filter[...] only, paging, full-replace
edits, cancellation, comments, changes from Python, DST wall times, 50,000 bookings."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

import httpx

from sbzoom.sandbox import Sandbox
from tests.sandbox._helpers import sb_session
from tests.sandbox_fixture import MakeSandbox


def test_unprefixed_filters_are_ignored_and_prefixed_ones_honoured(
    sandbox: Sandbox, http: httpx.Client
) -> None:
    headers = sb_session(http, sandbox)
    url = f"{sandbox.simplybook_api_url}/admin/bookings"
    everything = http.get(url, params={"on_page": 100}, headers=headers).json()
    total = everything["metadata"]["items_count"]
    ignored = http.get(
        url,
        params={"on_page": 100, "services[]": "3", "status": "pending", "date_from": "2099-01-01"},
        headers=headers,
    ).json()
    assert ignored["metadata"]["items_count"] == total
    yoga = http.get(
        url, params={"on_page": 100, "filter[services][]": "3"}, headers=headers
    ).json()["data"]
    assert {b["id"] for b in yoga} == {1004, 1005, 1006, 1011}
    indexed = http.get(
        url, params={"filter[services][0]": "3", "filter[providers][]": "1"}, headers=headers
    ).json()["data"]
    assert {b["id"] for b in indexed} == {1004, 1005, 1006, 1011}
    pending = http.get(url, params={"filter[status]": "pending"}, headers=headers).json()["data"]
    assert [b["id"] for b in pending] == [1007]
    start = everything["data"][0]["start_datetime"][:10]
    on_day = http.get(
        url, params={"filter[date_from]": start, "filter[date_to]": start}, headers=headers
    ).json()["data"]
    assert on_day and all(b["start_datetime"].startswith(start) for b in on_day)
    upcoming = http.get(
        url, params={"filter[upcoming_only]": "1", "on_page": 100}, headers=headers
    ).json()["data"]
    assert 1012 not in {b["id"] for b in upcoming}  # the past booking


def test_paging_metadata_through_the_last_page(
    make_sandbox: MakeSandbox, http: httpx.Client
) -> None:
    sandbox = make_sandbox(bookings=25)
    headers = sb_session(http, sandbox)
    url = f"{sandbox.simplybook_api_url}/admin/bookings"
    first = http.get(url, headers=headers).json()
    meta = first["metadata"]
    assert meta == {"items_count": 40, "pages_count": 4, "page": 1, "on_page": 10}
    seen = [b["id"] for b in first["data"]]
    for page in range(2, meta["pages_count"] + 1):
        seen += [
            b["id"] for b in http.get(url, params={"page": page}, headers=headers).json()["data"]
        ]
    assert len(seen) == len(set(seen)) == 40
    beyond = http.get(url, params={"page": 5}, headers=headers).json()
    assert beyond["data"] == []
    capped = http.get(url, params={"on_page": 500}, headers=headers).json()
    assert capped["metadata"]["on_page"] == 100


def test_booking_edit_is_a_full_replace_cancel_and_comment(
    sandbox: Sandbox, http: httpx.Client
) -> None:
    headers = sb_session(http, sandbox)
    url = f"{sandbox.simplybook_api_url}/admin/bookings/1001"
    partial = http.put(url, json={"start_datetime": "2030-01-01 10:00:00"}, headers=headers)
    assert partial.status_code == 400
    assert set(partial.json()["data"]) == {"service_id", "provider_id", "client_id"}
    full = http.put(
        url,
        json={
            "start_datetime": "2030-01-01 10:00:00",
            "service_id": 1,
            "provider_id": 3,
            "client_id": 1,
        },
        headers=headers,
    )
    assert full.json()["end_datetime"] == "2030-01-01 10:30:00"
    assert full.json()["provider_id"] == 3
    comment = http.put(f"{url}/comment", json={"comment": "Zoom: link"}, headers=headers)
    assert comment.json()["comment"] == "Zoom: link"
    cancelled = http.delete(url, headers=headers)
    assert cancelled.json()["status"] == "canceled"
    assert sandbox.simplybook.booking(1001)["status"] == "canceled"  # type: ignore[index]


def test_mutations_from_python_show_in_the_api(sandbox: Sandbox, http: httpx.Client) -> None:
    headers = sb_session(http, sandbox)
    sandbox.move_booking(1002, "2030-05-05 09:00:00")
    sandbox.reassign_booking(1002, 2)
    sandbox.cancel_booking(1003)
    base = f"{sandbox.simplybook_api_url}/admin/bookings"
    moved = http.get(f"{base}/1002", headers=headers).json()
    assert (moved["start_datetime"], moved["end_datetime"]) == (
        "2030-05-05 09:00:00",
        "2030-05-05 10:00:00",
    )
    assert moved["provider_id"] == 2
    assert http.get(f"{base}/1003", headers=headers).json()["status"] == "canceled"


def test_dst_bookings_keep_their_wall_times_across_the_change(
    sandbox: Sandbox, http: httpx.Client
) -> None:
    transition = sandbox.dst_transition()
    assert transition is not None
    headers = sb_session(http, sandbox)
    before_id, on_id, after_id = sandbox.dst_booking_ids()
    base = f"{sandbox.simplybook_api_url}/admin/bookings"
    before = http.get(f"{base}/{before_id}", headers=headers).json()
    after = http.get(f"{base}/{after_id}", headers=headers).json()
    assert before["start_datetime"] == f"{transition - timedelta(days=1)} 10:00:00"
    assert after["start_datetime"] == f"{transition + timedelta(days=1)} 10:00:00"
    zone = ZoneInfo("America/New_York")
    from datetime import datetime

    offsets = {
        datetime.fromisoformat(b["start_datetime"]).replace(tzinfo=zone).utcoffset()
        for b in (before, after)
    }
    assert len(offsets) == 2  # same wall time, different UTC offsets
    listed = http.get(base, params={"filter[date]": str(transition)}, headers=headers).json()
    assert [b["id"] for b in listed["data"]] == [on_id]


def test_fifty_thousand_bookings_page_fast(make_sandbox: MakeSandbox, http: httpx.Client) -> None:
    import time

    sandbox = make_sandbox(bookings=50_000)
    headers = sb_session(http, sandbox)
    url = f"{sandbox.simplybook_api_url}/admin/bookings"
    started = time.perf_counter()
    last = http.get(
        url, params={"on_page": 100, "page": 500, "filter[services][]": "1"}, headers=headers
    ).json()
    for page in range(1, 21):
        http.get(
            url, params={"on_page": 100, "page": page, "filter[services][]": "1"}, headers=headers
        )
    # Not a speed measurement (bench/ does those): a guard against paging that rescans all
    # 50,000 bookings per page, which takes minutes here; 21 indexed pages take well under 1 s
    # on an idle machine, so the bound leaves room for a loaded CI box.
    assert time.perf_counter() - started < 15.0
    assert last["metadata"]["items_count"] > 10_000
