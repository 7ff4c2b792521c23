"""Bookings: ``GET /admin/bookings`` (``filter[...]`` only: unprefixed filters are ignored, as the
live API does; canceled bookings included unless ``filter[status]`` says otherwise; sorted by
start), ``GET|PUT|DELETE /admin/bookings/{id}`` (a PUT is a full replace; DELETE cancels) and
``PUT /admin/bookings/{id}/comment``.

Lists are served from an index sorted by start, so paging 50,000 bookings stays fast.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any

from sbzoom.sandbox.data import Booking
from sbzoom.sandbox.errors import HtmlPageError, SimplyBookApiError
from sbzoom.sandbox.simplybook.formats import (
    format_datetime,
    listing,
    parse_datetime,
    parse_int,
    request_body,
)
from sbzoom.sandbox.wire import Request, Response, json_response

if TYPE_CHECKING:
    from sbzoom.sandbox.simplybook.service import SimplyBookService

STATUS_FILTERS = {
    "confirmed": ("confirmed",),
    "pending": ("pending",),
    "confirmed_pending": ("confirmed", "pending"),
    "canceled": ("canceled",),
}


@dataclass(frozen=True)
class Filters:
    date_from: date | None = None
    date_to: date | None = None
    statuses: tuple[str, ...] | None = None
    services: frozenset[int] | None = None
    providers: frozenset[int] | None = None
    client_id: int | None = None
    upcoming_from: datetime | None = None
    search: str = ""


# -- answers ---------------------------------------------------------------------------------------


def booking_json(simplybook: SimplyBookService, booking: Booking) -> dict[str, Any]:
    """A booking as lists show it."""
    offset = booking.start.replace(tzinfo=simplybook._zone).utcoffset() or timedelta(0)
    cancelled = booking.status == "canceled"
    return {
        "id": booking.id,
        "code": booking.code,
        "is_confirmed": booking.is_confirmed,
        "start_datetime": format_datetime(booking.start),
        "end_datetime": format_datetime(booking.end),
        "location_id": None,
        "category_id": None,
        "service_id": booking.service_id,
        "provider_id": booking.provider_id,
        "client_id": booking.client_id,
        "duration": int((booking.end - booking.start).total_seconds() // 60),
        "service": simplybook._service_json[booking.service_id],
        "provider": simplybook._provider_json[booking.provider_id],
        "location": None,
        "category": None,
        "client": simplybook._client_json[booking.client_id],
        "status": booking.status,
        "user_status_id": None,
        "membership_id": None,
        "invoice_id": None,
        "invoice_status": None,
        "invoice_payment_received": False,
        "invoice_number": None,
        "invoice_datetime": None,
        "invoice_payment_processor": None,
        "ticket_code": None,
        "ticket_validation_datetime": None,
        "ticket_is_used": None,
        "testing_status": None,
        "can_be_edited": not cancelled,
        "can_be_canceled": not cancelled,
        "record_date": format_datetime(booking.record_date),
        "client_timezone": simplybook._zone.key,
        "client_time_offset": int(offset.total_seconds()),
        "batch_id": booking.batch_id,
        "batch_type": booking.batch_type,
    }


def details_json(simplybook: SimplyBookService, booking: Booking) -> dict[str, Any]:
    """A booking as ``GET /admin/bookings/{id}`` answers it."""
    details = {
        **booking_json(simplybook, booking),
        "comment": booking.comment,
        "additional_fields": [],
        "products": [],
        "attributes": [],
        "log": [],
    }
    if not simplybook.details_comment:
        del details["comment"]
    return details


# -- the list --------------------------------------------------------------------------------------


def _ids(request: Request, name: str) -> frozenset[int] | None:
    """``filter[name][]``, ``filter[name][0]`` … or ``filter[name]``; None when absent."""
    prefix = f"filter[{name}]"
    values: list[str] = []
    for key, given in request.query.items():
        if key == prefix or (key.startswith(prefix + "[") and key.endswith("]")):
            values.extend(given)
    if not values:
        return None
    return frozenset(n for n in (parse_int(v) for v in values) if n is not None)


def _filters(simplybook: SimplyBookService, request: Request) -> Filters:
    bad: dict[str, list[str]] = {}
    dates: dict[str, date | None] = {}
    for name in ("date_from", "date_to", "date"):
        raw = request.arg(f"filter[{name}]")
        dates[name] = None
        if raw:
            try:
                dates[name] = date.fromisoformat(raw)
            except ValueError:
                bad[f"filter.{name}"] = ["Invalid date, expected YYYY-MM-DD"]
    status = request.arg("filter[status]")
    statuses = None
    if status:
        statuses = STATUS_FILTERS.get(status)
        if statuses is None:
            bad["filter.status"] = [f"Allowed: {', '.join(STATUS_FILTERS)}"]
    if bad:
        raise SimplyBookApiError(400, "Validation error", bad)
    date_from, date_to = dates["date_from"], dates["date_to"]
    if dates["date"] is not None:
        date_from = date_to = dates["date"]
    upcoming = None
    if (request.arg("filter[upcoming_only]") or "").lower() in ("1", "true"):
        # to the minute, so repeated pages share one cached result
        now = simplybook._clock.now().astimezone(simplybook._zone).replace(tzinfo=None)
        upcoming = now.replace(second=0, microsecond=0)
    return Filters(
        date_from=date_from,
        date_to=date_to,
        statuses=statuses,
        services=_ids(request, "services"),
        providers=_ids(request, "providers"),
        client_id=parse_int(request.arg("filter[client_id]")),
        upcoming_from=upcoming,
        search=(request.arg("filter[search]") or "").strip().lower(),
    )


def _select(simplybook: SimplyBookService, filters: Filters) -> list[Booking]:
    ordered, starts = simplybook._index()
    cached = simplybook._filter_cache.get(filters)
    if cached is not None:
        return cached
    low, high = 0, len(ordered)
    if filters.date_from is not None:
        low = bisect.bisect_left(starts, datetime.combine(filters.date_from, time.min))
    if filters.date_to is not None:
        end = datetime.combine(filters.date_to + timedelta(days=1), time.min)
        high = bisect.bisect_left(starts, end)
    if filters.upcoming_from is not None:
        low = max(low, bisect.bisect_left(starts, filters.upcoming_from))
    selected = ordered[low:high]
    if filters.statuses is not None:
        selected = [b for b in selected if b.status in filters.statuses]
    if filters.services is not None:
        selected = [b for b in selected if b.service_id in filters.services]
    if filters.providers is not None:
        selected = [b for b in selected if b.provider_id in filters.providers]
    if filters.client_id is not None:
        selected = [b for b in selected if b.client_id == filters.client_id]
    if filters.search:
        needle = filters.search
        clients = simplybook._clients
        selected = [
            b
            for b in selected
            if needle == b.code
            or needle in clients[b.client_id].name.lower()
            or needle in clients[b.client_id].email.lower()
        ]
    if len(simplybook._filter_cache) > 32:
        simplybook._filter_cache.clear()
    simplybook._filter_cache[filters] = selected
    return selected


def list_bookings(
    simplybook: SimplyBookService, request: Request, match: re.Match[str]
) -> Response:
    selected = _select(simplybook, _filters(simplybook, request))
    return listing(
        request,
        selected,
        lambda booking: booking_json(simplybook, booking),
        bare=simplybook.bare_lists,
    )


# -- one booking -----------------------------------------------------------------------------------


def _booking(simplybook: SimplyBookService, match: re.Match[str]) -> Booking:
    booking = simplybook._bookings.get(int(match.group(1)))
    if booking:
        return booking
    if simplybook.html_not_found:  # some front ends answer a deleted record with their HTML 404
        raise HtmlPageError(404, "Page not found", "The page you requested was not found.")
    raise SimplyBookApiError(404, "Booking not found")


def get_booking(simplybook: SimplyBookService, request: Request, match: re.Match[str]) -> Response:
    return json_response(200, details_json(simplybook, _booking(simplybook, match)))


def edit_booking(simplybook: SimplyBookService, request: Request, match: re.Match[str]) -> Response:
    """A full replace: start, service, provider and client must all be sent again."""
    booking = _booking(simplybook, match)
    body = request_body(request)
    bad: dict[str, list[str]] = {}
    start = parse_datetime(body.get("start_datetime"))
    if start is None:
        bad["start_datetime"] = ["Value is required (YYYY-MM-DD HH:MM:SS)"]
    ids = {name: parse_int(body.get(name)) for name in ("service_id", "provider_id", "client_id")}
    for name, value in ids.items():
        if value is None:
            bad[name] = ["Value is required"]
    service = simplybook._services.get(ids["service_id"] or 0)
    provider = simplybook._providers.get(ids["provider_id"] or 0)
    if ids["service_id"] is not None and service is None:
        bad["service_id"] = ["Service not found"]
    if ids["provider_id"] is not None and provider is None:
        bad["provider_id"] = ["Provider not found"]
    if ids["client_id"] is not None and ids["client_id"] not in simplybook._clients:
        bad["client_id"] = ["Client not found"]
    if service and provider and service.id not in provider.services:
        bad["provider_id"] = ["Provider is not available for the selected service"]
    end = None
    if body.get("end_datetime") is not None:
        end = parse_datetime(body.get("end_datetime"))
        if end is None or (start is not None and end <= start):
            bad["end_datetime"] = ["Invalid end date and time"]
    if bad:
        raise SimplyBookApiError(400, "Validation error", bad)
    if booking.status == "canceled":
        raise SimplyBookApiError(400, "Booking is canceled and cannot be edited")
    assert start is not None and service is not None and provider is not None
    booking.start = start
    booking.end = end or start + timedelta(minutes=service.duration)
    booking.service_id = service.id
    booking.provider_id = provider.id
    booking.client_id = ids["client_id"] or booking.client_id
    simplybook._changed()
    simplybook._callback(booking.id, "change")
    return json_response(200, details_json(simplybook, booking))


def cancel_booking(
    simplybook: SimplyBookService, request: Request, match: re.Match[str]
) -> Response:
    booking = _booking(simplybook, match)
    booking.status = "canceled"
    simplybook._changed()
    simplybook._callback(booking.id, "cancel")
    return json_response(200, details_json(simplybook, booking))


def set_comment(simplybook: SimplyBookService, request: Request, match: re.Match[str]) -> Response:
    if not simplybook.comment_endpoint:
        raise SimplyBookApiError(405, "Method Not Allowed")
    booking = _booking(simplybook, match)
    body = request_body(request)
    if not isinstance(body.get("comment"), str):
        raise SimplyBookApiError(400, "Validation error", {"comment": ["Value is required"]})
    booking.comment = body["comment"]
    return json_response(200, details_json(simplybook, booking))
