"""`report meetings` on the command line: which format when none is given."""

from __future__ import annotations

from pathlib import Path

import pytest

from sbzoom.cli.report import Format, _format


@pytest.mark.parametrize(
    ("chosen", "output", "terminal", "expected"),
    [
        (None, None, True, Format.table),
        (None, None, False, Format.csv),
        (None, Path("r.json"), True, Format.json),
        (None, Path("r.csv"), True, Format.csv),
        (Format.table, None, False, Format.table),
        (Format.json, Path("r.csv"), False, Format.json),
    ],
)
def test_format_table_on_a_terminal_csv_on_a_pipe(
    chosen: Format | None, output: Path | None, terminal: bool, expected: Format
) -> None:
    assert _format(chosen, output, terminal) is expected
