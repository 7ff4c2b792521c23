# fish completion for sbzoom. Generated from the app by scripts/gen-completions;
# do not edit. Install: copy it to ~/.config/fish/completions/sbzoom.fish

# Prints '<command path>|<number of positional arguments typed>' for the command line.
function __sbzoom_state
    set -l commands 'audit' 'auth' 'auth login' 'auth login simplybook' 'auth login smtp' 'auth login zoom' 'auth logout' 'auth status' 'bookings' 'bookings link' 'bookings notify' 'bookings show' 'completion' 'config' 'config get' 'config list' 'config path' 'config set' 'config unset' 'doctor' 'listen' 'providers' 'providers list' 'providers map' 'providers unmap' 'report' 'report meetings' 'sandbox' 'sandbox mail' 'services' 'services disable-online' 'services enable-online' 'services list' 'zoom' 'zoom users'
    set -l value_options '|--config' '|--profile' 'audit|--since' 'auth login simplybook|--code' 'auth login simplybook|--code-type' 'auth login simplybook|--company' 'auth login simplybook|--domain' 'auth login simplybook|--login' 'auth login simplybook|--timezone' 'auth login smtp|--username' 'auth login zoom|--account-id' 'auth login zoom|--client-id' 'auth login zoom|--port' 'auth login zoom|--timeout' 'bookings link|--from' 'bookings link|--lock-timeout' 'bookings link|--to' 'listen|--host' 'listen|--port' 'report meetings|--format' 'report meetings|--from' 'report meetings|-o' 'report meetings|--output' 'report meetings|--provider' 'report meetings|--service' 'report meetings|--to' 'sandbox|--bookings' 'sandbox|--daily-limit' 'sandbox|--error-rate' 'sandbox|--latency-ms' 'sandbox|--port' 'sandbox|--rate-429' 'sandbox|--record-exchanges' 'sandbox|--redirect-uri' 'sandbox|--seed' 'sandbox|--token-ttl' 'sandbox|--zoom-plan' 'sandbox|--zoom-rps-limit' 'sandbox mail|--show' 'sandbox mail|--url'
    set -l tokens (commandline -opc)
    set -e tokens[1]
    set -l path ''
    set -l positional 0
    set -l pending 0
    set -l only_arguments 0
    for token in $tokens
        if test $pending = 1
            set pending 0
            continue
        end
        if test $only_arguments = 0
            switch $token
                case --
                    set only_arguments 1
                    continue
                case -
                    true # a lone dash is an argument (standard input)
                case '--*=*'
                    continue
                case '-*'
                    if contains -- "$path|$token" $value_options
                        set pending 1
                    end
                    continue
            end
        end
        set -l candidate (string trim -- "$path $token")
        if test $positional = 0; and contains -- $candidate $commands
            set path $candidate
        else
            set positional (math $positional + 1)
        end
    end
    echo "$path|$positional"
end

# True when the command line is at command path $1 and, if given, positional argument $2
# (N exactly, or N+ for N or later).
function __sbzoom_at --argument-names want_path want_index
    set -l state (string split '|' -- (__sbzoom_state))
    test "$state[1]" = "$want_path"; or return 1
    test -z "$want_index"; and return 0
    if string match -q -- '*+' $want_index
        test $state[2] -ge (string trim -r -c + -- $want_index)
    else
        test $state[2] -eq $want_index
    end
end

complete -c sbzoom -f

