"""What core asks of the outside world, as small interfaces: messages out, questions in.

Core never prints or prompts. A use case that has something to tell the person at the terminal
takes a ``Notifier``; one that must ask takes a ``Prompter``. The command layer passes
implementations that write to the terminal (``render/``); tests pass recording ones.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol


class Notifier(Protocol):
    def notice(self, text: str) -> None:
        """A plain message for the person at the terminal (stderr, never data)."""

    def debug(self, text: str) -> None:
        """A detail shown only under --debug."""


class Prompter(Protocol):
    def text(self, label: str, *, secret: bool = False, flag: str = "") -> str:
        """Ask for one value; fail naming ``flag`` when sbzoom may not ask."""


class Chooser(Protocol):
    def choose(self, title: str, options: Sequence[str], label: str) -> int:
        """Ask which of ``options`` (0-based index); fail when sbzoom may not ask."""


class SilentNotifier:
    """Tells nobody: for callers (the listener's workers, tests) that report by other means."""

    def notice(self, text: str) -> None:
        pass

    def debug(self, text: str) -> None:
        pass
