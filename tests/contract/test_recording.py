"""``sbzoom sandbox --record-exchanges FILE``: what a sandbox process records for the contract,
and that judging stays a test-only concern (the sandbox never loads jsonschema)."""

from __future__ import annotations

import json
import os
import shlex
import signal
import subprocess
import sys
from pathlib import Path

import httpx

from sbzoom.sandbox import Exchange
from tests.sandbox._helpers import bearer, s2s_token


def test_a_sandbox_process_records_zoom_rest_exchanges_as_json_lines(tmp_path: Path) -> None:
    record = tmp_path / "exchanges.jsonl"
    process = subprocess.Popen(
        [sys.executable, "-m", "sbzoom", "sandbox", "--port", "0", "--record-exchanges", record],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "NO_COLOR": "1"},
    )
    try:
        assert process.stdout is not None
        exports = dict(shlex.split(process.stdout.readline())[1].split("=", 1) for _ in range(9))
        api = exports["SBZOOM_ZOOM_API_URL"]

        class Running:  # what the helpers need of a Sandbox
            zoom_oauth_url = exports["SBZOOM_ZOOM_OAUTH_URL"]

        with httpx.Client() as http:
            headers = bearer(s2s_token(http, Running))  # type: ignore[arg-type]
            users = http.get(f"{api}/users", headers=headers, params={"status": "active"})
            assert users.status_code == 200
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=20) == 0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        for stream in (process.stdout, process.stderr):
            if stream is not None:
                stream.close()
    lines = record.read_text(encoding="utf-8").splitlines()
    # Only Zoom REST: the OAuth token call (and its secrets) is not recorded.
    assert len(lines) == 1
    exchange = Exchange.from_json(json.loads(lines[0]))
    assert (exchange.method, exchange.path, exchange.status) == ("GET", "/zoom/v2/users", 200)
    assert exchange.query == {"status": ["active"]}
    assert json.loads(exchange.response_body)["users"]
    assert "authorization" not in lines[0].lower()


def test_an_unwritable_record_file_is_a_usage_error(tmp_path: Path) -> None:
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "sbzoom",
            "sandbox",
            "--port",
            "0",
            "--record-exchanges",
            str(tmp_path / "missing" / "exchanges.jsonl"),
        ],
        capture_output=True,
        text=True,
        env={**os.environ, "NO_COLOR": "1"},
        timeout=30,
        check=False,
    )
    assert done.returncode == 2
    assert "Cannot write" in done.stderr and "--record-exchanges" in done.stderr
    assert "Traceback" not in done.stderr


def test_the_sandbox_never_imports_jsonschema() -> None:
    probe = (
        "import sys, sbzoom.sandbox, sbzoom.cli.sandbox, sbzoom.sandbox.server;"
        "print('jsonschema' in sys.modules)"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=30, check=True
    )
    assert done.stdout.strip() == "False"
