"""Bookings that leave what sbzoom made for them: gone from SimplyBook, out of scope now (an
orphan: reported, or its meeting cancelled when the plan says so), no longer mapped to a Zoom
user, or moved to another unit (another class session, or from one-to-one into a class).

A one-to-one booking's meeting is deleted; a class client leaves the session
(``sessions.Sessions.leave``: the last one out ends it).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from sbzoom.core.bookings.model import LinkResult
from sbzoom.core.online import Orphan, orphan_reason
from sbzoom.errors import AuthError, ConfigError, RemoteError, SbzoomError
from sbzoom.store.ledger import Audit

if TYPE_CHECKING:
    from sbzoom.core.bookings.model import BookingView
    from sbzoom.core.bookings.sessions import Sessions
    from sbzoom.core.bookings.state import RunState
    from sbzoom.store.ledger import BookingRow, MeetingRow


class Cancellations:
    def __init__(self, state: RunState, sessions: Sessions) -> None:
        self.state = state
        self.sessions = sessions

    def forget(self, booking_ids: Sequence[str]) -> list[LinkResult]:
        """Bookings SimplyBook no longer has: end their meeting, or their place in a class."""
        state = self.state
        results = []
        for booking_id in booking_ids:
            row = state.ledger.booking(booking_id)
            meeting = state.ledger.meeting(row.unit_key) if row else None
            if row is None or meeting is None or meeting.meeting_id is None:
                continue
            if row.status != "linked" or meeting.status != "active":
                continue
            reason = "booking no longer exists in SimplyBook"
            try:
                with state.hold(row.unit_key):
                    self._end_place(booking_id, row, meeting)
            except (AuthError, ConfigError):
                raise
            except SbzoomError as exc:
                results.append(
                    LinkResult(
                        booking_id,
                        "failed",
                        meeting.meeting_id,
                        reason=exc.message,
                        unavailable=isinstance(exc, RemoteError),
                    )
                )
                continue
            results.append(LinkResult(booking_id, "cancelled", meeting.meeting_id, reason=reason))
        return results

    def orphans(self, bookings: Sequence[tuple[BookingView, Orphan]]) -> list[LinkResult]:
        """Bookings out of scope now (their service is no longer online) whose meeting sbzoom
        made: reported as orphaned, or cancelled when the plan says so."""
        results = []
        for booking, cause in bookings:
            result = self._orphan(booking.id, cause)
            if result is not None:
                results.append(result)
        return results

    def unmapped(self, booking: BookingView) -> LinkResult:
        """A booking whose provider has no Zoom user: skipped, or orphaned if it had a meeting."""
        cause = Orphan(
            f"provider {booking.provider_name} ({booking.provider_id}) is not mapped to a "
            "Zoom user",
            f"map it with 'sbzoom providers map {booking.provider_id} ZOOM_USER'",
        )
        found = self._orphan(booking.id, cause)
        if found is not None:
            return found
        if booking.cancelled:
            return LinkResult(booking.id, "skipped", reason="booking is cancelled; no meeting")
        return LinkResult(booking.id, "skipped", reason=f"{cause.why}; {cause.fix}")

    def detach_moved(self, before: dict[str, BookingRow | None]) -> None:
        """Bookings now in another unit leave the old one: a client who moved to another class
        session leaves it (the last one out ends it); a booking whose service became a class
        gives up its one-to-one meeting."""
        state = self.state
        for booking_id, row in before.items():
            if row is None or row.status != "linked":
                continue
            now_in = state.current.get(booking_id, row.unit_key)
            if now_in == row.unit_key or now_in in state.not_started:
                continue  # not moved, or its new unit was not done: the next run moves it
            try:
                with state.hold(row.unit_key):
                    self._detach(booking_id, row)
            except (AuthError, ConfigError):
                raise
            except SbzoomError:  # Zoom went away: the report stands; a later run finishes this
                continue

    def _orphan(self, booking_id: str, cause: Orphan) -> LinkResult | None:
        """The result for a booking sbzoom no longer keeps right; None when it has no meeting."""
        state = self.state
        row = state.ledger.booking(booking_id)
        meeting = state.ledger.meeting(row.unit_key) if row else None
        if row is None or row.status != "linked" or meeting is None:
            return None
        if meeting.meeting_id is None or meeting.status != "active":
            return None
        meeting_id = meeting.meeting_id
        if not state.plan.cancel_orphans:
            reason = orphan_reason(cause, meeting_id, booking_id)
            return LinkResult(booking_id, "orphaned", meeting_id, row.join_url, reason)
        why = f"orphaned: {cause.why}"
        try:
            if row.registrant_id:
                self.sessions.leave(booking_id, row.unit_key, row.registrant_id, meeting)
                state.audit(booking_id, "cancel-orphan", meeting_id, "ok", cause.why)
            else:
                state.zoom_writes.delete(meeting_id)
                audit = Audit(booking_id, "cancel-orphan", meeting_id, detail=cause.why)
                state.save_meeting(
                    row.unit_key, meeting_id, meeting.host_id, "", "", "", "deleted", audit
                )
        except (AuthError, ConfigError):
            raise
        except SbzoomError as exc:
            state.audit(booking_id, "cancel-orphan", meeting_id, "failed", exc.message)
            return LinkResult(booking_id, "failed", meeting_id, reason=exc.message)
        state.save_booking(booking_id, row.unit_key, "", "", "cancelled", why)
        done = "would cancel" if state.preview else "meeting cancelled"
        return LinkResult(booking_id, "cancelled", meeting_id, reason=f"{why}; {done}")

    def _end_place(self, booking_id: str, row: BookingRow, meeting: MeetingRow) -> None:
        state = self.state
        assert meeting.meeting_id is not None
        if row.registrant_id:
            self.sessions.leave(booking_id, row.unit_key, row.registrant_id, meeting)
        else:
            state.zoom_writes.delete(meeting.meeting_id)
            gone = Audit(booking_id, "delete", meeting.meeting_id, detail="booking gone")
            state.save_meeting(
                row.unit_key, meeting.meeting_id, meeting.host_id, "", "", "", "deleted", gone
            )
        state.save_booking(booking_id, row.unit_key, "", "", "cancelled", "deleted in SimplyBook")

    def _detach(self, booking_id: str, row: BookingRow) -> None:
        state = self.state
        old = state.ledger.meeting(row.unit_key)
        if old is None or old.meeting_id is None or old.status != "active":
            return
        if row.registrant_id:
            self.sessions.leave(booking_id, row.unit_key, row.registrant_id, old)
        else:
            # Doomed first: an outage now cannot make it forgotten.
            state.ledger_writes.doom(old.meeting_id, old.host_id, "now in a class", state.now())
            state.zoom_writes.delete(old.meeting_id)
            why = Audit(booking_id, "delete", old.meeting_id, detail="now in a class session")
            state.save_meeting(
                row.unit_key, old.meeting_id, old.host_id, "", "", "", "deleted", why
            )
            state.ledger_writes.spare(old.meeting_id, state.now())
