"""`bookings link` and `bookings show`: the linking engine wired to the real clients and ledger."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sbzoom.clients import zoom as zoom_api
from sbzoom.clients.simplybook import Booking, EndpointMissingError, SimplyBookClient
from sbzoom.context import Context
from sbzoom.core.dates import Window, window
from sbzoom.core.linking import (
    BookingView,
    CommentUnreadableError,
    HostExhaustedError,
    Linker,
    LinkPlan,
    LinkReport,
    LinkResult,
    MeetingGoneError,
    MeetingSettings,
    Registrant,
    WriteBackUnavailableError,
    ZoomMeeting,
    marker,
    passcode_problem,
    unit_key,
)
from sbzoom.errors import (
    ApiError,
    ConfigError,
    NotFoundError,
    RemoteError,
    SbzoomError,
    StoppedError,
    UsageError,
)
from sbzoom.store.files import UnitLocks, file_lock
from sbzoom.store.ledger import Ledger, ledger_path

# Zoom's start_url is good for about two hours after it is fetched.
START_URL_LIFETIME = timedelta(hours=2)


class RunLockedError(RemoteError):
    """Another run of the profile kept the run lock longer than ``link.lock_timeout``."""


class ZoomAdapter:
    """The engine's view of Zoom (``linking.ZoomOps``) over the real client."""

    def __init__(self, client: zoom_api.ZoomClient) -> None:
        self.client = client

    def upcoming(self, host_id: str) -> list[ZoomMeeting]:
        # "scheduled" = unexpired past, live and upcoming: also finds today's earlier sessions.
        return [_view(m, host_id) for m in self.client.list_meetings(host_id, type="scheduled")]

    def create(self, host_id: str, body: dict[str, object]) -> ZoomMeeting:
        try:
            return _view(self.client.create_meeting(host_id, body), host_id)
        except zoom_api.DailyLimitError as exc:
            raise HostExhaustedError(host_id, exc.reset_at) from None

    def update(self, meeting_id: int, body: dict[str, object]) -> None:
        try:
            self.client.update_meeting(meeting_id, body)
        except zoom_api.DailyLimitError as exc:
            raise HostExhaustedError(exc.host or "", exc.reset_at) from None
        except zoom_api.MeetingGoneError:
            raise MeetingGoneError(f"Meeting {meeting_id} is gone from Zoom.") from None

    def delete(self, meeting_id: int) -> None:
        try:
            self.client.delete_meeting(meeting_id)
        except ApiError as exc:
            if exc.code != 3007:  # "has ended": nothing left to delete
                raise

    def registrants(self, meeting_id: int) -> list[Registrant]:
        try:
            listed = self.client.list_registrants(meeting_id)
        except zoom_api.MeetingGoneError:
            raise MeetingGoneError(f"Meeting {meeting_id} is gone from Zoom.") from None
        return [Registrant(r.id, r.email, r.join_url) for r in listed]

    def add_registrant(
        self, meeting_id: int, email: str, first_name: str, last_name: str
    ) -> Registrant:
        # The client reads the personal link back when the 201 leaves it out (approval type 1).
        try:
            made = self.client.add_registrant(meeting_id, email, first_name, last_name)
        except zoom_api.MeetingGoneError:
            raise MeetingGoneError(f"Meeting {meeting_id} is gone from Zoom.") from None
        return Registrant(made.id, made.email or email, made.join_url)

    def cancel_registrant(self, meeting_id: int, registrant: Registrant) -> None:
        try:
            self.client.cancel_registrants(meeting_id, [registrant])
        except zoom_api.MeetingGoneError:
            return  # the meeting is gone, and the registration with it: the goal is reached


class CommentAdapter:
    def __init__(self, client: SimplyBookClient) -> None:
        self.client = client

    def get_comment(self, booking_id: str) -> str:
        comment = self.client.get_booking(int(booking_id)).comment
        if comment is None:  # the details carried no "comment" field: its text is unknown
            raise CommentUnreadableError(
                f"SimplyBook's details of booking {booking_id} carry no comment field."
            )
        return comment

    def set_comment(self, booking_id: str, text: str) -> None:
        try:
            self.client.set_booking_comment(int(booking_id), text)
        except EndpointMissingError as exc:
            raise WriteBackUnavailableError(exc.message, exc.hint) from None


def _view(meeting: zoom_api.Meeting, host_id: str) -> ZoomMeeting:
    return ZoomMeeting(
        id=meeting.id,
        host_id=meeting.host_id or host_id,
        join_url=meeting.join_url,
        passcode=meeting.password,
        start=meeting.start_time,
        duration=meeting.duration,
        topic=meeting.topic,
        agenda=meeting.agenda,
    )


