"""Peak memory and time of `sbzoom report meetings` as the number of bookings grows.

Starts a sandbox in this process with N generated bookings (nothing linked), then runs
`sbzoom report meetings --format FMT --output FILE` as a child process, for the table, CSV and
JSON, at 5,000 and at 50,000 bookings, and reads the child's own peak RSS from ``os.wait4``.
Every format streams page by page, so the peak must stay flat: the target is a 50k/5k ratio of
peak RSS close to 1 (at most 1.25) and at most 120 MB, while a report that collected its rows
first would grow about tenfold in the part that holds rows. With ``--baseline SRC`` (the ``src``
directory of another sbzoom, e.g. ``git archive`` of an earlier commit) the same runs are made
with that sbzoom too, against the same sandbox, and the ratios now/baseline are given. Writes
the "Report" section of bench/RESULTS.md.

    python bench/report_memory.py [--small 5000] [--large 50000] [--baseline SRC] [--no-write]
"""

from __future__ import annotations

import argparse
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
from sbzoom.sandbox.data import ZOOM_ALICE_ID, ZOOM_BEN_ID, ZOOM_CHLOE_ID
from sbzoom.store.ledger import Ledger, ledger_path

TARGET = 1.25
SETTINGS = {
    "providers.1": ZOOM_ALICE_ID,
    "providers.2": ZOOM_BEN_ID,
    "providers.3": ZOOM_CHLOE_ID,
    "services.1": "online",
    "services.2": "online",
    "services.3": "class",
    # The sandbox answers in microseconds: pacing would only measure the sleep.
    "simplybook.max_rps": "10000",
    "zoom.max_rps": "10000",
}


FORMATS = ("table", "csv", "json")


@dataclass(frozen=True)
class Run:
    bookings: int  # generated bookings in the sandbox
    fmt: str
    who: str  # "now" or "baseline"
    peak_rss_mib: float
    seconds: float
    file_mib: float


def measure(bookings: int, baseline: Path | None = None) -> list[Run]:
    """One sandbox with ``bookings`` generated bookings; the report in every format, by this
    sbzoom and (given ``baseline``) by the one in that ``src`` directory, one after the other."""
    runs = []
    with Sandbox(bookings=bookings, seed=7) as sandbox, tempfile.TemporaryDirectory() as home:
        env = {k: v for k, v in os.environ.items() if not k.startswith("SBZOOM_")}
        env.update(
            sandbox.env,
            SBZOOM_CONFIG=f"{home}/config.toml",
            SBZOOM_DATA_DIR=f"{home}/data",
            SBZOOM_SECRET_BACKEND="file",
            NO_COLOR="1",
            COLUMNS="100",
        )
        sbzoom = [sys.executable, "-m", "sbzoom"]
        for key, value in SETTINGS.items():
            subprocess.run([*sbzoom, "config", "set", key, value], env=env, check=True,
                           capture_output=True)  # fmt: skip
        # An empty ledger: every row still costs its two primary-key lookups (a miss each).
        Ledger(ledger_path(Path(home) / "data", "default")).close()
        whose = [("now", env)]
        if baseline is not None:
            whose.append(("baseline", {**env, "PYTHONPATH": str(baseline)}))
        for fmt, (who, child_env) in ((f, w) for f in FORMATS for w in whose):
            output = Path(home) / f"meetings.{fmt}"
            command = [*sbzoom, "report", "meetings", "--format", fmt, "--output", str(output)]
            started = time.monotonic()
            child = subprocess.Popen(
                command,
                env=child_env,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.PIPE,
                text=True,
            )
            assert child.stderr is not None
            messages = child.stderr.read()
            # wait4 gives this child's own rusage; RUSAGE_CHILDREN would mix in the config runs.
            _, status, usage = os.wait4(child.pid, 0)
            child.returncode = os.waitstatus_to_exitcode(status)
            seconds = time.monotonic() - started
            if child.returncode != 0:
                raise SystemExit(f"sbzoom report failed ({child.returncode}):\n{messages}")
            runs.append(
                Run(
                    bookings=bookings,
                    fmt=fmt,
                    who=who,
                    peak_rss_mib=usage.ru_maxrss / 1024,  # KiB on Linux
                    seconds=seconds,
                    file_mib=output.stat().st_size / 2**20,
                )
            )
    return runs


