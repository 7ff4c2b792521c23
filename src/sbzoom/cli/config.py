"""sbzoom config get|set|unset|list|path."""

from __future__ import annotations

import typer

from sbzoom.cli._common import JSON_OPTION, context_of, factory_of

app = typer.Typer(help="Read and change the profile's settings.", no_args_is_help=True)


@app.command("get")
def get(
    ctx: typer.Context,
    key: str = typer.Argument(..., help="Dotted key, e.g. zoom.max_rps."),
    as_json: bool = JSON_OPTION,
) -> None:
    """Print one setting (its default when unset)."""
    from sbzoom.core.config import get_value
    from sbzoom.render.config import show_value

    value = get_value(factory_of(ctx).profile, key)
    show_value(context_of(ctx).stdout, key, value, as_json=as_json)


# A value may start with '-' ('config set zoom.max_rps -2' is refused by the value check, with
# the rule, rather than by the parser as an unknown option).
@app.command("set", context_settings={"ignore_unknown_options": True})
def set_(
    ctx: typer.Context,
    key: str = typer.Argument(..., help="Dotted key, e.g. simplybook.timezone."),
    value: str = typer.Argument(..., help="New value; checked before anything is written."),
) -> None:
    """Change one setting."""
    from sbzoom.core.config import set_value

    context = context_of(ctx)
    f = factory_of(ctx)
    set_value(f.config, context.profile_name, key, value)
    f.notifier.notice(f"Set {key} for profile '{context.profile_name}'.")


@app.command("unset")
def unset(ctx: typer.Context, key: str = typer.Argument(..., help="Dotted key.")) -> None:
    """Remove one setting (it falls back to its default)."""
    from sbzoom.core.config import unset_value

    context = context_of(ctx)
    f = factory_of(ctx)
    unset_value(f.config, context.profile_name, key)
    f.notifier.notice(f"Unset {key} for profile '{context.profile_name}'.")


@app.command("list")
def list_(ctx: typer.Context, as_json: bool = JSON_OPTION) -> None:
    """List the profile's settings with their defaults. Secrets are never here."""
    from sbzoom.core.config import list_values
    from sbzoom.render.config import show_settings

    rows = list_values(factory_of(ctx).profile)
    show_settings(context_of(ctx).stdout, rows, as_json=as_json)


@app.command("path")
def path(ctx: typer.Context, as_json: bool = JSON_OPTION) -> None:
    """Print the config file's path."""
    from sbzoom.render.config import show_path

    context = context_of(ctx)
    show_path(context.stdout, context.config_path, as_json=as_json)
