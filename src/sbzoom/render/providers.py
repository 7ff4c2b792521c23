"""What `sbzoom providers list|map|unmap` print: the table, the JSON, and the lines on stderr."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sbzoom.core.zoom_directory import ALL_USERS_HINT
from sbzoom.render import print_json, print_table

if TYPE_CHECKING:
    from rich.console import Console

    from sbzoom.core.ports import Notifier
    from sbzoom.core.providers import (
        AutoMapResult,
        MapResult,
        ProviderListing,
        ProviderRow,
        UnmapResult,
    )

PROVIDER_COLUMNS = ("ID", "NAME", "EMAIL", "ZOOM USER", "ZOOM EMAIL", "LICENSED", "NOTE")


def provider_json(row: ProviderRow) -> dict[str, object]:
    user = row.zoom_user
    return {
        "id": row.provider.id,
        "name": row.provider.name,
        "email": row.provider.email,
        "zoom_user_id": row.zoom_user_id,
        "zoom_email": user.email if user else None,
        "licensed": user.licensed if user else None,
        "problem": row.problem,
        "warning": row.warning,
        "zoom_status": user.status if user else None,
        "active": row.provider.is_active,
    }


def map_json(result: MapResult) -> dict[str, object]:
    return {
        "id": result.provider.id,
        "name": result.provider.name,
        "email": result.provider.email,
        "zoom_user_id": result.zoom_user.id,
        "zoom_email": result.zoom_user.email,
        "licensed": result.zoom_user.licensed,
        "previous_zoom_user_id": result.previous,
        "changed": result.changed,
        "warnings": list(result.warnings),
    }


def auto_map_json(result: AutoMapResult) -> dict[str, object]:
    return {
        "mapped": [
            {
                "id": m.provider.id,
                "name": m.provider.name,
                "email": m.provider.email,
                "zoom_user_id": m.zoom_user.id,
                "zoom_email": m.zoom_user.email,
                "licensed": m.zoom_user.licensed,
                "warning": m.warning,
            }
            for m in result.mapped
        ],
        "not_mapped": [
            {
                "id": n.provider.id,
                "name": n.provider.name,
                "email": n.provider.email,
                "reason": n.reason,
                "detail": n.detail,
            }
            for n in result.not_mapped
        ],
        "already_mapped": [
            {"id": p.id, "name": p.name, "zoom_user_id": user_id}
            for p, user_id in result.already_mapped
        ],
        "all_users": result.limitation is None,
        "limitation": result.limitation,
    }


def show_listing(
    out: Console, notifier: Notifier, listing: ProviderListing, *, as_json: bool
) -> None:
    if as_json:
        print_json(out, [provider_json(row) for row in listing.rows])
    else:
        print_table(
            out,
            PROVIDER_COLUMNS,
            [
                (
                    r.provider.id,
                    r.provider.name,
                    r.provider.email or "",
                    r.zoom_user_id or "-",
                    r.zoom_user.email if r.zoom_user else "",
                    "" if r.zoom_user is None else "yes" if r.zoom_user.licensed else "no",
                    f"problem: {r.problem}" if r.problem else r.warning or "",
                )
                for r in listing.rows
            ],
        )
    for provider_id, user_id in listing.stale:
        notifier.notice(
            f"providers.{provider_id} maps Zoom user {user_id} for a provider SimplyBook no longer "
            f"has; remove it with 'sbzoom providers unmap {provider_id}'."
        )
    if listing.limitation:
        notifier.notice(f"{listing.limitation} {ALL_USERS_HINT}")


def show_map(out: Console, notifier: Notifier, result: MapResult, *, as_json: bool) -> None:
    if as_json:
        print_json(out, map_json(result))
    who = f"{result.provider.name} (id {result.provider.id})"
    user = f"Zoom user {result.zoom_user.email} ({result.zoom_user.id})"
    if not result.changed:
        notifier.notice(f"{who} is already mapped to {user}; nothing changed.")
    elif result.previous:
        notifier.notice(f"Mapped {who} to {user}, replacing {result.previous}.")
    else:
        notifier.notice(f"Mapped {who} to {user}.")
    for warning in result.warnings:
        notifier.notice(f"Warning: {warning}")


def show_auto_map(
    out: Console, notifier: Notifier, result: AutoMapResult, *, as_json: bool
) -> None:
    if as_json:
        print_json(out, auto_map_json(result))
    for item in result.mapped:
        notifier.notice(
            f"Mapped {item.provider.name} (id {item.provider.id}) to Zoom user "
            f"{item.zoom_user.email} ({item.zoom_user.id})."
        )
        if item.warning:
            notifier.notice(f"Warning: {item.warning}")
    for skipped in result.not_mapped:
        notifier.notice(
            f"Not mapped: {skipped.provider.name} (id {skipped.provider.id}): {skipped.detail}."
        )
    total = len(result.mapped) + len(result.not_mapped) + len(result.already_mapped)
    notifier.notice(
        f"{len(result.mapped)} mapped, {len(result.not_mapped)} not mapped, "
        f"{len(result.already_mapped)} already mapped (of {total} providers)."
    )
    if result.limitation:
        notifier.notice(f"{result.limitation} {ALL_USERS_HINT}")
    elif result.not_mapped:
        notifier.notice("Map the others with 'sbzoom providers map PROVIDER ZOOM_USER'.")


def show_unmap(notifier: Notifier, result: UnmapResult) -> None:
    who = (
        f"{result.name} (id {result.provider_id})"
        if result.name
        else f"provider {result.provider_id}"
    )
    if result.previous is None:
        notifier.notice(f"{who} was not mapped to a Zoom user; nothing changed.")
    else:
        notifier.notice(f"Unmapped {who} from Zoom user {result.previous}.")
