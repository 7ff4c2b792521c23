"""Small helpers every command module shares."""

from __future__ import annotations

from typing import TYPE_CHECKING

import typer

from sbzoom.context import Context

if TYPE_CHECKING:
    from sbzoom.factory import Factory

FACTORY_KEY = "sbzoom.factory"  # where the root command keeps the command's Factory (ctx.meta)

JSON_OPTION = typer.Option(False, "--json", help="Print machine-readable JSON on stdout.")


def context_of(ctx: typer.Context) -> Context:
    obj = ctx.find_root().obj
    assert isinstance(obj, Context), "the root callback builds the Context"
    return obj


def factory_of(ctx: typer.Context) -> Factory:
    """This command's factory (the root command builds it; closed when the command ends)."""
    from sbzoom.factory import Factory

    root = ctx.find_root()
    factory = root.meta.get(FACTORY_KEY)
    if factory is None:  # a command run without sbzoom's root callback (an embedding program)
        factory = Factory(context_of(ctx))
        root.meta[FACTORY_KEY] = factory
        root.call_on_close(factory.close)
    assert isinstance(factory, Factory)
    # Who the audit log says made a change: the command as typed, without "sbzoom".
    factory.command = " ".join(ctx.command_path.split()[1:])
    return factory
