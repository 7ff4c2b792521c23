"""A host's scheduled meetings as one listing shows them, indexed for what the engine asks of it:
is this meeting still on Zoom, and which meeting carries this unit's marker. Both are lookups,
not scans: a run over thousands of bookings asks them once per unit (issue 17)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sbzoom.core.bookings.converge import marker_key
from sbzoom.core.bookings.model import ZoomMeeting


@dataclass(frozen=True)
class HostListing:
    meetings: Sequence[ZoomMeeting]
    ids: frozenset[int]
    marked: dict[str, ZoomMeeting]  # marker key -> its meeting of the lowest id

    @classmethod
    def of(cls, meetings: Iterable[ZoomMeeting]) -> HostListing:
        listed = list(meetings)
        marked: dict[str, ZoomMeeting] = {}
        for meeting in listed:
            key = marker_key(meeting.agenda)
            if key is not None and (key not in marked or meeting.id < marked[key].id):
                marked[key] = meeting
        return cls(listed, frozenset(m.id for m in listed), marked)

    def has(self, meeting_id: int) -> bool:
        return meeting_id in self.ids

    def marked_with(self, key: str) -> ZoomMeeting | None:
        """The meeting carrying the unit's marker; of several, the lowest id (the one
        ``converge.keeper`` keeps when no comment names another)."""
        return self.marked.get(key)

    def without(self, ids: set[int]) -> HostListing:
        return HostListing.of(m for m in self.meetings if m.id not in ids)
