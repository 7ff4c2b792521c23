"""A one-to-one booking: its unit's meeting is the client's link (``unit_meeting.py`` makes it
match); a cancelled booking's meeting is deleted."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sbzoom.core.bookings.converge import relinked_reason
from sbzoom.core.bookings.model import LinkResult
from sbzoom.core.bookings.state import UnitWork
from sbzoom.store.ledger import Audit

if TYPE_CHECKING:
    from sbzoom.core.bookings.model import BookingView
    from sbzoom.core.bookings.units import Unit


class OneToOne(UnitWork):
    def link(self, unit: Unit) -> list[LinkResult]:
        state = self.state
        booking = unit.bookings[0]
        assert unit.host_id is not None
        if booking.cancelled:
            return [self._cancel(unit, booking)]
        meeting, status, reason = self.meetings.ensure(unit)
        previous = state.ledger.booking(booking.id)
        if booking.id in state.relinked and status == "unchanged":
            status, reason = "updated", relinked_reason(state.relinked[booking.id])
        elif (
            status == "unchanged"
            and previous is not None
            and previous.status == "linked"
            and previous.unit_key == unit.key
            and previous.join_url
            and previous.join_url != meeting.join_url
        ):  # the meeting was replaced (a duplicate removed by a run elsewhere)
            status, reason = "updated", "the link changed: the booking's meeting was replaced"
        state.save_booking(booking.id, unit.key, "", meeting.join_url, "linked", "")
        self.write_back.write(booking.id, meeting.join_url, meeting.id)
        return [LinkResult(booking.id, status, meeting.id or None, meeting.join_url, reason)]

    def _cancel(self, unit: Unit, booking: BookingView) -> LinkResult:
        state = self.state
        row = state.ledger.meeting(unit.key)
        meeting_id = row.meeting_id if row and row.status != "deleted" else None
        if meeting_id is None and unit.host_id is not None:
            found = self.listings.marked(unit.host_id, unit.key, fresh=False)
            meeting_id = found.id if found else None
        if meeting_id is None:
            previous = state.ledger.booking(booking.id)
            if previous is not None and previous.status == "cancelled":
                return LinkResult(booking.id, "unchanged", reason="booking is cancelled")
            return LinkResult(booking.id, "skipped", reason="booking is cancelled; no meeting")
        state.zoom_writes.delete(meeting_id)
        deleted = Audit(booking.id, "delete", meeting_id)
        state.save_meeting(unit.key, meeting_id, unit.host_id or "", "", "", "", "deleted", deleted)
        state.save_booking(booking.id, unit.key, "", "", "cancelled", "")
        return LinkResult(booking.id, "cancelled", meeting_id, reason="booking was cancelled")