# sbzoom
complete -c sbzoom -n '__sbzoom_at ""' -a audit -d 'What sbzoom changed (created, moved, cancelled meetings...), when, and the outcome.'
complete -c sbzoom -n '__sbzoom_at ""' -a auth -d 'Sign in to Zoom and SimplyBook, check and end sign-ins.'
complete -c sbzoom -n '__sbzoom_at ""' -a bookings -d 'Give bookings their Zoom meetings, and look them up.'
complete -c sbzoom -n '__sbzoom_at ""' -a completion -d 'Print the shell completion script (also committed under completions/).'
complete -c sbzoom -n '__sbzoom_at ""' -a config -d 'Read and change the profile\'s settings.'
complete -c sbzoom -n '__sbzoom_at ""' -a doctor -d 'Check config, sign-ins, scopes, mappings, local state and clock; name the fix for each.'
complete -c sbzoom -n '__sbzoom_at ""' -a listen -d 'Serve SimplyBook callbacks and Zoom webhooks; link each booking within seconds.'
complete -c sbzoom -n '__sbzoom_at ""' -a providers -d 'Map SimplyBook providers (staff) to Zoom users.'
complete -c sbzoom -n '__sbzoom_at ""' -a report -d 'Reports on online bookings and their meetings.'
complete -c sbzoom -n '__sbzoom_at ""' -a sandbox -d 'Run the local Zoom + SimplyBook + SMTP emulator, and read the mail it received.'
complete -c sbzoom -n '__sbzoom_at ""' -a services -d 'Choose which services and classes are online.'
complete -c sbzoom -n '__sbzoom_at ""' -a zoom -d 'Look at the Zoom account.'
complete -c sbzoom -n '__sbzoom_at ""' -l config -r -F -d 'Config file to use.'
complete -c sbzoom -n '__sbzoom_at ""' -l debug -d 'Log HTTP traffic, with secrets masked, on stderr (env SBZOOM_DEBUG=1).'
complete -c sbzoom -n '__sbzoom_at ""' -s h -l help -d 'Show this message and exit.'
complete -c sbzoom -n '__sbzoom_at ""' -l no-input -d 'Never prompt; fail naming the missing flag (env SBZOOM_NO_INPUT=1).'
complete -c sbzoom -n '__sbzoom_at ""' -l profile -x -d 'Settings profile to use (default: default).'
complete -c sbzoom -n '__sbzoom_at ""' -l version -d 'Print the version and exit.'

# sbzoom audit
complete -c sbzoom -n '__sbzoom_at "audit"' -s h -l help -d 'Show this message and exit.'
complete -c sbzoom -n '__sbzoom_at "audit"' -l json -d 'Print machine-readable JSON on stdout.'
complete -c sbzoom -n '__sbzoom_at "audit"' -l since -x -d 'From this day on: YYYY-MM-DD, today, or -Nd (company time).'

# sbzoom auth
complete -c sbzoom -n '__sbzoom_at "auth"' -a login -d 'Sign in to Zoom or SimplyBook.'
complete -c sbzoom -n '__sbzoom_at "auth"' -a logout -d 'Revoke the sign-in on the server, then forget the local secrets.'
complete -c sbzoom -n '__sbzoom_at "auth"' -a status -d 'Show both sign-ins: identity, mode, scopes, where the secrets come from, expiry.'
complete -c sbzoom -n '__sbzoom_at "auth"' -s h -l help -d 'Show this message and exit.'

# sbzoom auth login
complete -c sbzoom -n '__sbzoom_at "auth login"' -a simplybook -d 'Sign in to SimplyBook.me (password or API user key, with 2FA).'
complete -c sbzoom -n '__sbzoom_at "auth login"' -a smtp -d 'Store the SMTP password for e-mail notices in the secret store (and check it).'
complete -c sbzoom -n '__sbzoom_at "auth login"' -a zoom -d 'Sign in to Zoom (OAuth with PKCE in a browser, or --s2s for Server-to-Server).'
complete -c sbzoom -n '__sbzoom_at "auth login"' -s h -l help -d 'Show this message and exit.'

# sbzoom auth login simplybook
complete -c sbzoom -n '__sbzoom_at "auth login simplybook"' -l code -x -d 'Two-factor code, when the user has 2FA.'
complete -c sbzoom -n '__sbzoom_at "auth login simplybook"' -l code-type -x -a 'ga sms' -d 'Kind of two-factor code: ga (authenticator app) or sms.'
complete -c sbzoom -n '__sbzoom_at "auth login simplybook"' -l company -x -d 'Company login (as in https://<company>.simplybook.me).'
complete -c sbzoom -n '__sbzoom_at "auth login simplybook"' -l domain -x -d 'Regional SimplyBook domain, e.g. simplybook.it (default: simplybook.me).'
complete -c sbzoom -n '__sbzoom_at "auth login simplybook"' -s h -l help -d 'Show this message and exit.'
complete -c sbzoom -n '__sbzoom_at "auth login simplybook"' -l login -x -d 'User login.'
complete -c sbzoom -n '__sbzoom_at "auth login simplybook"' -l password-stdin -d 'Read the password (or an API user key) from standard input. Otherwise env SBZOOM_SIMPLYBOOK_PASSWORD, else a prompt.'
complete -c sbzoom -n '__sbzoom_at "auth login simplybook"' -l timezone -x -d 'Company time zone (IANA, e.g. Europe/Copenhagen); default: from company info.'

