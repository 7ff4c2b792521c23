"""Damaged, locked-away and strangely placed files, end to end in real processes (part of the
bad-input suite, tests/e2e/test_bad_input.py).

Every file sbzoom reads or writes — config, secrets file, ledger and its WAL, lock files — and
the directories holding them can be unreadable, read-only, not UTF-8, malformed, a directory
where a file belongs, or on a read-only or virtual file system. Each case must end with exit 3
and one ``Error:`` line naming the path and the cause, with a fix that loses nothing; and each
test then *follows that fix* and shows the command works and nothing was lost.

Permissions: these tests run as root in CI containers, and root passes every permission check.
``denied`` runs sbzoom with the two capabilities that let root do so (CAP_DAC_OVERRIDE,
CAP_DAC_READ_SEARCH) dropped, so a chmod means to it what it means to a normal user. A read-only
file system is a read-only bind mount in a private mount namespace (``unshare``); where neither
is possible the test is skipped, saying why.
"""

from __future__ import annotations

import ctypes
import os
import shutil
import sqlite3
import stat
import subprocess
import sys
from collections.abc import Callable, Mapping
from pathlib import Path

import pytest

from sbzoom.sandbox import Sandbox
from tests.conftest import Home
from tests.e2e.test_bad_input import assert_fails_cleanly
from tests.reliability.harness import RUN_TIMEOUT, Installation, Run, install


@pytest.fixture
def app(home: Home, sandbox: Sandbox) -> Installation:
    return install(home, sandbox)


def _drop_dac() -> None:
    libc = ctypes.CDLL(None, use_errno=True)
    for capability in (1, 2):  # CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH
        if libc.prctl(24, capability, 0, 0, 0) != 0:  # PR_CAPBSET_DROP
            raise OSError(ctypes.get_errno(), "prctl(PR_CAPBSET_DROP)")


def _probe(command: list[str], preexec: Callable[[], None] | None = None) -> bool:
    try:
        done = subprocess.run(command, preexec_fn=preexec, capture_output=True, timeout=30)
    except (OSError, subprocess.SubprocessError):
        return False
    return done.returncode == 0


def _can_drop_dac(tmp: Path) -> bool:
    if os.geteuid() != 0:
        return True  # a normal user: chmod already binds
    secret = tmp / "probe-000"
    secret.write_text("x")
    secret.chmod(0)
    try:
        code = f"import sys; open({str(secret)!r}).read(); sys.exit(1)"
        return _probe(
            [
                sys.executable,
                "-c",
                f"import sys\ntry:\n {code}\nexcept PermissionError: sys.exit(0)",
            ],
            _drop_dac,
        )
    finally:
        secret.unlink()


READ_ONLY_MOUNT = 'mount --bind "$0" "$0" && mount -o remount,ro,bind "$0" "$0" && exec "$@"'


def run(
    app: Installation,
    *args: str,
    denied: bool = False,
    read_only: Path | None = None,
    env: Mapping[str, str] | None = None,
    drop_env: tuple[str, ...] = (),
    stdin: str = "",
) -> Run:
    """``sbzoom ARGS`` as ``app.run`` does it, optionally without root's permission bypass
    (``denied``) or with ``read_only`` mounted read-only for this process only."""
    command = app.command(*args)
    if read_only is not None:
        command = ["unshare", "--mount", "sh", "-c", READ_ONLY_MOUNT, str(read_only), *command]
    environment = {k: v for k, v in {**app.env, **(env or {})}.items() if k not in drop_env}
    preexec = _drop_dac if denied and os.geteuid() == 0 else None
    done = subprocess.run(
        command, env=environment, input=stdin, capture_output=True, text=True,
        timeout=RUN_TIMEOUT, check=False, preexec_fn=preexec,
    )  # fmt: skip
    result = Run(tuple(args), done.returncode, done.stdout, done.stderr)
    app.runs.append(result)
    return result


