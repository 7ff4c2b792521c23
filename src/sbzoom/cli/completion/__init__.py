"""sbzoom completion bash|zsh|fish: describe the live command tree, print a static script.

The scripts are static on purpose: pressing TAB must not start Python. ``spec`` reads the live
Typer app as a tree of ``CommandSpec``; ``bash``, ``zsh`` and ``fish`` turn that tree into text.
Output is deterministic (everything sorted) so the committed scripts in ``completions/`` can be
compared with a fresh generation by the tests.

The three scripts share one model of the command line: walking the words typed so far, a word is
a subcommand while the current command has subcommands; an option that takes a value swallows the
next word (or its ``=value``); anything else is a positional argument, counted from 0.
"""

from __future__ import annotations

import enum
from typing import TYPE_CHECKING, Literal

import typer

from sbzoom.cli._common import context_of

if TYPE_CHECKING:
    from typer import _click

    from sbzoom.cli.completion.spec import CommandSpec

ShellName = Literal["bash", "zsh", "fish"]
SHELLS: tuple[ShellName, ...] = ("bash", "zsh", "fish")
# The committed scripts, under completions/, by the names each shell looks for.
SCRIPT_FILES: dict[ShellName, str] = {
    "bash": "sbzoom.bash",
    "zsh": "_sbzoom",
    "fish": "sbzoom.fish",
}


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
    from sbzoom.cli.completion.spec import command_spec

    if root is None:
        import typer.main

        from sbzoom.cli.main import app

        root = typer.main.get_command(app)
    for known in SHELLS:
        if known == shell:
            return generate(known, command_spec(root))
    raise ValueError(f"unknown shell {shell!r}")


def generate(shell: ShellName, root: CommandSpec) -> str:
    from sbzoom.cli.completion import bash, fish, zsh
    from sbzoom.cli.completion.spec import check_words, walk

    tree = root.normalized()
    for path, command in walk(tree):
        check_words(path, command)
    if shell == "bash":
        return bash.script(tree)
    if shell == "zsh":
        return zsh.script(tree)
    if shell == "fish":
        return fish.script(tree)
    raise ValueError(f"unknown shell {shell!r}")