# sbzoom auth login smtp
complete -c sbzoom -n '__sbzoom_at "auth login smtp"' -s h -l help -d 'Show this message and exit.'
complete -c sbzoom -n '__sbzoom_at "auth login smtp"' -l check -l no-check -d 'Sign in to the SMTP server to check the password.'
complete -c sbzoom -n '__sbzoom_at "auth login smtp"' -l password-stdin -d 'Read the SMTP password from standard input. Otherwise env SBZOOM_SMTP_PASSWORD, else a prompt.'
complete -c sbzoom -n '__sbzoom_at "auth login smtp"' -l username -x -d 'SMTP login (saved as smtp.username).'

# sbzoom auth login zoom
complete -c sbzoom -n '__sbzoom_at "auth login zoom"' -l account-id -x -d 'Zoom account ID (with --s2s).'
complete -c sbzoom -n '__sbzoom_at "auth login zoom"' -l client-id -x -d 'The Zoom app\'s client ID.'
complete -c sbzoom -n '__sbzoom_at "auth login zoom"' -l client-secret-stdin -d 'Read the client secret from stdin (else env SBZOOM_ZOOM_CLIENT_SECRET or a prompt).'
complete -c sbzoom -n '__sbzoom_at "auth login zoom"' -s h -l help -d 'Show this message and exit.'
complete -c sbzoom -n '__sbzoom_at "auth login zoom"' -l no-browser -d 'Print the sign-in URL on stderr instead of opening it.'
complete -c sbzoom -n '__sbzoom_at "auth login zoom"' -l port -x -d 'Loopback port for Zoom\'s redirect to /callback.'
complete -c sbzoom -n '__sbzoom_at "auth login zoom"' -l s2s -d 'Server-to-Server OAuth (account id, client id and secret).'
complete -c sbzoom -n '__sbzoom_at "auth login zoom"' -l timeout -x -d 'Seconds to wait for the browser sign-in.'

# sbzoom auth logout
complete -c sbzoom -n '__sbzoom_at "auth logout"' -s h -l help -d 'Show this message and exit.'
complete -c sbzoom -n '__sbzoom_at "auth logout" 0' -a 'simplybook zoom' -d 'service'

# sbzoom auth status
complete -c sbzoom -n '__sbzoom_at "auth status"' -s h -l help -d 'Show this message and exit.'
complete -c sbzoom -n '__sbzoom_at "auth status"' -l json -d 'Print machine-readable JSON on stdout.'

# sbzoom bookings
complete -c sbzoom -n '__sbzoom_at "bookings"' -a link -d 'Create, update or cancel Zoom meetings so Zoom matches SimplyBook.'
complete -c sbzoom -n '__sbzoom_at "bookings"' -a notify -d 'Send a booking\'s e-mails (link and calendar invite) that are due, or all again.'
complete -c sbzoom -n '__sbzoom_at "bookings"' -a show -d 'Say where a booking stands, and show its meeting, client links and a fresh provider start link.'
complete -c sbzoom -n '__sbzoom_at "bookings"' -s h -l help -d 'Show this message and exit.'

# sbzoom bookings link
complete -c sbzoom -n '__sbzoom_at "bookings link"' -l cancel-orphans -d 'Cancel orphaned meetings (provider unmapped or service no longer online). Try it with --dry-run first.'
complete -c sbzoom -n '__sbzoom_at "bookings link"' -l dry-run -d 'Change nothing; print the plan.'
complete -c sbzoom -n '__sbzoom_at "bookings link"' -l from -x -d 'First day: YYYY-MM-DD, today, or +Nd/-Nd. Default today.'
complete -c sbzoom -n '__sbzoom_at "bookings link"' -s h -l help -d 'Show this message and exit.'
complete -c sbzoom -n '__sbzoom_at "bookings link"' -l json -d 'Print machine-readable JSON on stdout.'
complete -c sbzoom -n '__sbzoom_at "bookings link"' -l lock-timeout -x -d 'Give up (exit 5) when another run of this profile holds the lock this long (setting link.lock_timeout, default 300).'
complete -c sbzoom -n '__sbzoom_at "bookings link"' -l to -x -d 'Last day: YYYY-MM-DD, today, or +Nd/-Nd. Default --from + 30 days.'
complete -c sbzoom -n '__sbzoom_at "bookings link"' -l wide -d 'Every column in full, join links and notes included.'

