"""A class session: one meeting (``unit_meeting.py``) with a Zoom registrant per client, whose
personal join link is the client's link. Clients are registered (or their registration adopted),
a cancelled seat's registration ends, and the last client out ends the meeting."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sbzoom.clients.zoom import MAX_REGISTRANT_EMAIL, MeetingGoneError, Registrant
from sbzoom.core.bookings.converge import relinked_reason
from sbzoom.core.bookings.meeting import split_name
from sbzoom.core.bookings.model import HostExhaustedError, LinkResult
from sbzoom.core.bookings.state import UnitWork
from sbzoom.errors import AuthError, ConfigError, RemoteError, SbzoomError
from sbzoom.store.ledger import Audit

if TYPE_CHECKING:
    from sbzoom.core.bookings.model import BookingView, ZoomMeeting
    from sbzoom.core.bookings.units import Unit
    from sbzoom.store.ledger import MeetingRow


class Sessions(UnitWork):
    def link(self, unit: Unit, *, retried: bool = False) -> list[LinkResult]:
        try:
            return self._link_once(unit)
        except MeetingGoneError:
            # A registrant call found the meeting deleted or expired (Zoom code 300): forget it
            # and give the session a new meeting once; every client gets a new personal link.
            row = self.state.ledger.meeting(unit.key)
            if retried or row is None or row.meeting_id is None:
                raise
            gone = Audit(unit.first.id, "check", row.meeting_id, "missing", "gone on Zoom")
            self.state.save_meeting(
                unit.key, row.meeting_id, row.host_id, "", "", "", "deleted", gone
            )
            return self.link(unit, retried=True)

    def _link_once(self, unit: Unit) -> list[LinkResult]:
        state = self.state
        if not unit.active:  # every client of this session in the run has cancelled
            return [self._cancel_seat(unit, b) for b in unit.bookings]
        old = state.ledger.meeting(unit.key)
        meeting, meeting_status, reason = self.meetings.ensure(unit)
        same_meeting = old is not None and old.meeting_id == meeting.id
        registrants: list[Registrant] | None = None
        results: list[LinkResult] = []
        for booking in unit.bookings:
            if booking.cancelled:
                results.append(self._cancel_seat(unit, booking, meeting))
                continue
            previous = state.ledger.booking(booking.id)
            if (
                same_meeting
                and previous is not None
                and previous.status == "linked"
                and previous.unit_key == unit.key
                and previous.registrant_id
                and previous.join_url  # else: look the personal link up again below
            ):
                status = "updated" if meeting_status == "updated" else "unchanged"
                self.write_back.write(booking.id, previous.join_url, meeting.id)
                why = reason if status == "updated" else ""
                results.append(LinkResult(booking.id, status, meeting.id, previous.join_url, why))
                continue
            if not booking.client_email:
                why = "client has no e-mail address; Zoom registers class attendees by e-mail"
                results.append(LinkResult(booking.id, "skipped", reason=why))
                continue
            if len(booking.client_email) > MAX_REGISTRANT_EMAIL:
                why = (
                    f"client e-mail is {len(booking.client_email)} characters; Zoom takes at most "
                    f"{MAX_REGISTRANT_EMAIL} for a registrant: shorten it in SimplyBook"
                )
                results.append(LinkResult(booking.id, "skipped", reason=why))
                continue
            if state.preview:  # registering is what would give the client their own link
                why = "would register the client"
                results.append(LinkResult(booking.id, "created", meeting.id or None, "", why))
                continue
            try:
                if registrants is None:
                    # A meeting made moments ago in this run has nobody registered yet.
                    made = meeting.id in state.made
                    registrants = [] if made else state.zoom.registrants(meeting.id)
                results.append(self._register(unit, booking, meeting, registrants, reason))
            except (HostExhaustedError, AuthError, ConfigError, MeetingGoneError):
                raise
            except SbzoomError as exc:  # one bad seat must not fail the whole class
                state.audit(booking.id, "add-registrant", meeting.id, "failed", exc.message)
                down = isinstance(exc, RemoteError)
                results.append(
                    LinkResult(
                        booking.id, "failed", meeting.id, reason=exc.message, unavailable=down
                    )
                )
        return results

    def _register(
        self,
        unit: Unit,
        booking: BookingView,
        meeting: ZoomMeeting,
        registrants: list[Registrant],
        reason: str,
    ) -> LinkResult:
        state = self.state
        email = booking.client_email.lower()
        match = next((r for r in registrants if r.email.lower() == email), None)
        status = "unchanged" if match is not None else "created"  # found: adopt it
        previous = state.ledger.booking(booking.id)
        if booking.id in state.relinked:
            status, reason = "updated", relinked_reason(state.relinked[booking.id])
        elif (
            match is not None
            and previous is not None
            and previous.status == "linked"
            and previous.unit_key == unit.key
            and previous.join_url
            and previous.join_url != match.join_url
        ):  # the meeting was replaced (deleted on Zoom, or a duplicate removed elsewhere)
            status = "updated"
            reason = reason or "the client's link changed: the session's meeting was replaced"
        if match is None:
            first_name, last_name = split_name(booking.client_name)
            match = state.zoom_writes.add_registrant(
                meeting.id, booking.client_email, first_name, last_name
            )
            registrants.append(match)
            state.audit(booking.id, "add-registrant", meeting.id, "ok")
        if not match.join_url:  # never the meeting's generic link in its place
            raise SbzoomError(
                f"Zoom has no personal join link for {booking.client_email} in meeting "
                f"{meeting.id} (the registration may be pending or denied).",
                "Approve the registrant in the Zoom web portal, then run 'sbzoom bookings link'.",
            )
        state.save_booking(booking.id, unit.key, match.id, match.join_url, "linked", "")
        self.write_back.write(booking.id, match.join_url, meeting.id)
        return LinkResult(booking.id, status, meeting.id, match.join_url, reason)

    def _cancel_seat(
        self, unit: Unit, booking: BookingView, current: ZoomMeeting | None = None
    ) -> LinkResult:
        state = self.state
        previous = state.ledger.booking(booking.id)
        meeting = state.ledger.meeting(unit.key)
        if (
            previous is None
            or previous.status != "linked"
            or previous.unit_key != unit.key
            or meeting is None
            or meeting.meeting_id is None
            or meeting.status != "active"
        ):
            if previous is not None and previous.status == "cancelled":
                return LinkResult(booking.id, "unchanged", reason="booking is cancelled")
            if previous is None:  # the ledger may be lost: ask Zoom
                return self._cancel_unknown_seat(unit, booking, current)
            return LinkResult(booking.id, "skipped", reason="booking is cancelled; no meeting")
        self.leave(booking.id, unit.key, previous.registrant_id, meeting)
        state.save_booking(booking.id, unit.key, "", "", "cancelled", "")
        return LinkResult(
            booking.id, "cancelled", meeting.meeting_id, reason="booking was cancelled"
        )

    def _cancel_unknown_seat(
        self, unit: Unit, booking: BookingView, current: ZoomMeeting | None = None
    ) -> LinkResult:
        """A cancelled seat the ledger does not know: end its registration if Zoom has one.

        The session itself is left alone: with no ledger, who else attends is not known here.
        """
        state = self.state
        none = LinkResult(booking.id, "skipped", reason="booking is cancelled; no meeting")
        if current is not None and current.id in state.made:
            # The session's meeting was made moments ago: this seat was never registered.
            state.save_booking(booking.id, unit.key, "", "", "cancelled", "never registered")
            return none
        meeting = (
            self.listings.marked(unit.host_id, unit.key, fresh=False) if unit.host_id else None
        )
        email = booking.client_email.lower()
        staying = {b.client_email.lower() for b in unit.active}
        if meeting is None and unit.host_id and email:
            # No meeting carries the session's marker: no registration to end, now or later.
            state.save_booking(booking.id, unit.key, "", "", "cancelled", "never registered")
            return none
        if meeting is None or not email or email in staying:
            return none
        seat = next(
            (r for r in state.zoom.registrants(meeting.id) if r.email.lower() == email), None
        )
        if seat is None:
            # Remembered: later runs need not ask Zoom about this seat again.
            state.save_booking(booking.id, unit.key, "", "", "cancelled", "never registered")
            return none
        state.zoom_writes.cancel_registrant(meeting.id, seat)
        state.audit(booking.id, "cancel-registrant", meeting.id, "ok", "found on Zoom")
        state.save_booking(booking.id, unit.key, "", "", "cancelled", "")
        return LinkResult(booking.id, "cancelled", meeting.id, reason="booking was cancelled")

    def leave(self, booking_id: str, key: str, registrant_id: str, meeting: MeetingRow) -> None:
        """A client leaves a class session: their registration ends, and the meeting with the last.

        Clients the ledger holds in the session count as staying unless this run saw them go
        elsewhere, so linking one booking by id never ends a session others still attend. Two
        seats booked with one e-mail share a Zoom registrant; it is cancelled with the last seat.
        """
        state = self.state
        assert meeting.meeting_id is not None
        others = [
            b
            for b in state.ledger.bookings_of(key)
            if b.status == "linked"
            and b.booking_id != booking_id
            and state.current.get(b.booking_id, key) == key
        ]
        if not others:
            state.zoom_writes.delete(meeting.meeting_id)
            empty = Audit(
                booking_id, "delete", meeting.meeting_id, detail=f"session {key} is empty"
            )
            state.save_meeting(
                key, meeting.meeting_id, meeting.host_id, "", "", "", "deleted", empty
            )
        elif registrant_id and all(b.registrant_id != registrant_id for b in others):
            state.zoom_writes.cancel_registrant(meeting.meeting_id, Registrant(registrant_id, ""))
            state.audit(booking_id, "cancel-registrant", meeting.meeting_id, "ok")
