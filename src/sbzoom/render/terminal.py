"""The terminal side of core's ports: messages on stderr, questions and menus at the prompt."""

from __future__ import annotations

import getpass
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING, TextIO

from sbzoom.errors import UsageError

if TYPE_CHECKING:
    from rich.console import Console

    from sbzoom.core.ports import Prompter


class TerminalNotifier:
    """Notices for the person at the terminal, always on stderr; debug lines under --debug."""

    def __init__(self, stderr: Console, *, debug: bool = False) -> None:
        self.stderr = stderr
        self.show_debug = debug

    def notice(self, text: str) -> None:
        self.stderr.print(text, soft_wrap=True)

    def debug(self, text: str) -> None:
        if self.show_debug:
            self.stderr.print(f"[debug] {text}", style="dim", soft_wrap=True)


class TerminalPrompter:
    """Asks on the terminal when sbzoom may; otherwise fails naming the flag that would answer."""

    def __init__(self, interactive: bool, stream: TextIO | None = None) -> None:
        self.interactive = interactive
        self.stream = stream or sys.stderr

    def text(self, label: str, *, secret: bool = False, flag: str = "") -> str:
        if not self.interactive:
            how = f" Pass {flag}." if flag else ""
            raise UsageError(
                f"{label} is needed and sbzoom may not prompt here "
                f"(no terminal, or --no-input).{how}"
            )
        try:
            if secret:
                return getpass.getpass(f"{label}: ", stream=self.stream)
            self.stream.write(f"{label}: ")
            self.stream.flush()
            return input()
        except EOFError:
            raise UsageError(f"{label} is needed; nothing was typed.") from None


class MenuChooser:
    """A numbered menu on stderr, answered through a prompter."""

    def __init__(self, notifier: TerminalNotifier, prompter: Prompter) -> None:
        self.notifier = notifier
        self.prompter = prompter

    def choose(self, title: str, options: Sequence[str], label: str) -> int:
        menu = "\n".join(f"  {number}) {text}" for number, text in enumerate(options, start=1))
        self.notifier.notice(f"{title}\n{menu}")
        answer = self.prompter.text(f"{label} (1-{len(options)})").strip()
        if answer.isdigit() and 1 <= int(answer) <= len(options):
            return int(answer) - 1
        raise UsageError(
            f"'{answer}' is not one of the numbers 1 to {len(options)}; nothing changed."
        )
