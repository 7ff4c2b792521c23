"""What a run of `bookings link` covers: the named bookings, or those of a date window (with the
ledger's bookings that left it), split into bookings to link and bookings out of scope."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, time, timedelta

from sbzoom.clients.simplybook import Booking, SimplyBookClient
from sbzoom.core.bookings.adapters import booking_view
from sbzoom.core.bookings.model import BookingView, LinkResult
from sbzoom.core.dates import Window
from sbzoom.core.online import Orphan
from sbzoom.errors import NotFoundError, UsageError
from sbzoom.store.ledger import Ledger


def parse_booking_ids(raw: Sequence[str]) -> list[int]:
    """SimplyBook booking ids as given on the command line; a usage error names a bad one."""
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
    named: Sequence[str],
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
        for number, fetched in _fetch_each(simplybook, parse_booking_ids(named), missing_ok):
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
