"""What a command runs in: its IO streams, its environment and the global flags. Nothing else.

The root command builds it from the process (``Context.from_environment``); tests build one over
StringIO consoles. What a command *uses* (settings, secrets, clients, the ledger, the clock, the
prompter) is built by the ``Factory`` (factory.py), which wraps the context.
"""

from __future__ import annotations

import os
import sys
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, TYPE_CHECKING, cast

if TYPE_CHECKING:
    from rich.console import Console


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
    stdin: IO[str] = field(default_factory=lambda: sys.stdin)
    # SIGINT/SIGTERM while a command that can stop cleanly runs (``graceful_stop``): it finishes
    # the work in flight, reports, and exits 130/143 (cli/signals.py sets these).
    graceful_stop: bool = False
    stop_requested: threading.Event = field(default_factory=threading.Event, repr=False)
    stop_signal: int = 0

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


def _truthy(value: str | None) -> bool:
    return (value or "").strip().lower() in ("1", "true", "yes", "on")
