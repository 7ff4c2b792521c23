"""Atomic file writes and cross-process locks: the two things that keep local files whole."""

from __future__ import annotations

import contextlib
import errno
import fcntl
import hashlib
import os
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO

from sbzoom.errors import SbzoomError, UsageError
from sbzoom.store.problems import file_problem


def atomic_write(path: Path, data: bytes, mode: int = 0o644, what: str = "the file") -> None:
    """Write ``data`` to ``path`` so that readers see the old file or the new one, never half."""
    make_dir(path.parent, what)
    with atomic_file(path, mode, what) as handle:
        handle.write(data.decode("utf-8"))


def make_dir(path: Path, what: str = "the file", move: str | None = None) -> None:
    """Create ``path`` (and its parents) or raise an exit-3 error naming the cause and fix."""
    try:
        path.mkdir(parents=True, exist_ok=True)
    except FileExistsError as exc:  # a file where the directory belongs
        blocked = NotADirectoryError(errno.ENOTDIR, exc.strerror, str(path))
        raise file_problem(path, blocked, f"the directory for {what}", "create", move) from None
    except OSError as exc:
        raise file_problem(path, exc, f"the directory for {what}", "create", move) from None


@contextlib.contextmanager
def atomic_file(path: Path, mode: int = 0o644, what: str = "the file") -> Iterator[IO[str]]:
    """A text file, written as a stream, that appears at ``path`` complete or not at all.

    The temporary file beside ``path`` has ``mode`` from the start, so a secret never exists on
    disk with wider permissions, even for a moment; it is renamed into place when the block ends.
    Trouble with the disk (read-only, full, permissions, a directory in the way) is an exit-3
    error naming ``path`` and the fix; the file at ``path`` is then left as it was.
    """
    try:
        fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    except OSError as exc:
        raise file_problem(path, exc, what, "write") from None
    try:
        os.fchmod(fd, mode)
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
            yield handle
            try:
                handle.flush()
                os.fsync(handle.fileno())
            except OSError as exc:
                raise file_problem(path, exc, what, "write") from None
        try:
            os.replace(tmp_name, path)
        except OSError as exc:
            raise file_problem(path, exc, what, "write") from None
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp_name)
        raise


class LockTimeoutError(SbzoomError):
    pass


@contextlib.contextmanager
def file_lock(
    path: Path,
    timeout: float = 30.0,
    *,
    on_wait: Callable[[], None] | None = None,
    timeout_error: Callable[[], Exception] | None = None,
    stop: Callable[[], bool] | None = None,
) -> Iterator[None]:
    """Hold an exclusive advisory lock on ``path`` (created if missing) for the block.

    Used around read-modify-write of tokens (which rotate: two refreshers would burn each other's
    refresh token) and of the fallback secrets file, and around a whole `bookings link` run.
    ``on_wait()`` is called once when the lock is found taken (to say so); ``timeout_error()``
    builds the error raised when waiting gives up; ``stop()`` returning True ends the wait early
    with that error too (a SIGTERM while waiting).
    """
    make_dir(path.parent, "the lock file")
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    except OSError as exc:
        raise file_problem(path, exc, "the lock file", "open") from None
    deadline = time.monotonic() + timeout
    try:
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if on_wait is not None:
                    on_wait()
                    on_wait = None  # once
                if time.monotonic() >= deadline or (stop is not None and stop()):
                    if timeout_error is not None:
                        raise timeout_error() from None
                    raise LockTimeoutError(
                        f"Another sbzoom process has held {path} for over {timeout:.0f} s.",
                        "Wait for it to finish, or stop it, then run the command again.",
                    ) from None
                time.sleep(0.02)
        yield
    finally:
        os.close(fd)  # closing the descriptor releases the lock


class UnitLocks:
    """One cross-process lock per booking or class session (a *unit*), re-entrant per thread.

    ``bookings link`` runs and the listener take the lock of a unit while they decide and change
    its meeting, so they never both create one, and neither waits for the other's whole run.
    Keys are spread over a fixed set of lock files (no file per booking piling up); two units
    sharing a file only wait for each other. A thread holds one unit at a time (plus re-entry),
    so the striping cannot deadlock.
    """

    STRIPES = 256

    def __init__(self, directory: Path, timeout: float = 120.0) -> None:
        self.directory = directory
        self.timeout = timeout
        self._held = threading.local()

    def _path(self, key: str) -> Path:
        stripe = int(hashlib.sha256(key.encode()).hexdigest()[:8], 16) % self.STRIPES
        return self.directory / f"{stripe:03d}.lock"

    @contextlib.contextmanager
    def hold(self, key: str) -> Iterator[None]:
        path = self._path(key)
        held: dict[Path, int] = getattr(self._held, "paths", None) or {}
        self._held.paths = held
        if held.get(path):
            held[path] += 1
            try:
                yield
            finally:
                held[path] -= 1
            return
        with file_lock(path, timeout=self.timeout):
            held[path] = 1
            try:
                yield
            finally:
                held.pop(path, None)


@contextlib.contextmanager
def atomic_text_file(path: Path) -> Iterator[IO[str]]:
    """A command's ``--output`` file, that appears at ``path`` complete or not at all.

    Streams to a temporary file beside ``path`` and renames it into place at the end, like
    ``atomic_write`` does for data held in memory. Mode 0600: a report holds client e-mails and
    join links with their passcodes.
    """
    parent = path.parent if str(path.parent) else Path(".")
    if not parent.is_dir():
        raise UsageError(
            f"Cannot write {path}: the directory {parent} does not exist.",
            "Create it first, or give --output a path in an existing directory.",
        )
    if path.is_dir():
        raise UsageError(f"Cannot write {path}: it is a directory.", "Give --output a file name.")
    try:
        with atomic_file(path, 0o600) as handle:
            yield handle
    except OSError as exc:
        raise SbzoomError(f"Cannot write {path}: {exc.strerror}.") from None
