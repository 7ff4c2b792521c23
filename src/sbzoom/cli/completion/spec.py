"""The command tree as plain data (``CommandSpec``), read from the live click app.

The generators (``bash``, ``zsh``, ``fish``) turn this tree into text; ``command_spec`` reads it
from the Typer app, so the scripts always describe the commands as they are.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    from typer import _click
    from typer.core import TyperArgument, TyperOption

PROG = "sbzoom"

# What a value (of an option or an argument) is: nothing to complete, a fixed set, or a path.
ValueKind = Literal["none", "text", "choice", "file", "dir"]

_SIMPLE_WORD = re.compile(r"[A-Za-z0-9_.,:+@/=-]+")


@dataclass(frozen=True)
class OptionSpec:
    names: tuple[str, ...]  # e.g. ("-h", "--help")
    help: str = ""
    kind: ValueKind = "none"  # "none": a flag that takes no value
    choices: tuple[str, ...] = ()

    @property
    def takes_value(self) -> bool:
        return self.kind != "none"

    @property
    def sort_key(self) -> str:
        return max(self.names, key=len).lstrip("-")


@dataclass(frozen=True)
class ArgumentSpec:
    name: str
    kind: ValueKind = "text"
    choices: tuple[str, ...] = ()
    variadic: bool = False


@dataclass(frozen=True)
class CommandSpec:
    name: str
    help: str = ""
    options: tuple[OptionSpec, ...] = ()
    arguments: tuple[ArgumentSpec, ...] = ()
    subcommands: tuple[CommandSpec, ...] = field(default_factory=tuple)

    def normalized(self) -> CommandSpec:
        """The same tree with subcommands, options and choices in a stable order."""
        return CommandSpec(
            name=self.name,
            help=_one_line(self.help),
            options=tuple(
                sorted(
                    (
                        OptionSpec(
                            tuple(sorted(o.names, key=lambda n: (len(n), n))),
                            _one_line(o.help),
                            o.kind,
                            tuple(sorted(o.choices)),
                        )
                        for o in self.options
                    ),
                    key=lambda o: o.sort_key,
                )
            ),
            arguments=tuple(
                ArgumentSpec(a.name, a.kind, tuple(sorted(a.choices)), a.variadic)
                for a in self.arguments
            ),
            subcommands=tuple(
                sorted((c.normalized() for c in self.subcommands), key=lambda c: c.name)
            ),
        )


def walk(root: CommandSpec) -> Iterator[tuple[str, CommandSpec]]:
    """Every command with its path below the program ("" for the root, "auth login", ...)."""

    def visit(path: str, command: CommandSpec) -> Iterator[tuple[str, CommandSpec]]:
        yield path, command
        for sub in command.subcommands:
            yield from visit(f"{path} {sub.name}".strip(), sub)

    yield from visit("", root)


def _one_line(text: str) -> str:
    first = text.strip().split("\n\n", 1)[0]
    return " ".join(first.split())


def check_words(path: str, command: CommandSpec) -> None:
    """Names and choices go into scripts unquoted in places; refuse anything exotic."""
    words = [command.name, *(n for o in command.options for n in o.names)]
    words += [c for o in command.options for c in o.choices]
    words += [c for a in command.arguments for c in a.choices]
    for word in words:
        if not _SIMPLE_WORD.fullmatch(word):
            raise ValueError(f"cannot complete {word!r} (in {PROG} {path}): unusual characters")


# -- reading the live app ---------------------------------------------------------------------


def command_spec(root: _click.Command) -> CommandSpec:
    """The click command tree as the generator's plain data: names, help, options, choices."""
    from typer import _click
    from typer.core import TyperArgument, TyperGroup, TyperOption

    def describe(command: _click.Command, ctx: _click.Context) -> CommandSpec:
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
    names = tuple(param.opts) + tuple(param.secondary_opts)
    help_text = param.help or ""
    if param.is_flag or param.count:
        return OptionSpec(names, help_text)
    kind, choices = _value(param, ctx)
    return OptionSpec(names, help_text, kind, choices)


def _argument(param: TyperArgument, ctx: _click.Context) -> ArgumentSpec:
    kind, choices = _value(param, ctx)
    name = (param.metavar or param.name or "argument").lower()
    return ArgumentSpec(name, kind, choices, variadic=param.nargs == -1)
