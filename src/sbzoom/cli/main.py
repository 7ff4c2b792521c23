"""The root command: global options, the Context, and the one place errors become exit codes."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import typer
from typer.core import TyperGroup

from sbzoom import __version__
from sbzoom.cli import (
    auth,
    bookings,
    completion,
    config_cmd,
    doctor,
    listen,
    providers,
    report,
    sandbox,
    services,
    zoom,
)
from sbzoom.context import Context
from sbzoom.errors import ExitCode, SbzoomError


class SbzoomGroup(TyperGroup):
    """Maps every failure to its exit code and a short message. Nothing else prints errors."""

    ORDER = (
        "auth",
        "config",
        "zoom",
        "providers",
        "services",
        "bookings",
        "report",
        "doctor",
        "listen",
        "sandbox",
        "completion",
    )

    def list_commands(self, ctx: Any) -> list[str]:
        names = super().list_commands(ctx)
        return sorted(names, key=lambda n: self.ORDER.index(n) if n in self.ORDER else 99)

    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except SbzoomError as exc:
            context = ctx.obj if isinstance(ctx.obj, Context) else None
            if context is not None and context.debug:
                import traceback

                context.stderr.print(traceback.format_exc().rstrip(), style="dim")
            from sbzoom import render

            render.error(context.stderr if context else None, exc)
            raise typer.Exit(int(exc.exit_code)) from None
        except KeyboardInterrupt as exc:  # Ctrl-C, or SIGTERM (signals.Terminated)
            from sbzoom.cli.signals import Terminated

            if isinstance(exc, Terminated):
                sys.stderr.write("\nStopped by SIGTERM.\n")
                raise typer.Exit(int(ExitCode.TERMINATED)) from None
            sys.stderr.write("\nInterrupted.\n")
            raise typer.Exit(int(ExitCode.INTERRUPTED)) from None
        except (typer.Exit, typer.Abort):
            raise
        except BrokenPipeError:
            # `sbzoom ... | head`: the reader has what it wanted. Quietly stop writing.
            import os

            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            raise typer.Exit(0) from None
        except Exception as exc:
            if getattr(exc, "exit_code", None) is not None and type(exc).__module__.startswith(
                "typer"
            ):
                raise  # usage errors from the argument parser keep their own handling
            context = ctx.obj if isinstance(ctx.obj, Context) else None
            if context is not None and context.debug:
                import traceback

                context.stderr.print(traceback.format_exc().rstrip(), style="dim")
            sys.stderr.write(
                f"Error: unexpected {type(exc).__name__}: {exc}\n"
                "This is a bug in sbzoom. Run again with --debug and report what it prints.\n"
            )
            raise typer.Exit(int(ExitCode.FAILURE)) from None


app = typer.Typer(
    name="sbzoom",
    cls=SbzoomGroup,
    help="Connect a SimplyBook.me company to Zoom: sign in, map providers, link bookings to "
    "meetings, report and repair.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _version(value: bool) -> None:
    if value:
        sys.stdout.write(f"sbzoom {__version__}\n")
        raise typer.Exit()


@app.callback()
def root(
    ctx: typer.Context,
    profile: str = typer.Option(
        None,
        "--profile",
        envvar="SBZOOM_PROFILE",
        help="Settings profile to use (default: default).",
        show_default=False,
    ),
    config: Path = typer.Option(
        None, "--config", envvar="SBZOOM_CONFIG", help="Config file to use.", dir_okay=False
    ),
    no_input: bool = typer.Option(
        False,
        "--no-input",
        help="Never prompt; fail naming the missing flag (env SBZOOM_NO_INPUT=1).",
    ),
    debug: bool = typer.Option(
        False,
        "--debug",
        help="Log HTTP traffic, with secrets masked, on stderr (env SBZOOM_DEBUG=1).",
    ),
    version: bool = typer.Option(
        False, "--version", callback=_version, is_eager=True, help="Print the version and exit."
    ),
) -> None:
    if isinstance(ctx.obj, Context):
        context = ctx.obj  # injected by a test or an embedding program
        if profile:
            context.profile_name = profile
        context.debug = context.debug or debug
        context.interactive = context.interactive and not no_input
    else:
        context = Context.from_environment(
            profile=profile, config=config, no_input=no_input, debug=debug
        )
        ctx.obj = context
        from sbzoom.cli import signals

        ctx.call_on_close(signals.install(context))  # SIGTERM ends a run like Ctrl-C does
    ctx.call_on_close(context.close)


app.add_typer(auth.app, name="auth")
app.add_typer(config_cmd.app, name="config")
app.add_typer(zoom.app, name="zoom")
app.add_typer(providers.app, name="providers")
app.add_typer(services.app, name="services")
app.add_typer(bookings.app, name="bookings")
app.add_typer(report.app, name="report")
app.command("doctor")(doctor.doctor)
app.command("listen")(listen.listen)
app.add_typer(sandbox.app, name="sandbox")
app.command("completion")(completion.completion)


def main() -> None:
    """Console-script entry point: parse, run, and exit with the mapped code."""
    app(prog_name="sbzoom")
