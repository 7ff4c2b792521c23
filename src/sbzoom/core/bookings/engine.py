"""The linking engine: make Zoom match SimplyBook for a set of bookings (PRODUCT.md §4).

Work is grouped into *units* (``units.py``): a one-to-one booking or a class session. Each unit
owns one Zoom meeting whose agenda starts with the marker ``[sbzoom:<key>]``. Before creating, the
engine looks for that marker among the host's upcoming meetings and adopts what it finds, so a
crash, a timeout after Zoom committed, or a lost ledger never produce a second meeting.

The ``Linker`` here is the entry point and the run's order: it groups the bookings, works the
units soonest first (on a worker pool), takes each unit's lock, defers hosts over Zoom's daily
allowance, and turns a unit's failure into its results. What it does for one unit is in the
parts it builds once per run, each given the run's shared ``state.RunState`` explicitly:

  unit_meeting.py   the unit's meeting: reused, updated, adopted, moved, created
  one_to_one.py     a one-to-one booking (its link is the meeting's)
  sessions.py       a class session: registrants added, adopted, cancelled
  cancellations.py  bookings gone, orphaned, unmapped, or moved to another unit
  converge.py       duplicate meetings made by runs that share no disk
  write_back.py     the link written into the booking comment

The engine talks to Zoom and SimplyBook through the narrow protocols of ``model.py``;
``adapters.py`` wires the real clients in. Its changes go through writers (``writes.py``), which
a dry run swaps for recording ones. It never prints: progress goes to a callback, results come
back as data.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import datetime

from sbzoom.clients.zoom import ZoomUserGoneError
from sbzoom.core.bookings.backfill import DAILY_LIMIT
from sbzoom.core.bookings.cancellations import Cancellations
from sbzoom.core.bookings.converge import Converger, duplicates
from sbzoom.core.bookings.listings import HostListings
from sbzoom.core.bookings.model import (
    NOT_STARTED,
    BookingView,
    CommentOps,
    HostExhaustedError,
    LinkPlan,
    LinkReport,
    LinkResult,
    UnitLocks,
    ZoomOps,
)
from sbzoom.core.bookings.one_to_one import OneToOne
from sbzoom.core.bookings.sessions import Sessions
from sbzoom.core.bookings.state import Allowance, RunState
from sbzoom.core.bookings.unit_meeting import UnitMeetings
from sbzoom.core.bookings.units import Unit, group_units
from sbzoom.core.bookings.workers import run_elastic
from sbzoom.core.bookings.write_back import WriteBack
from sbzoom.core.bookings.writes import writers
from sbzoom.core.online import Orphan
from sbzoom.errors import AuthError, ConfigError, RemoteError, SbzoomError
from sbzoom.store.ledger import Ledger, utc_text


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
        # Reads are the same in every run; changes go through writers, which a dry run records
        # instead of applying (writes.py).
        run = writers(zoom, ledger, dry_run=plan.dry_run)
        self.state = RunState(
            zoom=zoom,
            ledger=run.ledger,
            ledger_writes=run.ledger_writes,
            zoom_writes=run.zoom_writes,
            preview=run.dry_run,
            comments=None if run.dry_run else comments,
            plan=plan,
            now=now,
            host_label=host_label or (lambda host_id: host_id),
            locks=locks,
        )
        self.plan = plan
        self.now = now
        self.progress = progress
        self.pool_size = pool_size or (lambda: plan.workers)
        # Set by a signal: units not yet started are reported as such; those in flight finish.
        self.stop = stop or threading.Event()
        self.allowance = Allowance(used_today, daily_limit, now)
        self.listings = HostListings(zoom, now)
        write_back = WriteBack(self.state)
        self.meetings = UnitMeetings(self.state, self.listings, self.allowance)
        self.one_to_one = OneToOne(self.state, self.meetings, self.listings, write_back)
        self.sessions = Sessions(self.state, self.meetings, self.listings, write_back)
        self.cancellations = Cancellations(self.state, self.sessions)
        self.converger = Converger(self.state, self.listings, self.meetings, write_back)
        self._started: datetime | None = None
        self._exhausted: dict[str, HostExhaustedError] = {}
        self._done = 0
        self._total = 0
        self._progress_lock = threading.Lock()

    # -- entry points -------------------------------------------------------------------------

    def run(self, bookings: Sequence[BookingView]) -> LinkReport:
        state = self.state
        self._started = self.now()
        self.meetings.finish_doomed()
        units = group_units(bookings, self.plan)
        state.current = {b.id: u.key for u in units for b in u.bookings}
        state.starts = {b.id: utc_text(b.start) for b in bookings}
        before = {b.id: state.ledger.booking(b.id) for b in bookings}
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
        self.cancellations.detach_moved(before)
        self._tally(units, results)
        order = {b.id: i for i, b in enumerate(bookings)}
        results.sort(key=lambda r: order.get(r.booking_id, len(order)))
        plans = sorted(
            (p for p in self.allowance.plans() if p.spent or p.meetings_waiting),
            key=lambda p: p.host_id,
        )
        return LinkReport(
            results, dry_run=state.preview, warnings=list(state.warnings), backfill=plans,
            today=self.now(),
        )  # fmt: skip

    def forget(self, booking_ids: Sequence[str]) -> list[LinkResult]:
        """Bookings SimplyBook no longer has: end their meeting, or their place in a class."""
        return self.cancellations.forget(booking_ids)

    def orphans(self, bookings: Sequence[tuple[BookingView, Orphan]]) -> list[LinkResult]:
        """Bookings out of scope now (their service is no longer online) whose meeting sbzoom
        made: reported as orphaned, or cancelled when the plan says so."""
        return self.cancellations.orphans(bookings)

    # -- one unit -----------------------------------------------------------------------------

    def _tick(self, count: int) -> None:
        with self._progress_lock:
            self._done += count
            done = self._done
        if self.progress is not None:
            self.progress(done, self._total)

    def _unit(self, unit: Unit) -> list[LinkResult]:
        if self.stop.is_set():  # stopping: units not begun are left to the next run
            self.state.not_started.add(unit.key)
            self._tick(len(unit.bookings))
            return [LinkResult(b.id, "failed", reason=NOT_STARTED) for b in unit.bookings]
        try:
            with self.state.hold(unit.key):
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
        if self.state.locks is None or self._started is None:
            return False
        return self.state.ledger.unit_changed_since(unit.key, self._started)

    def _as_recorded(self, unit: Unit) -> list[LinkResult]:
        results = []
        meeting = self.state.ledger.meeting(unit.key)
        meeting_id = meeting.meeting_id if meeting and meeting.status == "active" else None
        for booking in unit.bookings:
            row = self.state.ledger.booking(booking.id)
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
                return [self.cancellations.unmapped(b) for b in unit.bookings]
            exhausted = self._exhausted.get(unit.host_id)
            if exhausted is not None and unit.active:  # cancelling needs no create/update
                return self._deferred(unit, exhausted)
            try:
                self.converger.converge(unit)
                if unit.is_class:
                    return self.sessions.link(unit)
                return self.one_to_one.link(unit)
            except HostExhaustedError as exc:
                # An update's error does not know the host; reasons name it by e-mail.
                exc = HostExhaustedError(
                    unit.host_id, exc.reset_at, self.state.host_label(unit.host_id)
                )
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
                    self.state.audit(booking.id, "link", None, "failed", reason)
                    previous = self.state.ledger.booking(booking.id)
                    if previous is None or previous.status != "linked":  # a sent link still works
                        self.state.save_booking(booking.id, unit.key, "", "", "failed", reason)
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
            previous = self.state.ledger.booking(booking.id)
            if previous is None or previous.status != "linked":  # keep what is already linked
                self.state.save_booking(booking.id, unit.key, "", "", "deferred", exc.message)
            results.append(LinkResult(booking.id, "deferred", reason=exc.message))
        return results

    # -- after the units ----------------------------------------------------------------------

    def _settle(self, units: list[Unit], results: list[LinkResult]) -> list[LinkResult]:
        """After creating, list those hosts once more: a run elsewhere may have made the same
        meetings meanwhile. Converge them now, and report the links that are left."""
        if self.state.preview or self.stop.is_set() or not self.state.created:
            return results
        redo: list[Unit] = []
        for host in sorted({u.host_id for u in units if u.key in self.state.created and u.host_id}):
            try:
                twice = duplicates(self.listings.of(host, fresh=True).meetings)
            except (AuthError, ConfigError):
                raise
            except SbzoomError:
                continue  # the next run converges them
            redo += [u for u in units if u.host_id == host and u.key in twice]
        if not redo:
            return results
        with self._progress_lock:  # the progress counts these units once more
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

    def _tally(self, units: Sequence[Unit], results: Sequence[LinkResult]) -> None:
        """Per host: bookings linked today, bookings and meetings waiting for later days."""
        status = {r.booking_id: r.status for r in results}
        for unit in units:
            if unit.host_id is None:
                continue
            plan = self.allowance.plan_of(unit.host_id)
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
