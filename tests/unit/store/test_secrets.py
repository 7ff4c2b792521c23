"""The secret store: the 0600 file fallback, backend choice, a hanging keyring, a real keyring.

The ordinary run has no D-Bus session, so ``auto`` lands on the file; CI runs the tests marked
``keyring`` a second time inside ``dbus-run-session`` with an unlocked gnome-keyring and
``SBZOOM_TEST_KEYRING=1``.
"""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
import textwrap
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import keyring
import keyring.backend
import pytest

from sbzoom.errors import ConfigError, ExitCode
from sbzoom.store import files
from sbzoom.store.secrets import (
    SERVICE,
    FileStore,
    KeyringStore,
    SecretStoreError,
    open_secret_store,
)

REPO = Path(__file__).resolve().parents[3]
SECRET = "s3cr3t-" + uuid.uuid4().hex


class MemoryKeyring(keyring.backend.KeyringBackend):
    """A keyring that works, kept in memory."""

    priority = 1  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self.items: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.items.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.items[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        self.items.pop((service, username), None)


class HangingKeyring(keyring.backend.KeyringBackend):
    """A keyring whose every call blocks, like a locked collection waiting for a prompt.

    Loadable in a subprocess with
    PYTHON_KEYRING_BACKEND=tests.unit.store.test_secrets.HangingKeyring.
    """

    priority = 1  # type: ignore[assignment]
    release = threading.Event()

    def get_password(self, service: str, username: str) -> str | None:
        self.release.wait(60)
        return None

    def set_password(self, service: str, username: str, password: str) -> None:
        self.release.wait(60)

    def delete_password(self, service: str, username: str) -> None:
        self.release.wait(60)


# keyring registers every KeyringBackend subclass as a candidate for its automatic choice; these
# doubles must only ever be installed on purpose, or a real-keyring run would chain to them.
keyring.backend.KeyringBackend._classes.difference_update({MemoryKeyring, HangingKeyring})


@pytest.fixture
def installed_keyring() -> Iterator[None]:
    """Restore whatever keyring backend was active after a test installs a fake one."""
    before = keyring.get_keyring()
    HangingKeyring.release.clear()
    yield
    HangingKeyring.release.set()
    keyring.set_keyring(before)


def files_mentioning(root: Path, text: str) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file() and text.encode() in p.read_bytes()]


# -- the file fallback ------------------------------------------------------------------------


def test_file_store_round_trips_per_profile(tmp_path: Path) -> None:
    path = tmp_path / "data" / "secrets.json"
    work, home = FileStore("work", path), FileStore("home", path)
    work.set("zoom.client_secret", SECRET)
    home.set("zoom.client_secret", "other")
    assert work.get("zoom.client_secret") == SECRET
    assert home.get("zoom.client_secret") == "other"
    assert work.get("missing") is None
    work.delete("zoom.client_secret")
    work.delete("zoom.client_secret")  # forgetting twice is fine
    assert work.get("zoom.client_secret") is None
    assert home.get("zoom.client_secret") == "other"
    assert "work" not in json.loads(path.read_text())


