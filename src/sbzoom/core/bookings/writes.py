"""Where the engine's changes go: dry run as a value, not as branches.

The engine reads the ledger and Zoom the same way in every run, and sends every change through
two writers: one for the ledger, one for Zoom. A real run gets the ledger itself and the Zoom
adapter; ``--dry-run`` gets recording writers that keep a list of what would have been done and
change nothing (a new meeting comes back with id 0: "would create"). A dry run of a profile that
has no ledger yet reads an empty one (``NoLedger``), so nothing is created on disk.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Protocol

from sbzoom.core.bookings.model import ZoomMeeting, ZoomOps

if TYPE_CHECKING:
    from sbzoom.clients.zoom import MeetingRequest, Registrant
    from sbzoom.store.ledger import Audit, BookingRow, Ledger, MeetingRow


class LedgerReads(Protocol):
    def meeting(self, unit_key: str) -> MeetingRow | None: ...
    def booking(self, booking_id: str) -> BookingRow | None: ...
    def bookings_of(self, unit_key: str) -> list[BookingRow]: ...
    def doomed(self) -> list[tuple[int, str, str]]: ...
    def unit_changed_since(self, unit_key: str, moment: datetime) -> bool: ...


class LedgerWrites(Protocol):
    def put_meeting(self, row: MeetingRow, now: datetime, audit: Audit | None = None) -> None: ...
    def put_booking(self, row: BookingRow, now: datetime) -> None: ...
    def audit(
        self,
        now: datetime,
        booking_id: str,
        action: str,
        meeting_id: int | None,
        outcome: str,
        detail: str = "",
    ) -> None: ...
    def doom(self, meeting_id: int, host_id: str, reason: str, now: datetime) -> None: ...
    def spare(self, meeting_id: int, now: datetime, audit: Audit | None = None) -> None: ...


class ZoomWrites(Protocol):
    def create(self, host_id: str, request: MeetingRequest) -> ZoomMeeting: ...
    def update(self, meeting_id: int, request: MeetingRequest) -> None: ...
    def delete(self, meeting_id: int) -> None: ...
    def add_registrant(
        self, meeting_id: int, email: str, first_name: str, last_name: str
    ) -> Registrant: ...
    def cancel_registrant(self, meeting_id: int, registrant: Registrant) -> None: ...


class NoLedger:
    """The ledger of a profile that has none yet: nothing linked, nothing doomed."""

    def meeting(self, unit_key: str) -> MeetingRow | None:
        return None

    def booking(self, booking_id: str) -> BookingRow | None:
        return None

    def bookings_of(self, unit_key: str) -> list[BookingRow]:
        return []

    def doomed(self) -> list[tuple[int, str, str]]:
        return []

    def unit_changed_since(self, unit_key: str, moment: datetime) -> bool:
        return False


@dataclass
class RecordingLedger:
    """A dry run's ledger writer: records each write, applies none."""

    recorded: list[tuple[str, object]] = field(default_factory=list)

    def put_meeting(self, row: MeetingRow, now: datetime, audit: Audit | None = None) -> None:
        self.recorded.append(("put_meeting", row))

    def put_booking(self, row: BookingRow, now: datetime) -> None:
        self.recorded.append(("put_booking", row))

    def audit(
        self,
        now: datetime,
        booking_id: str,
        action: str,
        meeting_id: int | None,
        outcome: str,
        detail: str = "",
    ) -> None:
        self.recorded.append(("audit", (booking_id, action, meeting_id, outcome)))

    def doom(self, meeting_id: int, host_id: str, reason: str, now: datetime) -> None:
        self.recorded.append(("doom", meeting_id))

    def spare(self, meeting_id: int, now: datetime, audit: Audit | None = None) -> None:
        self.recorded.append(("spare", meeting_id))


@dataclass
class RecordingZoom:
    """A dry run's Zoom writer: records each change, makes none. A meeting it "creates" has
    id 0 and no link, which the results show as a meeting to be created."""

    recorded: list[tuple[str, object]] = field(default_factory=list)

    def create(self, host_id: str, request: MeetingRequest) -> ZoomMeeting:
        self.recorded.append(("create", host_id))
        return ZoomMeeting(0, host_id, "")

    def update(self, meeting_id: int, request: MeetingRequest) -> None:
        self.recorded.append(("update", meeting_id))

    def delete(self, meeting_id: int) -> None:
        self.recorded.append(("delete", meeting_id))

    def add_registrant(
        self, meeting_id: int, email: str, first_name: str, last_name: str
    ) -> Registrant:
        from sbzoom.clients.zoom import Registrant

        self.recorded.append(("add_registrant", (meeting_id, email)))
        return Registrant("", email)

    def cancel_registrant(self, meeting_id: int, registrant: Registrant) -> None:
        self.recorded.append(("cancel_registrant", (meeting_id, registrant.id)))


@dataclass(frozen=True)
class Writers:
    """The reads and writes of one run: real ones, or a dry run's."""

    ledger: LedgerReads
    ledger_writes: LedgerWrites
    zoom_writes: ZoomWrites
    dry_run: bool


def writers(zoom: ZoomOps, ledger: Ledger | None, *, dry_run: bool) -> Writers:
    """A real run writes to the ledger and Zoom; a dry run records what it would write (and
    without a ledger there is nothing to write to: its writes are recorded too)."""
    reads: LedgerReads = NoLedger() if ledger is None else ledger
    if dry_run:
        return Writers(reads, RecordingLedger(), RecordingZoom(), dry_run=True)
    ledger_writes: LedgerWrites = RecordingLedger() if ledger is None else ledger
    return Writers(reads, ledger_writes, zoom, dry_run=False)