@pytest.fixture
def dac(tmp_path: Path) -> None:
    if not _can_drop_dac(tmp_path):
        pytest.skip("running as root and cannot drop CAP_DAC_OVERRIDE: chmod binds nothing")


@pytest.fixture
def mounts(tmp_path: Path) -> None:
    target = tmp_path / "probe-ro"
    target.mkdir()
    inside = ["unshare", "--mount", "sh", "-c", READ_ONLY_MOUNT, str(target), "true"]
    if shutil.which("unshare") is None or not _probe(inside):
        pytest.skip("no private read-only bind mount here (needs root with CAP_SYS_ADMIN)")


def linked(app: Installation) -> Run:
    result = app.run("bookings", "link", "--json")
    assert result.returncode == 0, result.stderr
    return result


def meeting_ids(app: Installation) -> list[int]:
    return sorted(int(m["id"]) for m in app.sandbox.meetings())


# -- the config file ------------------------------------------------------------------------------


def test_a_config_file_that_is_not_utf8_names_the_byte_and_iconv_fixes_it(
    app: Installation,
) -> None:
    config = app.config_path
    config.write_bytes(
        config.read_bytes() + '[default.meeting]\ntopic = "Café {service}"\n'.encode("latin-1")
    )
    before = config.read_bytes()
    for args in (("bookings", "link"), ("config", "set", "zoom.max_rps", "5"), ("config", "list")):
        result = app.run(*args)
        assert_fails_cleanly(result, 3, str(config), "is not UTF-8", "byte 0xe9", "iconv")
        assert config.read_bytes() == before
    # The advice, as given: convert, and the settings (the é too) are all there.
    fix = f"iconv -f latin1 -t utf-8 {config} > {config}.utf8 && mv {config}.utf8 {config}"
    subprocess.run(["sh", "-c", fix], check=True)
    assert app.run("config", "get", "meeting.topic").stdout.strip() == "Café {service}"
    linked(app)
    assert any(str(m["topic"]).startswith("Café ") for m in app.sandbox.meetings())


def test_a_directory_where_the_config_file_belongs(app: Installation) -> None:
    config = app.config_path
    config.unlink()
    config.mkdir()
    for args in (("config", "list"), ("config", "set", "zoom.max_rps", "5"), ("bookings", "link")):
        assert_fails_cleanly(app.run(*args), 3, str(config), "is a directory", f"rmdir {config}")
    config.rmdir()  # the advice: it is empty
    assert app.run("config", "set", "zoom.max_rps", "5").returncode == 0


@pytest.mark.usefixtures("dac")
def test_an_unreadable_config_file_is_fixed_by_chmod_not_moved(app: Installation) -> None:
    config = app.config_path
    before = config.read_bytes()
    config.chmod(0)
    for args in (("config", "list"), ("bookings", "link")):
        result = run(app, *args, denied=True)
        assert_fails_cleanly(result, 3, str(config), "permission denied", f"chmod u+rw {config}")
        assert "mv " not in result.stderr and "move" not in result.stderr.lower()
    config.chmod(stat.S_IRUSR | stat.S_IWUSR)  # the advice
    assert run(app, "config", "get", "providers.1", denied=True).returncode == 0
    assert config.read_bytes() == before


def test_config_set_keeps_the_file_mode(app: Installation) -> None:
    config = app.config_path
    for mode in (0o600, 0o640, 0o644):
        config.chmod(mode)
        assert app.run("config", "set", "zoom.max_rps", "7").returncode == 0
        assert stat.S_IMODE(config.stat().st_mode) == mode


def test_config_set_respects_a_read_only_config_file(app: Installation) -> None:
    config = app.config_path
    config.chmod(0o444)  # made read-only on purpose (config management, a shared profile)
    before = config.read_bytes()
    result = app.run("config", "set", "zoom.max_rps", "7")
    assert_fails_cleanly(result, 3, str(config), "is read-only (mode 0444)", f"chmod u+w {config}")
    assert config.read_bytes() == before
    config.chmod(0o644)  # the advice
    assert app.run("config", "set", "zoom.max_rps", "7").returncode == 0
    assert app.run("config", "get", "zoom.max_rps").stdout.strip() == "7.0"


