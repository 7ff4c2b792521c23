"""The one object that carries sbzoom's dependencies: built by the root command, injectable.

Tests build a ``Context`` with fakes (a fixed clock, a scripted prompter, consoles over StringIO,
an httpx transport) and pass it as ``runner.invoke(app, args, obj=ctx)``. Nothing in sbzoom reaches
for a global client, console or clock.
"""

from __future__ import annotations

import os
import sys
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, cast

from sbzoom.clock import Clock, SystemClock
from sbzoom.core.ports import Prompter
from sbzoom.errors import ConfigError

if TYPE_CHECKING:
    import httpx
    from rich.console import Console

    from sbzoom.store.config import ConfigStore, Profile
    from sbzoom.store.secrets import SecretStore


def default_config_path(env: Mapping[str, str]) -> Path:
    if env.get("SBZOOM_CONFIG"):
        return Path(env["SBZOOM_CONFIG"]).expanduser()
    from platformdirs import user_config_dir

    return Path(user_config_dir("sbzoom")) / "config.toml"


def default_data_dir(env: Mapping[str, str]) -> Path:
    if env.get("SBZOOM_DATA_DIR"):
        return Path(env["SBZOOM_DATA_DIR"]).expanduser()
    from platformdirs import user_data_dir

    return Path(user_data_dir("sbzoom"))


@dataclass
class Context:
    stdout: Console
    stderr: Console
    env: Mapping[str, str] = field(repr=False)  # may hold SBZOOM_*_SECRET / _PASSWORD
    config_path: Path
    data_dir: Path
    profile_name: str = "default"
    interactive: bool = False
    no_input: bool = False  # --no-input or SBZOOM_NO_INPUT: asked, not just "no terminal"
    debug: bool = False
    clock: Clock = field(default_factory=SystemClock)
    prompter: Prompter | None = None
    stdin: IO[str] = field(default_factory=lambda: sys.stdin)
    # Tests hand in an httpx transport (MockTransport, respx) here; None means the network.
    http_transport: httpx.BaseTransport | None = None
    allow_new_profile: bool = False  # set by commands that create a profile (auth login)
    open_browser: Callable[[str], bool] | None = None
    # SIGINT/SIGTERM while a command that can stop cleanly runs (``graceful_stop``): it finishes
    # the work in flight, reports, and exits 130/143 (cli/signals.py sets these).
    graceful_stop: bool = False
    stop_requested: threading.Event = field(default_factory=threading.Event, repr=False)
    stop_signal: int = 0
    _config: ConfigStore | None = field(default=None, repr=False)
    _profile: Profile | None = field(default=None, repr=False)
    _secrets: SecretStore | None = field(default=None, repr=False)
    _cache: dict[str, Any] = field(default_factory=dict, repr=False)

    @classmethod
    def from_environment(
        cls,
        *,
        profile: str | None = None,
        config: Path | None = None,
        no_input: bool = False,
        debug: bool = False,
        env: Mapping[str, str] | None = None,
    ) -> Context:
        from sbzoom.lazy_console import LazyConsole

        environ = dict(os.environ if env is None else env)
        no_input = no_input or _truthy(environ.get("SBZOOM_NO_INPUT"))
        interactive = not no_input and sys.stdin.isatty()
        return cls(
            # Rich is imported when first needed, not by every command (see lazy_console).
            stdout=cast("Console", LazyConsole(sys.stdout)),
            stderr=cast("Console", LazyConsole(sys.stderr)),
            env=environ,
            config_path=config or default_config_path(environ),
            data_dir=default_data_dir(environ),
            profile_name=profile or environ.get("SBZOOM_PROFILE") or "default",
            interactive=interactive,
            no_input=no_input,
            debug=debug or _truthy(environ.get("SBZOOM_DEBUG")),
        )

    # -- lazily built dependencies -------------------------------------------------------------

    @property
    def config(self) -> ConfigStore:
        if self._config is None:
            from sbzoom.store.config import ConfigStore

            self._config = ConfigStore(self.config_path)
        return self._config

    @property
    def profile(self) -> Profile:
        """The active profile's settings. A named profile that does not exist is an error."""
        if self._profile is None:
            profile = self.config.load(self.profile_name)
            if not (profile.exists or self.profile_name == "default" or self.allow_new_profile):
                known = ", ".join(self.config.profiles()) or "none yet"
                raise ConfigError(
                    f"There is no profile named '{self.profile_name}' in {self.config_path} "
                    f"(profiles: {known}).",
                    f"Create it with 'sbzoom --profile {self.profile_name} auth login ...' "
                    "or pick another with --profile.",
                )
            self._profile = profile
        return self._profile

    def reload_profile(self) -> None:
        self._profile = None

    @property
    def secrets(self) -> SecretStore:
        if self._secrets is None:
            from sbzoom.store.secrets import open_secret_store

            self._secrets = open_secret_store(
                self.profile_name, self.data_dir, self.env, announce=self.notice
            )
        return self._secrets

    @property
    def ask(self) -> Prompter:
        if self.prompter is None:
            from sbzoom.render.terminal import TerminalPrompter

            self.prompter = TerminalPrompter(self.interactive)
        return self.prompter

    def notice(self, text: str) -> None:
        """A plain message for the person at the terminal: always stderr, never data."""
        self.stderr.print(text, soft_wrap=True)

    def debug_log(self, text: str) -> None:
        if self.debug:
            self.stderr.print(f"[debug] {text}", style="dim", soft_wrap=True)

    def cached(self, key: str, build: Callable[[], Any]) -> Any:
        """One instance per run of things that are costly to build (HTTP clients, the ledger)."""
        if key not in self._cache:
            self._cache[key] = build()
        return self._cache[key]

    def close(self) -> None:
        for value in self._cache.values():
            close = getattr(value, "close", None)
            if callable(close):
                close()
        self._cache.clear()


def _truthy(value: str | None) -> bool:
    return (value or "").strip().lower() in ("1", "true", "yes", "on")