def booking_view(booking: Booking) -> BookingView:
    client = booking.client
    return BookingView(
        id=str(booking.id),
        code=booking.code,
        cancelled=booking.is_cancelled,
        start=booking.start,
        end=booking.end,
        service_id=str(booking.service_id or ""),
        service_name=booking.service_name,
        provider_id=str(booking.provider_id or ""),
        provider_name=booking.provider_name,
        client_name=(client.name if client else "") or "Client",
        client_email=(client.email if client else "") or "",
    )


def stored_online(context: Context) -> dict[str, str]:
    """The services the profile has online; none is a setup problem worth stopping for."""
    stored = context.profile.family("services")
    if not stored:
        raise ConfigError(
            "No service is online yet, so no booking has a meeting to link or report.",
            "Choose them with 'sbzoom services enable-online SERVICE...' "
            "('sbzoom services list' shows them).",
        )
    return stored


def online_services(context: Context, simplybook: SimplyBookClient) -> dict[str, str]:
    """Online service id -> "online" | "class", as the profile says, with capacity applied.

    A service whose SimplyBook capacity lets several clients share a slot is a class whatever
    was stored when it was enabled (its capacity may have grown since), so linking, showing and
    reporting agree with `sbzoom services list`.
    """
    from sbzoom.core.catalog import capacity_reason

    stored = stored_online(context)
    if "online" not in stored.values():
        return stored
    providers = simplybook.list_providers()
    grown = {
        str(s.id)
        for s in simplybook.list_services()
        if stored.get(str(s.id)) == "online" and capacity_reason(s, providers)
    }
    return {k: "class" if k in grown else v for k, v in stored.items()}


def link_plan(
    context: Context, online: Mapping[str, str], *, dry_run: bool, timezone: str
) -> LinkPlan:
    profile = context.profile
    meeting = meeting_settings(profile.get)
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
    )


def meeting_settings(get: Callable[[str], Any]) -> MeetingSettings:
    return MeetingSettings(
        topic=str(get("meeting.topic")),
        agenda=str(get("meeting.agenda")),
        waiting_room=bool(get("meeting.waiting_room")),
        passcode=str(get("meeting.passcode")),
        auto_recording=str(get("meeting.auto_recording")),
        join_before_host=bool(get("meeting.join_before_host")),
        registrant_emails=get("notify.class_via") == "zoom",
    )


def open_ledger(context: Context) -> Ledger:
    ledger = context.cached(
        "ledger", lambda: Ledger(ledger_path(context.data_dir, context.profile_name))
    )
    assert isinstance(ledger, Ledger)
    return ledger


def _booking_ids(raw: Sequence[str]) -> list[int]:
    ids = []
    for item in raw:
        if not item.strip().isdigit():
            raise UsageError(
                f"Booking id {item!r} is not a number.",
                "Pass SimplyBook booking ids, e.g. 'sbzoom bookings link 1234 1235'.",
            )
        ids.append(int(item))
    return ids


def collect_bookings(
    simplybook: SimplyBookClient,
    online: Mapping[str, str],
    booking_ids: Sequence[str],
    span: Window | None,
    ledger: Ledger | None,
    *,
    missing_ok: bool = False,
) -> tuple[list[BookingView], list[LinkResult], list[str]]:
    """The bookings in scope; results for ids named but not online; ids SimplyBook lost.

    In window mode the ledger adds bookings it linked inside the window that SimplyBook no longer
    lists there: moved out of it (their meeting must move too) or deleted (it must end).
    """
    if span is None:
        views, skipped, missing = [], [], []
        for number, fetched in _fetch_each(simplybook, _booking_ids(booking_ids), missing_ok):
            if fetched is None:  # deleted in SimplyBook (the listener: its meeting must end)
                missing.append(str(number))
                continue
            view = booking_view(fetched)
            if view.service_id in online:
                views.append(view)
            else:
                skipped.append(
                    LinkResult(
                        view.id,
                        "skipped",
                        reason=f"service {view.service_name} ({view.service_id}) is not online; "
                        f"run 'sbzoom services enable-online {view.service_id}'",
                    )
                )
        return views, skipped, missing
    found = simplybook.iter_bookings(
        date_from=span.first, date_to=span.last, services=[int(s) for s in online]
    )
    # SimplyBook filters by service and appointment date already; check both again so a lax
    # server, or a date filter that reads the creation date, cannot widen the scope
    # (docs/simplybook-facts.md §1).
    views = [
        v
        for v in map(booking_view, found)
        if v.service_id in online
        and span.first <= v.start.astimezone(span.zone).date() <= span.last
    ]
    gone: list[str] = []
    if ledger is not None:
        listed = {v.id for v in views}
        first = datetime.combine(span.first, time(), span.zone)
        last = datetime.combine(span.last + timedelta(days=1), time(), span.zone)
        for booking_id in ledger.linked_between(first, last):
            if booking_id in listed:
                continue
            try:
                view = booking_view(simplybook.get_booking(int(booking_id)))
            except NotFoundError:
                gone.append(booking_id)
                continue
            if view.service_id in online:
                views.append(view)
    return views, [], gone