# sbzoom bookings notify
complete -c sbzoom -n '__sbzoom_at "bookings notify"' -l dry-run -d 'Send nothing; list what would go.'
complete -c sbzoom -n '__sbzoom_at "bookings notify"' -s h -l help -d 'Show this message and exit.'
complete -c sbzoom -n '__sbzoom_at "bookings notify"' -l json -d 'Print machine-readable JSON on stdout.'
complete -c sbzoom -n '__sbzoom_at "bookings notify"' -l resend -d 'Send the current invite again, even if it was sent.'

# sbzoom bookings show
complete -c sbzoom -n '__sbzoom_at "bookings show"' -s h -l help -d 'Show this message and exit.'
complete -c sbzoom -n '__sbzoom_at "bookings show"' -l json -d 'Print machine-readable JSON on stdout.'

# sbzoom completion
complete -c sbzoom -n '__sbzoom_at "completion"' -s h -l help -d 'Show this message and exit.'
complete -c sbzoom -n '__sbzoom_at "completion" 0' -a 'bash fish zsh' -d 'shell'

# sbzoom config
complete -c sbzoom -n '__sbzoom_at "config"' -a get -d 'Print one setting (its default when unset).'
complete -c sbzoom -n '__sbzoom_at "config"' -a list -d 'List the profile\'s settings with their defaults.'
complete -c sbzoom -n '__sbzoom_at "config"' -a path -d 'Print the config file\'s path.'
complete -c sbzoom -n '__sbzoom_at "config"' -a set -d 'Change one setting.'
complete -c sbzoom -n '__sbzoom_at "config"' -a unset -d 'Remove one setting (it falls back to its default).'
complete -c sbzoom -n '__sbzoom_at "config"' -s h -l help -d 'Show this message and exit.'

# sbzoom config get
complete -c sbzoom -n '__sbzoom_at "config get"' -s h -l help -d 'Show this message and exit.'
complete -c sbzoom -n '__sbzoom_at "config get"' -l json -d 'Print machine-readable JSON on stdout.'

# sbzoom config list
complete -c sbzoom -n '__sbzoom_at "config list"' -s h -l help -d 'Show this message and exit.'
complete -c sbzoom -n '__sbzoom_at "config list"' -l json -d 'Print machine-readable JSON on stdout.'

# sbzoom config path
complete -c sbzoom -n '__sbzoom_at "config path"' -s h -l help -d 'Show this message and exit.'
complete -c sbzoom -n '__sbzoom_at "config path"' -l json -d 'Print machine-readable JSON on stdout.'

# sbzoom config set
complete -c sbzoom -n '__sbzoom_at "config set"' -s h -l help -d 'Show this message and exit.'

# sbzoom config unset
complete -c sbzoom -n '__sbzoom_at "config unset"' -s h -l help -d 'Show this message and exit.'

# sbzoom doctor
complete -c sbzoom -n '__sbzoom_at "doctor"' -s h -l help -d 'Show this message and exit.'
complete -c sbzoom -n '__sbzoom_at "doctor"' -l json -d 'Print machine-readable JSON on stdout.'

# sbzoom listen
complete -c sbzoom -n '__sbzoom_at "listen"' -s h -l help -d 'Show this message and exit.'
complete -c sbzoom -n '__sbzoom_at "listen"' -l host -x -d 'Address to listen on.'
complete -c sbzoom -n '__sbzoom_at "listen"' -l json -d 'Print machine-readable JSON on stdout.'
complete -c sbzoom -n '__sbzoom_at "listen"' -l port -x -d 'Port (0 picks a free one).'
complete -c sbzoom -n '__sbzoom_at "listen"' -l print-urls -d 'Print the URLs to paste into SimplyBook and Zoom, and exit.'
complete -c sbzoom -n '__sbzoom_at "listen"' -l rotate-secret -d 'Make a new callback URL secret (the old URL stops working).'
complete -c sbzoom -n '__sbzoom_at "listen"' -l zoom-secret-stdin -d 'Read the Zoom app\'s webhook secret token from stdin, keep it, and exit.'

