"""`bookings link`: the linking engine (``engine.Linker``) run over the bookings in scope, with the
real clients, the ledger, the run lock and the e-mail notices wired in.

``link_bookings`` takes what it needs as a ``LinkServices`` (clients and the ledger built only
when first asked for, so errors come in the order a person fixes them), never the Context.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime, time
from pathlib import Path
from typing import TYPE_CHECKING, Protocol
from zoneinfo import ZoneInfo

from sbzoom.core.bookings.adapters import CommentAdapter, ZoomAdapter, host_labels
from sbzoom.core.bookings.backfill import DAILY_LIMIT
from sbzoom.core.bookings.engine import Linker
from sbzoom.core.bookings.meeting import meeting_template, passcode_problem
from sbzoom.core.bookings.model import BookingView, LinkPlan, LinkReport, LinkResult
from sbzoom.core.bookings.scope import collect_bookings, parse_booking_ids
from sbzoom.core.dates import window
from sbzoom.core.online import online_services, stored_online
from sbzoom.errors import ConfigError, RemoteError, SbzoomError, StoppedError, UsageError
from sbzoom.store.files import UnitLocks, file_lock
from sbzoom.store.ledger import Ledger, ledger_path

if TYPE_CHECKING:
    from sbzoom.clients.simplybook import SimplyBookClient
    from sbzoom.clients.zoom import ZoomClient
    from sbzoom.clock import Clock
    from sbzoom.core.notify.model import NotifyReport
    from sbzoom.store.config import Profile


class RunLockedError(RemoteError):
    """Another run of the profile kept the run lock longer than ``link.lock_timeout``."""


class NoticeSender(Protocol):
    """The e-mail notices of a run (``core.notify``), when ``notify.email`` is on."""

    def check_ready(self) -> None:
        """Fail before any work when notices cannot be sent."""

    def after_link(
        self,
        ledger: Ledger | None,
        views: Sequence[BookingView],
        online: Mapping[str, str],
        timezone: str,
        list_providers: Callable[[], Sequence[object]],
        results: Sequence[LinkResult],
        *,
        dry_run: bool,
        gone: Sequence[str] = (),
    ) -> NotifyReport:
        """Send what the run's results owe to clients and providers."""


@dataclass(frozen=True)
class LinkServices:
    """What a link run uses. Clients and the ledger are built when first asked for."""

    profile: Callable[[], Profile]
    profile_name: str
    data_dir: Path  # where the ledger and the locks live
    clock: Clock
    simplybook: Callable[[], SimplyBookClient]
    zoom: Callable[[], ZoomClient]
    ledger: Callable[[], Ledger]
    notices: NoticeSender
    stop: threading.Event  # set by a signal: finish what is in flight, start nothing new
    stop_signal: Callable[[], int]  # which signal set it (SIGINT or SIGTERM)
    daily_limit: Callable[[], int] = lambda: DAILY_LIMIT

    @property
    def ledger_exists(self) -> bool:
        return ledger_path(self.data_dir, self.profile_name).exists()

    def unit_locks(self) -> UnitLocks:
        return unit_locks(self.data_dir, self.profile_name)


def unit_locks(data_dir: Path, profile_name: str) -> UnitLocks:
    """The per-booking/per-session locks a run and the listener share."""
    return UnitLocks(data_dir / "locks" / f"units-{profile_name}")


def link_plan(
    profile: Profile,
    online: Mapping[str, str],
    *,
    dry_run: bool,
    timezone: str,
    cancel_orphans: bool = False,
) -> LinkPlan:
    meeting = meeting_template(profile.get)
    problem = passcode_problem(meeting)
    if problem is not None:
        raise problem
    return LinkPlan(
        online=dict(online),
        hosts=profile.family("providers"),
        timezone=timezone,
        meeting=meeting,
        write_back=profile.get("write_back") == "comment",
        dry_run=dry_run,
        cancel_orphans=cancel_orphans,
    )


def daily_limit(env: Mapping[str, str]) -> int:
    """Zoom's creates/updates per host per UTC day: 100, unless SBZOOM_ZOOM_DAILY_LIMIT says
    otherwise (lower it to leave room for other apps scheduling for the same hosts; the
    benchmarks raise it together with the sandbox's)."""
    raw = env.get("SBZOOM_ZOOM_DAILY_LIMIT", "").strip()
    if not raw:
        return DAILY_LIMIT
    if not raw.isdigit():
        raise ConfigError(
            f"SBZOOM_ZOOM_DAILY_LIMIT={raw!r} is not a whole number.",
            "Unset it, or give the meeting creates/updates per host per day, e.g. 100.",
        )
    return int(raw)


def used_today(ledger: Ledger | None, now: datetime) -> dict[str, int]:
    """Meeting creates/updates per host this profile made since 00:00 UTC (Zoom allows 100)."""
    if ledger is None:
        return {}
    midnight = datetime.combine(now.astimezone(UTC).date(), time(), UTC)
    return ledger.creates_updates_since(midnight)


