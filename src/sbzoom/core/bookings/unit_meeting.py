"""The Zoom meeting a unit owns, made to match the bookings: reused, updated, adopted, moved to
another host, or created; and the meetings earlier runs had to leave doomed, deleted.

Before creating, the meeting carrying the unit's marker ``[sbzoom:<key>]`` is looked for among
the host's meetings (again right before the create, when the listing is a few seconds old) and
adopted, so a crash, a timeout after Zoom committed, or a lost ledger never make a second meeting.
Every create and update spends one of the host's daily allowance (``state.Allowance``).
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from sbzoom.clients.http import MaybeCommittedError
from sbzoom.clients.zoom import MeetingGoneError
from sbzoom.core.bookings.meeting import matches, meeting_request, state_hash
from sbzoom.core.bookings.model import ZoomMeeting, meeting_gone
from sbzoom.errors import AuthError, ConfigError, SbzoomError
from sbzoom.store.ledger import Audit

if TYPE_CHECKING:
    from sbzoom.clients.zoom import MeetingRequest
    from sbzoom.core.bookings.listings import HostListings
    from sbzoom.core.bookings.state import Allowance, RunState
    from sbzoom.core.bookings.units import Unit

# Before a create, a host's listing older than this is fetched again: another runner (another
# machine, no shared lock) may have made the meeting meanwhile. One list per host per interval,
# shared by every worker, so the cost stays a few requests per run.
RECHECK_SECONDS = 5.0


class UnitMeetings:
    def __init__(self, state: RunState, listings: HostListings, allowance: Allowance) -> None:
        self.state = state
        self.listings = listings
        self.allowance = allowance

    def ensure(self, unit: Unit) -> tuple[ZoomMeeting, str, str]:
        """The unit's meeting as it should be: reused, updated, adopted, moved, or created."""
        assert unit.host_id is not None
        host = unit.host_id
        request = meeting_request(unit, self.state.plan)
        wanted = state_hash(host, request)
        row = self.state.ledger.meeting(unit.key)
        if row is not None and row.status == "active" and row.meeting_id is not None:
            current = ZoomMeeting(row.meeting_id, row.host_id, row.join_url, row.passcode)
            if row.host_id == host:
                try:
                    if not self._still_on_zoom(unit, current):
                        raise meeting_gone(current.id)
                    if row.state_hash == wanted:
                        return current, "unchanged", ""
                    self.update(unit, current, request, wanted)
                    return current, "updated", "meeting time or details changed"
                except MeetingGoneError:  # deleted on Zoom's side: adopt or create below
                    replaced, status, _ = self.ensure_new(unit, host, request, wanted)
                    why = "the meeting was deleted on Zoom; this one has a new link"
                    # adopting another meeting with the marker is a new link all the same
                    return replaced, "updated" if status == "unchanged" else status, why
            else:
                created = self._move(unit, current, host, request, wanted)
                return created, "updated", self._host_change(row.host_id, host)
        return self.ensure_new(unit, host, request, wanted, fresh=row is not None)

    def ensure_new(
        self, unit: Unit, host: str, request: MeetingRequest, wanted: str, *, fresh: bool = True
    ) -> tuple[ZoomMeeting, str, str]:
        """No usable meeting in the ledger: adopt the one carrying the marker, or create one.

        With no ledger row at all (a lost state directory) the marker is also looked for on the
        other mapped hosts: a provider may have moved host since, and that meeting must go.
        """
        state = self.state
        adopted = self.listings.marked(host, unit.key, fresh=fresh)
        if adopted is None and state.ledger.meeting(unit.key) is None:
            elsewhere = self.listings.marked_elsewhere(state.plan.hosts.values(), host, unit.key)
            if elsewhere is not None:
                moved = self._move(unit, elsewhere, host, request, wanted)
                return moved, "updated", self._host_change(elsewhere.host_id, host)
        if adopted is None:
            return self._create(unit, host, request, wanted, fresh=False), "created", ""
        audit = Audit(unit.first.id, "adopt", adopted.id)
        if matches(adopted, request):
            state.save_meeting(
                unit.key, adopted.id, host, wanted, adopted.join_url, adopted.passcode, "active",
                audit,
            )  # fmt: skip
            return adopted, "unchanged", "adopted the existing meeting"
        # Adopted first (in the ledger, with its audit row), then brought up to date.
        state.save_meeting(unit.key, adopted.id, host, "", adopted.join_url, adopted.passcode,
                           "active", audit)  # fmt: skip
        self.update(unit, adopted, request, wanted)
        return adopted, "updated", "adopted the existing meeting and updated it"

    def update(
        self, unit: Unit, meeting: ZoomMeeting, request: MeetingRequest, wanted: str
    ) -> None:
        self.allowance.spend(unit.host_id or meeting.host_id)
        self.state.zoom_writes.update(meeting.id, request)
        self.state.save_meeting(
            unit.key, meeting.id, unit.host_id or "", wanted, meeting.join_url, meeting.passcode,
            "active", Audit(unit.first.id, "update", meeting.id),
        )  # fmt: skip

    def delete_doomed(self, meeting_id: int, booking_id: str, why: str) -> None:
        self.state.zoom_writes.delete(meeting_id)
        audit = Audit(booking_id, "delete", meeting_id, detail=why)
        self.state.ledger_writes.spare(meeting_id, self.state.now(), audit)

    def finish_doomed(self) -> None:
        """Delete what earlier runs had to leave (a crash, a meeting then in progress)."""
        for meeting_id, _host, why in self.state.ledger.doomed():
            try:
                self.delete_doomed(meeting_id, "-", why)
            except (AuthError, ConfigError):
                raise
            except SbzoomError:
                continue  # still not deletable: the next run tries again

    def _host_change(self, old: str, new: str) -> str:
        label = self.state.host_label
        return f"host changed from {label(old)} to {label(new)}"

    def _move(
        self, unit: Unit, old: ZoomMeeting, host: str, request: MeetingRequest, wanted: str
    ) -> ZoomMeeting:
        """The provider's Zoom host changed: a new meeting there, and the old one deleted.

        The old meeting is written down as doomed before anything else, so a crash or a failed
        delete (a meeting in progress) is finished by a later run instead of being forgotten.
        """
        state = self.state
        self.allowance.spend(host)  # before the old meeting is doomed: a deferred move keeps it
        state.ledger_writes.doom(
            old.id, old.host_id, f"{unit.key} moved to host {host}", state.now()
        )
        created = self._create(unit, host, request, wanted, fresh=True, spent=True)
        self.delete_doomed(old.id, unit.first.id, f"host moved to {host}")
        return created

    def _create(
        self,
        unit: Unit,
        host: str,
        request: MeetingRequest,
        wanted: str,
        *,
        fresh: bool,
        spent: bool = False,
    ) -> ZoomMeeting:
        state = self.state
        # Look again right before creating (a listing older than RECHECK_SECONDS is refreshed):
        # another runner may have made this meeting since the host was listed.
        found = self.listings.marked(host, unit.key, fresh=fresh, max_age=RECHECK_SECONDS)
        if found is not None:
            state.save_meeting(
                unit.key, found.id, host, wanted, found.join_url, found.passcode, "active",
                Audit(unit.first.id, "adopt", found.id),
            )  # fmt: skip
            return found
        if not spent:
            self.allowance.spend(host)
        state.save_meeting(unit.key, None, host, wanted, "", "", "pending")
        action = "create"
        state.created.add(unit.key)
        try:
            meeting = state.zoom_writes.create(host, request)
            if meeting.id:  # id 0: a dry run's "would create", reported as no meeting id
                with state.lock:
                    state.made.add(meeting.id)
        except MaybeCommittedError:
            found = self.listings.marked(host, unit.key, fresh=True)
            if found is not None:
                action = "adopt"
            meeting = found if found is not None else state.zoom_writes.create(host, request)
        state.save_meeting(
            unit.key, meeting.id, host, wanted, meeting.join_url, meeting.passcode, "active",
            Audit(unit.first.id, action, meeting.id, detail=f"host {state.host_label(host)}"),
        )  # fmt: skip
        return meeting

    def _still_on_zoom(self, unit: Unit, meeting: ZoomMeeting) -> bool:
        """False when a future meeting the ledger knows was deleted on Zoom's side: repair it.

        Only future meetings are checked: Zoom's list leaves out the ones that have ended.
        """
        if unit.first.start <= self.state.now() + timedelta(minutes=10):
            return True
        if self.listings.of(meeting.host_id, fresh=False).has(meeting.id):
            return True
        # The run's listing may predate the meeting (the listener made it meanwhile): ask again.
        if self.listings.of(meeting.host_id, fresh=True).has(meeting.id):
            return True
        gone = Audit(unit.first.id, "check", meeting.id, "missing", "deleted on Zoom's side")
        self.state.save_meeting(unit.key, meeting.id, meeting.host_id, "", "", "", "deleted", gone)
        return False
