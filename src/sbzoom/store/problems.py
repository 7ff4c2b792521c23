"""What went wrong with a local file or directory, said in one line with a fix that loses nothing.

Every file sbzoom reads or writes (config, secrets file, ledger and its WAL, lock files, the
record of refused sign-ins) and the directories holding them can be missing, unreadable, on a
read-only or virtual file system, full, or a directory where a file belongs. ``file_problem``
turns the ``OSError`` into a ``ConfigError`` (exit 3) that names the path, the cause, and a fix
that keeps the user's data: permissions are fixed with ``chmod``/``chown`` — nothing is ever
moved away because of a permission — and a place sbzoom cannot use is replaced by pointing
sbzoom elsewhere (``SBZOOM_DATA_DIR``, ``--config``).
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

from sbzoom.errors import ConfigError

# How to point sbzoom at another place, by the kind of file.
DATA_DIR_MOVE = "set SBZOOM_DATA_DIR to a writable directory on a local disk"
CONFIG_MOVE = "pass --config (or set SBZOOM_CONFIG) with a file on a writable local disk"


def mover_for(path: Path) -> str:
    """The setting that moves ``path``: config files by --config, the rest by SBZOOM_DATA_DIR."""
    name = path.name
    return (
        CONFIG_MOVE if name.startswith("config.toml") or name.endswith(".toml") else DATA_DIR_MOVE
    )


def _blocking_file(path: Path) -> Path | None:
    """The first part of ``path`` that exists but is not a directory (for ENOTDIR)."""
    for parent in reversed(path.parents):
        if parent.exists() and not parent.is_dir():
            return parent
    return None


def _closed_directory(path: Path) -> Path | None:
    """The outermost directory above ``path`` that this user may not enter, if any."""
    for parent in reversed(path.parents):
        if parent.is_dir() and not os.access(parent, os.X_OK):
            return parent
    return None


def _user() -> str:
    try:
        import pwd

        return pwd.getpwuid(os.getuid()).pw_name
    except (ImportError, KeyError):
        return "$USER"


def file_problem(
    path: Path, exc: OSError, what: str, action: str = "use", move: str | None = None
) -> ConfigError:
    """``exc`` met while trying to ``action`` ``what`` at ``path``, as an exit-3 error;
    ``move`` says how to point sbzoom elsewhere (default: by the kind of file)."""
    where = Path(exc.filename) if isinstance(exc.filename, str) and exc.filename else path
    code = exc.errno
    move = move or mover_for(path)
    if code in (errno.EACCES, errno.EPERM):
        closed = _closed_directory(where)
        if closed is not None:  # the file may be fine: a directory above it keeps us out
            return ConfigError(
                f"Cannot {action} {what} {where}: permission denied on the directory {closed}.",
                f"Give your user access ('chown {_user()} {closed}' and 'chmod u+rwx {closed}', "
                f"as its owner or root); nothing in it is lost. Or {move}.",
            )
        kind = "directory" if where.is_dir() else "file"
        bits = "u+rwx" if kind == "directory" else "u+rw"
        return ConfigError(
            f"Cannot {action} {what} {where}: permission denied.",
            f"Give your user access ('chown {_user()} {where}' and 'chmod {bits} {where}', as its "
            f"owner or root); nothing in it is lost. Or {move}.",
        )
    if code == errno.EROFS:
        return ConfigError(
            f"Cannot {action} {what} {where}: it is on a read-only file system.",
            f"Remount it read-write, or {move}.",
        )
    if code == errno.EISDIR:
        return ConfigError(
            f"Cannot {action} {what} {where}: it is a directory, where sbzoom keeps a file.",
            f"If it is empty, remove it ('rmdir {where}'); otherwise rename it and look inside. "
            f"Or {move}.",
        )
    if code == errno.ENOTDIR:
        blocker = _blocking_file(where) or where.parent
        return ConfigError(
            f"Cannot {action} {what} {where}: {blocker} is a file, where a directory belongs.",
            f"Rename that file (keep it if you need it), or {move}.",
        )
    if code in (errno.ENOSPC, errno.EDQUOT):
        return ConfigError(
            f"Cannot {action} {what} {where}: no space left on that disk (or quota reached).",
            f"Free some space, then run the command again (nothing was changed). Or {move}.",
        )
    if code == errno.ENOENT:
        return ConfigError(
            f"Cannot {action} {what} {where}: its directory cannot be created there "
            "(a virtual file system such as /proc, or a path that does not exist).",
            f"Check HOME and the XDG_* variables, or {move}.",
        )
    reason = exc.strerror or type(exc).__name__
    return ConfigError(
        f"Cannot {action} {what} {where}: {reason}.",
        f"Check the disk and its mount, or {move}.",
    )


def decode_problem(path: Path, exc: UnicodeDecodeError, what: str) -> ConfigError:
    bad = exc.object[exc.start : exc.start + 1].hex() if isinstance(exc.object, bytes) else "?"
    return ConfigError(
        f"{what[:1].upper()}{what[1:]} {path} is not UTF-8 text (byte 0x{bad} at offset "
        f"{exc.start}).",
        f"Re-save it as UTF-8; for a Latin-1 file: 'iconv -f latin1 -t utf-8 {path} > "
        f"{path}.utf8 && mv {path}.utf8 {path}'. sbzoom has not changed it.",
    )


def read_text(
    path: Path, what: str, *, missing_ok: bool = False
) -> str | None:  # the file's text; None when it does not exist and ``missing_ok``
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        if missing_ok:
            return None
        raise
    except UnicodeDecodeError as exc:
        raise decode_problem(path, exc, what) from None
    except OSError as exc:
        raise file_problem(path, exc, what, "read") from None


def check_writable(path: Path, what: str) -> None:
    """Refuse to replace a file its owner made read-only (``chmod a-w``), even as root: an
    atomic replace would otherwise go straight past the mode."""
    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        return
    except OSError as exc:
        raise file_problem(path, exc, what, "write") from None
    if stat.S_ISDIR(mode):
        raise file_problem(path, IsADirectoryError(errno.EISDIR, "Is a directory"), what, "write")
    if not mode & stat.S_IWUSR or not os.access(path, os.W_OK):
        raise ConfigError(
            f"Cannot write {what} {path}: it is read-only (mode {stat.S_IMODE(mode):04o}).",
            f"Make it writable again ('chmod u+w {path}') if sbzoom may change it, then run the "
            "command again; nothing was changed.",
        )