def _fetch_each(
    simplybook: SimplyBookClient, numbers: list[int], missing_ok: bool
) -> list[tuple[int, Booking | None]]:
    """The named bookings, fetched a few at a time (the client paces them); None when gone."""

    def fetch(number: int) -> tuple[int, Booking | None]:
        try:
            return number, simplybook.get_booking(number)
        except NotFoundError:
            if not missing_ok:
                raise
            return number, None

    if len(numbers) < 2:
        return [fetch(n) for n in numbers]
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(4, thread_name_prefix="sbzoom-fetch") as pool:
        return list(pool.map(fetch, numbers))


def link_bookings(
    context: Context,
    booking_ids: Sequence[str] = (),
    date_from: str | None = None,
    date_to: str | None = None,
    *,
    dry_run: bool = False,
    progress: Callable[[int, int], None] | None = None,
    lock_timeout: float | None = None,
    on_lock_wait: Callable[[str], None] | None = None,
    missing_ok: bool = False,
) -> LinkReport:
    """Link the bookings in scope; ``context.stop_requested`` ends the run early but cleanly.

    ``lock_timeout`` (default: the ``link.lock_timeout`` setting) bounds the wait for another run
    of the profile; ``on_lock_wait(text)`` is told once that the run is waiting. ``missing_ok``:
    a named booking SimplyBook no longer has ends its meeting instead of failing the run (the
    listener, told about a booking that was then deleted).
    """
    from sbzoom.core.simplybook_session import simplybook_client
    from sbzoom.core.zoom_auth import zoom_client

    # Bad ids and dates fail before anything is read; the real window needs the company zone.
    _booking_ids(booking_ids)
    if booking_ids and (date_from or date_to):
        raise UsageError(
            "--from/--to choose bookings by date; they cannot be combined with booking ids.",
            "Give either booking ids or a date window.",
        )
    window(date_from, date_to, context.clock.now(), ZoneInfo("UTC"))
    if lock_timeout is not None and not 0 <= lock_timeout <= 86400:  # NaN too
        raise UsageError(
            f"--lock-timeout {lock_timeout} is not a number of seconds from 0 to 86400.",
            "Pass e.g. --lock-timeout 60 (0: do not wait at all).",
        )
    stored_online(context)  # before any sign-in: nothing online is the first thing to fix
    notify = bool(context.profile.get("notify.email"))
    if notify and not dry_run:
        from sbzoom.core.notify import run as notices

        notices.check_ready(context)
    simplybook = simplybook_client(context)
    online = online_services(context, simplybook)
    zone = simplybook.timezone
    span = None if booking_ids else window(date_from, date_to, context.clock.now(), zone)
    plan = link_plan(context, online, dry_run=dry_run, timezone=zone.key)
    zoom = ZoomAdapter(zoom_client(context))
    comments = CommentAdapter(simplybook) if plan.write_back else None

    stop = context.stop_requested

    def run(ledger: Ledger | None) -> LinkReport:
        bookings, skipped, gone = collect_bookings(
            simplybook, online, booking_ids, span, ledger, missing_ok=missing_ok
        )
        locks = None if dry_run else unit_locks(context)
        linker = Linker(
            zoom, comments, ledger, plan, context.clock.now, progress, stop=stop, locks=locks
        )
        report = linker.run(bookings)
        extra = (linker.forget(gone) if not stop.is_set() else []) + skipped
        if extra:
            report = LinkReport(report.results + extra, dry_run=dry_run, warnings=report.warnings)
        if notify and not stop.is_set():  # tell clients and providers (core/notify), once each
            from sbzoom.core.notify import run as notices

            sent = notices.after_link(
                context, ledger, bookings, online, zone.key, simplybook.list_providers,
                report.results, dry_run=dry_run, gone=gone,
            )  # fmt: skip
            report = replace(report, notices=sent)
        return report

    if dry_run:
        existing = ledger_path(context.data_dir, context.profile_name).exists()
        return run(open_ledger(context) if existing else None)
    if span is None:  # named bookings: their units' locks are enough (the listener runs so)
        return run(open_ledger(context))
    # One window run per profile at a time: a second cron run waits instead of racing the first,
    # but not for ever, and not without saying so (a cron job never waits silently). Each booking
    # or session is also locked on its own while it is worked on, so the listener (and 'bookings
    # link ID') only ever waits for one unit, never for a whole run.
    lock = context.data_dir / "locks" / f"link-{context.profile_name}.lock"
    timeout = lock_timeout if lock_timeout is not None else run_lock_timeout(context)

    def waiting() -> None:
        if on_lock_wait is not None:
            on_lock_wait(
                f"Another 'sbzoom bookings link' of profile '{context.profile_name}' is running; "
                f"waiting up to {timeout:g} s for it to finish (--lock-timeout)."
            )

    def gave_up() -> SbzoomError:
        if stop.is_set():
            return stopped_error(context, "while waiting for another run")
        return RunLockedError(
            f"Another 'sbzoom bookings link' of profile '{context.profile_name}' still held "
            f"{lock} after {timeout:g} s; nothing was changed.",
            "Run again when it has finished, or wait longer with --lock-timeout SECONDS "
            "(setting link.lock_timeout).",
        )

    with file_lock(lock, timeout=timeout, on_wait=waiting, timeout_error=gave_up, stop=stop.is_set):
        return run(open_ledger(context))


