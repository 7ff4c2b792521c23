# bash completion for sbzoom. Generated from the app by scripts/gen-completions;
# do not edit. Install: source it from ~/.bashrc, or copy it to
# ~/.local/share/bash-completion/completions/sbzoom

# The subcommands of a command path ($1).
_sbzoom_subcommands() {
    _sbzoom_words=''
    case "$1" in
        '') _sbzoom_words='audit auth bookings completion config doctor listen providers report sandbox services zoom' ;;
        auth) _sbzoom_words='login logout status' ;;
        'auth login') _sbzoom_words='simplybook smtp zoom' ;;
        bookings) _sbzoom_words='link notify show' ;;
        config) _sbzoom_words='get list path set unset' ;;
        providers) _sbzoom_words='list map unmap' ;;
        report) _sbzoom_words=meetings ;;
        sandbox) _sbzoom_words=mail ;;
        services) _sbzoom_words='disable-online enable-online list' ;;
        zoom) _sbzoom_words=users ;;
    esac
}

# Every option of a command path ($1).
_sbzoom_options() {
    _sbzoom_words=''
    case "$1" in
        '') _sbzoom_words='--config --debug -h --help --no-input --profile --version' ;;
        audit) _sbzoom_words='-h --help --json --since' ;;
        auth) _sbzoom_words='-h --help' ;;
        'auth login') _sbzoom_words='-h --help' ;;
        'auth login simplybook') _sbzoom_words='--code --code-type --company --domain -h --help --login --password-stdin --timezone' ;;
        'auth login smtp') _sbzoom_words='-h --help --check --no-check --password-stdin --username' ;;
        'auth login zoom') _sbzoom_words='--account-id --client-id --client-secret-stdin -h --help --no-browser --port --s2s --timeout' ;;
        'auth logout') _sbzoom_words='-h --help' ;;
        'auth status') _sbzoom_words='-h --help --json' ;;
        bookings) _sbzoom_words='-h --help' ;;
        'bookings link') _sbzoom_words='--cancel-orphans --dry-run --from -h --help --json --lock-timeout --to --wide' ;;
        'bookings notify') _sbzoom_words='--dry-run -h --help --json --resend' ;;
        'bookings show') _sbzoom_words='-h --help --json' ;;
        completion) _sbzoom_words='-h --help' ;;
        config) _sbzoom_words='-h --help' ;;
        'config get') _sbzoom_words='-h --help --json' ;;
        'config list') _sbzoom_words='-h --help --json' ;;
        'config path') _sbzoom_words='-h --help --json' ;;
        'config set') _sbzoom_words='-h --help' ;;
        'config unset') _sbzoom_words='-h --help' ;;
        doctor) _sbzoom_words='-h --help --json' ;;
        listen) _sbzoom_words='-h --help --host --json --port --print-urls --rotate-secret --zoom-secret-stdin' ;;
        providers) _sbzoom_words='-h --help' ;;
        'providers list') _sbzoom_words='-h --help --json' ;;
        'providers map') _sbzoom_words='--auto -h --help --json' ;;
        'providers unmap') _sbzoom_words='-h --help' ;;
        report) _sbzoom_words='-h --help' ;;
        'report meetings') _sbzoom_words='--format --from -h --help --json -o --output --provider --service --to --verify --wide' ;;
        sandbox) _sbzoom_words='--bare-lists --bookings --daily-limit --error-rate -h --help --latency-ms --port --rate-429 --record-exchanges --redirect-uri --seed --token-ttl --zoom-plan --zoom-rps-limit' ;;
        'sandbox mail') _sbzoom_words='-h --help --json --show --url' ;;
        services) _sbzoom_words='-h --help' ;;
        'services disable-online') _sbzoom_words='-h --help' ;;
        'services enable-online') _sbzoom_words='--class -h --help' ;;
        'services list') _sbzoom_words='-h --help --json' ;;
        zoom) _sbzoom_words='-h --help' ;;
        'zoom users') _sbzoom_words='-h --help --json' ;;
    esac
}

# What option $2 of command path $1 takes: kind none|text|choice|file|dir, and choices.
_sbzoom_option_value() {
    _sbzoom_kind=none _sbzoom_words=''
    case "$1|$2" in
        '|--config') _sbzoom_kind=file ;;
        '|--profile') _sbzoom_kind=text ;;
        'audit|--since') _sbzoom_kind=text ;;
        'auth login simplybook|--code') _sbzoom_kind=text ;;
        'auth login simplybook|--code-type') _sbzoom_kind=choice _sbzoom_words='ga sms' ;;
        'auth login simplybook|--company') _sbzoom_kind=text ;;
        'auth login simplybook|--domain') _sbzoom_kind=text ;;
        'auth login simplybook|--login') _sbzoom_kind=text ;;
        'auth login simplybook|--timezone') _sbzoom_kind=text ;;
        'auth login smtp|--username') _sbzoom_kind=text ;;
        'auth login zoom|--account-id') _sbzoom_kind=text ;;
        'auth login zoom|--client-id') _sbzoom_kind=text ;;
        'auth login zoom|--port') _sbzoom_kind=text ;;
        'auth login zoom|--timeout') _sbzoom_kind=text ;;
        'bookings link|--from') _sbzoom_kind=text ;;
        'bookings link|--lock-timeout') _sbzoom_kind=text ;;
        'bookings link|--to') _sbzoom_kind=text ;;
        'listen|--host') _sbzoom_kind=text ;;
        'listen|--port') _sbzoom_kind=text ;;
        'report meetings|--format') _sbzoom_kind=choice _sbzoom_words='csv json table' ;;
        'report meetings|--from') _sbzoom_kind=text ;;
        'report meetings|-o') _sbzoom_kind=file ;;
        'report meetings|--output') _sbzoom_kind=file ;;
        'report meetings|--provider') _sbzoom_kind=text ;;
        'report meetings|--service') _sbzoom_kind=text ;;
        'report meetings|--to') _sbzoom_kind=text ;;
        'sandbox|--bookings') _sbzoom_kind=text ;;
        'sandbox|--daily-limit') _sbzoom_kind=text ;;
        'sandbox|--error-rate') _sbzoom_kind=text ;;
        'sandbox|--latency-ms') _sbzoom_kind=text ;;
        'sandbox|--port') _sbzoom_kind=text ;;
        'sandbox|--rate-429') _sbzoom_kind=text ;;
        'sandbox|--record-exchanges') _sbzoom_kind=file ;;
        'sandbox|--redirect-uri') _sbzoom_kind=text ;;
        'sandbox|--seed') _sbzoom_kind=text ;;
        'sandbox|--token-ttl') _sbzoom_kind=text ;;
        'sandbox|--zoom-plan') _sbzoom_kind=text ;;
        'sandbox|--zoom-rps-limit') _sbzoom_kind=text ;;
        'sandbox mail|--show') _sbzoom_kind=text ;;
        'sandbox mail|--url') _sbzoom_kind=text ;;
    esac
}

