"""The root command: global options, the Context, and the one place errors become exit codes."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import typer
from typer.core import TyperGroup

from sbzoom import __version__
from sbzoom.cli._common import FACTORY_KEY
from sbzoom.context import Context
from sbzoom.errors import ExitCode, OutcomeError, SbzoomError

# Every command: its name, and where its code is (module, and the Typer app or function in it).
# A command's module is imported only when that command runs (or help lists it), so
# `sbzoom config path` does not pay for building the other forty commands.
COMMANDS: dict[str, tuple[str, str]] = {
    "auth": ("sbzoom.cli.auth", "app"),
    "config": ("sbzoom.cli.config", "app"),
    "zoom": ("sbzoom.cli.zoom", "app"),
    "providers": ("sbzoom.cli.providers", "app"),
    "services": ("sbzoom.cli.services", "app"),
    "bookings": ("sbzoom.cli.bookings", "app"),
    "report": ("sbzoom.cli.report", "app"),
    "doctor": ("sbzoom.cli.doctor", "doctor"),
    "listen": ("sbzoom.cli.listen", "listen"),
    "audit": ("sbzoom.cli.audit", "audit"),
    "sandbox": ("sbzoom.cli.sandbox", "app"),
    "completion": ("sbzoom.cli.completion", "completion"),
}


def load_command(name: str) -> Any:
    """The click command for one of COMMANDS, built from its module on first use."""
    import importlib

    import typer.main

    module_name, attribute = COMMANDS[name]
    target = getattr(importlib.import_module(module_name), attribute)
    if isinstance(target, typer.Typer):
        command: Any = typer.main.get_group(target)
    else:
        command = typer.main.get_command_from_info(
            typer.models.CommandInfo(name=name, callback=target),
            pretty_exceptions_short=app.pretty_exceptions_short,
            rich_markup_mode=app.rich_markup_mode,
        )
    command.name = name
    return command


class SbzoomGroup(TyperGroup):
    """Maps every failure to its exit code and a short message. Nothing else prints errors."""

    ORDER = tuple(COMMANDS)

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        if not args and ctx.parent is None and not ctx.resilient_parsing:
            # `sbzoom` alone asks what sbzoom can do: that is help, and not a usage error.
            typer.echo(ctx.get_help())
            ctx.exit(0)
        return super().parse_args(ctx, hoist_global_options(args))

    def list_commands(self, ctx: Any) -> list[str]:
        names = set(super().list_commands(ctx)) | set(COMMANDS)
        return sorted(names, key=lambda n: self.ORDER.index(n) if n in self.ORDER else 99)

    def get_command(self, ctx: Any, cmd_name: str) -> Any:
        command = super().get_command(ctx, cmd_name)
        if command is None and cmd_name in COMMANDS:
            command = load_command(cmd_name)
            self.add_command(command, cmd_name)
        return command

    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except BrokenPipeError:
            # `sbzoom ... | head`: the reader has what it wanted. Quietly stop writing.
            import os

            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            raise typer.Exit(0) from None
        except (SbzoomError, OSError) as raised:
            if isinstance(raised, OutcomeError):  # already reported by the command itself
                raise typer.Exit(int(raised.exit_code)) from None
            exc = _as_sbzoom_error(raised)
            if exc is None:
                return self._unexpected(ctx, raised)
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
        except Exception as exc:
            if getattr(exc, "exit_code", None) is not None and type(exc).__module__.startswith(
                "typer"
            ):
                raise  # usage errors from the argument parser keep their own handling
            return self._unexpected(ctx, exc)

    def _unexpected(self, ctx: Any, exc: BaseException) -> Any:
        context = ctx.obj if isinstance(ctx.obj, Context) else None
        if context is not None and context.debug:
            import traceback

            context.stderr.print(traceback.format_exc().rstrip(), style="dim")
        sys.stderr.write(
            f"Error: unexpected {type(exc).__name__}: {exc}\n"
            "This is a bug in sbzoom. Run again with --debug and report what it prints.\n"
        )
        raise typer.Exit(int(ExitCode.FAILURE)) from None


def _as_sbzoom_error(exc: BaseException) -> SbzoomError | None:
    """SbzoomErrors as they are; a file or directory the OS refused (that no more specific code
    caught) as exit 3 naming the path and the fix; None for anything else."""
    if isinstance(exc, SbzoomError):
        return exc
    if isinstance(exc, BrokenPipeError) or not isinstance(exc, OSError):
        return None
    if not isinstance(exc.filename, str) or not exc.filename:
        return None
    from sbzoom.store.problems import file_problem

    return file_problem(Path(exc.filename), exc, "the file")


# Global options taking a value, and flags; accepted anywhere before a `--` (like gh's
# persistent flags): `sbzoom bookings link --profile acme --no-input`.
GLOBAL_VALUE_OPTIONS = ("--profile", "--config")
GLOBAL_FLAGS = ("--no-input", "--debug")


def hoist_global_options(args: list[str]) -> list[str]:
    """Move global options found after the subcommand to the front, where the root parses them.

    Only the four global options move, with the value that follows ``--profile``/``--config``;
    everything after ``--`` stays where it is (it is data, not options).
    """
    front: list[str] = []
    rest: list[str] = []
    index = 0
    while index < len(args):
        arg = args[index]
        if arg == "--":
            rest.extend(args[index:])
            break
        name = arg.split("=", 1)[0]
        if arg in GLOBAL_FLAGS or (name in GLOBAL_VALUE_OPTIONS and "=" in arg):
            front.append(arg)
        elif arg in GLOBAL_VALUE_OPTIONS and index + 1 < len(args):
            front.extend(args[index : index + 2])
            index += 1
        else:
            rest.append(arg)
        index += 1
    return front + rest


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
        None, "--config", envvar="SBZOOM_CONFIG", help="Config file to use.", readable=False
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
    from sbzoom.factory import Factory

    given = ctx.obj
    if isinstance(given, Factory | Context):  # injected by a test or an embedding program
        factory = given if isinstance(given, Factory) else Factory(given)
        context = factory.context
        if profile:
            context.profile_name = profile
        context.debug = context.debug or debug
        context.interactive = context.interactive and not no_input
        context.no_input = context.no_input or no_input
    else:
        context = Context.from_environment(
            profile=profile, config=config, no_input=no_input, debug=debug
        )
        factory = Factory(context)
        from sbzoom.cli import signals

        ctx.call_on_close(signals.install(context))  # SIGTERM ends a run like Ctrl-C does
    ctx.obj = context
    ctx.meta[FACTORY_KEY] = factory
    ctx.call_on_close(factory.close)


def main() -> None:
    """Console-script entry point: parse, run, and exit with the mapped code."""
    app(prog_name="sbzoom")
