"""Static shell-completion scripts for bash, zsh and fish, generated from a command tree.

The scripts are static on purpose: pressing TAB must not start Python. ``cli.completion``
describes the live Typer app as a tree of ``CommandSpec``; this module turns that tree into text.
Output is deterministic (everything sorted) so the committed scripts in ``completions/`` can be
compared with a fresh generation by the tests.

The three scripts share one model of the command line: walking the words typed so far, a word is
a subcommand while the current command has subcommands; an option that takes a value swallows the
next word (or its ``=value``); anything else is a positional argument, counted from 0.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Literal

PROG = "sbzoom"
Shell = Literal["bash", "zsh", "fish"]
SHELLS: tuple[Shell, ...] = ("bash", "zsh", "fish")
# The committed scripts, under completions/, by the names each shell looks for.
SCRIPT_FILES: dict[Shell, str] = {"bash": "sbzoom.bash", "zsh": "_sbzoom", "fish": "sbzoom.fish"}

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


def generate(shell: Shell, root: CommandSpec) -> str:
    tree = root.normalized()
    for path, command in walk(tree):
        _check_words(path, command)
    if shell == "bash":
        return _bash(tree)
    if shell == "zsh":
        return _zsh(tree)
    if shell == "fish":
        return _fish(tree)
    raise ValueError(f"unknown shell {shell!r}")


def _one_line(text: str) -> str:
    first = text.strip().split("\n\n", 1)[0]
    return " ".join(first.split())


def _check_words(path: str, command: CommandSpec) -> None:
    """Names and choices go into scripts unquoted in places; refuse anything exotic."""
    words = [command.name, *(n for o in command.options for n in o.names)]
    words += [c for o in command.options for c in o.choices]
    words += [c for a in command.arguments for c in a.choices]
    for word in words:
        if not _SIMPLE_WORD.fullmatch(word):
            raise ValueError(f"cannot complete {word!r} (in {PROG} {path}): unusual characters")


# -- bash -------------------------------------------------------------------------------------


def _bash_case(var: str, entries: list[tuple[str, str]], default: str = "") -> list[str]:
    lines = [f'    case "{var}" in']
    lines += [f"        {shlex.quote(key)}) {body} ;;" for key, body in entries]
    if default:
        lines.append(f"        *) {default} ;;")
    lines.append("    esac")
    return lines


def _bash_value(kind: ValueKind, choices: tuple[str, ...]) -> str:
    body = f"_sbzoom_kind={kind}"
    if choices:
        body += f" _sbzoom_words={shlex.quote(' '.join(choices))}"
    return body


def _bash(root: CommandSpec) -> str:
    commands = list(walk(root))
    subcommands = [
        (path, f"_sbzoom_words={shlex.quote(' '.join(s.name for s in c.subcommands))}")
        for path, c in commands
        if c.subcommands
    ]
    options = [
        (path, f"_sbzoom_words={shlex.quote(' '.join(n for o in c.options for n in o.names))}")
        for path, c in commands
        if c.options
    ]
    values = [
        (f"{path}|{name}", _bash_value(o.kind, o.choices))
        for path, c in commands
        for o in c.options
        if o.takes_value
        for name in o.names
    ]
    arguments = [
        (f"{path}|{index}", _bash_value(arg.kind, arg.choices))
        for path, c in commands
        for index, arg in enumerate(c.arguments)
        if not arg.variadic
    ]
    variadic = {
        path: (index, arg)
        for path, c in commands
        for index, arg in enumerate(c.arguments)
        if arg.variadic
    }

    lines = [
        f"# bash completion for {PROG}. Generated from the app by scripts/gen-completions;",
        "# do not edit. Install: source it from ~/.bashrc, or copy it to",
        f"# ~/.local/share/bash-completion/completions/{PROG}",
        "",
        "# The subcommands of a command path ($1).",
        "_sbzoom_subcommands() {",
        "    _sbzoom_words=''",
        *_bash_case("$1", subcommands),
        "}",
        "",
        "# Every option of a command path ($1).",
        "_sbzoom_options() {",
        "    _sbzoom_words=''",
        *_bash_case("$1", options),
        "}",
        "",
        "# What option $2 of command path $1 takes: kind none|text|choice|file|dir, and choices.",
        "_sbzoom_option_value() {",
        "    _sbzoom_kind=none _sbzoom_words=''",
        *_bash_case("$1|$2", values),
        "}",
        "",
        "# What positional argument number $2 (from 0) of command path $1 takes.",
        "_sbzoom_argument() {",
        "    _sbzoom_kind=none _sbzoom_words=''",
        *_bash_case("$1|$2", arguments),
    ]
    if variadic:
        lines += [
            "    if [[ $_sbzoom_kind == none ]]; then",
            *[
                "    " + line
                for line in _bash_case(
                    "$1",
                    [
                        (
                            path,
                            f"(($2 >= {index})) && {_bash_value(arg.kind, arg.choices)}",
                        )
                        for path, (index, arg) in sorted(variadic.items())
                    ],
                )
            ],
            "    fi",
        ]
    lines += [
        "}",
        "",
        "_sbzoom_reply() {",
        '    local cur="$1"',
        "    case $_sbzoom_kind in",
        '        choice) COMPREPLY=($(compgen -W "$_sbzoom_words" -- "$cur")) ;;',
        "        file)",
        "            local IFS=$'\\n'",
        '            COMPREPLY=($(compgen -f -- "$cur"))',
        "            compopt -o filenames 2>/dev/null",
        "            ;;",
        "        dir)",
        "            local IFS=$'\\n'",
        '            COMPREPLY=($(compgen -d -- "$cur"))',
        "            compopt -o filenames 2>/dev/null",
        "            ;;",
        "        *) COMPREPLY=() ;;",
        "    esac",
        "}",
        "",
        "_sbzoom() {",
        '    local cur="${COMP_WORDS[COMP_CWORD]}" path="" word="" pending="" i',
        "    local positional=0 only_arguments=0 _sbzoom_words _sbzoom_kind",
        "    COMPREPLY=()",
        "    for ((i = 1; i < COMP_CWORD; i++)); do",
        '        word="${COMP_WORDS[i]}"',
        "        if [[ -n $pending ]]; then",
        "            # bash splits --opt=value into '--opt' '=' 'value'",
        '            [[ $word == "=" ]] || pending=""',
        "            continue",
        "        fi",
        "        if ((!only_arguments)); then",
        '            case "$word" in',
        "                --) only_arguments=1; continue ;;",
        "                --*=*) continue ;;",
        "                -?*)",
        '                    _sbzoom_option_value "$path" "$word"',
        '                    [[ $_sbzoom_kind == none ]] || pending="$word"',
        "                    continue",
        "                    ;;",
        "            esac",
        "        fi",
        '        _sbzoom_subcommands "$path"',
        '        if ((positional == 0)) && [[ " $_sbzoom_words " == *" $word "* ]]; then',
        '            path="${path:+$path }$word"',
        "        else",
        "            ((positional++))",
        "        fi",
        "    done",
        "    if [[ -n $pending ]]; then",
        '        [[ $cur == "=" ]] && cur=""',
        '        _sbzoom_option_value "$path" "$pending"',
        '        _sbzoom_reply "$cur"',
        "        return 0",
        "    fi",
        "    if ((!only_arguments)) && [[ $cur == --*=* ]]; then",
        '        _sbzoom_option_value "$path" "${cur%%=*}"',
        '        _sbzoom_reply "${cur#*=}"',
        '        ((${#COMPREPLY[@]})) && COMPREPLY=("${COMPREPLY[@]/#/${cur%%=*}=}")',
        "        return 0",
        "    fi",
        "    if ((!only_arguments)) && [[ $cur == -* ]]; then",
        '        _sbzoom_options "$path"',
        '        COMPREPLY=($(compgen -W "$_sbzoom_words" -- "$cur"))',
        "        return 0",
        "    fi",
        '    _sbzoom_subcommands "$path"',
        "    if [[ -n $_sbzoom_words ]]; then",
        '        COMPREPLY=($(compgen -W "$_sbzoom_words" -- "$cur"))',
        "        return 0",
        "    fi",
        '    _sbzoom_argument "$path" "$positional"',
        '    _sbzoom_reply "$cur"',
        "    return 0",
        "}",
        "",
        f"complete -F _sbzoom {PROG}",
        "",
    ]
    return "\n".join(lines)


# -- zsh --------------------------------------------------------------------------------------


def _zsh_quote(text: str) -> str:
    return "'" + text.replace("'", "'\\''") + "'"


def _zsh_description(text: str) -> str:
    return text.replace("\\", "\\\\").replace("[", "\\[").replace("]", "\\]")


def _zsh_action(kind: ValueKind, choices: tuple[str, ...]) -> str:
    if kind == "choice":
        return "(" + " ".join(choices) + ")"
    if kind == "file":
        return "_files"
    if kind == "dir":
        return "_files -/"
    return " "


def _zsh_function(path: str) -> str:
    return "_sbzoom" + "".join("_" + part.replace("-", "_") for part in path.split())


def _zsh_option_specs(command: CommandSpec) -> list[str]:
    specs = []
    for option in command.options:
        exclusive = f"({' '.join(option.names)})" if len(option.names) > 1 else ""
        for name in option.names:
            spec = f"{exclusive}{name}"
            if option.takes_value:
                spec += "=" if name.startswith("--") else "+"
            spec += f"[{_zsh_description(option.help)}]"
            if option.takes_value:
                label = max(option.names, key=len).lstrip("-").replace(":", "")
                spec += f":{label}:{_zsh_action(option.kind, option.choices)}"
            specs.append(_zsh_quote(spec))
    return specs


def _zsh(root: CommandSpec) -> str:
    lines = [
        f"#compdef {PROG}",
        f"# zsh completion for {PROG}. Generated from the app by scripts/gen-completions;",
        "# do not edit. Install: put this file, named _sbzoom, in a directory on $fpath, then",
        "# run compinit (or start a new shell).",
        "",
    ]
    for path, command in walk(root):
        name = _zsh_function(path)
        specs = _zsh_option_specs(command)
        lines.append(f"{name}() {{")
        if command.subcommands:
            label = f"{PROG} {path}".strip() + " command"
            lines += [
                '    local curcontext="$curcontext" state line',
                "    typeset -A opt_args",
                "    local -a commands",
                "    commands=(",
                *[
                    "        " + _zsh_quote(f"{sub.name.replace(':', chr(92) + ':')}:{sub.help}")
                    for sub in command.subcommands
                ],
                "    )",
                "    _arguments -C -S \\",
                *[f"        {spec} \\" for spec in specs],
                "        '1: :->command' \\",
                "        '*:: :->argument' && return 0",
                "    case $state in",
                "        command)",
                f"            _describe -t commands {_zsh_quote(label)} commands",
                "            ;;",
                "        argument)",
                "            case $words[1] in",
                *[
                    f"                {sub.name}) {_zsh_function(f'{path} {sub.name}')} ;;"
                    for sub in command.subcommands
                ],
                "            esac",
                "            ;;",
                "    esac",
            ]
        else:
            arguments = []
            for index, arg in enumerate(command.arguments, start=1):
                position = "*" if arg.variadic else str(index)
                label = arg.name.replace(":", "")
                action = _zsh_action(arg.kind, arg.choices)
                arguments.append(_zsh_quote(f"{position}:{label}:{action}"))
                if arg.variadic:
                    break
            body = [*specs, *arguments]
            lines.append("    _arguments -S" + (" \\" if body else ""))
            lines += [
                f"        {spec}" + (" \\" if i < len(body) - 1 else "")
                for i, spec in enumerate(body)
            ]
        lines += ["}", ""]
    lines += ['_sbzoom "$@"', ""]
    return "\n".join(lines)


# -- fish -------------------------------------------------------------------------------------


def _fish_quote(text: str) -> str:
    return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'"


def _fish_value(kind: ValueKind, choices: tuple[str, ...]) -> str:
    if kind == "choice":
        return f"-x -a {_fish_quote(' '.join(choices))}"
    if kind == "file":
        return "-r -F"
    if kind == "dir":
        return "-x -a '(__fish_complete_directories)'"
    return "-x"


def _fish_names(names: tuple[str, ...]) -> str:
    parts = []
    for name in names:
        if name.startswith("--"):
            parts.append(f"-l {name[2:]}")
        elif len(name) == 2:
            parts.append(f"-s {name[1:]}")
        else:
            parts.append(f"-o {name[1:]}")
    return " ".join(parts)


def _fish(root: CommandSpec) -> str:
    commands = list(walk(root))
    paths = [path for path, _ in commands if path]
    value_options = [
        f"{path}|{name}"
        for path, c in commands
        for o in c.options
        if o.takes_value
        for name in o.names
    ]
    lines = [
        f"# fish completion for {PROG}. Generated from the app by scripts/gen-completions;",
        f"# do not edit. Install: copy it to ~/.config/fish/completions/{PROG}.fish",
        "",
        "# Prints '<command path>|<number of positional arguments typed>' for the command line.",
        "function __sbzoom_state",
        "    set -l commands " + " ".join(_fish_quote(p) for p in paths),
        "    set -l value_options " + " ".join(_fish_quote(v) for v in value_options),
        "    set -l tokens (commandline -opc)",
        "    set -e tokens[1]",
        "    set -l path ''",
        "    set -l positional 0",
        "    set -l pending 0",
        "    set -l only_arguments 0",
        "    for token in $tokens",
        "        if test $pending = 1",
        "            set pending 0",
        "            continue",
        "        end",
        "        if test $only_arguments = 0",
        "            switch $token",
        "                case --",
        "                    set only_arguments 1",
        "                    continue",
        "                case -",
        "                    true # a lone dash is an argument (standard input)",
        "                case '--*=*'",
        "                    continue",
        "                case '-*'",
        '                    if contains -- "$path|$token" $value_options',
        "                        set pending 1",
        "                    end",
        "                    continue",
        "            end",
        "        end",
        '        set -l candidate (string trim -- "$path $token")',
        "        if test $positional = 0; and contains -- $candidate $commands",
        "            set path $candidate",
        "        else",
        "            set positional (math $positional + 1)",
        "        end",
        "    end",
        '    echo "$path|$positional"',
        "end",
        "",
        "# True when the command line is at command path $1 and, if given, positional argument $2",
        "# (N exactly, or N+ for N or later).",
        "function __sbzoom_at --argument-names want_path want_index",
        "    set -l state (string split '|' -- (__sbzoom_state))",
        '    test "$state[1]" = "$want_path"; or return 1',
        '    test -z "$want_index"; and return 0',
        "    if string match -q -- '*+' $want_index",
        "        test $state[2] -ge (string trim -r -c + -- $want_index)",
        "    else",
        "        test $state[2] -eq $want_index",
        "    end",
        "end",
        "",
        f"complete -c {PROG} -f",
    ]
    for path, command in commands:
        condition = f"-n '__sbzoom_at \"{path}\"'"
        lines.append("")
        lines.append(f"# {PROG} {path}".rstrip())
        for sub in command.subcommands:
            lines.append(f"complete -c {PROG} {condition} -a {sub.name} -d {_fish_quote(sub.help)}")
        for option in command.options:
            value = f" {_fish_value(option.kind, option.choices)}" if option.takes_value else ""
            lines.append(
                f"complete -c {PROG} {condition} {_fish_names(option.names)}{value}"
                f" -d {_fish_quote(option.help)}"
            )
        for index, arg in enumerate(command.arguments):
            position = f"{index}+" if arg.variadic else str(index)
            if arg.kind in ("choice", "file", "dir"):
                at = f"-n '__sbzoom_at \"{path}\" {position}'"
                if arg.kind == "choice":
                    action = f"-a {_fish_quote(' '.join(arg.choices))}"
                elif arg.kind == "file":
                    action = "-F"
                else:
                    action = "-a '(__fish_complete_directories)'"
                lines.append(f"complete -c {PROG} {at} {action} -d {_fish_quote(arg.name)}")
            if arg.variadic:
                break
    lines.append("")
    return "\n".join(lines)