@pytest.mark.usefixtures("mounts")
def test_a_config_directory_on_a_read_only_file_system(app: Installation) -> None:
    config = app.config_path
    before = config.read_bytes()
    result = run(app, "config", "set", "zoom.max_rps", "7", read_only=config.parent)
    assert_fails_cleanly(result, 3, str(config), "read-only file system", "--config")
    # Reading still works there: linking does not write the config.
    assert run(app, "bookings", "link", read_only=config.parent).returncode == 0
    # The advice: a config file elsewhere (here a copy, so nothing is lost).
    elsewhere = app.home.root / "writable" / "config.toml"
    elsewhere.parent.mkdir()
    shutil.copy(config, elsewhere)
    moved = run(
        app,
        "--config",
        str(elsewhere),
        "config",
        "set",
        "zoom.max_rps",
        "7",
        read_only=config.parent,
    )
    assert moved.returncode == 0, moved.stderr
    assert config.read_bytes() == before


def test_a_file_where_the_config_directory_belongs(app: Installation) -> None:
    blocker = app.home.root / "not-a-dir"
    blocker.write_text("someone's notes\n")
    target = blocker / "sbzoom" / "config.toml"
    result = app.run("--config", str(target), "config", "set", "zoom.max_rps", "5")
    assert_fails_cleanly(result, 3, str(blocker), "is a file, where a directory belongs")
    assert blocker.read_text() == "someone's notes\n"


# -- the secrets file ------------------------------------------------------------------------------


def _secret_app(app: Installation) -> Path:
    """Sign-ins in the secrets file (SimplyBook tokens from a first run)."""
    linked(app)
    return app.data_dir / "secrets.json"


def test_a_secrets_file_that_is_not_utf8(app: Installation) -> None:
    secrets = _secret_app(app)
    text = secrets.read_text()
    secrets.write_bytes(text.replace('"default"', '"défault"', 1).encode("latin-1"))
    for args in (("bookings", "link"), ("auth", "status")):
        assert_fails_cleanly(app.run(*args), 3, str(secrets), "is not UTF-8", "iconv")
    fix = f"iconv -f latin1 -t utf-8 {secrets} > {secrets}.utf8 && mv {secrets}.utf8 {secrets}"
    subprocess.run(["sh", "-c", fix], check=True)
    assert app.run("bookings", "link").returncode == 0


@pytest.mark.usefixtures("dac")
def test_an_unreadable_secrets_file_is_fixed_by_chmod(app: Installation) -> None:
    secrets = _secret_app(app)
    before = secrets.read_bytes()
    secrets.chmod(0)
    result = run(app, "bookings", "link", denied=True)
    assert_fails_cleanly(result, 3, str(secrets), "permission denied", f"chmod u+rw {secrets}")
    secrets.chmod(0o600)
    assert run(app, "bookings", "link", denied=True).returncode == 0
    assert secrets.read_bytes() == before  # the same sign-in, kept


# -- the ledger and its WAL ------------------------------------------------------------------------


def _checkpointed(app: Installation) -> None:
    with sqlite3.connect(app.ledger) as db:
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")


def test_a_valid_header_over_damaged_pages_is_found_at_once(app: Installation) -> None:
    linked(app)
    meetings = meeting_ids(app)
    _checkpointed(app)
    data = bytearray(app.ledger.read_bytes())
    page = 4096
    assert data[:16] == b"SQLite format 3\x00" and len(data) > 3 * page
    for offset in range(page, len(data), 7):
        data[offset] = 0xA5  # every page after the first scribbled over; the header stays valid
    app.ledger.write_bytes(bytes(data))
    result = app.run("bookings", "link")
    assert_fails_cleanly(result, 3, str(app.ledger), "is damaged", f"mv {app.ledger}")
    assert meeting_ids(app) == meetings  # nothing done on a half-readable ledger
    # The advice: set it aside (kept, with its audit log) and run again: meetings are adopted.
    app.ledger.rename(app.ledger.with_name(app.ledger.name + ".damaged"))
    again = linked(app)
    assert meeting_ids(app) == meetings, again.stdout  # adopted, none created twice


