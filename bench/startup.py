"""Start-up cost of sbzoom commands against a bare Typer app running one command, same interpreter.

    python bench/startup.py [--runs N] [--no-write]

Pairs, each sbzoom command beside the bare app doing the same kind of thing:

    sbzoom --help                     bare app --help
    sbzoom config path                bare app hello          (runs one command)
    sbzoom bookings link --help       bare app hello --help   (a subcommand's help)
    sbzoom report meetings (real,     bare app hello
      empty ledger, sandbox)

Bytecode caches are warm (written by the warm-up runs, as an installed package has them). Runs
are interleaved (the order alternates each round) and the medians compared; the ratio is robust
to a busy machine because both sides of a pair share its load. Writes the "Startup" section of
bench/RESULTS.md. Target: every ratio at most 1.15.
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

TARGET = 1.15

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


def measure(runs: int) -> dict[str, dict[str, list[float]]]:
    from sbzoom.sandbox import Sandbox
    from sbzoom.sandbox.data import ZOOM_BEN_ID

    base = {k: v for k, v in os.environ.items() if not k.startswith("SBZOOM_")}
    base.pop("PYTHONDONTWRITEBYTECODE", None)  # warm caches, as an installed package has
    with tempfile.TemporaryDirectory() as tmp, Sandbox() as sandbox:
        minimal_app = Path(tmp) / "minimal_app.py"
        minimal_app.write_text(MINIMAL_APP)
        env = {
            **base,
            **sandbox.env,
            "NO_COLOR": "1",
            "COLUMNS": "100",
            "SBZOOM_CONFIG": f"{tmp}/config.toml",
            "SBZOOM_DATA_DIR": f"{tmp}/data",
            "SBZOOM_SECRET_BACKEND": "file",
        }
        sbzoom = sbzoom_command()
        # SimplyBook's pace (2 requests/s by default) is lifted: at the default the report's
        # requests alone take seconds, which is the pace the admin chose, not start-up.
        settings = (
            ("services.1", "online"),
            ("providers.2", ZOOM_BEN_ID),
            ("simplybook.max_rps", "1000"),
        )
        for key, value in settings:
            subprocess.run([*sbzoom, "config", "set", key, value], env=env, check=True,
                           capture_output=True)  # fmt: skip
        # An empty ledger: the file exists (as after a first run with nothing to link).
        subprocess.run([*sbzoom, "bookings", "link", "--from", "-400d", "--to", "-399d"],
                       env=env, check=True, capture_output=True)  # fmt: skip
        bare = [sys.executable, str(minimal_app)]
        pairs = {
            "--help": ([*sbzoom, "--help"], [*bare, "--help"]),
            "config path": ([*sbzoom, "config", "path"], [*bare, "hello"]),
            "bookings link --help": (
                [*sbzoom, "bookings", "link", "--help"],
                [*bare, "hello", "--help"],
            ),
            "report meetings (empty ledger)": (
                [*sbzoom, "report", "meetings", "--format", "csv"],
                [*bare, "hello"],
            ),
        }
        for ours, theirs in pairs.values():  # warm the file cache and the bytecode caches
            for _ in range(2):
                wall_time(ours, env)
                wall_time(theirs, env)
        times: dict[str, dict[str, list[float]]] = {
            name: {"sbzoom": [], "bare": []} for name in pairs
        }
        for round_number in range(runs):
            for name, (ours, theirs) in pairs.items():
                order = [("sbzoom", ours), ("bare", theirs)]
                if round_number % 2:
                    order.reverse()
                for side, command in order:
                    times[name][side].append(wall_time(command, env))
    return times


def machine() -> str:
    return (
        f"{platform.platform()}, {platform.machine()}, {os.cpu_count()} CPUs, "
        f"Python {platform.python_version()} ({platform.python_implementation()})"
    )


def section(times: dict[str, dict[str, list[float]]]) -> str:
    rows = []
    worst = 0.0
    for name, sides in times.items():
        ours, theirs = statistics.median(sides["sbzoom"]), statistics.median(sides["bare"])
        ratio = ours / theirs
        worst = max(worst, ratio)
        rows.append(
            f"| `sbzoom {name}` | {ours * 1000:.0f} ms | {theirs * 1000:.0f} ms | "
            f"**{ratio:.2f}×** |"
        )
    runs = len(next(iter(times.values()))["sbzoom"])
    verdict = "within" if worst <= TARGET else "ABOVE"
    return (
        "## Startup\n\n"
        f"Measured {dt.date.today().isoformat()} with `python bench/startup.py` on {machine()}.\n"
        f"{runs} interleaved runs of each pair after 2 warm-up runs each, bytecode caches warm. "
        "Baseline: a bare Typer app (one callback, two commands) run by the same interpreter: "
        "`--help` beside `--help`, `hello --help` beside a subcommand's help, `hello` beside "
        "the commands that run.\n\n"
        "| command | sbzoom median | bare Typer app median | ratio |\n|---|---|---|---|\n"
        + "\n".join(rows)
        + f"\n\nWorst ratio {worst:.2f}× ({verdict} the {TARGET}× target). "
        "`report meetings` does real work the bare app does not (it imports httpx and sqlite3, "
        "reads the stored sign-ins, sends its SimplyBook and Zoom requests to the sandbox on "
        "this machine, opens the ledger), so its ratio is start-up plus that work; SimplyBook's "
        "pace (`simplybook.max_rps`, 2/s by default) is lifted for it, since at the default its "
        "requests alone take seconds. Not covered: cold caches (first run after install), a slow "
        "disk, network latency to the real services, and commands other than these four.\n"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--runs", type=int, default=15, help="runs of each command (min 5)")
    parser.add_argument("--no-write", action="store_true", help="do not update RESULTS.md")
    args = parser.parse_args()
    times = measure(max(args.runs, 5))
    text = section(times)
    print(text)
    if not args.no_write:
        write_section("Startup", text)
        print(f"updated {RESULTS}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
