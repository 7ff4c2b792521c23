"""A host's scheduled meetings as one listing shows them, indexed for what the engine asks of it
for every unit: is this meeting still on Zoom, which meeting carries this unit's marker, and does
the marker have duplicates. All three are lookups, not scans of the listing: a run over thousands
of bookings asks them once per unit (issue 17). ``HostListings`` keeps one run's listings: each
host is listed once per run, and again only when a step needs it fresh."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import TYPE_CHECKING

from sbzoom.core.bookings.converge import marker_key
from sbzoom.core.bookings.model import ZoomMeeting

if TYPE_CHECKING:
    from sbzoom.core.bookings.model import ZoomOps


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


class HostListings:
    """The hosts' scheduled meetings as this run listed them, shared by every worker."""

    def __init__(self, zoom: ZoomOps, now: Callable[[], datetime]) -> None:
        self.zoom = zoom
        self.now = now
        self._lock = threading.Lock()
        self._upcoming: dict[str, HostListing] = {}
        self._listed_at: dict[str, datetime] = {}

    def of(self, host: str, *, fresh: bool, max_age: float | None = None) -> HostListing:
        """The host's scheduled meetings, listed once per host per run (again when ``fresh``,
        or when the listing is older than ``max_age`` seconds)."""
        with self._lock:
            listed = self._listed_at.get(host)
            stale = (
                max_age is not None
                and listed is not None
                and (self.now() - listed).total_seconds() > max_age
            )
            if fresh or stale or host not in self._upcoming:
                self._upcoming[host] = HostListing.of(self.zoom.upcoming(host))
                self._listed_at[host] = self.now()
            return self._upcoming[host]

    def marked(
        self, host: str, key: str, *, fresh: bool, max_age: float | None = None
    ) -> ZoomMeeting | None:
        """The host's meeting carrying the unit's marker; of several, the lowest id (the one
        ``converge.keeper`` keeps when no comment names another)."""
        return self.of(host, fresh=fresh, max_age=max_age).marked_with(key)

    def marked_elsewhere(self, hosts: Iterable[str], host: str, key: str) -> ZoomMeeting | None:
        """The meeting carrying the unit's marker on one of the other ``hosts``."""
        for other in sorted(set(hosts) - {host}):
            found = self.marked(other, key, fresh=False)
            if found is not None:
                return replace(found, host_id=found.host_id or other)
        return None

    def drop(self, host: str, ids: set[int]) -> None:
        """Meetings this run deleted leave the host's listing."""
        with self._lock:
            listing = self._upcoming.get(host)
            if listing is not None:
                self._upcoming[host] = listing.without(ids)
