"""(About 1,000 lines: the Linker is one class whose steps share one run's state: the host
listings, the meetings made, the bookings relinked, the daily allowance. What does not need that
state lives beside it: units.py, meeting.py, listings.py, writes.py, converge.py, backfill.py.)

The linking engine: make Zoom match SimplyBook for a set of bookings (PRODUCT.md §4).

Work is grouped into *units* (``units.py``): a one-to-one booking or a class session. Each unit
owns one Zoom meeting whose agenda starts with the marker ``[sbzoom:<key>]``. Before creating, the
engine looks for that marker among the host's upcoming meetings and adopts what it finds, so a
crash, a timeout after Zoom committed, or a lost ledger never produce a second meeting.

The engine talks to Zoom and SimplyBook through the narrow protocols of ``model.py``;
``adapters.py`` wires the real clients in. Its changes go through writers (``writes.py``), which
a dry run swaps for recording ones. It never prints: progress goes to a callback, results come
back as data.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager, nullcontext
from dataclasses import replace
from datetime import datetime, timedelta

from sbzoom.clients.http import MaybeCommittedError
from sbzoom.clients.zoom import (
    MAX_REGISTRANT_EMAIL,
    MeetingGoneError,
    MeetingRequest,
    Registrant,
    ZoomUserGoneError,
)
from sbzoom.core.bookings.backfill import DAILY_LIMIT, HostPlan, next_utc_midnight
from sbzoom.core.bookings.converge import duplicates, keeper, named_meetings
from sbzoom.core.bookings.listings import HostListing
from sbzoom.core.bookings.meeting import matches, meeting_request, state_hash
from sbzoom.core.bookings.model import (
    NOT_STARTED,
    BookingView,
    CommentOps,
    HostExhaustedError,
    LinkPlan,
    LinkReport,
    LinkResult,
    UnitLocks,
    WriteBackUnavailableError,
    ZoomMeeting,
    ZoomOps,
    meeting_gone,
)
from sbzoom.core.bookings.units import Unit, group_units, marker
from sbzoom.core.bookings.workers import run_elastic
from sbzoom.core.bookings.writes import writers
from sbzoom.core.online import Orphan, orphan_reason
from sbzoom.errors import AuthError, ConfigError, RemoteError, SbzoomError
from sbzoom.store.ledger import Audit, BookingRow, Ledger, MeetingRow, utc_text

COMMENT_MARK = "sbzoom:"
# Before a create, a host's listing older than this is fetched again: another runner (another
# machine, no shared lock) may have made the meeting meanwhile. One list per host per interval,
# shared by every worker, so the cost stays a few requests per run.
RECHECK_SECONDS = 5.0


def split_name(name: str) -> tuple[str, str]:
    parts = name.strip().split(None, 1)
    if not parts:
        return ("Client", "")
    return (parts[0], parts[1] if len(parts) > 1 else "")


def comment_with_link(comment: str, join_url: str, meeting_id: int) -> str:
    """Replace only sbzoom's own line in a booking comment; keep everything else as it was."""
    line = f"{COMMENT_MARK} Zoom link {join_url} (meeting {meeting_id})"
    kept = [x for x in comment.splitlines() if not x.startswith(COMMENT_MARK)]
    return "\n".join([*kept, line]) if any(s.strip() for s in kept) else line


# -- the engine -------------------------------------------------------------------------------


