"""Secrets (client secrets, passwords, tokens): the OS keyring, or a 0600 file where none works.

Keyring calls run in a worker thread with a deadline: a locked collection or a missing D-Bus
session can otherwise block forever, and a cron job must never hang on that. When no keyring
backend answers, secrets go to ``<data dir>/secrets.json`` (mode 0600), and the user is told so
once, when that file is first created.

``SBZOOM_SECRET_BACKEND`` = ``keyring`` | ``file`` forces a backend (``auto`` is the default).
"""

from __future__ import annotations

import contextlib
import json
import threading
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Protocol, TypeVar

from sbzoom.errors import ConfigError, SbzoomError
from sbzoom.store.files import atomic_write, file_lock
from sbzoom.store.problems import read_text

SERVICE = "sbzoom"
T = TypeVar("T")


class SecretStore(Protocol):
    backend: str

    def get(self, name: str) -> str | None: ...
    def set(self, name: str, value: str) -> None: ...
    def delete(self, name: str) -> None: ...


class SecretStoreError(ConfigError):
    """The secret store cannot be read or written: a setup problem (exit 3) with its fix."""


class _Timeout(Exception):
    pass


def _with_deadline(call: Callable[[], T], seconds: float) -> T:
    box: dict[str, object] = {}

    def run() -> None:
        try:
            box["value"] = call()
        except BaseException as exc:  # handed to the caller's thread below
            box["error"] = exc

    worker = threading.Thread(target=run, name="sbzoom-keyring", daemon=True)
    worker.start()
    worker.join(seconds)
    if worker.is_alive():
        raise _Timeout
    if "error" in box:
        raise box["error"]  # type: ignore[misc]
    return box["value"]  # type: ignore[return-value]


class KeyringStore:
    backend = "keyring"

    def __init__(self, profile: str, timeout: float = 5.0) -> None:
        self.profile = profile
        self.timeout = timeout

    def _user(self, name: str) -> str:
        return f"{self.profile}:{name}"

    def _call(self, what: str, call: Callable[[], T]) -> T:
        try:
            return _with_deadline(call, self.timeout)
        except _Timeout:
            raise SecretStoreError(
                f"The system keyring did not answer within {self.timeout:g} s ({what}).",
                "Unlock the keyring, or set SBZOOM_SECRET_BACKEND=file to use the 0600 file.",
            ) from None
        except SbzoomError:
            raise
        except Exception as exc:
            raise SecretStoreError(
                f"The system keyring failed ({what}): {type(exc).__name__}.",
                "Unlock the keyring, or set SBZOOM_SECRET_BACKEND=file to use the 0600 file.",
            ) from None

    def get(self, name: str) -> str | None:
        import keyring

        return self._call("read", lambda: keyring.get_password(SERVICE, self._user(name)))

    def set(self, name: str, value: str) -> None:
        import keyring

        self._call("write", lambda: keyring.set_password(SERVICE, self._user(name), value))

    def delete(self, name: str) -> None:
        import keyring
        import keyring.errors

        def remove() -> None:
            # already gone is fine: forgetting is idempotent
            with contextlib.suppress(keyring.errors.PasswordDeleteError):
                keyring.delete_password(SERVICE, self._user(name))

        self._call("delete", remove)


class FileStore:
    backend = "file"

    def __init__(
        self, profile: str, path: Path, announce: Callable[[str], None] | None = None
    ) -> None:
        self.profile = profile
        self.path = path
        self.announce = announce

    def _lock(self) -> Path:
        return self.path.with_name(self.path.name + ".lock")

    def _read(self) -> dict[str, dict[str, str]]:
        raw = read_text(self.path, "the secrets file", missing_ok=True)
        if raw is None:
            return {}
        corrupt = ConfigError(
            f"The secrets file {self.path} is corrupt (not the JSON sbzoom writes).",
            f"Keep a copy ('mv {self.path} {self.path}.broken'), then sign in again with "
            "'sbzoom auth login zoom' and 'sbzoom auth login simplybook'.",
        )
        try:
            data = json.loads(raw)
        except json.JSONDecodeError:
            raise corrupt from None
        if not isinstance(data, dict) or not all(
            isinstance(table, dict) and all(isinstance(v, str) for v in table.values())
            for table in data.values()
        ):
            raise corrupt
        return data

    def _write(self, data: dict[str, dict[str, str]]) -> None:
        created = not self.path.exists()
        atomic_write(
            self.path,
            json.dumps(data, indent=1).encode("utf-8"),
            mode=0o600,
            what="the secrets file",
        )
        if created and self.announce is not None:
            self.announce(
                f"No system keyring is available; sbzoom keeps its secrets in {self.path} "
                "(readable only by you)."
            )

    def get(self, name: str) -> str | None:
        return self._read().get(self.profile, {}).get(name)

    def set(self, name: str, value: str) -> None:
        with file_lock(self._lock()):
            data = self._read()
            data.setdefault(self.profile, {})[name] = value
            self._write(data)

    def delete(self, name: str) -> None:
        with file_lock(self._lock()):
            data = self._read()
            if name in data.get(self.profile, {}):
                del data[self.profile][name]
                if not data[self.profile]:
                    del data[self.profile]
                self._write(data)


def keyring_usable(timeout: float) -> bool:
    """True when a real keyring backend is configured and answers within ``timeout``."""
    try:
        import keyring
        from keyring.backends import chainer, fail
    except Exception:
        return False

    def probe() -> bool:
        backend = keyring.get_keyring()
        if isinstance(backend, fail.Keyring):
            return False
        if isinstance(backend, chainer.ChainerBackend) and not backend.backends:
            return False
        if getattr(backend, "priority", 1) <= 0:
            return False
        backend.get_password(SERVICE, "probe")  # raises when locked or the bus is missing
        return True

    try:
        return _with_deadline(probe, timeout)
    except BaseException:
        return False


def open_secret_store(
    profile: str,
    data_dir: Path,
    env: Mapping[str, str],
    announce: Callable[[str], None] | None = None,
) -> SecretStore:
    choice = env.get("SBZOOM_SECRET_BACKEND", "auto").strip().lower() or "auto"
    try:
        timeout = float(env.get("SBZOOM_KEYRING_TIMEOUT", "5"))
    except ValueError:
        timeout = -1.0
    if not 0 < timeout <= 300:  # also refuses nan and inf: a keyring wait must end
        raise ConfigError(
            f"SBZOOM_KEYRING_TIMEOUT={env.get('SBZOOM_KEYRING_TIMEOUT')!r} is not a number of "
            "seconds from 0 to 300.",
            "Set it to a positive number such as 5, or unset it.",
        )
    if choice == "file":  # chosen on purpose: nothing to announce
        return FileStore(profile, data_dir / "secrets.json")
    file_store = FileStore(profile, data_dir / "secrets.json", announce)
    if choice == "keyring":
        return KeyringStore(profile, timeout)
    if choice != "auto":
        raise ConfigError(
            f"SBZOOM_SECRET_BACKEND={choice!r} is not a backend.",
            "Use keyring, file or auto.",
        )
    if keyring_usable(timeout):
        return KeyringStore(profile, timeout)
    return file_store
