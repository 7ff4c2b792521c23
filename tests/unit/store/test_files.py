"""Local files written whole: a command's --output file appears complete and private, or not at
all."""

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
