"""Shared fixtures: an isolated sbzoom home per test, and an in-process CLI runner."""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest
from typer.testing import CliRunner

from sbzoom.cli.main import app
from sbzoom.clock import Clock
from sbzoom.context import Context
from sbzoom.core.ports import Prompter
from sbzoom.factory import Factory
from sbzoom.render import make_console

pytest_plugins = ["tests.contract.plugin", "tests.sandbox_fixture"]


@dataclass
class Result:
    exit_code: int
    stdout: str
    stderr: str


class ScriptedPrompter:
    """Answers prompts from a list, and records what was asked."""

    def __init__(self, answers: list[str] | None = None) -> None:
        self.answers = list(answers or [])
        self.asked: list[str] = []

    def text(self, label: str, *, secret: bool = False, flag: str = "") -> str:
        self.asked.append(label)
        if not self.answers:
            raise AssertionError(f"unexpected prompt: {label}")
        return self.answers.pop(0)


@dataclass
class Home:
    """One user's sbzoom home: config, data dir and environment, isolated in tmp_path."""

    root: Path
    env: dict[str, str]
    factories: list[Factory] = field(default_factory=list, repr=False)

    @property
    def config_path(self) -> Path:
        return Path(self.env["SBZOOM_CONFIG"])

    @property
    def data_dir(self) -> Path:
        return Path(self.env["SBZOOM_DATA_DIR"])

    def context(
        self,
        *,
        interactive: bool = False,
        stdin: str = "",
        extra_env: Mapping[str, str] | None = None,
    ) -> Context:
        env = {**self.env, **(extra_env or {})}
        self.out, self.err = io.StringIO(), io.StringIO()
        return Context(
            stdout=make_console(self.out),
            stderr=make_console(self.err),
            env=env,
            config_path=self.config_path,
            data_dir=self.data_dir,
            profile_name=env.get("SBZOOM_PROFILE", "default"),
            interactive=interactive,
            stdin=io.StringIO(stdin),
        )

    def factory(
        self,
        ctx: Context | None = None,
        *,
        clock: Clock | None = None,
        prompter: Prompter | None = None,
        http_transport: httpx.BaseTransport | None = None,
        open_browser: Callable[[str], bool] | None = None,
    ) -> Factory:
        """A command's factory over ``ctx`` (a fresh context when None) with the given fakes;
        closed, with the clients it built, after the test. Pass it as ``obj=`` to run a command."""
        factory = Factory(
            ctx if ctx is not None else self.context(),
            clock=clock,
            prompter=prompter,
            http_transport=http_transport,
            open_browser=open_browser,
        )
        self.factories.append(factory)
        return factory

    def run(
        self,
        *args: str,
        stdin: str = "",
        interactive: bool = False,
        prompter: ScriptedPrompter | None = None,
        extra_env: Mapping[str, str] | None = None,
    ) -> Result:
        """Run sbzoom in-process with an injected Context, as a user would type it."""
        ctx = self.context(interactive=interactive, stdin=stdin, extra_env=extra_env)
        factory = self.factory(ctx, prompter=prompter)
        result = CliRunner().invoke(app, list(args), obj=factory, input=stdin)
        if result.exception is not None and not isinstance(result.exception, SystemExit):
            raise result.exception
        return Result(
            result.exit_code,
            self.out.getvalue() + result.stdout,
            self.err.getvalue() + result.stderr,
        )


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Home]:
    env = {
        "SBZOOM_CONFIG": str(tmp_path / "config" / "config.toml"),
        "SBZOOM_DATA_DIR": str(tmp_path / "data"),
        "SBZOOM_SECRET_BACKEND": "file",
        "NO_COLOR": "1",
    }
    # Subprocesses and code reading os.environ see the same isolated home.
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    for key in (
        "SBZOOM_PROFILE",
        "SBZOOM_DEBUG",
        "SBZOOM_NO_INPUT",
        "SBZOOM_ZOOM_ACCOUNT_ID",
        "SBZOOM_ZOOM_CLIENT_ID",
        "SBZOOM_ZOOM_CLIENT_SECRET",
        "SBZOOM_SIMPLYBOOK_COMPANY",
        "SBZOOM_SIMPLYBOOK_LOGIN",
        "SBZOOM_SIMPLYBOOK_PASSWORD",
        "SBZOOM_ZOOM_API_URL",
        "SBZOOM_ZOOM_OAUTH_URL",
        "SBZOOM_SIMPLYBOOK_API_URL",
        "SBZOOM_CALLBACK_SECRET",
        "SBZOOM_ZOOM_WEBHOOK_SECRET",
        "SBZOOM_LISTEN_HOST",
        "SBZOOM_LISTEN_PORT",
    ):
        monkeypatch.delenv(key, raising=False)
    home = Home(tmp_path, env)
    yield home
    for factory in home.factories:
        factory.close()


@pytest.fixture(autouse=True)
def _no_listener_left_running() -> Iterator[None]:
    """A test that fails half-way must not leave a `sbzoom listen` process behind."""
    yield
    import sys

    harness = sys.modules.get("tests.listen_harness")  # only if a test used it
    if harness is not None:
        harness.kill_leftovers()
