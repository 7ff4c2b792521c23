"""sbzoom auth login zoom|simplybook, auth status, auth logout."""

from __future__ import annotations

import enum

import typer

from sbzoom.cli import auth_simplybook, auth_zoom
from sbzoom.cli._common import JSON_OPTION, factory_of

app = typer.Typer(
    help="Sign in to Zoom and SimplyBook, check and end sign-ins.", no_args_is_help=True
)
login_app = typer.Typer(help="Sign in to Zoom or SimplyBook.", no_args_is_help=True)
app.add_typer(login_app, name="login")
login_app.command("zoom")(auth_zoom.login_zoom)
login_app.command("simplybook")(auth_simplybook.login_simplybook)


@login_app.command("smtp")
def login_smtp(
    ctx: typer.Context,
    username: str = typer.Option(
        None, "--username", help="SMTP login (saved as smtp.username).", show_default=False
    ),
    password_stdin: bool = typer.Option(
        False,
        "--password-stdin",
        help="Read the SMTP password from standard input. Otherwise env SBZOOM_SMTP_PASSWORD, "
        "else a prompt.",
    ),
    check: bool = typer.Option(
        True, "--check/--no-check", help="Sign in to the SMTP server to check the password."
    ),
) -> None:
    """Store the SMTP password for e-mail notices in the secret store (and check it)."""
    from sbzoom.core.notify.run import smtp_login

    factory = factory_of(ctx)
    context = factory.context

    def save_username(login: str) -> None:
        factory.config.set(context.profile_name, "smtp.username", login)
        factory.reload_profile()

    who = smtp_login(
        factory.notice_setup,
        username=username,
        save_username=save_username,
        read_password=(lambda: context.stdin.readline().rstrip("\r\n")) if password_stdin else None,
        prompter=factory.prompter,
        check=check,
    )
    factory.notifier.notice(
        f"Stored the SMTP password for {who}" + (" (it signs in)." if check else ".")
    )


class Service(str, enum.Enum):
    zoom = "zoom"
    simplybook = "simplybook"


@app.command("status")
def status(ctx: typer.Context, as_json: bool = JSON_OPTION) -> None:
    """Show both sign-ins: identity, mode, scopes, where the secrets come from, expiry."""
    from sbzoom import render
    from sbzoom.core.auth.simplybook import status as simplybook
    from sbzoom.core.auth.zoom import status as zoom
    from sbzoom.errors import ExitCode, OutcomeError
    from sbzoom.render.auth import print_statuses, statuses_json

    factory = factory_of(ctx)
    inputs = factory.connection_inputs
    results = [
        zoom.status(inputs, lambda: factory.zoom_connection),
        simplybook.status(inputs, lambda: factory.simplybook),
    ]
    if as_json:
        render.print_json(factory.context.stdout, statuses_json(results))
    else:
        print_statuses(factory.context.stdout, results)
    if not all(r.connected for r in results):
        raise OutcomeError(ExitCode.AUTH, "not signed in, or the sign-in is rejected")


@app.command("logout")
def logout(
    ctx: typer.Context,
    service: Service | None = typer.Argument(None, help="zoom or simplybook; both when left out."),
) -> None:
    """Revoke the sign-in on the server, then forget the local secrets."""
    from sbzoom.core.auth.simplybook import status as simplybook
    from sbzoom.core.auth.zoom import status as zoom
    from sbzoom.render.auth import logout_lines

    factory = factory_of(ctx)
    chosen = [service] if service else [Service.zoom, Service.simplybook]
    for item in chosen:
        result = (zoom if item is Service.zoom else simplybook).logout(factory.connection_inputs)
        for line in logout_lines(result):
            factory.notifier.notice(line)
