"""sbzoom config get|set|unset|list|path."""

from __future__ import annotations

import typer

from sbzoom.cli._common import JSON_OPTION, context_of

app = typer.Typer(help="Read and change the profile's settings.", no_args_is_help=True)


@app.command("get")
def get(
    ctx: typer.Context,
    key: str = typer.Argument(..., help="Dotted key, e.g. zoom.max_rps."),
    as_json: bool = JSON_OPTION,
) -> None:
    """Print one setting (its default when unset)."""
    from sbzoom.core import settings

    context = context_of(ctx)
    value = settings.get_value(context, key)
    if as_json:
        from sbzoom import render

        render.print_json(context.stdout, {"key": key, "value": value})
        return
    context.stdout.print("" if value is None else settings.format_value(value))


# A value may start with '-' ('config set zoom.max_rps -2' is refused by the value check, with
# the rule, rather than by the parser as an unknown option).
@app.command("set", context_settings={"ignore_unknown_options": True})
def set_(
    ctx: typer.Context,
    key: str = typer.Argument(..., help="Dotted key, e.g. simplybook.timezone."),
    value: str = typer.Argument(..., help="New value; checked before anything is written."),
) -> None:
    """Change one setting."""
    from sbzoom.core import settings

    context = context_of(ctx)
    settings.set_value(context, key, value)
    context.notice(f"Set {key} for profile '{context.profile_name}'.")


@app.command("unset")
def unset(ctx: typer.Context, key: str = typer.Argument(..., help="Dotted key.")) -> None:
    """Remove one setting (it falls back to its default)."""
    from sbzoom.core import settings

    context = context_of(ctx)
    settings.unset_value(context, key)
    context.notice(f"Unset {key} for profile '{context.profile_name}'.")


@app.command("list")
def list_(ctx: typer.Context, as_json: bool = JSON_OPTION) -> None:
    """List the profile's settings with their defaults. Secrets are never here."""
    from sbzoom import render
    from sbzoom.core import settings

    context = context_of(ctx)
    rows = settings.list_values(context)
    if as_json:
        render.print_json(context.stdout, {r.key: r.value for r in rows})
        return
    render.print_table(
        context.stdout,
        ["key", "value", "source"],
        ([r.key, settings.format_value(r.value), r.source] for r in rows),
    )


@app.command("path")
def path(ctx: typer.Context, as_json: bool = JSON_OPTION) -> None:
    """Print the config file's path."""
    context = context_of(ctx)
    if as_json:
        from sbzoom import render

        render.print_json(context.stdout, {"path": str(context.config_path)})
        return
    context.stdout.print(str(context.config_path))