@pytest.mark.usefixtures("dac")
def test_an_unreadable_ledger_is_a_permission_to_fix_never_a_ledger_to_move(
    app: Installation,
) -> None:
    linked(app)
    audit = app.audit()
    app.ledger.chmod(0)
    result = run(app, "bookings", "link", denied=True)
    assert_fails_cleanly(
        result, 3, str(app.ledger), "permission denied", f"chmod u+rw {app.ledger}"
    )
    assert "mv " not in result.stderr and "aside" not in result.stderr
    app.ledger.chmod(0o600)  # the advice
    assert run(app, "bookings", "link", denied=True).returncode == 0
    assert app.audit()[: len(audit)] == audit  # the audit log is whole


def test_a_directory_where_the_ledger_belongs(app: Installation) -> None:
    app.ledger.mkdir(parents=True)
    result = app.run("bookings", "link")
    assert_fails_cleanly(result, 3, str(app.ledger), "is a directory", f"rmdir {app.ledger}")
    assert app.sandbox.meetings() == []
    app.ledger.rmdir()
    linked(app)


def test_a_directory_where_the_ledger_wal_belongs(app: Installation) -> None:
    linked(app)
    wal = app.ledger.with_name(app.ledger.name + "-wal")
    _checkpointed(app)
    wal.unlink(missing_ok=True)
    wal.mkdir()
    result = app.run("bookings", "link")
    assert_fails_cleanly(result, 3, str(wal), "is a directory", f"rmdir {wal}")
    wal.rmdir()
    linked(app)


@pytest.mark.usefixtures("dac")
def test_an_unreadable_ledger_wal_is_named(app: Installation) -> None:
    linked(app)
    wal = app.ledger.with_name(app.ledger.name + "-wal")
    if not wal.exists():
        wal.write_bytes(b"")
    wal.chmod(0)
    result = run(app, "bookings", "link", denied=True)
    assert_fails_cleanly(result, 3, str(wal), "permission denied", f"chmod u+rw {wal}")
    wal.chmod(0o600)
    assert run(app, "bookings", "link", denied=True).returncode == 0


# -- lock files and the data directory ------------------------------------------------------------


def test_a_directory_where_a_lock_file_belongs(app: Installation) -> None:
    linked(app)
    locks = app.data_dir / "locks"
    # The run lock and the striped per-booking/session locks (in a folder of their own).
    lock_files = sorted(path for path in locks.rglob("*") if path.is_file())
    assert lock_files
    for lock in lock_files:
        lock.unlink()
        lock.mkdir()
    result = app.run("bookings", "link")
    assert_fails_cleanly(result, 3, "is a directory", "rmdir")
    named = [lock for lock in lock_files if str(lock) in result.stderr]
    assert len(named) == 1
    for lock in lock_files:
        lock.rmdir()
    linked(app)


def test_a_file_where_the_locks_directory_belongs(app: Installation) -> None:
    locks = app.data_dir / "locks"
    app.data_dir.mkdir(parents=True, exist_ok=True)
    locks.write_text("not a directory\n")
    result = app.run("bookings", "link")
    assert_fails_cleanly(result, 3, str(locks), "is a file, where a directory belongs", "Rename")
    locks.rename(locks.with_name("locks.old"))  # the advice: renamed, kept
    linked(app)