# What positional argument number $2 (from 0) of command path $1 takes.
_sbzoom_argument() {
    _sbzoom_kind=none _sbzoom_words=''
    case "$1|$2" in
        'audit|0') _sbzoom_kind=text ;;
        'auth logout|0') _sbzoom_kind=choice _sbzoom_words='simplybook zoom' ;;
        'bookings notify|0') _sbzoom_kind=text ;;
        'bookings show|0') _sbzoom_kind=text ;;
        'completion|0') _sbzoom_kind=choice _sbzoom_words='bash fish zsh' ;;
        'config get|0') _sbzoom_kind=text ;;
        'config set|0') _sbzoom_kind=text ;;
        'config set|1') _sbzoom_kind=text ;;
        'config unset|0') _sbzoom_kind=text ;;
        'providers map|0') _sbzoom_kind=text ;;
        'providers map|1') _sbzoom_kind=text ;;
        'providers unmap|0') _sbzoom_kind=text ;;
    esac
    if [[ $_sbzoom_kind == none ]]; then
        case "$1" in
            'bookings link') (($2 >= 0)) && _sbzoom_kind=text ;;
            'services disable-online') (($2 >= 0)) && _sbzoom_kind=text ;;
            'services enable-online') (($2 >= 0)) && _sbzoom_kind=text ;;
        esac
    fi
}

_sbzoom_reply() {
    local cur="$1"
    case $_sbzoom_kind in
        choice) COMPREPLY=($(compgen -W "$_sbzoom_words" -- "$cur")) ;;
        file)
            local IFS=$'\n'
            COMPREPLY=($(compgen -f -- "$cur"))
            compopt -o filenames 2>/dev/null
            ;;
        dir)
            local IFS=$'\n'
            COMPREPLY=($(compgen -d -- "$cur"))
            compopt -o filenames 2>/dev/null
            ;;
        *) COMPREPLY=() ;;
    esac
}

_sbzoom() {
    local cur="${COMP_WORDS[COMP_CWORD]}" path="" word="" pending="" i
    local positional=0 only_arguments=0 _sbzoom_words _sbzoom_kind
    COMPREPLY=()
    for ((i = 1; i < COMP_CWORD; i++)); do
        word="${COMP_WORDS[i]}"
        if [[ -n $pending ]]; then
            # bash splits --opt=value into '--opt' '=' 'value'
            [[ $word == "=" ]] || pending=""
            continue
        fi
        if ((!only_arguments)); then
            case "$word" in
                --) only_arguments=1; continue ;;
                --*=*) continue ;;
                -?*)
                    _sbzoom_option_value "$path" "$word"
                    [[ $_sbzoom_kind == none ]] || pending="$word"
                    continue
                    ;;
            esac
        fi
        _sbzoom_subcommands "$path"
        if ((positional == 0)) && [[ " $_sbzoom_words " == *" $word "* ]]; then
            path="${path:+$path }$word"
        else
            ((positional++))
        fi
    done
    if [[ -n $pending ]]; then
        [[ $cur == "=" ]] && cur=""
        _sbzoom_option_value "$path" "$pending"
        _sbzoom_reply "$cur"
        return 0
    fi
    if ((!only_arguments)) && [[ $cur == --*=* ]]; then
        _sbzoom_option_value "$path" "${cur%%=*}"
        _sbzoom_reply "${cur#*=}"
        ((${#COMPREPLY[@]})) && COMPREPLY=("${COMPREPLY[@]/#/${cur%%=*}=}")
        return 0
    fi
    if ((!only_arguments)) && [[ $cur == -* ]]; then
        _sbzoom_options "$path"
        COMPREPLY=($(compgen -W "$_sbzoom_words" -- "$cur"))
        return 0
    fi
    _sbzoom_subcommands "$path"
    if [[ -n $_sbzoom_words ]]; then
        COMPREPLY=($(compgen -W "$_sbzoom_words" -- "$cur"))
        return 0
    fi
    _sbzoom_argument "$path" "$positional"
    _sbzoom_reply "$cur"
    return 0
}

complete -F _sbzoom sbzoom
