"""Duplicate meetings of one booking or class session, and the one every runner keeps.

Two runs that share no disk (two machines, a cron job and a laptop, a Kubernetes CronJob started
twice) cannot see each other's lock or ledger, and Zoom has no create-if-absent: both may create
a meeting for the same booking. They converge instead: every run (and the listener, which calls
the same engine) groups the meetings it lists by their agenda marker ``[sbzoom:<key>]`` and, where
one key has several, keeps one by a rule that needs nothing but what every runner can read:

1. the meeting named by the most booking comments (sbzoom's written-back line names the meeting
   id), so a link already in the client's hands survives;
2. then the lowest meeting id.

The others are deleted (registrants moved over first for class sessions). Runs that disagree
can only do so while a comment is being rewritten at that very moment; the worst case is that
both meetings go and the next run creates one again and reports the new link.

The rules are the functions here; ``Converger`` is the engine's step that applies them to a unit
before linking it (and ``engine.Linker`` once more after creating, for what a run elsewhere made
meanwhile).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Protocol, TypeVar

from sbzoom.core.bookings.meeting import matches, meeting_request, split_name, state_hash
from sbzoom.core.bookings.units import marker
from sbzoom.store.ledger import Audit

if TYPE_CHECKING:
    from sbzoom.core.bookings.listings import HostListings
    from sbzoom.core.bookings.model import ZoomMeeting
    from sbzoom.core.bookings.state import RunState
    from sbzoom.core.bookings.unit_meeting import UnitMeetings
    from sbzoom.core.bookings.units import Unit
    from sbzoom.core.bookings.write_back import WriteBack

_MARKER = re.compile(r"\[sbzoom:([^\]\s]+)\]")
# comment_with_link() writes "sbzoom: Zoom link <url> (meeting <id>)".
_COMMENT_MEETING = re.compile(r"^sbzoom:.*\(meeting (\d+)\)\s*$", re.MULTILINE)


class Marked(Protocol):
    @property
    def id(self) -> int: ...
    @property
    def agenda(self) -> str: ...


M = TypeVar("M", bound=Marked)


def marker_key(agenda: str) -> str | None:
    """``[sbzoom:b1001] Booking …`` → ``b1001``; None when the agenda does not start with one."""
    found = _MARKER.match(agenda or "")
    return found.group(1) if found else None


def duplicates(meetings: Iterable[M]) -> dict[str, list[M]]:
    """Marker key → its meetings (lowest id first), for the keys carried by more than one."""
    by_key: dict[str, list[M]] = {}
    for meeting in meetings:
        key = marker_key(meeting.agenda)
        if key is not None:
            by_key.setdefault(key, []).append(meeting)
    return {
        key: sorted(found, key=lambda m: m.id) for key, found in by_key.items() if len(found) > 1
    }


def named_meetings(comments: Iterable[str]) -> Counter[int]:
    """How often each meeting id is named by sbzoom's line in these booking comments."""
    named: Counter[int] = Counter()
    for comment in comments:
        for number in _COMMENT_MEETING.findall(comment or ""):
            named[int(number)] += 1
    return named


def keeper(meetings: Sequence[M], named: Counter[int] | None = None) -> M:
    """The meeting every runner keeps: most named by written-back comments, then lowest id."""
    named = named or Counter()
    return min(meetings, key=lambda m: (-named[m.id], m.id))


def relinked_reason(duplicate_id: int) -> str:
    """Why a booking's link changed: the meeting it pointed into was a deleted duplicate."""
    return (
        f"meeting {duplicate_id} was a duplicate made by another sbzoom run "
        "and is deleted; this is the booking's link now"
    )


class Converger:
    def __init__(
        self,
        state: RunState,
        listings: HostListings,
        meetings: UnitMeetings,
        write_back: WriteBack,
    ) -> None:
        self.state = state
        self.listings = listings
        self.meetings = meetings
        self.write_back = write_back

    def converge(self, unit: Unit) -> None:
        """Several meetings carry this unit's marker (runs on two machines each made one):
        keep one by the rule every runner computes alike, move registrants to it, delete the
        others (each written down as doomed first), and point the ledger at the keeper."""
        state = self.state
        host = unit.host_id
        if host is None or state.preview:  # a dry run leaves duplicates for a real run
            return
        found = self.listings.of(host, fresh=False).duplicates_of(unit.key)
        if not found:
            return
        keep = keeper(found, self.write_back.named_meetings(unit))
        losers = [m for m in found if m.id != keep.id]
        lost = {m.id for m in losers}
        row = state.ledger.meeting(unit.key)
        if unit.is_class:
            self._move_registrants(unit, keep, losers)
        elif row is not None and row.meeting_id in lost:
            for booking in unit.bookings:
                state.relinked[booking.id] = row.meeting_id
        if row is None or row.meeting_id != keep.id or row.status != "active":
            request = meeting_request(unit, state.plan)
            wanted = state_hash(host, request) if matches(keep, request) else ""
            state.save_meeting(
                unit.key, keep.id, host, wanted, keep.join_url, keep.passcode, "active",
                Audit(unit.first.id, "adopt", keep.id,
                      detail=f"kept of {len(found)} meetings marked {marker(unit.key)}"),
            )  # fmt: skip
        for loser in losers:
            why = f"duplicate of meeting {keep.id} (both marked {marker(unit.key)})"
            state.ledger_writes.doom(loser.id, host, why, state.now())
            self.meetings.delete_doomed(loser.id, unit.first.id, why)
        self.listings.drop(host, lost)

    def _move_registrants(self, unit: Unit, keep: ZoomMeeting, losers: list[ZoomMeeting]) -> None:
        """Clients registered on a duplicate get a seat on the keeper (their link changes, and
        the run reports the new one); the ledger forgets registrations on the duplicates."""
        state = self.state
        names = {b.client_email.lower(): b.client_name for b in unit.active if b.client_email}
        gone = {b.client_email.lower() for b in unit.bookings if b.cancelled} - set(names)
        seats = {r.email.lower(): r for r in state.zoom.registrants(keep.id)}
        for loser in losers:
            for seat in state.zoom.registrants(loser.id):
                email = seat.email.lower()
                if not email or email in seats or email in gone:
                    continue
                first_name, last_name = split_name(names.get(email) or email.split("@")[0])
                seats[email] = state.zoom_writes.add_registrant(
                    keep.id, seat.email, first_name, last_name
                )
                why = f"moved from duplicate meeting {loser.id}"
                state.audit("-", "add-registrant", keep.id, "ok", why)
        kept = {r.id for r in seats.values()}
        for booking in unit.bookings:
            previous = state.ledger.booking(booking.id)
            if (
                previous is not None
                and previous.status == "linked"
                and previous.unit_key == unit.key
                and previous.registrant_id
                and previous.registrant_id not in kept
            ):
                state.relinked[booking.id] = losers[0].id
                state.save_booking(booking.id, unit.key, "", previous.join_url, "linked", "")
