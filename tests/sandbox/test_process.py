"""``sbzoom sandbox`` as scripts use it: export lines on stdout, clean exit on SIGTERM."""

from __future__ import annotations

import os
import shlex
import signal
import subprocess
import sys

import httpx

NAMES = [
    "SBZOOM_ZOOM_API_URL",
    "SBZOOM_ZOOM_OAUTH_URL",
    "SBZOOM_SIMPLYBOOK_API_URL",
    "SBZOOM_ZOOM_ACCOUNT_ID",
    "SBZOOM_ZOOM_CLIENT_ID",
    "SBZOOM_ZOOM_CLIENT_SECRET",
    "SBZOOM_SIMPLYBOOK_COMPANY",
    "SBZOOM_SIMPLYBOOK_LOGIN",
    "SBZOOM_SIMPLYBOOK_PASSWORD",
    "SBZOOM_ZOOM_WEBHOOK_SECRET",  # the Zoom app's webhook secret token, for `sbzoom listen`
]


def _start(*args: str) -> subprocess.Popen[str]:
    env = {**os.environ, "NO_COLOR": "1"}
    return subprocess.Popen(
        [sys.executable, "-m", "sbzoom", "sandbox", "--port", "0", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )


def _read_exports(process: subprocess.Popen[str]) -> dict[str, str]:
    assert process.stdout is not None
    exported: dict[str, str] = {}
    while len(exported) < len(NAMES):
        line = process.stdout.readline()
        assert line, "the sandbox exited before printing its settings"
        words = shlex.split(line)
        assert words[0] == "export"
        name, _, value = words[1].partition("=")
        exported[name] = value
    return exported


def test_prints_exports_serves_and_stops_cleanly_on_sigterm() -> None:
    extra = "http://127.0.0.1:40999/callback"
    process = _start("--seed", "3", "--redirect-uri", extra)
    try:
        exported = _read_exports(process)
        assert list(exported) == NAMES
        with httpx.Client() as http:
            response = http.post(
                f"{exported['SBZOOM_SIMPLYBOOK_API_URL']}/admin/auth",
                json={
                    "company": exported["SBZOOM_SIMPLYBOOK_COMPANY"],
                    "login": exported["SBZOOM_SIMPLYBOOK_LOGIN"],
                    "password": exported["SBZOOM_SIMPLYBOOK_PASSWORD"],
                },
            )
            assert response.status_code == 200
            token = http.post(
                f"{exported['SBZOOM_ZOOM_OAUTH_URL']}/oauth/token",
                params={
                    "grant_type": "account_credentials",
                    "account_id": exported["SBZOOM_ZOOM_ACCOUNT_ID"],
                },
                auth=(exported["SBZOOM_ZOOM_CLIENT_ID"], exported["SBZOOM_ZOOM_CLIENT_SECRET"]),
            ).json()
            assert token["api_url"] + "/v2" == exported["SBZOOM_ZOOM_API_URL"]
            base = exported["SBZOOM_ZOOM_OAUTH_URL"].removesuffix("/zoom")
            registered = http.post(f"{base}/_sandbox/zoom/redirect_uris", json={"uri": extra})
            assert registered.json()["redirect_uris"] == ["http://127.0.0.1:8765/callback", extra]
        process.send_signal(signal.SIGTERM)
        stdout, stderr = process.communicate(timeout=10)
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()
    assert process.returncode == 0
    assert "Traceback" not in stderr
    assert "listening on http://127.0.0.1:" in stderr
    assert stdout == ""


def test_ctrl_c_also_exits_zero() -> None:
    process = _start()
    try:
        _read_exports(process)
        process.send_signal(signal.SIGINT)
        _, stderr = process.communicate(timeout=10)
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()
    assert process.returncode == 0
    assert "Traceback" not in stderr
