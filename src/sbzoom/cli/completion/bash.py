"""The bash completion script: a few case tables over command paths, and one walker."""

from __future__ import annotations

import shlex

from sbzoom.cli.completion.spec import PROG, CommandSpec, ValueKind, walk


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


def script(root: CommandSpec) -> str:
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