def test_file_is_0600_from_its_creation_whatever_the_umask(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "data" / "secrets.json"
    seen: list[tuple[int, bytes]] = []
    real_replace = os.replace

    def watching_replace(src: str, dst: Path) -> None:
        # The moment before the temporary file becomes the real one: already 0600, already full.
        seen.append((stat.S_IMODE(os.stat(src).st_mode), Path(src).read_bytes()))
        real_replace(src, dst)

    monkeypatch.setattr(files.os, "replace", watching_replace)
    old_umask = os.umask(0)
    try:
        FileStore("default", path).set("token", SECRET)
    finally:
        os.umask(old_umask)
    assert seen and seen[0][0] == 0o600 and SECRET.encode() in seen[0][1]
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    lock = path.with_name("secrets.json.lock")
    assert stat.S_IMODE(lock.stat().st_mode) == 0o600


def test_a_failed_write_keeps_the_old_file_and_leaves_no_debris(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "secrets.json"
    store = FileStore("default", path)
    store.set("token", "old")
    before = path.read_bytes()

    def full_disk(fd: int) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(files.os, "fsync", full_disk)
    with pytest.raises(ConfigError, match=f"Cannot write the secrets file {path}: no space left"):
        store.set("token", "new")
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["secrets.json", "secrets.json.lock"]


def test_creating_the_file_is_announced_once(tmp_path: Path) -> None:
    said: list[str] = []
    path = tmp_path / "secrets.json"
    store = FileStore("default", path, said.append)
    store.set("a", "1")
    store.set("b", "2")
    FileStore("other", path, said.append).set("c", "3")
    assert len(said) == 1
    assert str(path) in said[0] and "keyring" in said[0]
    assert SECRET not in said[0]


WRITER = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    from sbzoom.store.secrets import FileStore

    path, tag, count = Path(sys.argv[1]), sys.argv[2], int(sys.argv[3])
    Path(sys.argv[4]).touch()
    while not Path(sys.argv[5]).exists():
        pass
    store = FileStore("default", path)
    for i in range(count):
        store.set(f"{tag}-{i}", f"value-{tag}-{i}")
    """
)


def test_two_processes_writing_at_once_lose_nothing(tmp_path: Path) -> None:
    path = tmp_path / "data" / "secrets.json"
    go = tmp_path / "go"
    count = 60
    writers = [
        subprocess.Popen(
            [sys.executable, "-c", WRITER, str(path), tag, str(count), str(tmp_path / tag), str(go)]
        )
        for tag in ("a", "b")
    ]
    deadline = time.monotonic() + 30
    while not all((tmp_path / tag).exists() for tag in ("a", "b")):
        assert time.monotonic() < deadline, "writers did not start"
        time.sleep(0.01)
    go.touch()
    reader = FileStore("default", path)
    while any(w.poll() is None for w in writers):
        reader.get("a-0")  # readers never see half a file: this would raise ConfigError
    assert [w.wait(30) for w in writers] == [0, 0]
    stored = json.loads(path.read_text())["default"]
    assert len(stored) == 2 * count
    assert stored["a-59"] == "value-a-59" and stored["b-0"] == "value-b-0"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


@pytest.mark.parametrize(
    "content", ["{not json", "[1, 2]", '{"default": "token"}', '{"default": {"x": 1}}']
)
def test_a_corrupt_file_is_a_config_error_naming_the_fix(tmp_path: Path, content: str) -> None:
    path = tmp_path / "secrets.json"
    path.write_text(content)
    with pytest.raises(ConfigError) as caught:
        FileStore("default", path).get("token")
    assert caught.value.exit_code == ExitCode.CONFIG == 3
    assert str(path) in caught.value.message
    assert caught.value.hint and "sbzoom auth login" in caught.value.hint


CLI_APP = textwrap.dedent(
    """
    import typer
    from sbzoom.cli.main import SbzoomGroup, root
    from sbzoom.cli._common import factory_of

    app = typer.Typer(cls=SbzoomGroup, add_completion=False, pretty_exceptions_enable=False)
    app.callback()(root)

    @app.command()
    def remember(ctx: typer.Context, value: str) -> None:
        secrets = factory_of(ctx).secrets
        secrets.set("probe", value)
        print(secrets.backend, secrets.get("probe") == value)

    @app.command()
    def other() -> None:
        pass

    app(prog_name="sbzoom")
    """
)


def run_cli(tmp_path: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    """Run a small app on sbzoom's real root command (Context, secret store, error mapping)."""
    environ = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("SBZOOM_", "PYTHON_KEYRING", "DBUS_"))
    }
    environ.update(
        SBZOOM_CONFIG=str(tmp_path / "config" / "config.toml"),
        SBZOOM_DATA_DIR=str(tmp_path / "data"),
        XDG_CONFIG_HOME=str(tmp_path / "xdg-config"),  # no keyringrc.cfg from the real home
        XDG_DATA_HOME=str(tmp_path / "xdg-data"),
        PYTHONPATH=str(REPO),
        NO_COLOR="1",
    )
    environ.update(env)
    return subprocess.run(
        [sys.executable, "-c", CLI_APP, *args],
        capture_output=True,
        text=True,
        env=environ,
        stdin=subprocess.DEVNULL,
        timeout=60,
    )