# sbzoom providers
complete -c sbzoom -n '__sbzoom_at "providers"' -a list -d 'List SimplyBook providers with their mapped Zoom user, flagging mappings that cannot work.'
complete -c sbzoom -n '__sbzoom_at "providers"' -a map -d 'Map a provider to the Zoom user who hosts their meetings (both checked remotely).'
complete -c sbzoom -n '__sbzoom_at "providers"' -a unmap -d 'Remove a provider\'s Zoom mapping.'
complete -c sbzoom -n '__sbzoom_at "providers"' -s h -l help -d 'Show this message and exit.'

# sbzoom providers list
complete -c sbzoom -n '__sbzoom_at "providers list"' -s h -l help -d 'Show this message and exit.'
complete -c sbzoom -n '__sbzoom_at "providers list"' -l json -d 'Print machine-readable JSON on stdout.'

# sbzoom providers map
complete -c sbzoom -n '__sbzoom_at "providers map"' -l auto -d 'Map every unmapped provider whose e-mail is an active Zoom user\'s. Exits 0 when it ran, also if some providers stay unmapped: they are listed with the reason.'
complete -c sbzoom -n '__sbzoom_at "providers map"' -s h -l help -d 'Show this message and exit.'
complete -c sbzoom -n '__sbzoom_at "providers map"' -l json -d 'Print machine-readable JSON on stdout.'

# sbzoom providers unmap
complete -c sbzoom -n '__sbzoom_at "providers unmap"' -s h -l help -d 'Show this message and exit.'

# sbzoom report
complete -c sbzoom -n '__sbzoom_at "report"' -a meetings -d 'One row per booking of an online service, with its meeting and link status.'
complete -c sbzoom -n '__sbzoom_at "report"' -s h -l help -d 'Show this message and exit.'

# sbzoom report meetings
complete -c sbzoom -n '__sbzoom_at "report meetings"' -l format -x -a 'csv json table' -d 'table, csv or json. Default: table on a terminal, csv otherwise (json for an --output ending in .json).'
complete -c sbzoom -n '__sbzoom_at "report meetings"' -l from -x -d 'First day: YYYY-MM-DD, today, or +Nd/-Nd. Default today.'
complete -c sbzoom -n '__sbzoom_at "report meetings"' -s h -l help -d 'Show this message and exit.'
complete -c sbzoom -n '__sbzoom_at "report meetings"' -l json -d 'The same as --format json.'
complete -c sbzoom -n '__sbzoom_at "report meetings"' -s o -l output -r -F -d 'Write to this file (atomically) instead of stdout.'
complete -c sbzoom -n '__sbzoom_at "report meetings"' -l provider -x -d 'Only this provider (id or name).'
complete -c sbzoom -n '__sbzoom_at "report meetings"' -l service -x -d 'Only this service (id or name).'
complete -c sbzoom -n '__sbzoom_at "report meetings"' -l to -x -d 'Last day: YYYY-MM-DD, today, or +Nd/-Nd. Default --from + 30 days.'
complete -c sbzoom -n '__sbzoom_at "report meetings"' -l verify -d 'Check each meeting still exists on Zoom.'
complete -c sbzoom -n '__sbzoom_at "report meetings"' -l wide -d 'Table: every column in full, join links included.'

