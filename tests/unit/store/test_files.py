"""Local files: a command's --output file appears complete and private, or not at all; the unit
locks a link run and the listener share keep one writer per booking or session."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from sbzoom.errors import SbzoomError, UsageError
from sbzoom.store.files import atomic_text_file


def test_output_file_appears_whole_and_private(tmp_path: Path) -> None:
    target = tmp_path / "report.csv"
    with atomic_text_file(target) as handle:
        handle.write("a,b\n")
        assert not target.exists()
    assert target.read_text() == "a,b\n"
    assert target.stat().st_mode & 0o777 == 0o600


def test_a_failure_midway_keeps_the_old_file_and_leaves_no_temporary(tmp_path: Path) -> None:
    target = tmp_path / "report.csv"
    target.write_text("old\n")
    with pytest.raises(SbzoomError), atomic_text_file(target) as handle:
        handle.write("half")
        raise SbzoomError("SimplyBook went away")
    assert target.read_text() == "old\n"
    assert os.listdir(tmp_path) == ["report.csv"]


def test_output_into_a_missing_directory_is_a_usage_error(tmp_path: Path) -> None:
    with pytest.raises(UsageError), atomic_text_file(tmp_path / "nope" / "r.csv"):
        pass


def test_unit_locks_exclude_other_threads_and_re_enter_in_the_same_one(tmp_path: Path) -> None:
    import threading
    import time

    from sbzoom.store.files import LockTimeoutError, UnitLocks

    locks = UnitLocks(tmp_path / "locks", timeout=0.3)
    other = UnitLocks(tmp_path / "locks", timeout=0.3)  # as another process would open them
    results: list[str] = []

    def contender(key: str) -> None:
        try:
            with other.hold(key):
                results.append(f"got {key}")
        except LockTimeoutError:
            results.append(f"waited out {key}")

    with locks.hold("b1"), locks.hold("b1"):  # re-entrant
        thread = threading.Thread(target=contender, args=("b1",))
        thread.start()
        thread.join()
        assert results == ["waited out b1"]
        keys = [f"b{n}" for n in range(2, 40)]
        free = next(k for k in keys if locks._path(k) != locks._path("b1"))
        started = time.monotonic()
        contender(free)  # another unit is not held up
        assert results[-1] == f"got {free}" and time.monotonic() - started < 0.2
    contender("b1")
    assert results[-1] == "got b1"