@pytest.mark.usefixtures("dac")
def test_a_data_directory_without_write_permission(app: Installation) -> None:
    linked(app)
    app.data_dir.chmod(0o555)
    try:
        result = run(app, "bookings", "link", denied=True)
        assert_fails_cleanly(result, 3, str(app.data_dir), "permission denied", "chmod u+rwx")
    finally:
        app.data_dir.chmod(0o755)  # the advice
    assert run(app, "bookings", "link", denied=True).returncode == 0


@pytest.mark.usefixtures("dac")
def test_a_data_directory_closed_to_its_user_is_named_not_the_files_in_it(
    app: Installation,
) -> None:
    linked(app)
    app.data_dir.chmod(0)
    try:
        result = run(app, "bookings", "link", denied=True)
        assert_fails_cleanly(
            result, 3, f"permission denied on the directory {app.data_dir}",
            f"chmod u+rwx {app.data_dir}",
        )  # fmt: skip
    finally:
        app.data_dir.chmod(0o700)  # the advice
    assert run(app, "bookings", "link", denied=True).returncode == 0


@pytest.mark.usefixtures("mounts")
def test_a_data_directory_on_a_read_only_file_system(app: Installation) -> None:
    linked(app)
    meetings = meeting_ids(app)
    result = run(app, "bookings", "link", read_only=app.data_dir)
    assert_fails_cleanly(result, 3, str(app.data_dir), "read-only file system", "SBZOOM_DATA_DIR")
    # The advice: a data dir elsewhere. Sign-in again from the environment; the meetings made
    # before are adopted from Zoom, none is created twice.
    elsewhere = app.home.root / "data-elsewhere"
    moved = run(
        app, "bookings", "link", read_only=app.data_dir, env={"SBZOOM_DATA_DIR": str(elsewhere)}
    )
    assert moved.returncode == 0, moved.stderr
    assert meeting_ids(app) == meetings


# -- HOME in a strange place ----------------------------------------------------------------------

PLACES = ("SBZOOM_CONFIG", "SBZOOM_DATA_DIR", "XDG_CONFIG_HOME", "XDG_DATA_HOME")


def test_home_on_a_virtual_file_system(app: Installation) -> None:
    env = {"HOME": "/proc"}  # nothing can be created under /proc
    setting = run(app, "config", "set", "zoom.max_rps", "5", env=env, drop_env=PLACES)
    assert_fails_cleanly(setting, 3, "/proc/", "cannot be created", "--config")
    data = ("SBZOOM_DATA_DIR", "XDG_DATA_HOME")  # the config stays where it is
    linking = run(app, "bookings", "link", env=env, drop_env=data)
    assert_fails_cleanly(linking, 3, "/proc/", "cannot be created", "SBZOOM_DATA_DIR")
    # The advice: point sbzoom at real places.
    fixed = run(app, "bookings", "link", env={**env, "SBZOOM_CONFIG": str(app.config_path),
                                               "SBZOOM_DATA_DIR": str(app.data_dir)})  # fmt: skip
    assert fixed.returncode == 0, fixed.stderr


@pytest.mark.usefixtures("mounts")
def test_home_on_a_read_only_file_system(app: Installation) -> None:
    home = app.home.root / "ro-home"
    home.mkdir()
    env = {"HOME": str(home)}
    result = run(
        app, "config", "set", "zoom.max_rps", "5", env=env, drop_env=PLACES, read_only=home
    )
    assert_fails_cleanly(result, 3, str(home), "read-only file system", "--config")
    data = ("SBZOOM_DATA_DIR", "XDG_DATA_HOME")  # the config stays where it is
    linking = run(app, "bookings", "link", env=env, drop_env=data, read_only=home)
    assert_fails_cleanly(linking, 3, str(home), "read-only file system", "SBZOOM_DATA_DIR")
    # The advice: a data dir on a writable disk.
    moved = run(app, "bookings", "link", env={**env, "SBZOOM_DATA_DIR": str(app.data_dir)},
                drop_env=("XDG_DATA_HOME",), read_only=home)  # fmt: skip
    assert moved.returncode == 0, moved.stderr