# sbzoom sandbox
complete -c sbzoom -n '__sbzoom_at "sandbox"' -a mail -d 'List the e-mails the running sandbox\'s SMTP server received.'
complete -c sbzoom -n '__sbzoom_at "sandbox"' -l bare-lists -d 'SimplyBook lists as bare arrays instead of {data, metadata}.'
complete -c sbzoom -n '__sbzoom_at "sandbox"' -l bookings -x -d 'Extra generated bookings over the next 4 weeks.'
complete -c sbzoom -n '__sbzoom_at "sandbox"' -l daily-limit -x -d 'Zoom meeting creates+updates per host per UTC day.'
complete -c sbzoom -n '__sbzoom_at "sandbox"' -l error-rate -x -d 'Fraction of API requests answered 502/503.'
complete -c sbzoom -n '__sbzoom_at "sandbox"' -s h -l help -d 'Show this message and exit.'
complete -c sbzoom -n '__sbzoom_at "sandbox"' -l latency-ms -x -d 'Delay every API answer by this many milliseconds.'
complete -c sbzoom -n '__sbzoom_at "sandbox"' -l port -x -d 'Port on 127.0.0.1; 0 picks a free one.'
complete -c sbzoom -n '__sbzoom_at "sandbox"' -l rate-429 -x -d 'Fraction of API requests answered 429 (per-second).'
complete -c sbzoom -n '__sbzoom_at "sandbox"' -l record-exchanges -r -F -d 'Append every Zoom REST request and its answer to FILE, one JSON object a line.'
complete -c sbzoom -n '__sbzoom_at "sandbox"' -l redirect-uri -x -d 'Also register this OAuth redirect URL (repeatable); http://127.0.0.1:8765/callback always is.'
complete -c sbzoom -n '__sbzoom_at "sandbox"' -l seed -x -d 'Seed for injected faults and generated data.'
complete -c sbzoom -n '__sbzoom_at "sandbox"' -l token-ttl -x -d 'Access-token lifetime in seconds (Zoom and SimplyBook).'
complete -c sbzoom -n '__sbzoom_at "sandbox"' -l zoom-plan -x -d 'Zoom plan whose Light/Medium per-second limits are enforced: free, pro, business or none.'
complete -c sbzoom -n '__sbzoom_at "sandbox"' -l zoom-rps-limit -x -d 'Zoom requests per second before answering 429.'

# sbzoom sandbox mail
complete -c sbzoom -n '__sbzoom_at "sandbox mail"' -s h -l help -d 'Show this message and exit.'
complete -c sbzoom -n '__sbzoom_at "sandbox mail"' -l json -d 'Print machine-readable JSON on stdout.'
complete -c sbzoom -n '__sbzoom_at "sandbox mail"' -l show -x -d 'Print message N whole (headers, text and invite).'
complete -c sbzoom -n '__sbzoom_at "sandbox mail"' -l url -x -d 'The sandbox\'s URL; default: env SBZOOM_SANDBOX_URL, printed by \'sbzoom sandbox\'.'

# sbzoom services
complete -c sbzoom -n '__sbzoom_at "services"' -a disable-online -d 'Make services offline again.'
complete -c sbzoom -n '__sbzoom_at "services"' -a enable-online -d 'Make services online: their bookings get Zoom meetings.'
complete -c sbzoom -n '__sbzoom_at "services"' -a list -d 'List SimplyBook services with online and class flags (and why a service is a class).'
complete -c sbzoom -n '__sbzoom_at "services"' -s h -l help -d 'Show this message and exit.'

# sbzoom services disable-online
complete -c sbzoom -n '__sbzoom_at "services disable-online"' -s h -l help -d 'Show this message and exit.'

# sbzoom services enable-online
complete -c sbzoom -n '__sbzoom_at "services enable-online"' -l class -d 'Treat as a group class (registration).'
complete -c sbzoom -n '__sbzoom_at "services enable-online"' -s h -l help -d 'Show this message and exit.'

# sbzoom services list
complete -c sbzoom -n '__sbzoom_at "services list"' -s h -l help -d 'Show this message and exit.'
complete -c sbzoom -n '__sbzoom_at "services list"' -l json -d 'Print machine-readable JSON on stdout.'

# sbzoom zoom
complete -c sbzoom -n '__sbzoom_at "zoom"' -a users -d 'List the Zoom account\'s users (id, e-mail, name, licensed, status).'
complete -c sbzoom -n '__sbzoom_at "zoom"' -s h -l help -d 'Show this message and exit.'

# sbzoom zoom users
complete -c sbzoom -n '__sbzoom_at "zoom users"' -s h -l help -d 'Show this message and exit.'
complete -c sbzoom -n '__sbzoom_at "zoom users"' -l json -d 'Print machine-readable JSON on stdout.'
