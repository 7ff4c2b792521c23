"""A terminal stream that becomes a Rich console only when something needs Rich.

Importing Rich costs tens of milliseconds on every invocation, and most commands print plain
lines (``config path``, JSON, CSV, a streamed table, one-line messages). ``LazyConsole`` answers
those directly on its stream; the first call that needs Rich (a styled line on a terminal, a
table, a progress bar) builds the real console (``render.make_console``) and hands every later
call to it. Output is the same either way: sbzoom's consoles print with markup, highlighting,
emoji and wrapping off, so a plain line is written exactly as given.
"""

from __future__ import annotations

import os
import shutil
from typing import IO, Any


class LazyConsole:
    def __init__(self, file: IO[str]) -> None:
        self.file = file
        self._console: Any = None

    @property
    def is_terminal(self) -> bool:
        """Rich's rule: FORCE_TERMINAL / TTY_COMPATIBLE decide when set, else ``isatty()``."""
        if self._console is not None:
            return bool(self._console.is_terminal)
        for name in ("FORCE_TERMINAL", "TTY_COMPATIBLE"):
            value = os.environ.get(name)
            if value is not None and value != "":
                return value.lower() not in ("0", "false", "no", "off")
        isatty = getattr(self.file, "isatty", None)
        try:
            return bool(isatty and isatty())
        except ValueError:  # a closed stream
            return False

    @property
    def width(self) -> int:
        if self._console is not None:
            return int(self._console.width)
        columns = os.environ.get("COLUMNS", "")
        if columns.isdigit() and int(columns) > 0:
            return int(columns)
        return shutil.get_terminal_size((80, 25)).columns if self.is_terminal else 80

    def print(self, *objects: Any, style: str | None = None, **options: Any) -> None:
        plain = all(isinstance(o, str) for o in objects) and set(options) <= {"soft_wrap"}
        if self._console is None and plain and (style is None or not self._colours()):
            self.file.write(" ".join(objects) + "\n")
            return
        self.rich().print(*objects, style=style, **options)

    def _colours(self) -> bool:
        return self.is_terminal and not os.environ.get("NO_COLOR")

    def rich(self) -> Any:
        """The real Rich console (built now if not yet)."""
        if self._console is None:
            from sbzoom.render import make_console

            self._console = make_console(self.file)
        return self._console

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__") or name in ("file", "_console"):
            raise AttributeError(name)
        return getattr(self.rich(), name)
