"""Tables fitted to the terminal: columns dropped or shortened, never wrapped or broken."""

from __future__ import annotations

import pytest

from sbzoom.render.table import Column, fit_columns, format_header_for, format_row, wide_columns

COLUMNS = (
    Column("BOOKING", 7, rank=0),
    Column("START", 21, rank=1),
    Column("STATUS", 12, rank=2),
    Column("CLIENT", 22, shrink_to=12, rank=3),
    Column("SERVICE", 24, shrink_to=14, rank=4),
    Column("MEETING", 11, rank=5),
)
ROW = ["1001", "2026-11-28 10:00 CEST", "would create", "Maria Gonzalez-Fernández de la Vega",
       "Intro Consultation (extended)", "81234567890"]  # fmt: skip


def names(width: int) -> list[str]:
    return [f.column.name for f in fit_columns(COLUMNS, width)]


def test_wide_terminals_show_every_column_at_its_natural_width() -> None:
    fitted = fit_columns(COLUMNS, 200)
    assert [f.width for f in fitted] == [c.width for c in COLUMNS]


def test_narrow_terminals_drop_the_least_important_columns_first() -> None:
    assert names(120) == ["BOOKING", "START", "STATUS", "CLIENT", "SERVICE", "MEETING"]
    assert names(80) == ["BOOKING", "START", "STATUS", "CLIENT", "SERVICE"]
    assert names(60) == ["BOOKING", "START", "STATUS", "CLIENT"]
    assert names(10) == ["BOOKING"]  # not even that fits: the terminal wraps the one column


@pytest.mark.parametrize("width", [40, 60, 80, 100, 120, 160])
def test_lines_fit_and_ids_and_dates_are_whole(width: int) -> None:
    fitted = fit_columns(COLUMNS, width)
    line = format_row(fitted, ROW)
    assert len(format_header_for(fitted)) <= width and len(line) <= width
    assert line.split()[:4] == ["1001", "2026-11-28", "10:00", "CEST"]
    if "CLIENT" in [f.column.name for f in fitted]:
        assert "Maria" in line and "…" in line  # shortened, never wrapped


def test_the_same_width_always_gives_the_same_columns_so_tables_can_stream() -> None:
    assert fit_columns(COLUMNS, 97) == fit_columns(COLUMNS, 97)
    fitted = fit_columns(COLUMNS, 97)
    lines = [format_row(fitted, ROW), format_row(fitted, ["1002", *ROW[1:3], "Al", "Yoga", ""])]
    # every column starts at the same place on every line
    assert lines[0].index("2026") == lines[1].index("2026")
    assert lines[0].index("would") == lines[1].index("would")


def test_wide_shows_every_value_whole() -> None:
    fitted = wide_columns(COLUMNS, [ROW])
    line = format_row(fitted, ROW, wide=True)
    assert all(cell in line for cell in ROW) and "…" not in line


def test_wide_characters_are_measured_in_terminal_cells() -> None:
    fitted = fit_columns(COLUMNS, 80)
    line = format_row(fitted, [*ROW[:3], "渡辺健二渡辺健二渡辺健二", *ROW[4:]])
    from rich.cells import cell_len

    assert cell_len(line) <= 80
