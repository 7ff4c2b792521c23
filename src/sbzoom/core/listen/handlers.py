"""What the listener does with queued events: link exactly the bookings they are about.

SimplyBook callbacks are hints: the booking is fetched and linked with the same engine and rules
as ``bookings link ID`` (create, move, cancel, adopt). Zoom's ``meeting.deleted`` and
``meeting.updated`` matter only when Zoom now differs from the booking: sbzoom's own changes come
back as webhooks too, and acting on those would start a loop. So:

- ``meeting.deleted``: ignored unless the ledger holds that meeting as the unit's *active* one
  (sbzoom's own deletions mark it deleted first, under the unit's lock); otherwise the deletion is
  recorded and the unit linked again, which recreates it while the booking is still active.
- ``meeting.updated``: ignored unless the new start or duration differs from what the booking (as
  SimplyBook has it now) says; otherwise recorded, and the meeting put back to the booking's time.

Nothing here prints: every handled event becomes an ``Outcome`` the caller logs and counts.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Protocol

from sbzoom.core.bookings.model import BookingView, LinkReport, LinkResult
from sbzoom.core.listen.queue import QueuedEvent
from sbzoom.errors import AuthError, ConfigError, RemoteError, SbzoomError
from sbzoom.store.ledger import Audit, Ledger

RETRY_AFTER_SECONDS = (5.0, 30.0, 120.0, 600.0, 1800.0)  # then the cron run is the safety net


@dataclass(frozen=True)
class Outcome:
    """One event handled: what happened to which booking, and whether it is finished."""

    event_id: int
    source: str
    kind: str
    booking: str  # booking id(s), or "-" when none is concerned
    action: str  # created|updated|cancelled|unchanged|skipped|failed|deferred|ignored|recreated
    finished: str  # done | retry | failed
    detail: str = ""
    meeting_id: int | None = None


class Engine(Protocol):
    """The linking engine as the listener uses it (``core.listen.service.LinkEngine``)."""

    ledger: Ledger

    def link(self, booking_ids: Sequence[str]) -> LinkReport: ...
    def booking(self, booking_id: str) -> BookingView | None: ...
    def hold(self, unit_key: str) -> AbstractContextManager[None]: ...
    def now(self) -> datetime: ...


def handle_batch(engine: Engine, events: Sequence[QueuedEvent]) -> list[Outcome]:
    """Handle taken events: SimplyBook ones in one linking run, Zoom ones one by one."""
    outcomes: list[Outcome] = []
    bookings = [e for e in events if e.event.source == "simplybook"]
    if bookings:
        outcomes.extend(_link_bookings(engine, bookings))
    for queued in events:
        if queued.event.source == "zoom":
            try:
                outcomes.append(_zoom_event(engine, queued))
            except SbzoomError as exc:
                outcomes.append(_failure(queued, "-", exc))
    return outcomes


def _failure(queued: QueuedEvent, booking: str, exc: SbzoomError) -> Outcome:
    again = isinstance(exc, RemoteError) or not isinstance(exc, (AuthError, ConfigError))
    finished = "retry" if again and queued.attempts <= len(RETRY_AFTER_SECONDS) else "failed"
    event = queued.event
    return Outcome(queued.id, event.source, event.kind, booking, "failed", finished, exc.message)


def retry_delay(attempts: int) -> float:
    return RETRY_AFTER_SECONDS[min(attempts, len(RETRY_AFTER_SECONDS)) - 1]


def _link_bookings(engine: Engine, events: Sequence[QueuedEvent]) -> list[Outcome]:
    ids = list(dict.fromkeys(e.event.key for e in events))  # one run, each booking once
    try:
        report = engine.link(ids)
    except SbzoomError as exc:
        return [_failure(e, e.event.key, exc) for e in events]
    by_id = {r.booking_id: r for r in report.results}
    outcomes = []
    for queued in events:
        result = by_id.get(queued.event.key)
        if result is None:  # not in SimplyBook and never linked: nothing to do
            result = LinkResult(queued.event.key, "skipped", reason="no such booking")
        outcomes.append(_from_result(queued, result))
    return outcomes


def _from_result(queued: QueuedEvent, result: LinkResult) -> Outcome:
    finished = "done"
    if result.status == "failed":
        retry = result.unavailable and queued.attempts <= len(RETRY_AFTER_SECONDS)
        finished = "retry" if retry else "failed"
    event = queued.event
    return Outcome(
        queued.id,
        event.source,
        event.kind,
        result.booking_id,
        result.status,
        finished,
        result.reason,
        result.meeting_id,
    )


def _zoom_event(engine: Engine, queued: QueuedEvent) -> Outcome:
    event = queued.event
    meeting_id = int(event.key)
    payload = json.loads(event.payload or "{}")
    row = engine.ledger.meeting_by_id(meeting_id)

    def ignored(why: str, booking: str = "-") -> Outcome:
        return Outcome(queued.id, "zoom", event.kind, booking, "ignored", "done", why, meeting_id)

    if row is None:
        return ignored("not a meeting sbzoom keeps")
    with engine.hold(row.unit_key):
        row = engine.ledger.meeting(row.unit_key)  # as it is now, under the unit's lock
        if row is None or row.meeting_id != meeting_id or row.status != "active":
            return ignored("sbzoom's own change (the meeting is no longer the booking's)")
        linked = [
            b.booking_id for b in engine.ledger.bookings_of(row.unit_key) if b.status == "linked"
        ]
        if not linked:
            return ignored("no booking holds this meeting")
        booking = ",".join(linked)
        if event.kind == "meeting.deleted":
            who = payload.get("operator") or "someone"
            audit = Audit(
                linked[0], "zoom-deleted", meeting_id, "missing", f"deleted in Zoom by {who}"
            )
            engine.ledger.put_meeting(
                replace(row, state_hash="", join_url="", passcode="", status="deleted"),
                engine.now(),
                audit,
            )
            view = engine.booking(linked[0])
            if view is None or view.cancelled or view.end <= engine.now():
                # Recorded; nothing to recreate: the booking is over, cancelled or gone (its
                # own callback, or the cron run, settles the rest).
                return ignored("recorded; the booking is over, cancelled or gone", booking)
        else:
            differs = _differs(engine, linked[0], payload.get("object") or {})
            if not differs:
                return ignored("Zoom already matches the booking", booking)
            who = payload.get("operator") or "someone"
            audit = Audit(linked[0], "zoom-changed", meeting_id, "differs", f"{differs} by {who}")
            # A stale state makes the engine send the booking's time again.
            engine.ledger.put_meeting(replace(row, state_hash=""), engine.now(), audit)
    # Linked after the lock is let go: the engine takes it again (from its own threads, when the
    # bookings now sit in several units). What was recorded above makes any run repair it.
    report = engine.link(linked)
    results = [r for r in report.results if r.booking_id in linked]
    failed = next((r for r in results if r.status == "failed"), None)
    if failed is not None:
        return _from_result(queued, replace(failed, booking_id=booking))
    first = results[0] if results else LinkResult(booking, "skipped", reason="not linked")
    action = (
        "recreated"
        if event.kind == "meeting.deleted" and first.status in ("created", "updated")
        else first.status
    )
    if event.kind == "meeting.updated" and first.status == "updated":
        action = "restored"
    return Outcome(
        queued.id, "zoom", event.kind, booking, action, "done", first.reason, first.meeting_id
    )


def _differs(engine: Engine, booking_id: str, new: dict[str, object]) -> str:
    """How Zoom's new values differ from the booking ("" when they do not)."""
    if "start_time" not in new and "duration" not in new:
        return ""  # topic, settings...: not what sbzoom keeps right from events
    view = engine.booking(booking_id)
    if view is None or view.cancelled:
        return ""  # the booking's own callback (or the cron run) ends the meeting
    if "start_time" in new:
        start = _parse_zoom_time(new["start_time"])
        if start is None or start != view.start.astimezone(UTC).replace(microsecond=0):
            return "start moved in Zoom"
    if "duration" in new:
        minutes = int(
            (view.end.astimezone(UTC) - view.start.astimezone(UTC)) / timedelta(minutes=1)
        )
        if new["duration"] != max(1, minutes):
            return "duration changed in Zoom"
    return ""


def _parse_zoom_time(value: object) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).replace(microsecond=0)
