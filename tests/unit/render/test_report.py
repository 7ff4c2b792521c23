"""`report meetings` out: CSV, JSON and the table written row by row, never collected first."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from sbzoom.core.report import ReportRow
from sbzoom.render.report import COLUMNS, WIDE_SAMPLE, csv_chunks, json_chunks, write_report_table

NY = ZoneInfo("America/New_York")
START = datetime(2026, 11, 25, 10, 0, tzinfo=NY)
PRODUCT_KEYS = {
    "booking_id", "code", "start", "end", "service", "provider", "client", "client_email",
    "zoom_user", "meeting_id", "join_url", "status",
}  # fmt: skip


def sample(ident: int, **changes: object) -> ReportRow:
    values: dict[str, object] = {
        "booking_id": str(ident), "code": f"c{ident}", "start": START,
        "end": START + timedelta(minutes=30), "service": "Intro", "provider": "Ben",
        "client": "Maria", "client_email": "m@example.com", "zoom_user": "ben@zoom.test",
        "meeting_id": 5, "join_url": "https://zoom.test/j/5?pwd=x", "status": "linked",
    }  # fmt: skip
    values.update(changes)
    return ReportRow(**values)  # type: ignore[arg-type]


class Tracked:
    """An iterator of rows that records how far it was read."""

    def __init__(self, count: int) -> None:
        self.count = count
        self.taken = 0

    def __iter__(self) -> Iterator[ReportRow]:
        for ident in range(1, self.count + 1):
            self.taken = ident
            yield sample(ident)


@pytest.mark.parametrize("encode", [csv_chunks, json_chunks], ids=["csv", "json"])
def test_output_is_written_row_by_row_not_collected_first(encode: object) -> None:
    rows = Tracked(1000)
    chunks = encode(rows)  # type: ignore[operator]
    next(chunks)
    assert rows.taken <= 1
    for _ in range(10):
        next(chunks)
    assert rows.taken <= 11


def test_csv_opens_cleanly_with_the_csv_module() -> None:
    awkward = sample(1, client='Ann "The Boss", Jr.\nsecond line', provider="Zoë [VIP]")
    text = "".join(csv_chunks([awkward, sample(2, meeting_id=None, join_url="", status="missing")]))
    parsed = list(csv.DictReader(io.StringIO(text, newline="")))
    assert list(parsed[0]) == list(COLUMNS)
    assert parsed[0]["client"] == 'Ann "The Boss", Jr.\nsecond line'
    assert parsed[0]["provider"] == "Zoë [VIP]"
    assert parsed[0]["start"] == "2026-11-25T10:00:00-05:00"
    assert (parsed[1]["meeting_id"], parsed[1]["join_url"], parsed[1]["status"]) == (
        "",
        "",
        "missing",
    )


def test_json_is_the_product_shape() -> None:
    data = json.loads("".join(json_chunks([sample(1), sample(2, meeting_id=None)])))
    assert [d["booking_id"] for d in data] == [1, 2]
    assert set(data[0]) >= PRODUCT_KEYS
    assert data[0]["start"] == "2026-11-25T10:00:00-05:00"
    assert data[0]["meeting_id"] == 5 and data[1]["meeting_id"] is None


def test_empty_report_is_an_empty_list_and_a_header() -> None:
    assert json.loads("".join(json_chunks([]))) == []
    assert "".join(csv_chunks([])) == ",".join(COLUMNS) + "\n"


class Sink(io.StringIO):
    """An output stream that records how many rows had been read at each write."""

    def __init__(self, rows: Tracked) -> None:
        super().__init__()
        self.rows = rows
        self.taken_at_write: list[int] = []

    def write(self, text: str) -> int:
        self.taken_at_write.append(self.rows.taken)
        return super().write(text)


@pytest.mark.parametrize("wide", [False, True], ids=["fitted", "wide"])
def test_the_table_streams_too(wide: bool) -> None:
    """A 50,000-row table must not hold its rows: even --wide (and a table written to a file)
    writes its first line once the sample that sets the widths is read, and then row by row."""
    rows = Tracked(WIDE_SAMPLE * 3)
    out = Sink(rows)
    write_report_table(out, rows, 120, wide=wide)
    # the rows read when each line was written: the header, then one line per row
    sampled = WIDE_SAMPLE if wide else 0
    ahead = [sampled] * (sampled + 1)  # the header, and the sampled rows' lines
    assert out.taken_at_write == ahead + list(range(sampled + 1, rows.count + 1))


def test_wide_columns_fit_the_sampled_rows_and_a_wider_later_value_is_never_cut() -> None:
    rows = [sample(i) for i in range(1, WIDE_SAMPLE + 1)]
    rows.append(sample(WIDE_SAMPLE + 1, client="A client whose name is much longer than any"))
    out = io.StringIO()
    assert write_report_table(out, rows, 0, wide=True) == []
    lines = out.getvalue().splitlines()
    assert len(lines) == len(rows) + 1
    assert lines[0].split()[:3] == ["BOOKING", "START", "STATUS"]
    assert "A client whose name is much longer than any" in lines[-1]
    assert len({len(line) for line in lines[1:-1]}) == 1  # the sampled rows line up
