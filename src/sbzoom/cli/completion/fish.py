"""The fish completion script: ``complete`` lines guarded by a state function."""

from __future__ import annotations

from sbzoom.cli.completion.spec import PROG, CommandSpec, ValueKind, walk


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


def script(root: CommandSpec) -> str:
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
