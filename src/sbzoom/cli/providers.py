"""sbzoom providers list|map|unmap."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import typer

from sbzoom.cli._common import JSON_OPTION, context_of, factory_of
from sbzoom.errors import UsageError

if TYPE_CHECKING:
    from sbzoom.core.zoom_directory import ZoomDirectory
    from sbzoom.factory import Factory

app = typer.Typer(help="Map SimplyBook providers (staff) to Zoom users.", no_args_is_help=True)


def _zoom_directory(factory: Factory) -> Callable[[], ZoomDirectory]:
    """The Zoom users this sign-in can host for, read when the use case first needs them."""

    def read() -> ZoomDirectory:
        from sbzoom.core.zoom_directory import signed_in_directory

        connection = factory.zoom_connection
        return signed_in_directory(connection.client, connection.tokens)

    return read


@app.command("list")
def list_(ctx: typer.Context, as_json: bool = JSON_OPTION) -> None:
    """List SimplyBook providers with their mapped Zoom user, flagging mappings that cannot work."""
    from sbzoom.core.providers import list_providers
    from sbzoom.render.providers import show_listing

    f = factory_of(ctx)
    listing = list_providers(f.simplybook, _zoom_directory(f), f.profile)
    show_listing(context_of(ctx).stdout, f.notifier, listing, as_json=as_json)


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
    from sbzoom.core.providers import auto_map, map_provider, require_map_arguments
    from sbzoom.render.providers import show_auto_map, show_map

    context = context_of(ctx)
    f = factory_of(ctx)
    if auto:
        if provider is not None or zoom_user is not None:
            raise UsageError(
                "--auto maps every unmapped provider by e-mail; leave out PROVIDER and ZOOM_USER, "
                "or drop --auto to map one provider."
            )
        result = auto_map(
            catalog=f.simplybook, directory=_zoom_directory(f), profile=f.profile, config=f.config
        )
        show_auto_map(context.stdout, f.notifier, result, as_json=as_json)
        return
    chooser = f.chooser if context.interactive else None
    require_map_arguments(provider, zoom_user, chooser)  # before any sign-in is looked at
    mapped = map_provider(
        provider,
        zoom_user,
        catalog=f.simplybook,
        directory=_zoom_directory(f),
        profile=f.profile,
        config=f.config,
        chooser=chooser,
        notifier=f.notifier,
    )
    show_map(context.stdout, f.notifier, mapped, as_json=as_json)


@app.command("unmap")
def unmap(
    ctx: typer.Context, provider: str = typer.Argument(..., help="Provider id or name.")
) -> None:
    """Remove a provider's Zoom mapping."""
    from sbzoom.core.providers import unmap_provider
    from sbzoom.render.providers import show_unmap

    f = factory_of(ctx)
    result = unmap_provider(provider, profile=f.profile, catalog=f.simplybook, config=f.config)
    show_unmap(f.notifier, result)