class Linker:
    def __init__(
        self,
        zoom: ZoomOps,
        comments: CommentOps | None,
        ledger: Ledger | None,
        plan: LinkPlan,
        now: Callable[[], datetime],
        progress: Callable[[int, int], None] | None = None,
        host_label: Callable[[str], str] | None = None,
        *,
        stop: threading.Event | None = None,
        locks: UnitLocks | None = None,
        pool_size: Callable[[], int] | None = None,
        used_today: dict[str, int] | None = None,
        daily_limit: int = DAILY_LIMIT,
    ) -> None:
        self.zoom = zoom
        self.locks = locks
        self._started: datetime | None = None
        # How a Zoom user is named in reasons a person reads: their e-mail, when known.
        self.host_label = host_label or (lambda host_id: host_id)
        self.pool_size = pool_size or (lambda: plan.workers)
        # Zoom's 100 creates/updates per host per UTC day, counted here so the allowance goes
        # to the soonest bookings and a host over it is deferred without a request.
        self.daily_limit = daily_limit
        self._plans: dict[str, HostPlan] = {
            host: HostPlan(host, daily_limit, used_before=count)
            for host, count in (used_today or {}).items()
        }
        # Reads are the same in every run; changes go through writers, which a dry run records
        # instead of applying (writes.py). What a dry run still does differently on purpose is
        # in the few places that ask ``self.preview``: it words what it would do, registers no
        # class client, and leaves duplicate meetings alone.
        run = writers(zoom, ledger, dry_run=plan.dry_run)
        self.ledger = run.ledger
        self.ledger_writes = run.ledger_writes
        self.zoom_writes = run.zoom_writes
        self.preview = run.dry_run
        # A dry run neither reads nor writes booking comments.
        self.comments = None if run.dry_run else comments
        self.plan = plan
        self.now = now
        self.progress = progress
        self._upcoming: dict[str, HostListing] = {}
        self._upcoming_lock = threading.Lock()
        self._made: set[int] = set()  # meetings this run created: none has registrants yet
        self._exhausted: dict[str, HostExhaustedError] = {}
        self._done = 0
        self._total = 0
        self._starts: dict[str, str] = {}
        self._current: dict[str, str] = {}  # booking id -> its unit in this run
        self._done_lock = threading.Lock()
        # Set by a signal: units not yet started are reported as such; those in flight finish.
        self.stop = stop or threading.Event()
        self._not_started: set[str] = set()  # unit keys the stop left alone
        self._write_back_off = False  # SimplyBook has no comment endpoint (found this run)
        self.warnings: list[str] = []  # one line each, for the command to show on stderr
        self._listed_at: dict[str, datetime] = {}
        self._created: set[str] = set()  # unit keys this run created a meeting for
        # booking id -> the duplicate meeting its link pointed into, deleted by _converge
        self._relinked: dict[str, int] = {}

    # -- entry point --------------------------------------------------------------------------

    def run(self, bookings: Sequence[BookingView]) -> LinkReport:
        self._started = self.now()
        self._finish_doomed()
        units = group_units(bookings, self.plan)
        self._current = {b.id: u.key for u in units for b in u.bookings}
        self._starts = {b.id: utc_text(b.start) for b in bookings}
        before = {b.id: self._ledger_booking(b.id) for b in bookings}
        results: list[LinkResult] = []
        self._total = len(bookings)
        self._tick(0)
        # Soonest first: with Zoom's 100 creates/updates per host per day, what cannot be done
        # today is what starts latest.
        units.sort(key=lambda u: u.first.start)
        if self.plan.workers > 1 and len(units) > 1:
            # A second Ctrl-C: the units in flight end, the queued ones never start.
            for unit_results in run_elastic(self._unit, units, self.pool_size, name="sbzoom-link"):
                results.extend(unit_results)
        else:
            for unit in units:
                results.extend(self._unit(unit))
        results = self._settle(units, results)
        self._detach_moved(before)
        self._tally(units, results)
        order = {b.id: i for i, b in enumerate(bookings)}
        results.sort(key=lambda r: order.get(r.booking_id, len(order)))
        plans = sorted(
            (p for p in self._plans.values() if p.spent or p.meetings_waiting),
            key=lambda p: p.host_id,
        )
        return LinkReport(
            results, dry_run=self.preview, warnings=list(self.warnings), backfill=plans,
            today=self.now(),
        )  # fmt: skip

    def _tally(self, units: Sequence[Unit], results: Sequence[LinkResult]) -> None:
        """Per host: bookings linked today, bookings and meetings waiting for later days."""
        status = {r.booking_id: r.status for r in results}
        for unit in units:
            if unit.host_id is None:
                continue
            plan = self._host_plan(unit.host_id)
            waiting = [b for b in unit.bookings if status.get(b.id) == "deferred"]
            if waiting:
                plan.bookings_waiting += len(waiting)
                plan.meetings_waiting += 1
                start = min(b.start for b in waiting)
                if plan.first_waiting is None or start < plan.first_waiting:
                    plan.first_waiting = start
            plan.bookings_today += sum(
                1 for b in unit.bookings if status.get(b.id) in ("created", "updated")
            )

    def _host_plan(self, host: str) -> HostPlan:
        plan = self._plans.get(host)
        if plan is None:
            plan = self._plans[host] = HostPlan(host, self.daily_limit)
        return plan

    def _spend(self, host: str) -> None:
        """Take one of the host's daily creates/updates, or defer: none is left today."""
        with self._done_lock:
            plan = self._host_plan(host)
            if plan.used_before + plan.spent >= self.daily_limit:
                raise HostExhaustedError(host, next_utc_midnight(self.now()))
            plan.spent += 1

    def forget(self, booking_ids: Sequence[str]) -> list[LinkResult]:
        """Bookings SimplyBook no longer has: end their meeting, or their place in a class."""
        results = []
        for booking_id in booking_ids:
            row = self._ledger_booking(booking_id)
            meeting = self._ledger_meeting(row.unit_key) if row else None
            if row is None or meeting is None or meeting.meeting_id is None:
                continue
            if row.status != "linked" or meeting.status != "active":
                continue
            reason = "booking no longer exists in SimplyBook"
            try:
                with self._hold(row.unit_key):
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

    def _unmapped(self, booking: BookingView) -> LinkResult:
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

    def _orphan(self, booking_id: str, cause: Orphan) -> LinkResult | None:
        """The result for a booking sbzoom no longer keeps right; None when it has no meeting."""
        row = self._ledger_booking(booking_id)
        meeting = self._ledger_meeting(row.unit_key) if row else None
        if row is None or row.status != "linked" or meeting is None:
            return None
        if meeting.meeting_id is None or meeting.status != "active":
            return None
        meeting_id = meeting.meeting_id
        if not self.plan.cancel_orphans:
            reason = orphan_reason(cause, meeting_id, booking_id)
            return LinkResult(booking_id, "orphaned", meeting_id, row.join_url, reason)
        why = f"orphaned: {cause.why}"
        try:
            if row.registrant_id:
                self._leave_session(booking_id, row.unit_key, row.registrant_id, meeting)
                self._audit(booking_id, "cancel-orphan", meeting_id, "ok", cause.why)
            else:
                self.zoom_writes.delete(meeting_id)
                audit = Audit(booking_id, "cancel-orphan", meeting_id, detail=cause.why)
                self._save_meeting(
                    row.unit_key, meeting_id, meeting.host_id, "", "", "", "deleted", audit
                )
        except (AuthError, ConfigError):
            raise
        except SbzoomError as exc:
            self._audit(booking_id, "cancel-orphan", meeting_id, "failed", exc.message)
            return LinkResult(booking_id, "failed", meeting_id, reason=exc.message)
        self._save_booking(booking_id, row.unit_key, "", "", "cancelled", why)
        done = "would cancel" if self.preview else "meeting cancelled"
        return LinkResult(booking_id, "cancelled", meeting_id, reason=f"{why}; {done}")

    def _host_change(self, old: str, new: str) -> str:
        return f"host changed from {self.host_label(old)} to {self.host_label(new)}"

    def _end_place(self, booking_id: str, row: BookingRow, meeting: MeetingRow) -> None:
        assert meeting.meeting_id is not None
        if row.registrant_id:
            self._leave_session(booking_id, row.unit_key, row.registrant_id, meeting)
        else:
            self.zoom_writes.delete(meeting.meeting_id)
            gone = Audit(booking_id, "delete", meeting.meeting_id, detail="booking gone")
            self._save_meeting(
                row.unit_key, meeting.meeting_id, meeting.host_id, "", "", "", "deleted", gone
            )
        self._save_booking(booking_id, row.unit_key, "", "", "cancelled", "deleted in SimplyBook")

    def _tick(self, count: int) -> None:
        with self._done_lock:
            self._done += count
            done = self._done
        if self.progress is not None:
            self.progress(done, self._total)

    def _hold(self, key: str) -> AbstractContextManager[None]:
        if self.locks is None:  # a dry run takes no locks: it changes nothing
            return nullcontext()
        return self.locks.hold(key)

    def _unit(self, unit: Unit) -> list[LinkResult]:
        if self.stop.is_set():  # stopping: units not begun are left to the next run
            self._not_started.add(unit.key)
            self._tick(len(unit.bookings))
            return [LinkResult(b.id, "failed", reason=NOT_STARTED) for b in unit.bookings]
        try:
            with self._hold(unit.key):
                if self._changed_meanwhile(unit):
                    return self._as_recorded(unit)
                return self._unit_locked(unit)
        except SbzoomError as exc:  # the unit's lock stayed taken: leave it to the next run
            if isinstance(exc, (AuthError, ConfigError)):
                raise
            self._tick(len(unit.bookings))
            return [LinkResult(b.id, "failed", reason=exc.message) for b in unit.bookings]

    def _changed_meanwhile(self, unit: Unit) -> bool:
        """Another process (the listener) changed this unit after this run read SimplyBook: its
        view is newer than ours, so ours must not undo it."""
        if self.locks is None or self._started is None:
            return False
        return self.ledger.unit_changed_since(unit.key, self._started)

    def _as_recorded(self, unit: Unit) -> list[LinkResult]:
        results = []
        meeting = self._ledger_meeting(unit.key)
        meeting_id = meeting.meeting_id if meeting and meeting.status == "active" else None
        for booking in unit.bookings:
            row = self._ledger_booking(booking.id)
            if row is not None and row.status == "linked" and meeting_id is not None:
                why = "linked by the listener during this run"
                results.append(LinkResult(booking.id, "unchanged", meeting_id, row.join_url, why))
            else:
                why = "changed by the listener during this run; the next run checks it again"
                results.append(LinkResult(booking.id, "skipped", reason=why))
        self._tick(len(unit.bookings))
        return results

    def _unit_locked(self, unit: Unit) -> list[LinkResult]:
        try:
            if unit.host_id is None:
                return [self._unmapped(b) for b in unit.bookings]
            exhausted = self._exhausted.get(unit.host_id)
            if exhausted is not None and unit.active:  # cancelling needs no create/update
                return self._deferred(unit, exhausted)
            try:
                self._converge(unit)
                return self._class(unit) if unit.is_class else self._single(unit)
            except HostExhaustedError as exc:
                # An update's error does not know the host; reasons name it by e-mail.
                exc = HostExhaustedError(unit.host_id, exc.reset_at, self.host_label(unit.host_id))
                self._exhausted[unit.host_id] = exc
                return self._deferred(unit, exc)
            except (AuthError, ConfigError):
                raise
            except SbzoomError as exc:
                reason = exc.message
                if isinstance(exc, ZoomUserGoneError):  # the step `bookings show` offers
                    provider = unit.bookings[0].provider_id
                    reason = (
                        f"{reason.rstrip('.')}: run 'sbzoom providers map {provider} ZOOM_USER'"
                    )
                for booking in unit.bookings:
                    self._audit(booking.id, "link", None, "failed", reason)
                    previous = self._ledger_booking(booking.id)
                    if previous is None or previous.status != "linked":  # a sent link still works
                        self._save_booking(booking.id, unit.key, "", "", "failed", reason)
                down = isinstance(exc, RemoteError)
                return [
                    LinkResult(b.id, "failed", reason=reason, unavailable=down)
                    for b in unit.bookings
                ]
        finally:
            self._tick(len(unit.bookings))

    def _deferred(self, unit: Unit, exc: HostExhaustedError) -> list[LinkResult]:
        results = []
        for booking in unit.bookings:
            previous = self._ledger_booking(booking.id)
            if previous is None or previous.status != "linked":  # keep what is already linked
                self._save_booking(booking.id, unit.key, "", "", "deferred", exc.message)
            results.append(LinkResult(booking.id, "deferred", reason=exc.message))
        return results

    # -- one-to-one ---------------------------------------------------------------------------

    def _single(self, unit: Unit) -> list[LinkResult]:
        booking = unit.bookings[0]
        assert unit.host_id is not None
        if booking.cancelled:
            return [self._cancel_meeting(unit, booking)]
        meeting, status, reason = self._ensure_meeting(unit)
        previous = self._ledger_booking(booking.id)
        if booking.id in self._relinked and status == "unchanged":
            status, reason = "updated", self._relinked_reason(booking.id)
        elif (
            status == "unchanged"
            and previous is not None
            and previous.status == "linked"
            and previous.unit_key == unit.key
            and previous.join_url
            and previous.join_url != meeting.join_url
        ):  # the meeting was replaced (a duplicate removed by a run elsewhere)
            status, reason = "updated", "the link changed: the booking's meeting was replaced"
        self._save_booking(booking.id, unit.key, "", meeting.join_url, "linked", "")
        self._write_back(booking.id, meeting.join_url, meeting.id)
        return [LinkResult(booking.id, status, meeting.id or None, meeting.join_url, reason)]

    def _cancel_meeting(self, unit: Unit, booking: BookingView) -> LinkResult:
        row = self._ledger_meeting(unit.key)
        meeting_id = row.meeting_id if row and row.status != "deleted" else None
        if meeting_id is None and unit.host_id is not None:
            found = self._find_marked(unit.host_id, unit.key, fresh=False)
            meeting_id = found.id if found else None
        if meeting_id is None:
            previous = self._ledger_booking(booking.id)
            if previous is not None and previous.status == "cancelled":
                return LinkResult(booking.id, "unchanged", reason="booking is cancelled")
            return LinkResult(booking.id, "skipped", reason="booking is cancelled; no meeting")
        self.zoom_writes.delete(meeting_id)
        deleted = Audit(booking.id, "delete", meeting_id)
        self._save_meeting(unit.key, meeting_id, unit.host_id or "", "", "", "", "deleted", deleted)
        self._save_booking(booking.id, unit.key, "", "", "cancelled", "")
        return LinkResult(booking.id, "cancelled", meeting_id, reason="booking was cancelled")

    # -- meetings -----------------------------------------------------------------------------

    def _ensure_meeting(self, unit: Unit) -> tuple[ZoomMeeting, str, str]:
        """The unit's meeting as it should be: reused, updated, adopted, moved, or created."""
        assert unit.host_id is not None
        host = unit.host_id
        request = meeting_request(unit, self.plan)
        wanted = state_hash(host, request)
        row = self._ledger_meeting(unit.key)
        if row is not None and row.status == "active" and row.meeting_id is not None:
            current = ZoomMeeting(row.meeting_id, row.host_id, row.join_url, row.passcode)
            if row.host_id == host:
                try:
                    if not self._still_on_zoom(unit, current):
                        raise meeting_gone(current.id)
                    if row.state_hash == wanted:
                        return current, "unchanged", ""
                    self._update(unit, current, request, wanted)
                    return current, "updated", "meeting time or details changed"
                except MeetingGoneError:  # deleted on Zoom's side: adopt or create below
                    replaced, status, _ = self._ensure_new(unit, host, request, wanted)
                    why = "the meeting was deleted on Zoom; this one has a new link"
                    # adopting another meeting with the marker is a new link all the same
                    return replaced, "updated" if status == "unchanged" else status, why
            else:
                created = self._move(unit, current, host, request, wanted)
                return created, "updated", self._host_change(row.host_id, host)
        return self._ensure_new(unit, host, request, wanted, fresh=row is not None)

    def _ensure_new(
        self, unit: Unit, host: str, request: MeetingRequest, wanted: str, *, fresh: bool = True
    ) -> tuple[ZoomMeeting, str, str]:
        """No usable meeting in the ledger: adopt the one carrying the marker, or create one.

        With no ledger row at all (a lost state directory) the marker is also looked for on the
        other mapped hosts: a provider may have moved host since, and that meeting must go.
        """
        adopted = self._find_marked(host, unit.key, fresh=fresh)
        if adopted is None and self._ledger_meeting(unit.key) is None:
            elsewhere = self._find_marked_elsewhere(host, unit.key)
            if elsewhere is not None:
                moved = self._move(unit, elsewhere, host, request, wanted)
                return moved, "updated", self._host_change(elsewhere.host_id, host)
        if adopted is None:
            return self._create(unit, host, request, wanted, fresh=False), "created", ""
        audit = Audit(unit.first.id, "adopt", adopted.id)
        if matches(adopted, request):
            self._save_meeting(
                unit.key, adopted.id, host, wanted, adopted.join_url, adopted.passcode, "active",
                audit,
            )  # fmt: skip
            return adopted, "unchanged", "adopted the existing meeting"
        # Adopted first (in the ledger, with its audit row), then brought up to date.
        self._save_meeting(unit.key, adopted.id, host, "", adopted.join_url, adopted.passcode,
                           "active", audit)  # fmt: skip
        self._update(unit, adopted, request, wanted)
        return adopted, "updated", "adopted the existing meeting and updated it"

    def _move(
        self, unit: Unit, old: ZoomMeeting, host: str, request: MeetingRequest, wanted: str
    ) -> ZoomMeeting:
        """The provider's Zoom host changed: a new meeting there, and the old one deleted.

        The old meeting is written down as doomed before anything else, so a crash or a failed
        delete (a meeting in progress) is finished by a later run instead of being forgotten.
        """
        self._spend(host)  # before the old meeting is doomed: a deferred move keeps it
        self.ledger_writes.doom(old.id, old.host_id, f"{unit.key} moved to host {host}", self.now())
        created = self._create(unit, host, request, wanted, fresh=True, spent=True)
        self._delete_doomed(old.id, unit.first.id, f"host moved to {host}")
        return created

    def _delete_doomed(self, meeting_id: int, booking_id: str, why: str) -> None:
        self.zoom_writes.delete(meeting_id)
        audit = Audit(booking_id, "delete", meeting_id, detail=why)
        self.ledger_writes.spare(meeting_id, self.now(), audit)

    def _finish_doomed(self) -> None:
        """Delete what earlier runs had to leave (a crash, a meeting then in progress)."""
        for meeting_id, _host, why in self.ledger.doomed():
            try:
                self._delete_doomed(meeting_id, "-", why)
            except (AuthError, ConfigError):
                raise
            except SbzoomError:
                continue  # still not deletable: the next run tries again

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
        # Look again right before creating (a listing older than RECHECK_SECONDS is refreshed):
        # another runner may have made this meeting since the host was listed.
        found = self._find_marked(host, unit.key, fresh=fresh, max_age=RECHECK_SECONDS)
        if found is not None:
            self._save_meeting(
                unit.key, found.id, host, wanted, found.join_url, found.passcode, "active",
                Audit(unit.first.id, "adopt", found.id),
            )  # fmt: skip
            return found
        if not spent:
            self._spend(host)
        self._save_meeting(unit.key, None, host, wanted, "", "", "pending")
        action = "create"
        self._created.add(unit.key)
        try:
            meeting = self.zoom_writes.create(host, request)
            if meeting.id:  # id 0: a dry run's "would create", reported as no meeting id
                with self._upcoming_lock:
                    self._made.add(meeting.id)
        except MaybeCommittedError:
            found = self._find_marked(host, unit.key, fresh=True)
            if found is not None:
                action = "adopt"
            meeting = found if found is not None else self.zoom_writes.create(host, request)
        self._save_meeting(
            unit.key, meeting.id, host, wanted, meeting.join_url, meeting.passcode, "active",
            Audit(unit.first.id, action, meeting.id, detail=f"host {self.host_label(host)}"),
        )  # fmt: skip
        return meeting

    def _update(
        self, unit: Unit, meeting: ZoomMeeting, request: MeetingRequest, wanted: str
    ) -> None:
        self._spend(unit.host_id or meeting.host_id)
        self.zoom_writes.update(meeting.id, request)
        self._save_meeting(
            unit.key, meeting.id, unit.host_id or "", wanted, meeting.join_url, meeting.passcode,
            "active", Audit(unit.first.id, "update", meeting.id),
        )  # fmt: skip

    def _listing(self, host: str, *, fresh: bool, max_age: float | None = None) -> HostListing:
        """The host's scheduled meetings, listed once per host per run (again when ``fresh``,
        or when the listing is older than ``max_age`` seconds)."""
        with self._upcoming_lock:
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

    def _still_on_zoom(self, unit: Unit, meeting: ZoomMeeting) -> bool:
        """False when a future meeting the ledger knows was deleted on Zoom's side: repair it.

        Only future meetings are checked: Zoom's list leaves out the ones that have ended.
        """
        if unit.first.start <= self.now() + timedelta(minutes=10):
            return True
        if self._listing(meeting.host_id, fresh=False).has(meeting.id):
            return True
        # The run's listing may predate the meeting (the listener made it meanwhile): ask again.
        if self._listing(meeting.host_id, fresh=True).has(meeting.id):
            return True
        gone = Audit(unit.first.id, "check", meeting.id, "missing", "deleted on Zoom's side")
        self._save_meeting(unit.key, meeting.id, meeting.host_id, "", "", "", "deleted", gone)
        return False

    def _find_marked_elsewhere(self, host: str, key: str) -> ZoomMeeting | None:
        for other in sorted(set(self.plan.hosts.values()) - {host}):
            found = self._find_marked(other, key, fresh=False)
            if found is not None:
                return replace(found, host_id=found.host_id or other)
        return None

    def _find_marked(
        self, host: str, key: str, *, fresh: bool, max_age: float | None = None
    ) -> ZoomMeeting | None:
        """The host's meeting carrying the unit's marker; of several, the lowest id (the one
        ``converge.keeper`` keeps when no comment names another)."""
        return self._listing(host, fresh=fresh, max_age=max_age).marked_with(key)

    # -- duplicates from runs that share no disk (converge.py) --------------------------------

    def _converge(self, unit: Unit) -> None:
        """Several meetings carry this unit's marker (runs on two machines each made one):
        keep one by the rule every runner computes alike, move registrants to it, delete the
        others (each written down as doomed first), and point the ledger at the keeper."""
        host = unit.host_id
        if host is None or self.preview:  # a dry run leaves duplicates for a real run
            return
        found = self._listing(host, fresh=False).duplicates_of(unit.key)
        if not found:
            return
        keep = keeper(found, self._written_back(unit))
        losers = [m for m in found if m.id != keep.id]
        lost = {m.id for m in losers}
        row = self._ledger_meeting(unit.key)
        if unit.is_class:
            self._move_registrants(unit, keep, losers)
        elif row is not None and row.meeting_id in lost:
            for booking in unit.bookings:
                self._relinked[booking.id] = row.meeting_id
        if row is None or row.meeting_id != keep.id or row.status != "active":
            request = meeting_request(unit, self.plan)
            wanted = state_hash(host, request) if matches(keep, request) else ""
            self._save_meeting(
                unit.key, keep.id, host, wanted, keep.join_url, keep.passcode, "active",
                Audit(unit.first.id, "adopt", keep.id,
                      detail=f"kept of {len(found)} meetings marked {marker(unit.key)}"),
            )  # fmt: skip
        for loser in losers:
            why = f"duplicate of meeting {keep.id} (both marked {marker(unit.key)})"
            self.ledger_writes.doom(loser.id, host, why, self.now())
            self._delete_doomed(loser.id, unit.first.id, why)
        with self._upcoming_lock:
            listing = self._upcoming.get(host)
            if listing is not None:
                self._upcoming[host] = listing.without(lost)

    def _written_back(self, unit: Unit) -> Counter[int]:
        """Meeting ids named by the unit's booking comments (only when links are written back)."""
        if not self.plan.write_back or self.comments is None:
            return Counter()
        comments = self.comments
        return named_meetings(comments.get_comment(b.id) for b in unit.active)

    def _move_registrants(self, unit: Unit, keep: ZoomMeeting, losers: list[ZoomMeeting]) -> None:
        """Clients registered on a duplicate get a seat on the keeper (their link changes, and
        the run reports the new one); the ledger forgets registrations on the duplicates."""
        names = {b.client_email.lower(): b.client_name for b in unit.active if b.client_email}
        gone = {b.client_email.lower() for b in unit.bookings if b.cancelled} - set(names)
        seats = {r.email.lower(): r for r in self.zoom.registrants(keep.id)}
        for loser in losers:
            for seat in self.zoom.registrants(loser.id):
                email = seat.email.lower()
                if not email or email in seats or email in gone:
                    continue
                first_name, last_name = split_name(names.get(email) or email.split("@")[0])
                seats[email] = self.zoom_writes.add_registrant(
                    keep.id, seat.email, first_name, last_name
                )
                why = f"moved from duplicate meeting {loser.id}"
                self._audit("-", "add-registrant", keep.id, "ok", why)
        kept = {r.id for r in seats.values()}
        for booking in unit.bookings:
            previous = self._ledger_booking(booking.id)
            if (
                previous is not None
                and previous.status == "linked"
                and previous.unit_key == unit.key
                and previous.registrant_id
                and previous.registrant_id not in kept
            ):
                self._relinked[booking.id] = losers[0].id
                self._save_booking(booking.id, unit.key, "", previous.join_url, "linked", "")

    def _relinked_reason(self, booking_id: str) -> str:
        return (
            f"meeting {self._relinked[booking_id]} was a duplicate made by another sbzoom run "
            "and is deleted; this is the booking's link now"
        )

    def _settle(self, units: list[Unit], results: list[LinkResult]) -> list[LinkResult]:
        """After creating, list those hosts once more: a run elsewhere may have made the same
        meetings meanwhile. Converge them now, and report the links that are left."""
        if self.preview or self.stop.is_set() or not self._created:
            return results
        redo: list[Unit] = []
        for host in sorted({u.host_id for u in units if u.key in self._created and u.host_id}):
            try:
                twice = duplicates(self._listing(host, fresh=True).meetings)
            except (AuthError, ConfigError):
                raise
            except SbzoomError:
                continue  # the next run converges them
            redo += [u for u in units if u.host_id == host and u.key in twice]
        if not redo:
            return results
        with self._done_lock:  # the progress counts these units once more
            self._total += sum(len(unit.bookings) for unit in redo)
        again = {r.booking_id: r for unit in redo for r in self._unit(unit)}
        settled = []
        for result in results:
            new = again.get(result.booking_id)
            if new is None:
                settled.append(result)
            elif result.status == "created" and new.status in ("updated", "unchanged"):
                settled.append(replace(new, status="created"))
            else:
                settled.append(new)
        return settled

    # -- classes ------------------------------------------------------------------------------

    def _class(self, unit: Unit, *, retried: bool = False) -> list[LinkResult]:
        try:
            return self._class_once(unit)
        except MeetingGoneError:
            # A registrant call found the meeting deleted or expired (Zoom code 300): forget it
            # and give the session a new meeting once; every client gets a new personal link.
            row = self._ledger_meeting(unit.key)
            if retried or row is None or row.meeting_id is None:
                raise
            gone = Audit(unit.first.id, "check", row.meeting_id, "missing", "gone on Zoom")
            self._save_meeting(unit.key, row.meeting_id, row.host_id, "", "", "", "deleted", gone)
            return self._class(unit, retried=True)

    def _class_once(self, unit: Unit) -> list[LinkResult]:
        if not unit.active:  # every client of this session in the run has cancelled
            return [self._class_cancel(unit, b) for b in unit.bookings]
        old = self._ledger_meeting(unit.key)
        meeting, meeting_status, reason = self._ensure_meeting(unit)
        same_meeting = old is not None and old.meeting_id == meeting.id
        registrants: list[Registrant] | None = None
        results: list[LinkResult] = []
        for booking in unit.bookings:
            if booking.cancelled:
                results.append(self._class_cancel(unit, booking, meeting))
                continue
            previous = self._ledger_booking(booking.id)
            if (
                same_meeting
                and previous is not None
                and previous.status == "linked"
                and previous.unit_key == unit.key
                and previous.registrant_id
                and previous.join_url  # else: look the personal link up again below
            ):
                status = "updated" if meeting_status == "updated" else "unchanged"
                self._write_back(booking.id, previous.join_url, meeting.id)
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
            if self.preview:  # registering is what would give the client their own link
                why = "would register the client"
                results.append(LinkResult(booking.id, "created", meeting.id or None, "", why))
                continue
            try:
                if registrants is None:
                    # A meeting made moments ago in this run has nobody registered yet.
                    made = meeting.id in self._made
                    registrants = [] if made else self.zoom.registrants(meeting.id)
                results.append(self._register(unit, booking, meeting, registrants, reason))
            except (HostExhaustedError, AuthError, ConfigError, MeetingGoneError):
                raise
            except SbzoomError as exc:  # one bad seat must not fail the whole class
                self._audit(booking.id, "add-registrant", meeting.id, "failed", exc.message)
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
        email = booking.client_email.lower()
        match = next((r for r in registrants if r.email.lower() == email), None)
        status = "unchanged" if match is not None else "created"  # found: adopt it
        previous = self._ledger_booking(booking.id)
        if booking.id in self._relinked:
            status, reason = "updated", self._relinked_reason(booking.id)
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
            match = self.zoom_writes.add_registrant(
                meeting.id, booking.client_email, first_name, last_name
            )
            registrants.append(match)
            self._audit(booking.id, "add-registrant", meeting.id, "ok")
        if not match.join_url:  # never the meeting's generic link in its place
            raise SbzoomError(
                f"Zoom has no personal join link for {booking.client_email} in meeting "
                f"{meeting.id} (the registration may be pending or denied).",
                "Approve the registrant in the Zoom web portal, then run 'sbzoom bookings link'.",
            )
        self._save_booking(booking.id, unit.key, match.id, match.join_url, "linked", "")
        self._write_back(booking.id, match.join_url, meeting.id)
        return LinkResult(booking.id, status, meeting.id, match.join_url, reason)

    def _class_cancel(
        self, unit: Unit, booking: BookingView, current: ZoomMeeting | None = None
    ) -> LinkResult:
        previous = self._ledger_booking(booking.id)
        meeting = self._ledger_meeting(unit.key)
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
                return self._class_cancel_unknown(unit, booking, current)
            return LinkResult(booking.id, "skipped", reason="booking is cancelled; no meeting")
        self._leave_session(booking.id, unit.key, previous.registrant_id, meeting)
        self._save_booking(booking.id, unit.key, "", "", "cancelled", "")
        return LinkResult(
            booking.id, "cancelled", meeting.meeting_id, reason="booking was cancelled"
        )

    def _class_cancel_unknown(
        self, unit: Unit, booking: BookingView, current: ZoomMeeting | None = None
    ) -> LinkResult:
        """A cancelled seat the ledger does not know: end its registration if Zoom has one.

        The session itself is left alone: with no ledger, who else attends is not known here.
        """
        none = LinkResult(booking.id, "skipped", reason="booking is cancelled; no meeting")
        if current is not None and current.id in self._made:
            # The session's meeting was made moments ago: this seat was never registered.
            self._save_booking(booking.id, unit.key, "", "", "cancelled", "never registered")
            return none
        meeting = self._find_marked(unit.host_id, unit.key, fresh=False) if unit.host_id else None
        email = booking.client_email.lower()
        staying = {b.client_email.lower() for b in unit.active}
        if meeting is None and unit.host_id and email:
            # No meeting carries the session's marker: no registration to end, now or later.
            self._save_booking(booking.id, unit.key, "", "", "cancelled", "never registered")
            return none
        if meeting is None or not email or email in staying:
            return none
        seat = next(
            (r for r in self.zoom.registrants(meeting.id) if r.email.lower() == email), None
        )
        if seat is None:
            # Remembered: later runs need not ask Zoom about this seat again.
            self._save_booking(booking.id, unit.key, "", "", "cancelled", "never registered")
            return none
        self.zoom_writes.cancel_registrant(meeting.id, seat)
        self._audit(booking.id, "cancel-registrant", meeting.id, "ok", "found on Zoom")
        self._save_booking(booking.id, unit.key, "", "", "cancelled", "")
        return LinkResult(booking.id, "cancelled", meeting.id, reason="booking was cancelled")

    def _leave_session(
        self, booking_id: str, key: str, registrant_id: str, meeting: MeetingRow
    ) -> None:
        """A client leaves a class session: their registration ends, and the meeting with the last.

        Clients the ledger holds in the session count as staying unless this run saw them go
        elsewhere, so linking one booking by id never ends a session others still attend. Two
        seats booked with one e-mail share a Zoom registrant; it is cancelled with the last seat.
        """
        assert meeting.meeting_id is not None
        others = [
            b
            for b in self.ledger.bookings_of(key)
            if b.status == "linked"
            and b.booking_id != booking_id
            and self._current.get(b.booking_id, key) == key
        ]
        if not others:
            self.zoom_writes.delete(meeting.meeting_id)
            empty = Audit(
                booking_id, "delete", meeting.meeting_id, detail=f"session {key} is empty"
            )
            self._save_meeting(
                key, meeting.meeting_id, meeting.host_id, "", "", "", "deleted", empty
            )
        elif registrant_id and all(b.registrant_id != registrant_id for b in others):
            self.zoom_writes.cancel_registrant(meeting.meeting_id, Registrant(registrant_id, ""))
            self._audit(booking_id, "cancel-registrant", meeting.meeting_id, "ok")

    def _detach_moved(self, before: dict[str, BookingRow | None]) -> None:
        """Bookings now in another unit leave the old one: a client who moved to another class
        session leaves it (the last one out ends it); a booking whose service became a class
        gives up its one-to-one meeting."""
        for booking_id, row in before.items():
            if row is None or row.status != "linked":
                continue
            now_in = self._current.get(booking_id, row.unit_key)
            if now_in == row.unit_key or now_in in self._not_started:
                continue  # not moved, or its new unit was not done: the next run moves it
            try:
                with self._hold(row.unit_key):
                    self._detach(booking_id, row)
            except (AuthError, ConfigError):
                raise
            except SbzoomError:  # Zoom went away: the report stands; a later run finishes this
                continue

    def _detach(self, booking_id: str, row: BookingRow) -> None:
        old = self._ledger_meeting(row.unit_key)
        if old is None or old.meeting_id is None or old.status != "active":
            return
        if row.registrant_id:
            self._leave_session(booking_id, row.unit_key, row.registrant_id, old)
        else:
            # Doomed first: an outage now cannot make it forgotten.
            self.ledger_writes.doom(old.meeting_id, old.host_id, "now in a class", self.now())
            self.zoom_writes.delete(old.meeting_id)
            why = Audit(booking_id, "delete", old.meeting_id, detail="now in a class session")
            self._save_meeting(
                row.unit_key, old.meeting_id, old.host_id, "", "", "", "deleted", why
            )
            self.ledger_writes.spare(old.meeting_id, self.now())

    # -- write-back ---------------------------------------------------------------------------

    def _write_back(self, booking_id: str, join_url: str, meeting_id: int) -> None:
        """Put the link into the booking comment, never at the cost of someone's text: when the
        comment cannot be read it is not written (a later run tries again), and when SimplyBook
        has no comment endpoint write-back stops for this run with one warning. Either way the
        booking itself is linked: its result does not fail for the comment."""
        if not self.plan.write_back or self.comments is None or not join_url:
            return
        if self._write_back_off:
            return
        row = self._ledger_booking(booking_id)
        if row is not None and row.comment_url == join_url:
            return
        try:
            comment = self.comments.get_comment(booking_id)
            self.comments.set_comment(booking_id, comment_with_link(comment, join_url, meeting_id))
        except WriteBackUnavailableError as exc:
            with self._done_lock:
                first = not self._write_back_off
                self._write_back_off = True
            if first:
                self.warnings.append(f"Write-back is off for this run: {exc.with_hint}")
            self._audit(booking_id, "write-comment", meeting_id, "failed", exc.message)
            return
        except (AuthError, ConfigError):
            raise
        except SbzoomError as exc:  # unreadable, or the write failed: nothing half-written
            self.warnings.append(
                f"Booking {booking_id}: the Zoom link was not written into its comment "
                f"({exc.message}); the next run tries again."
            )
            self._audit(booking_id, "write-comment", meeting_id, "failed", exc.message)
            return
        if row is not None:
            self.ledger_writes.put_booking(replace(row, comment_url=join_url), self.now())
        self._audit(booking_id, "write-comment", meeting_id, "ok")

    # -- the ledger (a dry run's writes are recorded, not applied: writes.py) ----------------

    def _ledger_meeting(self, key: str) -> MeetingRow | None:
        return self.ledger.meeting(key)

    def _ledger_booking(self, booking_id: str) -> BookingRow | None:
        return self.ledger.booking(booking_id)

    def _save_meeting(
        self,
        key: str,
        meeting_id: int | None,
        host: str,
        wanted: str,
        join_url: str,
        passcode: str,
        status: str,
        audit: Audit | None = None,
    ) -> None:
        """Save the unit's meeting row, with the audit entry of the change in the same commit."""
        row = MeetingRow(key, meeting_id, host, wanted, join_url, passcode, status)
        self.ledger_writes.put_meeting(row, self.now(), audit)

    def _save_booking(
        self, booking_id: str, key: str, registrant_id: str, join_url: str, status: str, reason: str
    ) -> None:
        previous = self.ledger.booking(booking_id)
        comment_url = previous.comment_url if previous else ""
        start = self._starts.get(booking_id, previous.start_utc if previous else "")
        row = BookingRow(
            booking_id, key, registrant_id, join_url, status, reason, comment_url, start
        )
        if row == previous:  # unchanged: no write, no commit (the no-op run writes nothing)
            return
        self.ledger_writes.put_booking(row, self.now())

    def _audit(
        self, booking_id: str, action: str, meeting_id: int | None, outcome: str, detail: str = ""
    ) -> None:
        self.ledger_writes.audit(self.now(), booking_id, action, meeting_id, outcome, detail)
