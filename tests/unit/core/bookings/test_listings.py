"""A host's listing answers the engine's per-unit questions by lookup, and the same as the scans
it replaces (converge.duplicates, the lowest id of a marker)."""

from __future__ import annotations

from sbzoom.core.bookings.converge import duplicates
from sbzoom.core.bookings.listings import HostListing
from sbzoom.core.bookings.model import ZoomMeeting


def meeting(mid: int, agenda: str) -> ZoomMeeting:
    return ZoomMeeting(mid, "zu1", f"https://zoom.test/j/{mid}", agenda=agenda)


MEETINGS = [
    meeting(30, "[sbzoom:b1] Booking A"),
    meeting(10, "[sbzoom:b1] Booking A, made twice"),
    meeting(20, "[sbzoom:s1.2.20261201T1500Z] Yoga"),
    meeting(40, "someone else's meeting"),
    meeting(50, ""),
]


def test_lookups_answer_as_the_scans_did() -> None:
    listing = HostListing.of(MEETINGS)
    assert listing.has(40) and not listing.has(41)
    marked = listing.marked_with("b1")
    assert marked is not None and marked.id == 10  # the lowest id
    assert listing.marked_with("b2") is None
    scanned = duplicates(MEETINGS)
    for key in ("b1", "s1.2.20261201T1500Z", "b2"):
        assert listing.duplicates_of(key) == scanned.get(key, [])


def test_a_listing_without_the_deleted_duplicates() -> None:
    listing = HostListing.of(MEETINGS).without({30})
    assert not listing.has(30) and listing.duplicates_of("b1") == []
    marked = listing.marked_with("b1")
    assert marked is not None and marked.id == 10
