"""Start-up stays light: heavy or optional modules load only when a command needs them."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap

import pytest

from sbzoom import __version__

# Modules `sbzoom --help` must not load, and why: each costs start-up time on every invocation.
HEAVY = (
    "httpx", "keyring", "sqlite3", "_sqlite3", "secretstorage", "jeepney", "sbzoom.sandbox",
    # `sbzoom listen` only: the ASGI server and framework, and what they bring
    "uvicorn", "starlette", "anyio", "h11", "sbzoom.core.listen",
)  # fmt: skip

PROBE = textwrap.dedent(
    """
    import json, sys
    sys.argv = ["sbzoom", *sys.argv[1:]]
    try:
        if sys.argv[1:]:
            from sbzoom.cli.main import main
            main()
        else:
            import sbzoom.cli.main
    except SystemExit:
        pass
    sys.stdout.flush()
    sys.stderr.write("\\nMODULES " + json.dumps(sorted(sys.modules)) + "\\n")
    """
)


def loaded_modules(*args: str) -> list[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SBZOOM_")}
    done = subprocess.run(
        [sys.executable, "-c", PROBE, *args],
        capture_output=True,
        text=True,
        env={**env, "NO_COLOR": "1"},
        timeout=60,
        check=True,
    )
    line = done.stderr.rsplit("MODULES ", 1)[1]
    return list(json.loads(line))


def heavy_in(modules: list[str]) -> list[str]:
    return [m for m in modules if any(m == h or m.startswith(h + ".") for h in HEAVY)]


@pytest.mark.parametrize(
    "args",
    [
        (),
        ("--help",),
        ("report", "meetings", "--help"),
        ("listen", "--help"),
        ("--version",),
        ("config", "path"),
    ],
    ids=["import", "help", "subcommand-help", "listen-help", "version", "config-path"],
)
def test_cli_does_not_import_heavy_modules(args: tuple[str, ...]) -> None:
    modules = loaded_modules(*args)
    assert "sbzoom.cli.main" in modules
    assert heavy_in(modules) == []


def test_importtime_agrees() -> None:
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", "import sbzoom.cli.main"],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    imported = [line.rsplit("|", 1)[1].strip() for line in done.stderr.splitlines() if "|" in line]
    assert "sbzoom.cli.main" in imported
    assert heavy_in(imported) == []


def test_version_prints_the_version() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "sbzoom", "--version"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert (done.returncode, done.stdout) == (0, f"sbzoom {__version__}\n")


def test_console_script_prints_the_version() -> None:
    script = shutil.which("sbzoom", path=os.path.dirname(sys.executable))
    if script is None:
        pytest.skip("the sbzoom console script is not installed next to this Python")
    done = subprocess.run([script, "--version"], capture_output=True, text=True, timeout=60)
    assert (done.returncode, done.stdout.strip()) == (0, f"sbzoom {__version__}")


def test_the_clients_do_not_load_httpx_s_own_command_line() -> None:
    """httpx imports its CLI (Rich, Pygments, Click) when those happen to be installed; a
    command that talks to a service must not pay for that (sbzoom/clients/__init__.py)."""
    probe = (
        "import sys, json; import sbzoom.clients.zoom, sbzoom.clients.simplybook, httpx; "
        "print(json.dumps(sorted(m for m in sys.modules "
        "if sys.modules[m] is not None "
        "and (m.split('.')[0] in ('rich', 'pygments', 'click') or m == 'httpx._main'))))"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=60, check=True
    )
    assert json.loads(done.stdout) == []
