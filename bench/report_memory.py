"""Peak memory and time of `sbzoom report meetings` as the number of bookings grows.

Starts a sandbox in this process with N generated bookings (nothing linked), then runs
`sbzoom report meetings --format csv --output FILE` as a child process for 5,000 and for
50,000 bookings and reads the child's own peak RSS from ``os.wait4``. The report streams page
by page, so the peak must stay flat: the target is a 50k/5k ratio of peak RSS close to 1 (at
most 1.25), while a report that collected its rows first would grow about tenfold in the part
that holds rows. Writes the "Report" section of bench/RESULTS.md.

    python bench/report_memory.py [--small 5000] [--large 50000] [--no-write]
"""

from __future__ import annotations

import argparse
import csv
import os
import platform
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from _results import RESULTS, write_section  # bench/ is on sys.path when run as a script

from sbzoom.sandbox import Sandbox
from sbzoom.store.ledger import Ledger, ledger_path

TARGET = 1.25
SETTINGS = {
    "providers.1": "sbxUsrAlice00000000002",
    "providers.2": "sbxUsrBen0000000000003",
    "providers.3": "sbxUsrChloe00000000004",
    "services.1": "online",
    "services.2": "online",
    "services.3": "class",
    # The sandbox answers in microseconds: pacing would only measure the sleep.
    "simplybook.max_rps": "100000",
    "zoom.max_rps": "100000",
}


@dataclass(frozen=True)
class Run:
    bookings: int  # generated bookings in the sandbox
    rows: int  # rows in the report (bookings of online services in the window)
    peak_rss_mib: float
    seconds: float
    file_mib: float


def measure(bookings: int) -> Run:
    with Sandbox(bookings=bookings, seed=7) as sandbox, tempfile.TemporaryDirectory() as home:
        env = {k: v for k, v in os.environ.items() if not k.startswith("SBZOOM_")}
        env.update(
            sandbox.env,
            SBZOOM_CONFIG=f"{home}/config.toml",
            SBZOOM_DATA_DIR=f"{home}/data",
            SBZOOM_SECRET_BACKEND="file",
            NO_COLOR="1",
        )
        sbzoom = [sys.executable, "-m", "sbzoom"]
        for key, value in SETTINGS.items():
            subprocess.run([*sbzoom, "config", "set", key, value], env=env, check=True,
                           capture_output=True)  # fmt: skip
        # An empty ledger: every row still costs its two primary-key lookups (a miss each).
        Ledger(ledger_path(Path(home) / "data", "default")).close()
        output = Path(home) / "meetings.csv"
        command = [*sbzoom, "report", "meetings", "--format", "csv", "--output", str(output)]
        started = time.monotonic()
        child = subprocess.Popen(
            command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
        )
        assert child.stderr is not None
        messages = child.stderr.read()
        # wait4 gives this child's own rusage; RUSAGE_CHILDREN would mix in the config runs.
        _, status, usage = os.wait4(child.pid, 0)
        child.returncode = os.waitstatus_to_exitcode(status)
        seconds = time.monotonic() - started
        if child.returncode != 0:
            raise SystemExit(f"sbzoom report failed ({child.returncode}):\n{messages}")
        with output.open(newline="", encoding="utf-8") as handle:
            rows = sum(1 for _ in csv.DictReader(handle))
        return Run(
            bookings=bookings,
            rows=rows,
            peak_rss_mib=usage.ru_maxrss / 1024,  # KiB on Linux
            seconds=seconds,
            file_mib=output.stat().st_size / 2**20,
        )


def machine() -> str:
    return f"{platform.platform()}, {os.cpu_count()} CPUs, Python {platform.python_version()}"


def section(small: Run, large: Run) -> str:
    ratio = large.peak_rss_mib / small.peak_rss_mib
    verdict = "within" if ratio <= TARGET else "ABOVE"
    lines = "\n".join(
        f"| {r.bookings:,} | {r.rows:,} | {r.file_mib:.1f} MiB | **{r.peak_rss_mib:.1f} MiB** | "
        f"{r.seconds:.1f} s | {r.rows / r.seconds:,.0f}/s |"
        for r in (small, large)
    )
    return (
        "## Report\n\n"
        f"Measured {date.today().isoformat()} with `python bench/report_memory.py` on "
        f"{machine()}.\n"
        "`sbzoom report meetings --format csv --output FILE` in a child process against an "
        "in-process sandbox with generated bookings (none linked, so rows are `missing` or "
        "`cancelled`). Bookings are read 100 per page; each row costs two primary-key lookups "
        "in an (empty) ledger. Peak RSS is the child's own (`os.wait4`).\n\n"
        "| generated bookings | report rows | CSV size | peak RSS | wall time | rows/s |\n"
        "|---|---|---|---|---|---|\n"
        f"{lines}\n\n"
        f"**Peak RSS ratio 50k/5k: {ratio:.2f}×** ({verdict} the {TARGET}× target): memory "
        "stays flat because rows are written as each page arrives.\n"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--small", type=int, default=5_000)
    parser.add_argument("--large", type=int, default=50_000)
    parser.add_argument("--no-write", action="store_true", help="do not update RESULTS.md")
    args = parser.parse_args()
    small = measure(args.small)
    print(small)
    large = measure(args.large)
    print(large)
    text = section(small, large)
    print(text)
    if not args.no_write:
        write_section("Report", text)
        print(f"updated {RESULTS}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
