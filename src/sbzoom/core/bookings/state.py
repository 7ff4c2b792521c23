"""What the parts of one linking run share (``engine.Linker`` builds it once per run).

``RunState`` holds the run's reads and writers (``writes.py``: a dry run's record instead of
applying), the plan, the clock, the unit locks, what the run learnt as it went (the meetings it
made, the bookings it relinked, the warnings for stderr) and the ledger rows it saves.
``Allowance`` spends Zoom's daily creates/updates per host (``backfill.py``). Each part of the
engine (``unit_meeting``, ``one_to_one``, ``sessions``, ``cancellations``, ``converge``,
``write_back``) takes these explicitly; none reaches into another's state.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

from sbzoom.core.bookings.backfill import HostPlan, next_utc_midnight
from sbzoom.core.bookings.model import HostExhaustedError
from sbzoom.store.ledger import BookingRow, MeetingRow

if TYPE_CHECKING:
    from sbzoom.core.bookings.listings import HostListings
    from sbzoom.core.bookings.model import CommentOps, LinkPlan, UnitLocks, ZoomOps
    from sbzoom.core.bookings.unit_meeting import UnitMeetings
    from sbzoom.core.bookings.write_back import WriteBack
    from sbzoom.core.bookings.writes import LedgerReads, LedgerWrites, ZoomWrites
    from sbzoom.store.ledger import Audit


@dataclass
class RunState:
    zoom: ZoomOps  # reads: listings and registrants (its changes go through zoom_writes)
    ledger: LedgerReads
    ledger_writes: LedgerWrites
    zoom_writes: ZoomWrites
    # What a dry run does differently on purpose asks ``preview``: it words what it would do,
    # registers no class client, and leaves duplicate meetings alone.
    preview: bool
    comments: CommentOps | None  # None: a dry run neither reads nor writes booking comments
    plan: LinkPlan
    now: Callable[[], datetime]
    host_label: Callable[[str], str]  # how a Zoom user is named in reasons: their e-mail
    locks: UnitLocks | None  # None: a dry run takes no locks, it changes nothing
    lock: threading.Lock = field(default_factory=threading.Lock)
    warnings: list[str] = field(default_factory=list)  # one line each, for stderr
    starts: dict[str, str] = field(default_factory=dict)  # booking id -> its start (UTC text)
    current: dict[str, str] = field(default_factory=dict)  # booking id -> its unit in this run
    made: set[int] = field(default_factory=set)  # meetings this run created: no registrants yet
    created: set[str] = field(default_factory=set)  # unit keys this run created a meeting for
    # booking id -> the duplicate meeting its link pointed into, deleted by converge
    relinked: dict[str, int] = field(default_factory=dict)
    not_started: set[str] = field(default_factory=set)  # unit keys the stop left alone

    def hold(self, key: str) -> AbstractContextManager[None]:
        if self.locks is None:
            return nullcontext()
        return self.locks.hold(key)

    def save_meeting(
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

    def save_booking(
        self, booking_id: str, key: str, registrant_id: str, join_url: str, status: str, reason: str
    ) -> None:
        previous = self.ledger.booking(booking_id)
        comment_url = previous.comment_url if previous else ""
        start = self.starts.get(booking_id, previous.start_utc if previous else "")
        row = BookingRow(
            booking_id, key, registrant_id, join_url, status, reason, comment_url, start
        )
        if row == previous:  # unchanged: no write, no commit (the no-op run writes nothing)
            return
        self.ledger_writes.put_booking(row, self.now())

    def audit(
        self, booking_id: str, action: str, meeting_id: int | None, outcome: str, detail: str = ""
    ) -> None:
        self.ledger_writes.audit(self.now(), booking_id, action, meeting_id, outcome, detail)


@dataclass
class UnitWork:
    """What linking a unit uses (one-to-one and class sessions alike): the run's state, the
    unit's meeting, the hosts' listings and the write-back of links."""

    state: RunState
    meetings: UnitMeetings
    listings: HostListings
    write_back: WriteBack


class Allowance:
    """Zoom's 100 creates/updates per host per UTC day, counted here so the allowance goes to
    the soonest bookings and a host over it is deferred without a request."""

    def __init__(
        self, used_today: dict[str, int] | None, daily_limit: int, now: Callable[[], datetime]
    ) -> None:
        self.daily_limit = daily_limit
        self.now = now
        self._lock = threading.Lock()
        self._plans: dict[str, HostPlan] = {
            host: HostPlan(host, daily_limit, used_before=count)
            for host, count in (used_today or {}).items()
        }

    def plan_of(self, host: str) -> HostPlan:
        plan = self._plans.get(host)
        if plan is None:
            plan = self._plans[host] = HostPlan(host, self.daily_limit)
        return plan

    def spend(self, host: str) -> None:
        """Take one of the host's daily creates/updates, or defer: none is left today."""
        with self._lock:
            plan = self.plan_of(host)
            if plan.used_before + plan.spent >= self.daily_limit:
                raise HostExhaustedError(host, next_utc_midnight(self.now()))
            plan.spent += 1

    def plans(self) -> Iterable[HostPlan]:
        return self._plans.values()
