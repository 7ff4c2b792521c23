"""The rules `bookings link`, `report meetings`, `bookings show` and `doctor` share about which
bookings sbzoom keeps right, so all four say the same thing about a booking.

A meeting is **orphaned** when sbzoom made it for a booking (the ledger holds it as linked and
the meeting as active) but sbzoom no longer keeps it right, because

- the booking's provider is no longer mapped to a Zoom user (`providers unmap`), or
- the booking's service is no longer online (`services disable-online`).

The meeting still exists on Zoom and its links still work; nobody moves it when the booking
moves or ends it when the booking is cancelled. The fix is to map the provider / enable the
service again (the next `bookings link` picks the meeting up where it was), or to cancel it
with `bookings link --cancel-orphans` (with `--dry-run` first to see what would go).

Which services are online, and which are classes: the profile stores ``services.<id>`` =
``online`` or ``class``; a service without a key is offline, so services created later stay
offline until someone enables them. A class (one meeting per session, one registration link per
client) is what ``services enable-online --class`` asks for, and anything whose capacity lets
several clients share a slot: the service's booking limit (``limit_booking``) or the ``qty`` of a
provider who offers it above 1.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sbzoom.errors import ConfigError

if TYPE_CHECKING:
    from sbzoom.clients.simplybook import Provider, Service, SimplyBookClient
    from sbzoom.store.config import Profile


def offers(provider: Provider, service: Service) -> bool:
    return provider.id in service.provider_ids or service.id in provider.service_ids


def capacity_reason(service: Service, providers: Iterable[Provider]) -> str | None:
    """Why the service's capacity makes it a class, or None when one client fills a slot."""
    if service.capacity > 1:
        return f"its booking limit allows {service.capacity} clients per slot"
    takers = [p for p in providers if offers(p, service) and p.qty > 1]
    if takers:
        most = max(takers, key=lambda p: p.qty)
        return f"provider {most.name} takes {most.qty} clients per slot"
    return None


def online_mode(stored: Mapping[str, str], service: Service) -> str | None:
    """``online`` or ``class`` as the profile stores it for ``service``; None: offline."""
    value = stored.get(str(service.id))
    return value if value in ("online", "class") else None


@dataclass(frozen=True)
class Orphan:
    """Why a linked booking's meeting is no longer kept right, and what fixes it."""

    why: str  # "provider Ben Okafor (2) is no longer mapped to a Zoom user"
    fix: str  # "map it again with 'sbzoom providers map 2 ZOOM_USER'"


def orphan_cause(
    *,
    provider_id: str,
    provider_name: str,
    service_id: str,
    service_name: str,
    hosts: Mapping[str, str],
    online: Mapping[str, str],
) -> Orphan | None:
    """Why a booking's meeting would be orphaned now; None while sbzoom still keeps it."""
    if service_id not in online:
        return Orphan(
            f"service {service_name} ({service_id}) is no longer online",
            f"make it online again with 'sbzoom services enable-online {service_id}'",
        )
    if provider_id not in hosts:
        return Orphan(
            f"provider {provider_name} ({provider_id}) is no longer mapped to a Zoom user",
            f"map it again with 'sbzoom providers map {provider_id} ZOOM_USER'",
        )
    return None


def cancel_orphans_command(booking_id: str | None = None, *, to: str | None = None) -> str:
    """The command that cancels orphaned meetings (one booking's, or a window's)."""
    if booking_id is not None:
        return f"sbzoom bookings link {booking_id} --cancel-orphans"
    return "sbzoom bookings link --cancel-orphans" + (f" --to {to}" if to else "")


def orphan_reason(orphan: Orphan, meeting_id: int | None, booking_id: str) -> str:
    """The sentence shown for an orphaned booking in link, report and show."""
    meeting = f"meeting {meeting_id}" if meeting_id else "its meeting"
    return (
        f"{orphan.why}; {meeting} still works but sbzoom no longer keeps it right: "
        f"{orphan.fix}, or cancel it with '{cancel_orphans_command(booking_id)}' "
        "(add --dry-run to preview)"
    )


def stored_online(profile: Profile) -> dict[str, str]:
    """The services the profile has online; none is a setup problem worth stopping for."""
    stored = profile.family("services")
    if not stored:
        raise ConfigError(
            "No service is online yet, so no booking has a meeting to link or report.",
            "Choose them with 'sbzoom services enable-online SERVICE...' "
            "('sbzoom services list' shows them).",
        )
    return stored


def online_services(profile: Profile, simplybook: SimplyBookClient) -> dict[str, str]:
    """Online service id -> "online" | "class", as the profile says, with capacity applied.

    A service whose SimplyBook capacity lets several clients share a slot is a class whatever
    was stored when it was enabled (its capacity may have grown since), so linking, showing and
    reporting agree with `sbzoom services list`.
    """
    stored = stored_online(profile)
    if "online" not in stored.values():
        return stored
    providers = simplybook.list_providers()
    grown = {
        str(s.id)
        for s in simplybook.list_services()
        if stored.get(str(s.id)) == "online" and capacity_reason(s, providers)
    }
    return {k: "class" if k in grown else v for k, v in stored.items()}
