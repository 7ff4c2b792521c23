"""`bookings link` and `bookings show`: the linking engine wired to the real clients and ledger."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, time, timedelta
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
from sbzoom.core.online import Orphan
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

    def pool_size(self) -> int:
        """Workers that keep Zoom's rate budgets busy at the latency measured so far."""
        return self.client.session.pool_size()

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
    context: Context,
    online: Mapping[str, str],
    *,
    dry_run: bool,
    timezone: str,
    cancel_orphans: bool = False,
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
        cancel_orphans=cancel_orphans,
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
    from sbzoom.ids import id_problem, parse_id

    ids = []
    for item in raw:
        number = parse_id(item)
        if number is None:
            why = id_problem(item)
            raise UsageError(
                f"Booking id {why}." if why else f"Booking id {item!r} is not a number.",
                "Pass SimplyBook booking ids, e.g. 'sbzoom bookings link 1234 1235'.",
            )
        ids.append(number)
    return ids


@dataclass
class Scope:
    """What a run covers: bookings to link, results already known (ids named but not online),
    ids SimplyBook lost, and bookings out of scope whose meeting may be orphaned."""

    bookings: list[BookingView]
    skipped: list[LinkResult]
    gone: list[str]
    out_of_scope: list[tuple[BookingView, Orphan]]


def _not_online(view: BookingView) -> Orphan:
    return Orphan(
        f"service {view.service_name} ({view.service_id}) is not online",
        f"make it online with 'sbzoom services enable-online {view.service_id}'",
    )


def collect_bookings(
    simplybook: SimplyBookClient,
    online: Mapping[str, str],
    booking_ids: Sequence[str],
    span: Window | None,
    ledger: Ledger | None,
    *,
    missing_ok: bool = False,
) -> Scope:
    """The bookings in scope; results for ids named but not online; ids SimplyBook lost.

    In window mode the ledger adds bookings it linked inside the window that SimplyBook no longer
    lists there: moved out of it (their meeting must move too), deleted (it must end), or of a
    service no longer online (their meeting is orphaned).
    """
    if span is None:
        views, skipped, missing, outside = [], [], [], []
        for number, fetched in _fetch_each(simplybook, _booking_ids(booking_ids), missing_ok):
            if fetched is None:  # deleted in SimplyBook (the listener: its meeting must end)
                missing.append(str(number))
                continue
            view = booking_view(fetched)
            if view.service_id in online:
                views.append(view)
            else:
                outside.append((view, _not_online(view)))
                skipped.append(
                    LinkResult(
                        view.id,
                        "skipped",
                        reason=f"service {view.service_name} ({view.service_id}) is not online; "
                        f"run 'sbzoom services enable-online {view.service_id}'",
                    )
                )
        return Scope(views, skipped, missing, outside)
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
    outside = []
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
            else:
                outside.append((view, _not_online(view)))
    return Scope(views, [], gone, outside)


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


