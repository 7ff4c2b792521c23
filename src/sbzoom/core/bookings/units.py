"""Units of work: a one-to-one booking, or a class session (bookings of one service and
provider at one start), each owning one Zoom meeting marked ``[sbzoom:<key>]``."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sbzoom.core.bookings.model import BookingView, LinkPlan


@dataclass
class Unit:
    key: str
    is_class: bool
    host_id: str | None
    bookings: list[BookingView]

    @property
    def active(self) -> list[BookingView]:
        return [b for b in self.bookings if not b.cancelled]

    @property
    def first(self) -> BookingView:
        return (self.active or self.bookings)[0]


def unit_key(booking: BookingView, is_class: bool) -> str:
    if not is_class:
        return f"b{booking.id}"
    start = booking.start.astimezone(UTC).strftime("%Y%m%dT%H%MZ")
    return f"s{booking.service_id}.{booking.provider_id}.{start}"


def marker(key: str) -> str:
    return f"[sbzoom:{key}]"


def group_units(bookings: Iterable[BookingView], plan: LinkPlan) -> list[Unit]:
    units: dict[str, Unit] = {}
    for booking in bookings:
        is_class = plan.online.get(booking.service_id) == "class"
        key = unit_key(booking, is_class)
        unit = units.get(key)
        if unit is None:
            host = plan.hosts.get(booking.provider_id)
            unit = units[key] = Unit(key, is_class, host, [])
        unit.bookings.append(booking)
    return list(units.values())