def link_bookings(
    services: LinkServices,
    booking_ids: Sequence[str] = (),
    date_from: str | None = None,
    date_to: str | None = None,
    *,
    dry_run: bool = False,
    cancel_orphans: bool = False,
    progress: Callable[[int, int], None] | None = None,
    lock_timeout: float | None = None,
    on_lock_wait: Callable[[str], None] | None = None,
    missing_ok: bool = False,
) -> LinkReport:
    """Link the bookings in scope; ``services.stop`` ends the run early but cleanly.

    ``lock_timeout`` (default: the ``link.lock_timeout`` setting) bounds the wait for another run
    of the profile; ``on_lock_wait(text)`` is told once that the run is waiting. ``missing_ok``:
    a named booking SimplyBook no longer has ends its meeting instead of failing the run (the
    listener, told about a booking that was then deleted).
    """
    clock = services.clock
    # Bad ids and dates fail before anything is read; the real window needs the company zone.
    parse_booking_ids(booking_ids)
    if booking_ids and (date_from or date_to):
        raise UsageError(
            "--from/--to choose bookings by date; they cannot be combined with booking ids.",
            "Give either booking ids or a date window.",
        )
    window(date_from, date_to, clock.now(), ZoneInfo("UTC"))
    if lock_timeout is not None and not 0 <= lock_timeout <= 86400:  # NaN too
        raise UsageError(
            f"--lock-timeout {lock_timeout} is not a number of seconds from 0 to 86400.",
            "Pass e.g. --lock-timeout 60 (0: do not wait at all).",
        )
    profile = services.profile()
    stored_online(profile)  # before any sign-in: nothing online is the first thing to fix
    notify = bool(profile.get("notify.email"))
    if notify and not dry_run:
        services.notices.check_ready()
    simplybook = services.simplybook()
    online = online_services(profile, simplybook)
    zone = simplybook.timezone
    span = None if booking_ids else window(date_from, date_to, clock.now(), zone)
    plan = link_plan(
        profile, online, dry_run=dry_run, timezone=zone.key, cancel_orphans=cancel_orphans
    )
    zoom = ZoomAdapter(services.zoom())
    comments = CommentAdapter(simplybook) if plan.write_back else None
    label = host_labels(services.zoom)
    stop = services.stop

    def run(ledger: Ledger | None) -> LinkReport:
        scope = collect_bookings(
            simplybook, online, booking_ids, span, ledger, missing_ok=missing_ok
        )
        locks = None if dry_run else services.unit_locks()
        linker = Linker(
            zoom, comments, ledger, plan, clock.now, progress, label,
            stop=stop, locks=locks, pool_size=zoom.pool_size,
            used_today=used_today(ledger, clock.now()), daily_limit=services.daily_limit(),
        )  # fmt: skip
        report = linker.run(scope.bookings)
        orphans = linker.orphans(scope.out_of_scope) if not stop.is_set() else []
        orphaned = {r.booking_id for r in orphans}
        skipped = [r for r in scope.skipped if r.booking_id not in orphaned]
        views = {v.id: v for v in scope.bookings}
        views.update((v.id, v) for v, _ in scope.out_of_scope)
        ended = linker.forget(scope.gone) if not stop.is_set() else []
        results = report.results + orphans + ended + skipped
        report = replace(report, results=results, bookings=views)
        if notify and not stop.is_set():  # tell clients and providers (core/notify), once each
            sent = services.notices.after_link(
                ledger, scope.bookings, online, zone.key, simplybook.list_providers,
                report.results, dry_run=dry_run, gone=scope.gone,
            )  # fmt: skip
            report = replace(report, notices=sent)
        return report

    if dry_run:
        return run(services.ledger() if services.ledger_exists else None)
    if span is None:  # named bookings: their units' locks are enough (the listener runs so)
        return run(services.ledger())
    # One window run per profile at a time: a second cron run waits instead of racing the first,
    # but not for ever, and not without saying so (a cron job never waits silently). Each booking
    # or session is also locked on its own while it is worked on, so the listener (and 'bookings
    # link ID') only ever waits for one unit, never for a whole run.
    name = services.profile_name
    lock = services.data_dir / "locks" / f"link-{name}.lock"
    timeout = lock_timeout if lock_timeout is not None else run_lock_timeout(profile)

    def waiting() -> None:
        if on_lock_wait is not None:
            on_lock_wait(
                f"Another 'sbzoom bookings link' of profile '{name}' is running; "
                f"waiting up to {timeout:g} s for it to finish (--lock-timeout)."
            )

    def gave_up() -> SbzoomError:
        if stop.is_set():
            return stopped_error(services.stop_signal(), "while waiting for another run")
        return RunLockedError(
            f"Another 'sbzoom bookings link' of profile '{name}' still held "
            f"{lock} after {timeout:g} s; nothing was changed.",
            "Run again when it has finished, or wait longer with --lock-timeout SECONDS "
            "(setting link.lock_timeout).",
        )

    with file_lock(lock, timeout=timeout, on_wait=waiting, timeout_error=gave_up, stop=stop.is_set):
        return run(services.ledger())


def run_lock_timeout(profile: Profile) -> float:
    value = profile.get("link.lock_timeout")
    return float(value) if value is not None else 300.0


def stopped_error(stop_signal: int, when: str) -> StoppedError:
    import signal

    terminated = stop_signal == signal.SIGTERM
    name = "SIGTERM" if terminated else "Ctrl-C"
    return StoppedError(
        f"Stopped by {name} {when}; nothing was changed.",
        "Run 'sbzoom bookings link' again to link the bookings.",
        terminated=terminated,
    )