def machine() -> str:
    return f"{platform.platform()}, {os.cpu_count()} CPUs, Python {platform.python_version()}"


def section(small: list[Run], large: list[Run]) -> str:
    def of(runs: list[Run], who: str) -> list[Run]:
        return [r for r in runs if r.who == who]

    rows = []
    worst = 0.0
    for a, b in zip(of(small, "now"), of(large, "now"), strict=True):
        ratio = b.peak_rss_mib / a.peak_rss_mib
        worst = max(worst, ratio)
        rows.append(
            f"| {a.fmt} | {a.peak_rss_mib:.1f} MiB | {a.seconds:.1f} s | "
            f"**{b.peak_rss_mib:.1f} MiB** | {b.seconds:.1f} s | {b.file_mib:.1f} MiB | "
            f"**{ratio:.2f}×** | {b.seconds / a.seconds:.1f}× |"
        )
    verdict = "within" if worst <= TARGET else "ABOVE"
    top = max(r.peak_rss_mib for r in of(large, "now"))
    against = ""
    base_small, base_large = of(small, "baseline"), of(large, "baseline")
    if base_large:
        lines = []
        for size, now_runs, base_runs in (
            (small[0].bookings, of(small, "now"), base_small),
            (large[0].bookings, of(large, "now"), base_large),
        ):
            for n, o in zip(now_runs, base_runs, strict=True):
                lines.append(
                    f"| {n.fmt} | {size:,} | {o.peak_rss_mib:.1f} MiB | {o.seconds:.1f} s | "
                    f"{n.peak_rss_mib:.1f} MiB | {n.seconds:.1f} s | "
                    f"**{n.peak_rss_mib / o.peak_rss_mib:.2f}×** | "
                    f"{n.seconds / o.seconds:.2f}× |"
                )
        against = (
            "Against the baseline (the sbzoom before this change, `--baseline SRC`), same "
            "sandbox, same run, interleaved:\n\n"
            "| format | bookings | baseline peak RSS | baseline time | now peak RSS | now time | "
            "RSS now/baseline | time now/baseline |\n"
            "|---|---|---|---|---|---|---|---|\n" + "\n".join(lines) + "\n\n"
        )
    return (
        "## Report\n\n"
        f"Measured {date.today().isoformat()} with `python bench/report_memory.py"
        f"{' --baseline SRC' if base_large else ''}` on {machine()}.\n"
        f"`sbzoom report meetings --format FMT --output FILE` in a child process against an "
        f"in-process sandbox with {small[0].bookings:,} and {large[0].bookings:,} generated "
        "bookings (none linked, so rows are `missing` or `cancelled`). Bookings are read 100 per "
        "page; each row costs two primary-key lookups in an (empty) ledger. Peak RSS is the "
        "child's own (`os.wait4`). Baseline of the first table: the same format at the small "
        "size, same run.\n\n"
        f"| format | peak RSS {small[0].bookings // 1000}k | time | peak RSS "
        f"{large[0].bookings // 1000}k | time | file | RSS ratio | time ratio |\n"
        "|---|---|---|---|---|---|---|---|\n"
        + "\n".join(rows)
        + "\n\n"
        + against
        + f"Worst peak RSS ratio {worst:.2f}× ({verdict} the {TARGET}× target); highest peak "
        f"{top:.0f} MiB (target ≤ 120 MB at 50k). Every format streams, the table included: "
        "its columns are sized from the first 500 rows (`render.report.WIDE_SAMPLE`) and later "
        "rows are written in those widths. Not covered: the table on a real terminal (same "
        "code, with the terminal's width), `--verify` (one Zoom request per linked row), a "
        "ledger full of linked rows.\n"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--small", type=int, default=5_000)
    parser.add_argument("--large", type=int, default=50_000)
    parser.add_argument("--baseline", type=Path, help="src directory of the sbzoom to compare")
    parser.add_argument("--no-write", action="store_true", help="do not update RESULTS.md")
    args = parser.parse_args()
    small = measure(args.small, args.baseline)
    print(small, flush=True)
    large = measure(args.large, args.baseline)
    print(large, flush=True)
    text = section(small, large)
    print(text)
    if not args.no_write:
        write_section("Report", text)
        print(f"updated {RESULTS}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
