"""sbzoom auth login simplybook."""

from __future__ import annotations

import enum

import typer

from sbzoom.cli._common import factory_of


class CodeType(str, enum.Enum):
    ga = "ga"
    sms = "sms"


def login_simplybook(
    ctx: typer.Context,
    company: str = typer.Option(
        None,
        "--company",
        help="Company login (as in https://<company>.simplybook.me).",
        show_default=False,
    ),
    login: str = typer.Option(None, "--login", help="User login.", show_default=False),
    password_stdin: bool = typer.Option(
        False,
        "--password-stdin",
        help="Read the password (or an API user key) from standard input. Otherwise env "
        "SBZOOM_SIMPLYBOOK_PASSWORD, else a prompt.",
    ),
    code: str = typer.Option(
        None, "--code", help="Two-factor code, when the user has 2FA.", show_default=False
    ),
    code_type: CodeType = typer.Option(
        None,
        "--code-type",
        help="Kind of two-factor code: ga (authenticator app) or sms.",
        show_default=False,
    ),
    domain: str = typer.Option(
        None,
        "--domain",
        help="Regional SimplyBook domain, e.g. simplybook.it (default: simplybook.me).",
        show_default=False,
    ),
    timezone: str = typer.Option(
        None,
        "--timezone",
        help="Company time zone (IANA, e.g. Europe/Copenhagen); default: from company info.",
        show_default=False,
    ),
) -> None:
    """Sign in to SimplyBook.me (password or API user key, with 2FA)."""
    from sbzoom.core.auth.simplybook import login as simplybook_login
    from sbzoom.render.auth import simplybook_login_lines

    factory = factory_of(ctx)
    factory.allow_new_profile = True  # signing in is how a new profile comes to be
    result = simplybook_login.login(
        factory.connection_inputs,
        factory.login_terminal,
        simplybook_login.LoginRequest(
            company=company,
            login=login,
            password_stdin=password_stdin,
            code=code,
            code_type=code_type.value if code_type else None,
            domain=domain,
            timezone=timezone,
        ),
    )
    for line in simplybook_login_lines(result):
        factory.notifier.notice(line)