def test_without_any_keyring_the_cli_falls_back_to_the_file(tmp_path: Path) -> None:
    # No D-Bus session and SBZOOM_SECRET_BACKEND unset: what a headless server or container sees.
    first = run_cli(tmp_path, "remember", SECRET)
    assert (first.returncode, first.stdout.split()) == (0, ["file", "True"]), first.stderr
    secrets_file = tmp_path / "data" / "secrets.json"
    assert first.stderr.count(str(secrets_file)) == 1
    assert "Traceback" not in first.stderr and SECRET not in first.stderr
    assert stat.S_IMODE(secrets_file.stat().st_mode) == 0o600
    second = run_cli(tmp_path, "remember", SECRET + "2")
    assert second.returncode == 0 and second.stderr == ""  # announced once, not every run
    assert files_mentioning(tmp_path, SECRET) == [secrets_file]


def test_cli_reports_a_corrupt_secrets_file_with_exit_3(tmp_path: Path) -> None:
    secrets_file = tmp_path / "data" / "secrets.json"
    secrets_file.parent.mkdir(parents=True)
    secrets_file.write_text("{oops")
    result = run_cli(tmp_path, "remember", SECRET, SBZOOM_SECRET_BACKEND="file")
    assert result.returncode == 3
    assert str(secrets_file) in result.stderr and "sbzoom auth login" in result.stderr
    assert "Traceback" not in result.stderr


# -- choosing a backend -----------------------------------------------------------------------


def test_backend_can_be_forced(tmp_path: Path, installed_keyring: None) -> None:
    keyring.set_keyring(MemoryKeyring())
    assert open_secret_store("default", tmp_path, {}).backend == "keyring"
    assert open_secret_store("default", tmp_path, {"SBZOOM_SECRET_BACKEND": "auto"}).backend == (
        "keyring"
    )
    forced_file = open_secret_store("default", tmp_path, {"SBZOOM_SECRET_BACKEND": "file"})
    assert isinstance(forced_file, FileStore)
    assert forced_file.path == tmp_path / "secrets.json"
    forced = open_secret_store("default", tmp_path, {"SBZOOM_SECRET_BACKEND": " Keyring "})
    assert isinstance(forced, KeyringStore)


def test_an_unknown_backend_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as caught:
        open_secret_store("default", tmp_path, {"SBZOOM_SECRET_BACKEND": "vault"})
    assert "vault" in caught.value.message and caught.value.hint


@pytest.mark.parametrize("value", ["soon", "0", "-1", "nan", "inf", "1e9"])
def test_a_bad_timeout_is_a_config_error(tmp_path: Path, value: str) -> None:
    with pytest.raises(ConfigError) as caught:
        open_secret_store("default", tmp_path, {"SBZOOM_KEYRING_TIMEOUT": value})
    assert "SBZOOM_KEYRING_TIMEOUT" in caught.value.message


def test_keyring_store_keeps_profiles_apart(installed_keyring: None) -> None:
    memory = MemoryKeyring()
    keyring.set_keyring(memory)
    KeyringStore("work").set("token", SECRET)
    assert KeyringStore("work").get("token") == SECRET
    assert KeyringStore("home").get("token") is None
    assert memory.items == {(SERVICE, "work:token"): SECRET}
    KeyringStore("work").delete("token")
    KeyringStore("work").delete("token")
    assert memory.items == {}


# -- a keyring that never answers -------------------------------------------------------------


def test_auto_falls_back_to_the_file_when_the_keyring_hangs(
    tmp_path: Path, installed_keyring: None
) -> None:
    keyring.set_keyring(HangingKeyring())
    started = time.monotonic()
    store = open_secret_store("default", tmp_path, {"SBZOOM_KEYRING_TIMEOUT": "0.3"})
    assert time.monotonic() - started < 3
    assert isinstance(store, FileStore)


def test_a_forced_keyring_that_hangs_fails_within_the_timeout(
    tmp_path: Path, installed_keyring: None
) -> None:
    keyring.set_keyring(HangingKeyring())
    store = open_secret_store(
        "default",
        tmp_path,
        {"SBZOOM_SECRET_BACKEND": "keyring", "SBZOOM_KEYRING_TIMEOUT": "0.3"},
    )
    started = time.monotonic()
    with pytest.raises(SecretStoreError) as caught:
        store.set("token", SECRET)
    assert time.monotonic() - started < 3
    assert "did not answer" in caught.value.message
    assert caught.value.hint and "SBZOOM_SECRET_BACKEND=file" in caught.value.hint
    assert SECRET not in caught.value.message


