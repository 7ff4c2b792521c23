"""sbzoom providers list|map|unmap."""

from __future__ import annotations

from typing import TYPE_CHECKING

import typer

from sbzoom.cli._common import JSON_OPTION, context_of
from sbzoom.errors import UsageError

if TYPE_CHECKING:
    from sbzoom.context import Context
    from sbzoom.core.catalog import AutoMapResult, MapResult

app = typer.Typer(help="Map SimplyBook providers (staff) to Zoom users.", no_args_is_help=True)


@app.command("list")
def list_(ctx: typer.Context, as_json: bool = JSON_OPTION) -> None:
    """List SimplyBook providers with their mapped Zoom user, flagging mappings that cannot work."""
    from sbzoom import render
    from sbzoom.core import catalog

    context = context_of(ctx)
    listing = catalog.list_providers(context)
    if as_json:
        render.print_json(context.stdout, [row.to_json() for row in listing.rows])
    else:
        render.print_table(
            context.stdout,
            ["ID", "NAME", "EMAIL", "ZOOM USER", "ZOOM EMAIL", "LICENSED", "NOTE"],
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
        context.notice(
            f"providers.{provider_id} maps Zoom user {user_id} for a provider SimplyBook no longer "
            f"has; remove it with 'sbzoom providers unmap {provider_id}'."
        )
    if listing.limitation:
        context.notice(f"{listing.limitation} {catalog.ALL_USERS_HINT}")


@app.command("map")
def map_(
    ctx: typer.Context,
    provider: str = typer.Argument(None, help="SimplyBook provider id or exact name."),
    zoom_user: str = typer.Argument(
        None, help="Zoom user id or e-mail (or 'me' with a user-level Zoom app)."
    ),
    auto: bool = typer.Option(
        False,
        "--auto",
        help="Map every unmapped provider whose e-mail is an active Zoom user's. Exits 0 when it "
        "ran, also if some providers stay unmapped: they are listed with the reason.",
    ),
    as_json: bool = JSON_OPTION,
) -> None:
    """Map a provider to the Zoom user who hosts their meetings (both checked remotely)."""
    from sbzoom.core import catalog

    context = context_of(ctx)
    if auto:
        if provider is not None or zoom_user is not None:
            raise UsageError(
                "--auto maps every unmapped provider by e-mail; leave out PROVIDER and ZOOM_USER, "
                "or drop --auto to map one provider."
            )
        _show_auto(context, catalog.auto_map(context), as_json)
        return
    _show_map(context, catalog.map_provider(context, provider, zoom_user), as_json)


@app.command("unmap")
def unmap(
    ctx: typer.Context, provider: str = typer.Argument(..., help="Provider id or name.")
) -> None:
    """Remove a provider's Zoom mapping."""
    from sbzoom.core import catalog

    context = context_of(ctx)
    result = catalog.unmap_provider(context, provider)
    who = (
        f"{result.name} (id {result.provider_id})"
        if result.name
        else f"provider {result.provider_id}"
    )
    if result.previous is None:
        context.notice(f"{who} was not mapped to a Zoom user; nothing changed.")
    else:
        context.notice(f"Unmapped {who} from Zoom user {result.previous}.")


def _show_map(context: Context, result: MapResult, as_json: bool) -> None:
    from sbzoom import render

    if as_json:
        render.print_json(context.stdout, result.to_json())
    who = f"{result.provider.name} (id {result.provider.id})"
    user = f"Zoom user {result.zoom_user.email} ({result.zoom_user.id})"
    if not result.changed:
        context.notice(f"{who} is already mapped to {user}; nothing changed.")
    elif result.previous:
        context.notice(f"Mapped {who} to {user}, replacing {result.previous}.")
    else:
        context.notice(f"Mapped {who} to {user}.")
    for warning in result.warnings:
        context.notice(f"Warning: {warning}")


def _show_auto(context: Context, result: AutoMapResult, as_json: bool) -> None:
    from sbzoom import render

    if as_json:
        render.print_json(context.stdout, result.to_json())
    for item in result.mapped:
        context.notice(
            f"Mapped {item.provider.name} (id {item.provider.id}) to Zoom user "
            f"{item.zoom_user.email} ({item.zoom_user.id})."
        )
        if item.warning:
            context.notice(f"Warning: {item.warning}")
    for skipped in result.not_mapped:
        context.notice(
            f"Not mapped: {skipped.provider.name} (id {skipped.provider.id}): {skipped.detail}."
        )
    total = len(result.mapped) + len(result.not_mapped) + len(result.already_mapped)
    context.notice(
        f"{len(result.mapped)} mapped, {len(result.not_mapped)} not mapped, "
        f"{len(result.already_mapped)} already mapped (of {total} providers)."
    )
    if result.limitation:
        from sbzoom.core.catalog import ALL_USERS_HINT

        context.notice(f"{result.limitation} {ALL_USERS_HINT}")
    elif result.not_mapped:
        context.notice("Map the others with 'sbzoom providers map PROVIDER ZOOM_USER'.")