def run_lock_timeout(context: Context) -> float:
    value = context.profile.get("link.lock_timeout")
    return float(value) if value is not None else 300.0


def unit_locks(context: Context) -> UnitLocks:
    return UnitLocks(context.data_dir / "locks" / f"units-{context.profile_name}")


def stopped_error(context: Context, when: str) -> StoppedError:
    import signal

    terminated = context.stop_signal == signal.SIGTERM
    name = "SIGTERM" if terminated else "Ctrl-C"
    return StoppedError(
        f"Stopped by {name} {when}; nothing was changed.",
        "Run 'sbzoom bookings link' again to link the bookings.",
        terminated=terminated,
    )


# -- bookings show ----------------------------------------------------------------------------


@dataclass(frozen=True)
class ClientLink:
    client: str
    email: str
    join_url: str


@dataclass(frozen=True)
class BookingDetails:
    booking_id: str
    meeting_id: int
    passcode: str
    client_links: list[ClientLink]
    provider_link: str
    provider_link_expires_at: datetime
    topic: str
    start: datetime | None
    host: str

    def to_json(self) -> dict[str, object]:
        return {
            "booking_id": self.booking_id,
            "meeting_id": self.meeting_id,
            "passcode": self.passcode,
            "client_links": [
                {"client": c.client, "email": c.email, "join_url": c.join_url}
                for c in self.client_links
            ],
            "provider_link": {
                "url": self.provider_link,
                "expires_at": self.provider_link_expires_at.isoformat(),
            },
            "topic": self.topic,
            "start": self.start.isoformat() if self.start else None,
            "host": self.host,
        }


def show_booking(context: Context, booking_id: str) -> BookingDetails:
    from sbzoom.core.simplybook_session import simplybook_client
    from sbzoom.core.zoom_auth import zoom_client

    (number,) = _booking_ids([booking_id])
    simplybook = simplybook_client(context)
    booking = booking_view(simplybook.get_booking(number))
    online = online_services(context, simplybook)
    is_class = online.get(booking.service_id) == "class"
    key = unit_key(booking, is_class)
    ledger = open_ledger(context)
    row = ledger.booking(booking.id)
    meeting_row = ledger.meeting(row.unit_key if row else key)
    zoom = zoom_client(context)
    meeting_id = meeting_row.meeting_id if meeting_row and meeting_row.status == "active" else None
    if meeting_id is None:
        host = context.profile.family("providers").get(booking.provider_id)
        if host:  # the ledger may be gone: look for the meeting by its marker
            tag = marker(key)
            meetings = zoom.list_meetings(host, type="scheduled")
            meeting_id = next((m.id for m in meetings if m.agenda.startswith(tag)), None)
    if meeting_id is None:
        raise SbzoomError(
            f"Booking {booking.id} has no Zoom meeting.",
            f"Create it with 'sbzoom bookings link {booking.id}'"
            + ("" if booking.service_id in online else " after enabling its service online")
            + ".",
        )
    fetched_at = context.clock.now()
    meeting = zoom.get_meeting(meeting_id)
    if is_class:
        wanted = booking.client_email.lower()
        links = [
            ClientLink(booking.client_name, r.email, r.join_url)
            for r in zoom.list_registrants(meeting_id)
            if r.email.lower() == wanted
        ]
    else:
        links = [ClientLink(booking.client_name, booking.client_email, meeting.join_url)]
    return BookingDetails(
        booking_id=booking.id,
        meeting_id=meeting.id,
        passcode=meeting.password,
        client_links=links,
        provider_link=meeting.start_url,
        provider_link_expires_at=fetched_at + START_URL_LIFETIME,
        topic=meeting.topic,
        start=meeting.start_time,
        host=meeting.host_email or meeting.host_id,
    )


def summary_line(report: LinkReport) -> str:
    counts = report.summary
    parts: Iterable[str] = (f"{counts[k]} {k}" for k in counts if counts[k] or k != "deferred")
    prefix = "Dry run, nothing changed: would have " if report.dry_run else ""
    return f"{prefix}{', '.join(parts)}."
