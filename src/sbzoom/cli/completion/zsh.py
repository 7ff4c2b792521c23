"""The zsh completion script: one ``_arguments`` function per command path."""

from __future__ import annotations

from sbzoom.cli.completion.spec import PROG, CommandSpec, ValueKind, walk


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


def script(root: CommandSpec) -> str:
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
