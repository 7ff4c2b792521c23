"""A real `sbzoom listen` process for the end-to-end and reliability tests.

``Listener.start(installation)`` runs ``python -m sbzoom listen --port 0``, reads its JSON log
lines from stderr on a thread, learns the port from the "listening" line, and points the
sandbox's SimplyBook callback URL and Zoom event subscription at it (Zoom validates the URL
first, as it does in production). ``stop()`` sends SIGTERM; ``kill()`` sends SIGKILL.
"""

from __future__ import annotations

import json
import signal
import subprocess
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx

from tests.reliability.harness import Installation

START_TIMEOUT = 30.0

# Listeners started and not yet stopped: a test that fails half-way leaves none running
# (tests/conftest.py kills what is left after each test).
_RUNNING: set[subprocess.Popen[str]] = set()


def kill_leftovers() -> None:
    while _RUNNING:
        process = _RUNNING.pop()
        if process.poll() is None:
            process.kill()
            process.wait(10)


@dataclass
class Listener:
    installation: Installation
    process: subprocess.Popen[str]
    lines: list[dict[str, Any]] = field(default_factory=list)
    raw: list[str] = field(default_factory=list)
    port: int = 0
    _ready: threading.Event = field(default_factory=threading.Event)
    _reader: threading.Thread | None = None

    @classmethod
    def start(cls, installation: Installation, *, subscribe: bool = True) -> Listener:
        process = subprocess.Popen(
            installation.command("listen", "--port", "0"), env=installation.env,
            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )  # fmt: skip
        _RUNNING.add(process)
        listener = cls(installation, process)
        listener._reader = threading.Thread(target=listener._read, daemon=True)
        listener._reader.start()
        if not listener._ready.wait(START_TIMEOUT):
            process.kill()
            raise AssertionError("sbzoom listen did not start:\n" + "".join(listener.raw))
        if subscribe:
            sandbox = installation.sandbox
            sandbox.set_callback_url(listener.callback_url())
            assert sandbox.subscribe_zoom_webhook(f"{listener.url}/zoom/webhook")
        return listener

    def _read(self) -> None:
        assert self.process.stderr is not None
        for line in self.process.stderr:
            self.raw.append(line)
            try:
                record = json.loads(line)
            except ValueError:
                continue
            self.lines.append(record)
            if record.get("msg") == "listening":
                self.port = int(record["port"])
                self._ready.set()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def callback_url(self) -> str:
        run = self.installation.run("listen", "--print-urls", "--json", "--port", str(self.port))
        assert run.returncode == 0, run.stderr
        return str(json.loads(run.stdout)["simplybook_callback_url"])

    def events(self) -> list[dict[str, Any]]:
        return [r for r in list(self.lines) if r.get("msg") == "event"]

    def wait_for(self, check: Callable[[], bool], timeout: float = 10.0) -> float:
        """Seconds until ``check()`` holds; fails after ``timeout``."""
        started = time.monotonic()
        while not check():
            if time.monotonic() - started > timeout:
                raise AssertionError(
                    f"not within {timeout} s; listener said:\n" + "".join(self.raw[-30:])
                )
            time.sleep(0.05)
        return time.monotonic() - started

    def health(self) -> dict[str, Any]:
        return httpx.get(f"{self.url}/healthz", timeout=5).json()  # type: ignore[no-any-return]

    def idle(self) -> bool:
        health = self.health()
        return health["queued"] == 0 and health["working"] == 0

    def stop(self, timeout: float = 30.0) -> int:
        self.process.send_signal(signal.SIGTERM)
        return self._wait(timeout)

    def kill(self) -> int:
        self.process.kill()
        return self._wait(10.0)

    def _wait(self, timeout: float) -> int:
        code = self.process.wait(timeout)
        _RUNNING.discard(self.process)
        if self._reader is not None:
            self._reader.join(5)
        for stream in (self.process.stdout, self.process.stderr):
            if stream is not None:
                stream.close()
        return code
