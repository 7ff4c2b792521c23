"""Start-up cost of `sbzoom --help` against a minimal Typer app's `--help`, same interpreter.

    python bench/startup.py [--runs N] [--no-write]

Runs both commands interleaved (the order alternates each round, after a warm-up), reports the
median wall time of each and their ratio (target: at most 1.3), and writes the figures, the date
and the machine into the "Startup" section of bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _results import RESULTS, write_section  # bench/ is on sys.path when run as a script

TARGET = 1.3

MINIMAL_APP = '''
import typer

app = typer.Typer(help="A minimal Typer app.", no_args_is_help=True)


@app.callback()
def main(verbose: bool = typer.Option(False, "--verbose", help="Say more.")) -> None:
    """A minimal Typer app."""


@app.command()
def hello(name: str = typer.Argument("world", help="Who to greet.")) -> None:
    """Say hello."""
    print(f"hello {name}")


@app.command()
def bye() -> None:
    """Say goodbye."""


app()
'''


def sbzoom_command() -> list[str]:
    """The installed console script, run by this interpreter; else `python -m sbzoom`."""
    script = shutil.which("sbzoom", path=os.path.dirname(sys.executable))
    if script is not None:
        return [sys.executable, script]
    return [sys.executable, "-m", "sbzoom"]


def wall_time(command: list[str], env: dict[str, str]) -> float:
    started = time.perf_counter()
    subprocess.run(
        command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True
    )
    return time.perf_counter() - started


def measure(runs: int) -> dict[str, list[float]]:
    env = {**os.environ, "NO_COLOR": "1", "COLUMNS": "100", "PYTHONDONTWRITEBYTECODE": "1"}
    with tempfile.TemporaryDirectory() as tmp:
        minimal_app = Path(tmp) / "minimal_app.py"
        minimal_app.write_text(MINIMAL_APP)
        commands = {
            "sbzoom --help": [*sbzoom_command(), "--help"],
            "minimal Typer app --help": [sys.executable, str(minimal_app), "--help"],
        }
        for command in commands.values():  # warm the file cache and the bytecode caches
            for _ in range(2):
                wall_time(command, env)
        times: dict[str, list[float]] = {name: [] for name in commands}
        names = list(commands)
        for round_number in range(runs):
            order = names if round_number % 2 == 0 else names[::-1]
            for name in order:
                times[name].append(wall_time(commands[name], env))
    return times


def machine() -> str:
    return (
        f"{platform.platform()}, {platform.machine()}, {os.cpu_count()} CPUs, "
        f"Python {platform.python_version()} ({platform.python_implementation()})"
    )


def section(times: dict[str, list[float]]) -> str:
    sbzoom, minimal = (statistics.median(t) for t in times.values())
    ratio = sbzoom / minimal
    verdict = "within" if ratio <= TARGET else "ABOVE"
    runs = len(next(iter(times.values())))
    rows = "\n".join(
        f"| `{name}` | {statistics.median(t) * 1000:.0f} ms | {min(t) * 1000:.0f} ms |"
        f" {max(t) * 1000:.0f} ms |"
        for name, t in times.items()
    )
    return (
        "## Startup\n\n"
        f"Measured {dt.date.today().isoformat()} with `python bench/startup.py` on {machine()}.\n"
        f"{runs} runs of each command, interleaved, after 2 warm-up runs each.\n\n"
        "| command | median | min | max |\n|---|---|---|---|\n"
        f"{rows}\n\n"
        f"**Ratio of medians: {ratio:.2f}×** ({verdict} the {TARGET}× target).\n"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--runs", type=int, default=21, help="runs of each command (min 15)")
    parser.add_argument("--no-write", action="store_true", help="do not update RESULTS.md")
    args = parser.parse_args()
    times = measure(max(args.runs, 15))
    text = section(times)
    print(text)
    if not args.no_write:
        write_section("Startup", text)
        print(f"updated {RESULTS}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
