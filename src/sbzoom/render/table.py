"""Tables that fit the terminal: columns are chosen for the width, never wrapped.

Like ``kubectl get`` and ``gh pr list``, a table that does not fit drops its least important
columns and shortens free text (with ``…``) rather than wrap a cell over several lines. Cells
that must be read whole (ids, dates, statuses) are never shortened or broken: their columns are
as wide as the values they hold, or left out. ``--wide`` shows every column in full.

The choice is a pure function of the column specs and the width (``fit_columns``), decided
before any row is seen, so a table can be printed in chunks with the same column widths (the
report streams 50,000 rows this way) and the same width always gives the same columns.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace

from rich.cells import cell_len, set_cell_size

GAP = "  "
ELLIPSIS = "…"


@dataclass(frozen=True)
class Column:
    """One column: its header, how wide it likes to be, and how it gives way.

    ``width``     the natural width (for fixed-format values such as dates and ids, the width
                  every value has).
    ``shrink_to`` the narrowest the column may become by shortening its text; ``0`` means the
                  values are never shortened (ids, dates, statuses, links).
    ``rank``      importance: columns with a higher rank are dropped first.
    """

    name: str
    width: int
    shrink_to: int = 0
    rank: int = 0

    @property
    def narrowest(self) -> int:
        floor = self.shrink_to if self.shrink_to else self.width
        return max(floor, cell_len(self.name) if not self.shrink_to else 1)


@dataclass(frozen=True)
class Fitted:
    column: Column
    width: int
    index: int  # position of the column in the full spec (the row's cell index)

    @property
    def shortens(self) -> bool:
        return self.column.shrink_to > 0


def fit_columns(columns: Sequence[Column], width: int) -> list[Fitted]:
    """The columns to show at ``width`` terminal cells, each with its width, in spec order.

    Drops the highest-ranked columns until the rest fit at their narrowest, then hands the space
    left to the kept columns in order of importance, up to their natural width. When not even
    the most important column fits, it is kept alone (the terminal will wrap that line).
    """
    by_importance = sorted(range(len(columns)), key=lambda i: (columns[i].rank, i))
    for keep in range(len(columns), 0, -1):
        kept = sorted(by_importance[:keep])
        needed = sum(columns[i].narrowest for i in kept) + len(GAP) * (keep - 1)
        if needed <= width:
            widths = {i: columns[i].narrowest for i in kept}
            spare = width - needed
            # Fixed columns are at their width already; shortened ones share what is left,
            # a cell at a time, so no text column starves while another is wider than needed.
            growing = [i for i in by_importance[:keep] if widths[i] < columns[i].width]
            while spare and growing:
                for i in list(growing):
                    if not spare:
                        break
                    widths[i] += 1
                    spare -= 1
                    if widths[i] >= columns[i].width:
                        growing.remove(i)
            return [Fitted(columns[i], widths[i], i) for i in kept]
    if not columns:
        return []
    first = by_importance[0]
    return [Fitted(columns[first], columns[first].narrowest, first)]


def measured(columns: Sequence[Column], rows: Iterable[Sequence[str]]) -> list[Column]:
    """The columns with natural widths no wider than their widest value (or header), for
    tables held whole in memory: a short table gives its room to the columns that need it."""
    widest = [cell_len(c.name) for c in columns]
    for row in rows:
        for i, cell in enumerate(row[: len(columns)]):
            widest[i] = max(widest[i], cell_len(" ".join(str(cell).split())))
    result = []
    for column, most in zip(columns, widest, strict=True):
        if column.shrink_to:
            natural = max(min(column.width, most), min(column.shrink_to, most))
            result.append(replace(column, width=natural, shrink_to=min(column.shrink_to, natural)))
        else:
            result.append(replace(column, width=max(most, cell_len(column.name))))
    return result


def wide_columns(columns: Sequence[Column], rows: Iterable[Sequence[str]]) -> list[Fitted]:
    """Every column, each as wide as its widest value (``--wide``): nothing shortened."""
    widths = [cell_len(c.name) for c in columns]
    for row in rows:
        for i, cell in enumerate(row):
            widths[i] = max(widths[i], cell_len(cell))
    return [Fitted(c, widths[i], i) for i, c in enumerate(columns)]


def _cell(text: str, fitted: Fitted, *, last: bool) -> str:
    size = cell_len(text)
    if size > fitted.width and fitted.shortens:
        text = set_cell_size(text, fitted.width - 1) + ELLIPSIS
        size = fitted.width
    if last:
        return text  # no trailing blanks
    return text + " " * max(0, fitted.width - size)


def format_row(fitted: Sequence[Fitted], row: Sequence[str], *, wide: bool = False) -> str:
    """One line of the table. A value longer than a never-shortened column pushes the line
    rather than be cut; ``wide`` never shortens anything."""
    cells = []
    for position, column in enumerate(fitted):
        text = " ".join(str(row[column.index]).split()) if column.index < len(row) else ""
        last = position == len(fitted) - 1
        if wide:
            cells.append(text if last else text + " " * max(0, column.width - cell_len(text)))
        else:
            cells.append(_cell(text, column, last=last))
    return GAP.join(cells).rstrip()


def format_table(
    columns: Sequence[Column],
    rows: Iterable[Sequence[str]],
    width: int,
    *,
    wide: bool = False,
) -> tuple[list[str], list[Fitted]]:
    """The lines of a whole table (header first) and the columns chosen for it."""
    materialised = [list(r) for r in rows]
    fitted = wide_columns(columns, materialised) if wide else fit_columns(columns, width)
    lines = [format_header_for(fitted)]
    lines.extend(format_row(fitted, row, wide=wide) for row in materialised)
    return lines, fitted


def format_header_for(fitted: Sequence[Fitted]) -> str:
    """The header line: each shown column's name, in its place."""
    spread = [Fitted(f.column, f.width, position) for position, f in enumerate(fitted)]
    return format_row(spread, [f.column.name for f in spread])
