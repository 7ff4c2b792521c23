"""Why the ledger cannot be used, as an exit-3 error whose fix fits the cause.

Access problems (permissions, a read-only disk, a journal file that is a directory) are fixed
where they are and nothing is moved; only a damaged ledger is set aside, never deleted.
"""

from __future__ import annotations

import errno
import os
import sqlite3
import stat
from pathlib import Path

from sbzoom.errors import ConfigError
from sbzoom.store.problems import file_problem


class LedgerError(ConfigError):
    """The ledger cannot be used (exit 3); ``corrupt`` when its content, not access, is at fault."""

    def __init__(self, message: str, hint: str | None = None, *, corrupt: bool = False) -> None:
        super().__init__(message, hint)
        self.corrupt = corrupt


def companions(path: Path) -> list[Path]:
    return [path.with_name(path.name + suffix) for suffix in ("-wal", "-shm")]


def check_companions(path: Path) -> None:
    """SQLite's WAL and shared-memory files beside the ledger must be files sbzoom may write."""
    for companion in companions(path):
        try:
            mode = companion.stat().st_mode
        except FileNotFoundError:
            continue
        except OSError as exc:
            raise file_problem(companion, exc, "the ledger's journal", "open") from None
        if stat.S_ISDIR(mode):
            raise file_problem(
                companion, IsADirectoryError(errno.EISDIR, "Is a directory"), "the ledger's journal"
            )
        if not os.access(companion, os.R_OK | os.W_OK):
            raise file_problem(
                companion,
                PermissionError(errno.EACCES, "Permission denied"),
                "the ledger's journal",
            )


def ledger_problem(path: Path, exc: sqlite3.Error) -> ConfigError:
    """An SQLite failure as an exit-3 error whose fix fits the cause: access problems are fixed
    where they are (nothing is moved); only a damaged ledger is set aside, never deleted."""
    text = str(exc)
    lowered = text.lower()
    if "locked" in lowered or "busy" in lowered:
        return LedgerError(
            f"The ledger {path} is locked by another program ({text}).",
            "Close what holds it (an sqlite3 shell, a backup or sync tool), then run again.",
        )
    if "readonly" in lowered or "read-only" in lowered or "unable to open" in lowered:
        try:
            check_companions(path)
        except ConfigError as problem:
            return problem
        probe = path.parent / f".{path.name}.probe"
        try:
            os.close(os.open(probe, os.O_RDWR | os.O_CREAT, 0o600))
            os.unlink(probe)
        except OSError as os_exc:
            bare = type(os_exc)(os_exc.errno, os_exc.strerror)  # name the directory, not the probe
            return file_problem(path.parent, bare, "the ledger's directory", "write to")
        if not os.access(path, os.R_OK | os.W_OK):
            return file_problem(path, PermissionError(errno.EACCES, "denied"), "the ledger")
        return LedgerError(
            f"The ledger {path} cannot be written ({text}).",
            "Check that its disk is mounted read-write, or set SBZOOM_DATA_DIR elsewhere.",
        )
    if isinstance(exc, sqlite3.OperationalError) and ("disk i/o" in lowered or "full" in lowered):
        return LedgerError(
            f"The ledger {path} cannot be written: {text}.",
            "Check the disk (space, errors, mount), then run again; nothing was lost.",
        )
    return LedgerError(
        f"The ledger {path} is damaged ({text}).",
        f"Set it aside ('mv {path} {path}.damaged', with its -wal file if there is one) and run "
        "'sbzoom bookings link' again: meetings are adopted from Zoom, none is created twice, and "
        "the old file keeps its audit log.",
        corrupt=True,
    )
