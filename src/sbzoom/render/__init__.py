"""The only module that writes to the terminal: tables, JSON, CSV, messages and errors.

Consoles are built with ``markup=False, highlight=False`` so user data such as a client called
``[VIP] Ann`` prints exactly as typed. Rich honours ``NO_COLOR`` by itself.
"""

from __future__ import annotations

import csv
import io
import sys
from collections.abc import Iterable, Mapping, Sequence
from typing import IO, TYPE_CHECKING, Any

from sbzoom.errors import NotFoundError, SbzoomError

if TYPE_CHECKING:  # Rich is imported by the functions that draw with it, not at start-up
    from rich.console import Console


def make_console(file: IO[str] | None = None, *, stderr: bool = False) -> Console:
    from rich.console import Console

    return Console(
        file=file,
        stderr=stderr and file is None,
        markup=False,
        highlight=False,
        emoji=False,
        soft_wrap=True,  # data lines (paths, URLs) must not be broken; tables still fit
    )


def _default(value: object) -> Any:
    if hasattr(value, "isoformat"):
        return value.isoformat()
    raise TypeError(f"cannot serialise {type(value).__name__}")


def json_text(data: object) -> str:
    import json  # not at import: `config path` loads this package and prints no JSON

    return json.dumps(data, indent=2, ensure_ascii=False, default=_default)


def print_json(console: Console, data: object) -> None:
    """JSON goes to the raw stream: Rich must not wrap, colour or re-indent it."""
    console.file.write(json_text(data) + "\n")
    console.file.flush()


def print_table(
    console: Console,
    columns: Sequence[str],
    rows: Iterable[Sequence[object]],
    *,
    title: str | None = None,
) -> None:
    from rich.table import Table

    table = Table(title=title, show_lines=False, header_style="bold", title_justify="left")
    for column in columns:
        table.add_column(column, overflow="fold")
    for row in rows:
        table.add_row(*("" if cell is None else str(cell) for cell in row))
    console.print(table)


def csv_text(columns: Sequence[str], rows: Iterable[Mapping[str, object]]) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(columns), extrasaction="ignore")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: "" if row.get(k) is None else row.get(k) for k in columns})
    return buffer.getvalue()


def print_kv(console: Console, pairs: Iterable[tuple[str, object]]) -> None:
    items = list(pairs)
    width = max((len(k) for k, _ in items), default=0)
    for key, value in items:
        console.print(f"{key.ljust(width)}  {'' if value is None else value}")


def message(console: Console, text: str) -> None:
    console.print(text, soft_wrap=True)


def error(console: Console | None, exc: SbzoomError) -> None:
    target = console or make_console(sys.stderr)
    target.print(f"Error: {exc.message}", style="red", soft_wrap=True)
    if isinstance(exc, NotFoundError) and exc.candidates:
        target.print("Candidates: " + ", ".join(exc.candidates), soft_wrap=True)
    if exc.hint:
        target.print(exc.hint, soft_wrap=True)


class Progress:
    """A progress bar on stderr for long runs, only when stderr is a terminal; silent on a pipe."""

    def __init__(self, console: Console, label: str) -> None:
        self.console = console
        self.label = label
        self._bar: Any = None
        self._task: Any = None

    def __enter__(self) -> Progress:
        if self.console.is_terminal:
            from rich.progress import BarColumn, MofNCompleteColumn, TextColumn, TimeElapsedColumn
            from rich.progress import Progress as RichProgress

            self._bar = RichProgress(
                TextColumn(self.label),
                BarColumn(),
                MofNCompleteColumn(),
                TimeElapsedColumn(),
                console=_rich(self.console),
                transient=True,
            )
            self._bar.__enter__()
            self._task = self._bar.add_task(self.label, total=None)
        return self

    def update(self, done: int, total: int) -> None:
        if self._bar is not None:
            self._bar.update(self._task, completed=done, total=total or None)

    def __exit__(self, *exc: object) -> None:
        if self._bar is not None:
            self._bar.__exit__(None, None, None)


def _rich(console: Console) -> Console:
    """The Rich console behind a ``LazyConsole`` (built now), or ``console`` itself."""
    real = getattr(console, "rich", None)
    return real() if callable(real) else console
