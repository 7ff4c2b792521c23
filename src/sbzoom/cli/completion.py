"""sbzoom completion bash|zsh|fish: describe the live command tree, print a static script."""

from __future__ import annotations

import enum
from typing import TYPE_CHECKING, Any

import typer

from sbzoom.cli._common import context_of

if TYPE_CHECKING:
    from typer import _click
    from typer.core import TyperArgument, TyperOption

    from sbzoom.core.completion import ArgumentSpec, CommandSpec, OptionSpec, ValueKind


class Shell(str, enum.Enum):
    bash = "bash"
    zsh = "zsh"
    fish = "fish"


def completion(
    ctx: typer.Context, shell: Shell = typer.Argument(..., help="bash, zsh or fish.")
) -> None:
    """Print the shell completion script (also committed under completions/)."""
    context = context_of(ctx)
    context.stdout.file.write(script(shell.value, ctx.find_root().command))
    context.stdout.file.flush()


def script(shell: str, root: _click.Command | None = None) -> str:
    """The completion script for ``shell``, generated from ``root`` (default: sbzoom's app)."""
    from sbzoom.core.completion import SHELLS, generate

    if root is None:
        import typer.main

        from sbzoom.cli.main import app

        root = typer.main.get_command(app)
    for known in SHELLS:
        if known == shell:
            return generate(known, command_spec(root))
    raise ValueError(f"unknown shell {shell!r}")


def command_spec(root: _click.Command) -> CommandSpec:
    """The click command tree as the generator's plain data: names, help, options, choices."""
    from typer import _click
    from typer.core import TyperArgument, TyperGroup, TyperOption

    def describe(command: _click.Command, ctx: _click.Context) -> CommandSpec:
        from sbzoom.core.completion import CommandSpec

        options: list[OptionSpec] = []
        arguments: list[ArgumentSpec] = []
        for param in command.get_params(ctx):
            if getattr(param, "hidden", False):
                continue
            if isinstance(param, TyperOption):
                options.append(_option(param, ctx))
            elif isinstance(param, TyperArgument):
                arguments.append(_argument(param, ctx))
        subcommands = []
        if isinstance(command, TyperGroup):
            for name in command.list_commands(ctx):
                sub = command.get_command(ctx, name)
                if sub is None or sub.hidden:
                    continue
                sub_ctx = _click.Context(sub, parent=ctx, info_name=name)
                subcommands.append(describe(sub, sub_ctx))
        return CommandSpec(
            name=ctx.info_name or "",
            help=command.get_short_help_str(limit=120) if ctx.parent else (command.help or ""),
            options=tuple(options),
            arguments=tuple(arguments),
            subcommands=tuple(subcommands),
        )

    root_ctx = _click.Context(root, info_name="sbzoom", **root.context_settings)
    return describe(root, root_ctx)


def _value(param: _click.Parameter, ctx: _click.Context) -> tuple[ValueKind, tuple[str, ...]]:
    """What a parameter's value is: a fixed set of choices, a path, or free text."""
    items = param.shell_complete(ctx, "")
    plain = tuple(item.value for item in items if item.type == "plain")
    if plain:
        return "choice", plain
    if any(item.type == "dir" for item in items):
        return "dir", ()
    if any(item.type == "file" for item in items):
        return "file", ()
    descriptor: Any = getattr(param, "type_descriptor", None)  # Typer's own parameter types
    if descriptor is not None and descriptor.is_path:
        info = descriptor.parameter_info
        if info.dir_okay and not info.file_okay:
            return "dir", ()
        return "file", ()
    return "text", ()


def _option(param: TyperOption, ctx: _click.Context) -> OptionSpec:
    from sbzoom.core.completion import OptionSpec

    names = tuple(param.opts) + tuple(param.secondary_opts)
    help_text = param.help or ""
    if param.is_flag or param.count:
        return OptionSpec(names, help_text)
    kind, choices = _value(param, ctx)
    return OptionSpec(names, help_text, kind, choices)


def _argument(param: TyperArgument, ctx: _click.Context) -> ArgumentSpec:
    from sbzoom.core.completion import ArgumentSpec

    kind, choices = _value(param, ctx)
    name = (param.metavar or param.name or "argument").lower()
    return ArgumentSpec(name, kind, choices, variadic=param.nargs == -1)