def test_the_cli_does_not_hang_on_a_hanging_keyring(tmp_path: Path) -> None:
    started = time.monotonic()
    result = run_cli(
        tmp_path,
        "remember",
        SECRET,
        PYTHON_KEYRING_BACKEND="tests.unit.store.test_secrets.HangingKeyring",
        SBZOOM_KEYRING_TIMEOUT="0.5",
    )
    assert time.monotonic() - started < 20
    assert (result.returncode, result.stdout.split()) == (0, ["file", "True"]), result.stderr


# -- a real Secret Service (gnome-keyring), only where one runs --------------------------------

REAL_KEYRING = os.environ.get("SBZOOM_TEST_KEYRING") == "1"


@pytest.fixture
def real_keyring() -> Iterator[str]:
    """A fresh profile name in the real keyring; its items are removed afterwards."""
    if not REAL_KEYRING:
        pytest.skip("set SBZOOM_TEST_KEYRING=1 inside an unlocked gnome-keyring session")
    # From here on a missing keyring is a failure, not a skip: CI must really test it.
    from sbzoom.store.secrets import keyring_usable

    assert keyring_usable(10), f"no usable keyring backend: {keyring.get_keyring()!r}"
    profile = "test-" + uuid.uuid4().hex[:12]
    yield profile
    for name in ("zoom.client_secret", "simplybook.password"):
        KeyringStore(profile, timeout=10).delete(name)


def secret_service_lookup(username: str) -> list[str]:
    """Read straight from the Secret Service over D-Bus, bypassing keyring and sbzoom."""
    import secretstorage

    connection = secretstorage.dbus_init()
    try:
        collection = secretstorage.get_default_collection(connection)
        if collection.is_locked():
            collection.unlock()
        items = collection.search_items({"service": SERVICE, "username": username})
        return [item.get_secret().decode("utf-8") for item in items]
    finally:
        connection.close()


@pytest.mark.keyring
def test_secrets_written_through_the_store_live_in_the_real_keyring(
    real_keyring: str, tmp_path: Path
) -> None:
    env = {"SBZOOM_SECRET_BACKEND": os.environ.get("SBZOOM_SECRET_BACKEND", "keyring")}
    config_dir, data_dir = tmp_path / "config", tmp_path / "data"
    config_dir.mkdir()
    store = open_secret_store(real_keyring, data_dir, env)
    assert isinstance(store, KeyringStore)
    store.set("zoom.client_secret", SECRET)
    store.set("simplybook.password", SECRET + "-pw")

    assert store.get("zoom.client_secret") == SECRET
    assert keyring.get_password(SERVICE, f"{real_keyring}:zoom.client_secret") == SECRET
    assert secret_service_lookup(f"{real_keyring}:simplybook.password") == [SECRET + "-pw"]
    assert not (data_dir / "secrets.json").exists()
    assert files_mentioning(tmp_path, SECRET) == []

    store.delete("zoom.client_secret")
    assert store.get("zoom.client_secret") is None
    assert secret_service_lookup(f"{real_keyring}:zoom.client_secret") == []


@pytest.mark.keyring
def test_auto_picks_the_real_keyring_when_it_answers(real_keyring: str, tmp_path: Path) -> None:
    said: list[str] = []
    store = open_secret_store(real_keyring, tmp_path / "data", {}, said.append)
    assert isinstance(store, KeyringStore)
    store.set("zoom.client_secret", SECRET)
    assert secret_service_lookup(f"{real_keyring}:zoom.client_secret") == [SECRET]
    assert said == [] and files_mentioning(tmp_path, SECRET) == []


@pytest.mark.keyring
def test_the_cli_uses_the_real_keyring(real_keyring: str, tmp_path: Path) -> None:
    forwarded = {k: v for k, v in os.environ.items() if k.startswith("DBUS_")}
    result = run_cli(tmp_path, "--profile", real_keyring, "remember", SECRET, **forwarded)
    assert (result.returncode, result.stdout.split()) == (0, ["keyring", "True"]), result.stderr
    assert result.stderr == ""
    assert secret_service_lookup(f"{real_keyring}:probe") == [SECRET]
    assert files_mentioning(tmp_path, SECRET) == []
    KeyringStore(real_keyring, timeout=10).delete("probe")
