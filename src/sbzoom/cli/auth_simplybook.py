"""sbzoom auth login simplybook."""

from __future__ import annotations

import enum

import typer

from sbzoom.cli._common import context_of


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
    from sbzoom import render
    from sbzoom.core.auth.simplybook import login as simplybook_login

    context = context_of(ctx)
    context.allow_new_profile = True  # signing in is how a new profile comes to be
    result = simplybook_login.login(
        context,
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
    name = f" ({result.company_name})" if result.company_name else ""
    render.message(
        context.stderr,
        f"Signed in to SimplyBook as {result.login} at company {result.company}{name}, "
        f"{result.api_url}.",
    )
    if result.timezone:
        render.message(
            context.stderr,
            f"Company time zone: {result.timezone} (from {result.timezone_source}).",
        )
    else:
        render.message(
            context.stderr,
            "SimplyBook does not say the company's time zone, and sbzoom will not guess it: "
            "set it with 'sbzoom config set simplybook.timezone <IANA zone>' (e.g. "
            "Europe/Copenhagen) before linking bookings.",
        )
