"""`report meetings`: every booking of an online service, its meeting, and whether it has one.

The report streams: bookings come from SimplyBook a page at a time, each is matched against the
ledger by primary key, and the row goes out before the next page is read (``render/report.py``
writes it as a table, CSV or JSON), so a 50,000-booking report never holds more than a page.

Status of a row (PRODUCT.md §2):

    cancelled   the booking is cancelled in SimplyBook (whatever the ledger says)
    linked      the ledger holds its link and the meeting is active (and, with --verify, Zoom
                still has it)
    failed      the last link attempt failed (ledger)
    deferred    Zoom's daily limit for the host was reached; linked after 00:00 UTC (ledger)
    orphaned    sbzoom made its meeting, which still works, but no longer keeps it right: the
                provider is unmapped or the service no longer online (``core.online``)
    missing     anything else: never linked, unmapped provider, moved to another class session
                since the last link, meeting deleted, or gone from Zoom

A booking or session that has more than one Zoom meeting carrying its marker (runs on two
machines that share no data directory each made one) keeps its status, with a reason saying so
and how it is fixed; the summary counts them. They stay a problem until `bookings link` has
converged them (core/bookings/converge.py).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import TYPE_CHECKING, Protocol

from sbzoom.clients.simplybook import Booking, Provider, Service, SimplyBookClient
from sbzoom.core.bookings.adapters import booking_view
from sbzoom.core.bookings.model import BookingView
from sbzoom.core.bookings.units import unit_key
from sbzoom.core.dates import Window, window
from sbzoom.core.naming import resolve_one
from sbzoom.core.notify.state import delivery_state
from sbzoom.core.online import Orphan, cancel_orphans_command, orphan_cause, orphan_reason
from sbzoom.errors import SbzoomError, UsageError
from sbzoom.store.ledger import BookingRow, MeetingRow, NoticeRow

if TYPE_CHECKING:
    from sbzoom.clients.zoom import ZoomClient
    from sbzoom.store.config import Profile
    from sbzoom.store.ledger import Ledger

STATUSES = ("linked", "missing", "cancelled", "failed", "deferred", "orphaned")
PROGRESS_EVERY = 100


@dataclass(frozen=True)
class ReportRow:
    booking_id: str
    code: str
    start: datetime  # aware, company zone
    end: datetime
    service: str
    provider: str
    client: str
    client_email: str
    zoom_user: str  # e-mail of the host when known, else the Zoom user id; "" when none
    meeting_id: int | None
    join_url: str
    status: str
    reason: str = ""
    delivery: str | None = None  # e-mail notices: sent | pending | failed | off (None: none due)


@dataclass(frozen=True)
class ReportQuery:
    date_from: str | None = None
    date_to: str | None = None
    provider: str | None = None  # id or exact name
    service: str | None = None  # id or exact name
    verify: bool = False


# -- status -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Derived:
    status: str
    meeting_id: int | None = None
    join_url: str = ""
    host_id: str = ""  # the Zoom user hosting the meeting, when the ledger knows it
    reason: str = ""


def derive_status(
    booking: BookingView,
    expected_key: str,
    row: BookingRow | None,
    meeting: MeetingRow | None,
    mapped_host: str | None,
    orphan: Orphan | None = None,
) -> Derived:
    """A booking's report status from SimplyBook's truth and the ledger's memory.

    ``orphan`` says why sbzoom would no longer keep this booking's meeting right (unmapped
    provider, service no longer online), as ``core.online.orphan_cause`` decides it.
    """
    active = meeting if meeting is not None and meeting.status == "active" else None
    active_id = active.meeting_id if active is not None else None
    made = row is not None and row.status == "linked" and active_id is not None
    if booking.cancelled:
        leftover = ""
        if made:
            fix = (
                cancel_orphans_command(booking.id)
                if orphan
                else f"sbzoom bookings link {booking.id}"
            )
            leftover = f"its meeting still exists: run '{fix}'"
        return Derived("cancelled", active_id, "", active.host_id if active else "", leftover)
    if orphan is not None and made and row is not None and active is not None:
        reason = orphan_reason(orphan, active_id, booking.id)
        return Derived(
            "orphaned", active_id, row.join_url or active.join_url, active.host_id, reason
        )
    relink = f"run 'sbzoom bookings link {booking.id}'"
    if mapped_host is None:  # linked and still there was orphaned above
        return Derived(
            "missing",
            reason=f"provider {booking.provider_name} ({booking.provider_id}) has no Zoom user: "
            f"run 'sbzoom providers map {booking.provider_id} ZOOM_USER'",
        )
    if row is None:
        return Derived("missing", host_id=mapped_host or "", reason=f"not linked yet: {relink}")
    if row.status in ("failed", "deferred"):
        return Derived(
            row.status,
            active_id if row.unit_key == expected_key else None,
            "",
            mapped_host or "",
            row.reason or relink,
        )
    if row.status != "linked":  # the ledger cancelled it, but the booking is active again
        return Derived("missing", host_id=mapped_host or "", reason=f"no meeting: {relink}")
    if row.unit_key != expected_key:
        return Derived(
            "missing",
            host_id=mapped_host or "",
            reason=f"moved to another session since it was linked: {relink}",
        )
    if active is None or active_id is None:
        return Derived(
            "missing", host_id=mapped_host or "", reason=f"meeting was removed: {relink}"
        )
    if row.unit_key.startswith("s") or row.registrant_id:
        # A class seat: only the client's own registrant link. The meeting's join_url leads a
        # registration meeting's visitors to Zoom's registration page, not into the class.
        if not row.join_url:
            return Derived(
                "linked", active_id, "", active.host_id,
                f"personal link not known yet: {relink}",
            )  # fmt: skip
        return Derived("linked", active_id, row.join_url, active.host_id)
    return Derived("linked", active_id, row.join_url or active.join_url, active.host_id)


# -- what the report reads ----------------------------------------------------------------------


class LedgerLookup(Protocol):
    def booking(self, booking_id: str) -> BookingRow | None: ...
    def meeting(self, unit_key: str) -> MeetingRow | None: ...


class MeetingCheck(Protocol):
    def exists(self, meeting_id: int) -> bool: ...


class EmptyLedger:
    """No ledger file yet: nothing was ever linked. Reading must not create one."""

    def booking(self, booking_id: str) -> BookingRow | None:
        return None

    def meeting(self, unit_key: str) -> MeetingRow | None:
        return None


class HostDirectory:
    """Zoom user id → e-mail, from one ``list_users`` call made the first time it is needed.

    When Zoom cannot list users (not signed in, a missing scope), rows show the user id instead
    and ``problem`` says why.
    """

    def __init__(self, load: Callable[[], Mapping[str, str]]) -> None:
        self._load = load
        self._emails: Mapping[str, str] | None = None
        self.problem: str | None = None

    def email(self, user_id: str) -> str:
        if not user_id:
            return ""
        if self._emails is None:
            try:
                self._emails = self._load()
            except SbzoomError as exc:
                self._emails = {}
                self.problem = exc.message
        return self._emails.get(user_id) or user_id


class DuplicateIndex:
    """Unit key → the ids of the meetings carrying its marker, where there are several: from one
    listing per mapped Zoom host, made the first time it is needed. When Zoom cannot be listed
    the report goes on without it and ``problem`` says why."""

    def __init__(self, load: Callable[[], Mapping[str, list[int]]]) -> None:
        self._load = load
        self._found: Mapping[str, list[int]] | None = None
        self.problem: str | None = None

    def of(self, key: str) -> list[int]:
        if self._found is None:
            try:
                self._found = self._load()
            except SbzoomError as exc:
                self._found = {}
                self.problem = exc.message
        return self._found.get(key, [])


class MeetingReport:
    """One run of the report: the window, the rows (streamed once), and the tally so far."""

    def __init__(
        self,
        span: Window,
        bookings: Iterable[Booking],
        online: Mapping[str, str],
        hosts: Mapping[str, str],
        ledger: LedgerLookup,
        directory: HostDirectory,
        verifier: MeetingCheck | None = None,
        progress: Callable[[int, int], None] | None = None,
        notify_on: bool = False,
        notices: Callable[[str, str], list[NoticeRow]] | None = None,
        strays: Iterable[Booking] = (),
        twins: DuplicateIndex | None = None,
    ) -> None:
        self.window = span
        self.counts: Counter[str] = Counter()
        self.duplicated = 0  # rows whose booking or session has more than one Zoom meeting
        self.twins = twins
        self.directory = directory
        self._bookings = bookings
        self._online = online
        self._hosts = hosts
        self._ledger = ledger
        self._verifier = verifier
        self._progress = progress
        self._notify_on = notify_on
        self._notices = notices  # None: the ledger holds no notice (no lookup per row)
        self._strays = strays

    @property
    def tracks_delivery(self) -> bool:
        """Whether rows carry an e-mail delivery state worth a column (notify.email is on, or
        notices were sent before)."""
        return self._notify_on or self._notices is not None

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    def rows(self) -> Iterator[ReportRow]:
        done = 0
        for booking in self._bookings:
            view = booking_view(booking)
            mode = self._online.get(view.service_id)
            if mode is None:
                continue  # SimplyBook filters by service already; a lax server must not widen it
            row = self._row(view, unit_key(view, mode == "class"))
            self.counts[row.status] += 1
            done += 1
            if self._progress is not None and done % PROGRESS_EVERY == 0:
                self._progress(done, 0)
            yield row
        for booking in self._strays:
            # Bookings of services no longer online: only those whose meeting sbzoom made and
            # that still exists are rows (orphaned, or cancelled with the meeting left behind).
            view = booking_view(booking)
            if view.service_id in self._online:
                continue
            stray = self._stray_row(view)
            if stray is not None:
                self.counts[stray.status] += 1
                done += 1
                yield stray
        if self._progress is not None:
            self._progress(done, done)

    def _stray_row(self, view: BookingView) -> ReportRow | None:
        ledger_row = self._ledger.booking(view.id)
        if ledger_row is None or ledger_row.status != "linked":
            return None
        meeting = self._ledger.meeting(ledger_row.unit_key)
        if meeting is None or meeting.status != "active":
            return None
        mapped = self._hosts.get(view.provider_id)
        cause = self._orphan_cause(view)
        derived = derive_status(view, ledger_row.unit_key, ledger_row, meeting, mapped, cause)
        return self._report_row(view, derived, mapped, ledger_row.unit_key)

    def _orphan_cause(self, view: BookingView) -> Orphan | None:
        return orphan_cause(
            provider_id=view.provider_id,
            provider_name=view.provider_name,
            service_id=view.service_id,
            service_name=view.service_name,
            hosts=self._hosts,
            online=self._online,
        )

    def _row(self, view: BookingView, key: str) -> ReportRow:
        ledger_row = self._ledger.booking(view.id)
        meeting = self._ledger.meeting(ledger_row.unit_key if ledger_row else key)
        mapped = self._hosts.get(view.provider_id)
        cause = self._orphan_cause(view)
        derived = derive_status(view, key, ledger_row, meeting, mapped, cause)
        status, join_url, reason = derived.status, derived.join_url, derived.reason
        if (
            status == "linked"
            and self._verifier is not None
            and derived.meeting_id is not None
            and not self._verifier.exists(derived.meeting_id)
        ):
            status, join_url = "missing", ""
            reason = (
                f"meeting {derived.meeting_id} is gone from Zoom: "
                f"run 'sbzoom bookings link {view.id}'"
            )
        twins = self.twins.of(key) if self.twins is not None and not view.cancelled else []
        if len(twins) > 1:
            self.duplicated += 1
            listed = ", ".join(str(t) for t in twins)
            reason = (
                f"{len(twins)} Zoom meetings carry this booking's marker ({listed}): "
                "run 'sbzoom bookings link' to keep one and delete the others"
            )
        unit = ledger_row.unit_key if ledger_row else key
        return self._report_row(view, replace(derived, status=status, join_url=join_url,
                                              reason=reason), mapped, unit)  # fmt: skip

    def _report_row(
        self, view: BookingView, derived: Derived, mapped: str | None, unit: str
    ) -> ReportRow:
        notices = []
        if self._notices is not None:
            notices = self._notices(view.id, unit)
        delivery = delivery_state(notices, derived.status == "linked", self._notify_on)
        return ReportRow(
            booking_id=view.id,
            code=view.code,
            start=view.start,
            end=view.end,
            service=view.service_name,
            provider=view.provider_name,
            client=view.client_name,
            client_email=view.client_email,
            zoom_user=self.directory.email(derived.host_id or mapped or ""),
            meeting_id=derived.meeting_id,
            join_url=derived.join_url,
            status=derived.status,
            reason=derived.reason,
            delivery=delivery,
        )


# -- filters ----------------------------------------------------------------------------------


def resolve_provider(wanted: str, providers: Sequence[Provider]) -> int:
    return resolve_one(wanted, providers, "provider").id


def resolve_service(wanted: str, services: Sequence[Service], online: Mapping[str, str]) -> int:
    found = resolve_one(wanted, services, "service")
    if str(found.id) not in online:
        raise UsageError(
            f"Service {found.name} ({found.id}) is not online, so its bookings have no meetings "
            "to report.",
            f"Make it online with 'sbzoom services enable-online {found.id}'.",
        )
    return found.id


# -- wiring -----------------------------------------------------------------------------------


class ZoomMeetingCheck:
    """``--verify``: does Zoom still have the meeting? One call per distinct meeting."""

    def __init__(self, get_meeting: Callable[[int], object]) -> None:
        self._get = get_meeting
        self._seen: dict[int, bool] = {}

    def exists(self, meeting_id: int) -> bool:
        if meeting_id not in self._seen:
            from sbzoom.clients.zoom import MeetingGoneError

            try:
                self._get(meeting_id)
                self._seen[meeting_id] = True
            except MeetingGoneError:
                self._seen[meeting_id] = False
        return self._seen[meeting_id]


def meetings_report(
    query: ReportQuery,
    *,
    profile: Profile,
    simplybook: SimplyBookClient,
    online: Mapping[str, str],
    now: datetime,
    open_ledger: Callable[[], Ledger | None],
    zoom: Callable[[], ZoomClient],
    progress: Callable[[int, int], None] | None = None,
) -> MeetingReport:
    """The report for ``query``; nothing is read from SimplyBook until ``rows()`` is iterated,
    except the provider and service lists when a filter names one.

    ``online``: the online services (id -> "online" | "class", capacity applied);
    ``open_ledger``: the ledger, or None when there is no ledger file yet (reading must not
    create one); ``zoom``: the Zoom client, asked for only when a row needs a host's e-mail,
    the duplicates, or ``--verify``.
    """
    hosts = profile.family("providers")
    span = window(query.date_from, query.date_to, now, simplybook.timezone)
    services = [int(s) for s in online]
    providers: list[int] = []
    if query.service:
        services = [resolve_service(query.service, simplybook.list_services(), online)]
        online = {k: v for k, v in online.items() if k == str(services[0])}
    if query.provider:
        providers = [resolve_provider(query.provider, simplybook.list_providers())]
    wanted_providers = {str(p) for p in providers}
    found = simplybook.iter_bookings(
        date_from=span.first, date_to=span.last, services=services, providers=providers
    )
    if wanted_providers:
        found = (b for b in found if str(b.provider_id or "") in wanted_providers)

    ledger = open_ledger()
    lookup: LedgerLookup = EmptyLedger() if ledger is None else ledger
    notices = None
    notify_on = bool(profile.get("notify.email"))
    if ledger is not None and (notify_on or ledger.has_notices()):
        notices = ledger.notices_of
    strays: Iterable[Booking] = ()
    if not query.service and ledger is not None:
        strays = _stray_bookings(simplybook, span, online, providers)
    verifier = None
    if query.verify:
        verifier = ZoomMeetingCheck(zoom().get_meeting)
    return MeetingReport(
        span,
        found,
        online,
        hosts,
        lookup,
        HostDirectory(lambda: _zoom_emails(zoom())),
        verifier,
        progress,
        notify_on=notify_on,
        notices=notices,
        strays=strays,
        twins=DuplicateIndex(lambda: _duplicates(zoom(), hosts.values())),
    )


def _duplicates(client: ZoomClient, hosts: Iterable[str]) -> dict[str, list[int]]:
    from sbzoom.core.bookings.converge import duplicates

    listed = [
        m for host in sorted(set(hosts)) for m in client.list_meetings(host, type="scheduled")
    ]
    return {key: [m.id for m in found] for key, found in duplicates(listed).items()}


def _stray_bookings(
    simplybook: SimplyBookClient, span: Window, online: Mapping[str, str], providers: list[int]
) -> Iterator[Booking]:
    """Bookings in the window of services that are not online (read only when iterated): the
    ones sbzoom linked while their service was online have orphaned meetings."""
    others = [s.id for s in simplybook.list_services() if str(s.id) not in online]
    if others:
        yield from simplybook.iter_bookings(
            date_from=span.first, date_to=span.last, services=others, providers=providers
        )


def _zoom_emails(client: ZoomClient) -> dict[str, str]:
    return {u.id: u.email for u in client.list_users() if u.id and u.email}
