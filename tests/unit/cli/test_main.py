"""Errors as a user meets them: exit codes, one plain message with its fix, no tracebacks."""

from __future__ import annotations

import re

import pytest
import typer
from typer.testing import CliRunner

from sbzoom.cli._common import factory_of
from sbzoom.cli.main import SbzoomGroup, root
from sbzoom.errors import ConfigError, ExitCode, OutcomeError, UsageError
from sbzoom.render.terminal import TerminalPrompter
from tests.conftest import Home

GROUPS = (
    "auth", "config", "zoom", "providers", "services", "bookings", "report", "doctor", "listen",
    "audit", "sandbox", "completion",
)  # fmt: skip


def tiny_app() -> typer.Typer:
    """An app on sbzoom's real root command and error handling, with commands that misbehave."""
    app = typer.Typer(cls=SbzoomGroup, add_completion=False, pretty_exceptions_enable=False)
    app.callback()(root)

    @app.command()
    def interrupted() -> None:
        raise KeyboardInterrupt

    @app.command()
    def bad_input() -> None:
        raise UsageError("The date 2024-13-01 is not a date.", "Use YYYY-MM-DD.")

    @app.command()
    def crash() -> None:
        raise RuntimeError("boom")

    @app.command()
    def found_problems() -> None:
        raise OutcomeError(ExitCode.REMOTE, "the command reported what it found")

    @app.command()
    def password(ctx: typer.Context) -> None:
        factory_of(ctx).prompter.text("Password", secret=True, flag="--password-stdin")

    return app


def run_tiny(home: Home, *args: str) -> tuple[int, str]:
    ctx = home.context()
    result = CliRunner().invoke(tiny_app(), list(args), obj=ctx)
    return result.exit_code, home.err.getvalue() + result.stderr


def test_help_lists_every_group(home: Home) -> None:
    result = home.run("--help")
    assert result.exit_code == 0
    commands = result.stdout.split("Commands", 1)[1]
    listed = re.findall(r"^│ ([a-z]\S*) ", commands, flags=re.MULTILINE)
    # every group, in the order of the product's command table
    assert listed == list(GROUPS), result.stdout


def test_no_arguments_shows_help(home: Home) -> None:
    result = home.run()
    assert result.exit_code == 0  # asking what sbzoom can do is not a usage error
    assert "auth" in result.stdout and "Usage" in result.stdout


def test_unknown_command_is_a_usage_error(home: Home) -> None:
    result = home.run("frobnicate")
    assert result.exit_code == 2
    assert "frobnicate" in result.stderr and "Traceback" not in result.stderr


def test_unknown_option_is_a_usage_error(home: Home) -> None:
    assert home.run("config", "list", "--frobnicate").exit_code == 2


def broken_config(home: Home) -> None:
    home.config_path.parent.mkdir(parents=True, exist_ok=True)
    home.config_path.write_text('[default.simplybook]\ncompany = "acme"\ntimezone = \n')


def test_broken_config_exits_3_with_message_and_fix(home: Home) -> None:
    broken_config(home)
    result = home.run("config", "list")
    assert result.exit_code == 3
    lines = result.stderr.strip().splitlines()
    assert lines[0].startswith("Error: ") and str(home.config_path) in lines[0]
    assert "line 3" in lines[0]
    assert 1 < len(lines) <= 3  # the message and its hint, nothing more
    assert "Traceback" not in result.stderr and result.stdout == ""


def test_debug_shows_the_traceback(home: Home) -> None:
    broken_config(home)
    result = home.run("--debug", "config", "list")
    assert result.exit_code == 3
    assert "Traceback (most recent call last)" in result.stderr
    assert ConfigError.__name__ in result.stderr
    assert "Error: " in result.stderr  # the plain message still follows


def test_bad_value_is_exit_2_without_traceback(home: Home) -> None:
    result = home.run("config", "set", "simplybook.timezone", "Mars/Olympus")
    assert result.exit_code == 2
    assert result.stderr.startswith("Error: ") and "Traceback" not in result.stderr


def test_usage_error_maps_to_2_with_its_hint(home: Home) -> None:
    code, stderr = run_tiny(home, "bad-input")
    assert code == 2
    assert stderr.strip().splitlines() == ["Error: The date 2024-13-01 is not a date.",
                                           "Use YYYY-MM-DD."]  # fmt: skip


def test_ctrl_c_exits_130(home: Home) -> None:
    code, stderr = run_tiny(home, "interrupted")
    assert code == 130
    assert "Interrupted" in stderr and "Traceback" not in stderr


def test_unexpected_exception_is_exit_1_and_asks_for_a_report(home: Home) -> None:
    code, stderr = run_tiny(home, "crash")
    assert code == 1
    assert "RuntimeError" in stderr and "--debug" in stderr and "Traceback" not in stderr


def test_unexpected_exception_with_debug_shows_the_traceback(home: Home) -> None:
    code, stderr = run_tiny(home, "--debug", "crash")
    assert code == 1 and "Traceback (most recent call last)" in stderr


def test_non_interactive_prompt_fails_naming_the_flag() -> None:
    with pytest.raises(UsageError) as caught:
        TerminalPrompter(interactive=False).text("Password", secret=True, flag="--password-stdin")
    assert "--password-stdin" in str(caught.value)
    assert caught.value.exit_code == 2


def test_non_interactive_prompt_through_the_cli(home: Home) -> None:
    code, stderr = run_tiny(home, "--no-input", "password")
    assert code == 2
    assert "--password-stdin" in stderr and "Traceback" not in stderr


@pytest.mark.parametrize("debug", [[], ["--debug"]], ids=["plain", "debug"])
def test_an_outcome_is_only_an_exit_code(home: Home, debug: list[str]) -> None:
    """A command that reported its own findings (doctor, notify) ends with the outcome's code;
    cli.main adds no message and no traceback."""
    code, stderr = run_tiny(home, *debug, "found-problems")
    assert (code, stderr) == (5, "")
