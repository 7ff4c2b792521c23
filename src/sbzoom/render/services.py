"""What `sbzoom services list|enable-online|disable-online` print."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from sbzoom.render import print_json, print_table

if TYPE_CHECKING:
    from rich.console import Console

    from sbzoom.core.ports import Notifier
    from sbzoom.core.services import ServiceChange, ServiceListing, ServiceRow

SERVICE_COLUMNS = ("ID", "NAME", "ONLINE", "CLASS", "WHY CLASS")


def service_json(row: ServiceRow) -> dict[str, object]:
    return {
        "id": row.service.id,
        "name": row.service.name,
        "online": row.online,
        "class": row.is_class,
        "class_source": row.class_source,
        "class_reason": row.class_reason,
        "active": row.service.is_active,
    }


def show_listing(
    out: Console, notifier: Notifier, listing: ServiceListing, *, as_json: bool
) -> None:
    if as_json:
        print_json(out, [service_json(row) for row in listing.rows])
    else:
        print_table(
            out,
            SERVICE_COLUMNS,
            [
                (
                    r.service.id,
                    r.service.name,
                    "yes" if r.online else "no",
                    "yes" if r.is_class else "no",
                    r.class_reason or "",
                )
                for r in listing.rows
            ],
        )
    for service_id, mode in listing.stale:
        notifier.notice(
            f"services.{service_id} = {mode} names a service SimplyBook no longer has; remove it "
            f"with 'sbzoom services disable-online {service_id}'."
        )


def _state(mode: str | None, reason: str | None) -> str:
    if mode is None:
        return "offline"
    if mode == "class":
        return f"online as a class ({reason})" if reason else "online as a class"
    return "online"


def show_changes(notifier: Notifier, changes: Sequence[ServiceChange]) -> None:
    for change in changes:
        who = (
            f"'{change.name}' (id {change.service_id})"
            if change.name
            else (f"service {change.service_id} (no longer in SimplyBook)")
        )
        state = _state(change.after, change.class_reason)
        if not change.changed:
            notifier.notice(f"Service {who} is already {state}.")
        elif change.before is None or change.after is None:
            notifier.notice(f"Service {who} is now {state}.")
        else:
            notifier.notice(f"Service {who} is now {state} (was {_state(change.before, None)}).")
