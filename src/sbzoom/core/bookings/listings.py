"""A host's scheduled meetings as one listing shows them, indexed for what the engine asks of it
for every unit: is this meeting still on Zoom, which meeting carries this unit's marker, and does
the marker have duplicates. All three are lookups, not scans of the listing: a run over thousands
of bookings asks them once per unit (issue 17)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sbzoom.core.bookings.converge import marker_key
from sbzoom.core.bookings.model import ZoomMeeting


@dataclass(frozen=True)
class HostListing:
    meetings: Sequence[ZoomMeeting]
    ids: frozenset[int]
    by_marker: dict[str, list[ZoomMeeting]]  # marker key -> its meetings, lowest id first

    @classmethod
    def of(cls, meetings: Iterable[ZoomMeeting]) -> HostListing:
        listed = list(meetings)
        by_marker: dict[str, list[ZoomMeeting]] = {}
        for meeting in listed:
            key = marker_key(meeting.agenda)
            if key is not None:
                by_marker.setdefault(key, []).append(meeting)
        for found in by_marker.values():
            found.sort(key=lambda m: m.id)
        return cls(listed, frozenset(m.id for m in listed), by_marker)

    def has(self, meeting_id: int) -> bool:
        return meeting_id in self.ids

    def marked_with(self, key: str) -> ZoomMeeting | None:
        """The meeting carrying the unit's marker; of several, the lowest id (the one
        ``converge.keeper`` keeps when no comment names another)."""
        found = self.by_marker.get(key)
        return found[0] if found else None

    def duplicates_of(self, key: str) -> list[ZoomMeeting]:
        """The meetings carrying the marker when there are several (``converge.duplicates``
        for one key), else none."""
        found = self.by_marker.get(key, [])
        return list(found) if len(found) > 1 else []

    def without(self, ids: set[int]) -> HostListing:
        return HostListing.of(m for m in self.meetings if m.id not in ids)