def daily_limit(context: Context) -> int:
    """Zoom's creates/updates per host per UTC day: 100, unless SBZOOM_ZOOM_DAILY_LIMIT says
    otherwise (lower it to leave room for other apps scheduling for the same hosts; the
    benchmarks raise it together with the sandbox's)."""
    from sbzoom.core.backfill import DAILY_LIMIT

    raw = context.env.get("SBZOOM_ZOOM_DAILY_LIMIT", "").strip()
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
    context: Context,
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
    """Link the bookings in scope; ``context.stop_requested`` ends the run early but cleanly.

    ``lock_timeout`` (default: the ``link.lock_timeout`` setting) bounds the wait for another run
    of the profile; ``on_lock_wait(text)`` is told once that the run is waiting. ``missing_ok``:
    a named booking SimplyBook no longer has ends its meeting instead of failing the run (the
    listener, told about a booking that was then deleted).
    """
    from sbzoom.core.auth.simplybook.connection import simplybook_client
    from sbzoom.core.auth.zoom.connection import zoom_client

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
    plan = link_plan(
        context, online, dry_run=dry_run, timezone=zone.key, cancel_orphans=cancel_orphans
    )
    zoom = ZoomAdapter(zoom_client(context))
    comments = CommentAdapter(simplybook) if plan.write_back else None
    label = host_labels(context)

    stop = context.stop_requested

    def run(ledger: Ledger | None) -> LinkReport:
        scope = collect_bookings(
            simplybook, online, booking_ids, span, ledger, missing_ok=missing_ok
        )
        locks = None if dry_run else unit_locks(context)
        linker = Linker(
            zoom, comments, ledger, plan, context.clock.now, progress, label,
            stop=stop, locks=locks, pool_size=zoom.pool_size,
            used_today=used_today(ledger, context.clock.now()), daily_limit=daily_limit(context),
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
            from sbzoom.core.notify import run as notices

            sent = notices.after_link(
                context, ledger, scope.bookings, online, zone.key, simplybook.list_providers,
                report.results, dry_run=dry_run, gone=scope.gone,
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


def host_labels(context: Context) -> Callable[[str], str]:
    """Zoom user id -> e-mail for messages a person reads (one user listing, made when first
    needed, shared by the worker threads); the id itself when Zoom cannot say."""
    import threading

    from sbzoom.core.report import HostDirectory

    directory = HostDirectory(lambda: zoom_emails(context))
    lock = threading.Lock()

    def label(host_id: str) -> str:
        with lock:
            return directory.email(host_id)

    return label


def zoom_emails(context: Context) -> dict[str, str]:
    from sbzoom.core.auth.zoom.connection import zoom_client

    return {u.id: u.email for u in zoom_client(context).list_users() if u.id and u.email}


# -- bookings show ----------------------------------------------------------------------------


@dataclass(frozen=True)
class ClientLink:
    client: str
    email: str
    join_url: str


@dataclass(frozen=True)
class BookingDetails:
    """A booking as support staff need it: its state in one sentence, the next step when
    something needs doing, and, when it has a meeting, the meeting with its links."""

    booking_id: str
    status: str  # as in the report: linked | missing | cancelled | failed | deferred | orphaned
    state: str  # one sentence a person can read aloud
    next_step: str  # a command that fixes it; "" when nothing needs doing
    client: str
    client_email: str
    service: str
    start: datetime  # aware
    zone: ZoneInfo  # the company's
    meeting_id: int | None = None
    passcode: str = ""
    client_links: list[ClientLink] = field(default_factory=list)
    provider_link: str = ""
    provider_link_expires_at: datetime | None = None
    topic: str = ""
    host: str = ""

    def to_json(self) -> dict[str, object]:
        expires = self.provider_link_expires_at
        return {
            "booking_id": json_id(self.booking_id),
            "status": self.status,
            "state": self.state,
            "next_step": self.next_step or None,
            "meeting_id": self.meeting_id,
            "passcode": self.passcode or None,
            "client_links": [
                {"client": c.client, "email": c.email, "join_url": c.join_url}
                for c in self.client_links
            ],
            "provider_link": {
                "url": self.provider_link,
                "expires_at": expires.astimezone(UTC).isoformat() if expires else None,
            }
            if self.provider_link
            else None,
            "topic": self.topic or None,
            "start": self.start.astimezone(UTC).isoformat(),
            "client": self.client,
            "client_email": self.client_email,
            "service": self.service,
            "host": self.host or None,
        }


def json_id(text: str) -> int | str:
    """SimplyBook ids are numbers in every JSON sbzoom prints (one type throughout)."""
    return int(text) if text.isdigit() else text


def show_booking(context: Context, booking_id: str) -> BookingDetails:
    from sbzoom.clients.zoom import MeetingGoneError as ZoomMeetingGone
    from sbzoom.core.auth.simplybook.connection import simplybook_client
    from sbzoom.core.auth.zoom.connection import zoom_client
    from sbzoom.core.dates import company_time_long
    from sbzoom.core.online import orphan_cause
    from sbzoom.core.report import EmptyLedger, LedgerLookup, derive_status

    (number,) = _booking_ids([booking_id])
    simplybook = simplybook_client(context)
    booking = booking_view(simplybook.get_booking(number))
    online = online_services(context, simplybook)
    zone = simplybook.timezone
    hosts = context.profile.family("providers")
    ledger: LedgerLookup = EmptyLedger()
    if ledger_path(context.data_dir, context.profile_name).exists():
        ledger = open_ledger(context)
    row = ledger.booking(booking.id)
    is_online = booking.service_id in online
    key = unit_key(booking, online.get(booking.service_id) == "class") if is_online else ""
    key = key or (row.unit_key if row else f"b{booking.id}")
    meeting_row = ledger.meeting(row.unit_key if row else key)
    mapped = hosts.get(booking.provider_id)
    cause = orphan_cause(
        provider_id=booking.provider_id,
        provider_name=booking.provider_name,
        service_id=booking.service_id,
        service_name=booking.service_name,
        hosts=hosts,
        online=online,
    )
    derived = derive_status(booking, key, row, meeting_row, mapped, cause)
    when = company_time_long(booking.start, zone)
    who = booking.client_name
    base = BookingDetails(
        booking_id=booking.id,
        status=derived.status,
        state="",
        next_step="",
        client=who,
        client_email=booking.client_email,
        service=booking.service_name,
        start=booking.start,
        zone=zone,
    )
    meeting_id = derived.meeting_id if derived.status in ("linked", "orphaned") else None
    found_by_marker = False
    if derived.status == "missing" and is_online and mapped and row is None:
        zoom = zoom_client(context)
        tag = marker(key)  # the ledger may be gone: look for the meeting by its marker
        meetings = zoom.list_meetings(mapped, type="scheduled")
        meeting_id = next((m.id for m in meetings if m.agenda.startswith(tag)), None)
        found_by_marker = meeting_id is not None
    if meeting_id is None:
        state, step = _not_linked(booking, derived.status, derived.reason, is_online, when)
        return replace(base, state=state, next_step=step)
    zoom = zoom_client(context)  # only now: a booking with no meeting needs no Zoom sign-in
    fetched_at = context.clock.now()
    try:
        meeting = zoom.get_meeting(meeting_id)
    except ZoomMeetingGone:
        return replace(
            base,
            status="missing",
            state=f"missing: booking {booking.id} ({who}, {when}) was linked to meeting "
            f"{meeting_id}, which is gone from Zoom.",
            next_step=f"run 'sbzoom bookings link {booking.id}'",
        )
    # A class seat has a registrant (also when its service is no longer online: orphaned).
    if online.get(booking.service_id) == "class" or (row is not None and row.registrant_id):
        wanted = booking.client_email.lower()
        links = [
            ClientLink(who, r.email, r.join_url)
            for r in zoom.list_registrants(meeting_id)
            if r.email.lower() == wanted
        ]
    else:
        links = [ClientLink(who, booking.client_email, meeting.join_url)]
    host = meeting.host_email or host_labels(context)(meeting.host_id)
    if derived.status == "orphaned":
        why = cause.why if cause else "sbzoom no longer keeps it right"
        state = (
            f"orphaned: meeting {meeting.id} for {who} on {when} still works, but {why}, "
            "so sbzoom no longer moves or cancels it with the booking."
        )
        step = (
            f"{cause.fix if cause else 'fix the mapping'}, or cancel the meeting with "
            f"'{_cancel_orphan(booking.id)}' (add --dry-run to preview)"
        )
    else:
        state = f"linked: meeting {meeting.id} for {who} on {when}, hosted by {host}."
        if found_by_marker:
            state += " (Found on Zoom by its marker; the next 'sbzoom bookings link' records it.)"
        elif row is not None and row.comment_url:
            state += " The client link is in the booking comment in SimplyBook."
        step = ""
    return replace(
        base,
        state=state,
        next_step=step,
        meeting_id=meeting.id,
        passcode=meeting.password,
        client_links=links,
        provider_link=meeting.start_url,
        provider_link_expires_at=fetched_at + START_URL_LIFETIME,
        topic=meeting.topic,
        host=host,
    )


def _cancel_orphan(booking_id: str) -> str:
    from sbzoom.core.online import cancel_orphans_command

    return cancel_orphans_command(booking_id)


def _not_linked(
    booking: BookingView, status: str, reason: str, is_online: bool, when: str
) -> tuple[str, str]:
    """The sentence and the next step for a booking without a meeting."""
    subject = f"booking {booking.id} ({booking.client_name}, {when})"
    if status == "cancelled":
        if reason:  # cancelled, but its meeting was left behind
            fix = reason.split("'")[1] if "'" in reason else f"sbzoom bookings link {booking.id}"
            return (
                f"cancelled: {subject} is cancelled in SimplyBook, but its meeting still exists.",
                f"run '{fix}'",
            )
        return f"cancelled: {subject} is cancelled in SimplyBook; it needs no meeting.", ""
    if not is_online:
        return (
            f"not linked: {subject} is of service {booking.service_name} "
            f"({booking.service_id}), which is not online, so sbzoom gives it no meeting.",
            f"run 'sbzoom services enable-online {booking.service_id}', then "
            f"'sbzoom bookings link {booking.id}'",
        )
    why, _, fix = reason.partition(": run ")
    step = f"run {fix}" if fix else f"run 'sbzoom bookings link {booking.id}'"
    label = "not linked" if status == "missing" else status
    return f"{label}: {subject} has no Zoom meeting: {why}.", step


DRY_RUN_WORDS = {"created": "to create", "updated": "to update", "cancelled": "to cancel"}


def summary_line(report: LinkReport) -> str:
    counts = report.summary
    shown = [k for k in counts if counts[k] or k not in ("deferred", "orphaned")]
    if report.dry_run:
        parts = ", ".join(f"{counts[k]} {DRY_RUN_WORDS.get(k, k)}" for k in shown)
        return f"Dry run, nothing changed: {parts}."
    return ", ".join(f"{counts[k]} {k}" for k in shown) + "."
