"""The unchanged cron run: time and requests of a `bookings link` with nothing to do.

For each size N (default 1,000, 5,000 and 20,000 generated bookings over the next four weeks):
a first run links everything (the sandbox's limits lifted so the set-up is quick; not
measured), then the same `bookings link --to +30d` runs again against the sandbox enforcing a
Pro account's limits, and that second run is measured: wall time, time per booking, Zoom
requests (how many list calls against the hosts' pages: at most one per host page), SimplyBook
requests (booking pages: at most one per 100 bookings), and rows the run wrote to the ledger.
Baseline: the smallest size in the same run; the growth ratio is time per booking at N over
time per booking at the smallest N (flat = 1.0). Writes the "No-op run" section of
bench/RESULTS.md.

    python bench/noop.py [--sizes 1000,5000,20000] [--no-write]
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections import Counter
from datetime import date
from pathlib import Path

from _results import write_section  # bench/ is on sys.path when run as a script

from sbzoom.sandbox import Sandbox
from sbzoom.sandbox.data import ZOOM_ALICE_ID, ZOOM_BEN_ID, ZOOM_CHLOE_ID

HOSTS = {
    "providers.1": ZOOM_ALICE_ID,
    "providers.2": ZOOM_BEN_ID,
    "providers.3": ZOOM_CHLOE_ID,
}
ZOOM_PAGE = 300  # meetings per list page (clients/zoom/api.py PAGE_SIZE)


def ledger_changes(path: Path) -> int:
    """Rows in the ledger's tables plus their latest update stamps: changes if anything wrote."""
    with sqlite3.connect(path) as db:
        stamps = db.execute(
            "SELECT (SELECT COUNT(*) FROM audit), (SELECT MAX(updated_at) FROM bookings), "
            "(SELECT MAX(updated_at) FROM meetings)"
        ).fetchone()
    return hash(stamps)


def run(size: int) -> dict[str, float]:
    sandbox = Sandbox(bookings=size, zoom_plan="none", daily_limit=10**7, seed=3).start()
    try:
        with tempfile.TemporaryDirectory() as home:
            env = {k: v for k, v in os.environ.items() if not k.startswith("SBZOOM_")}
            env.update(sandbox.env)
            env.update(
                SBZOOM_CONFIG=f"{home}/config.toml",
                SBZOOM_DATA_DIR=f"{home}/data",
                SBZOOM_SECRET_BACKEND="file",
                SBZOOM_ZOOM_DAILY_LIMIT=str(10**7),  # set-up links everything in one go
            )
            sbzoom = [sys.executable, "-m", "sbzoom"]
            settings = {
                **HOSTS,
                "services.1": "online",
                "services.2": "online",
                "services.3": "class",
                "zoom.max_rps": "1000",  # set-up only: the sandbox's limits are off for it
                "simplybook.max_rps": "100",
            }
            for key, value in settings.items():
                subprocess.run([*sbzoom, "config", "set", key, value], env=env, check=True,
                               capture_output=True)  # fmt: skip
            link = [*sbzoom, "bookings", "link", "--to", "+30d", "--json"]
            first = subprocess.run(link, env=env, capture_output=True, text=True, check=False)
            linked = json.loads(first.stdout)["summary"] if first.stdout.strip() else {}
            # The measured run: the real limits on, the default Zoom rate.
            sandbox.configure_faults(zoom_plan="pro")
            subprocess.run([*sbzoom, "config", "unset", "zoom.max_rps"], env=env, check=True,
                           capture_output=True)  # fmt: skip
            ledger = Path(home) / "data" / "ledger-default.sqlite3"
            before = ledger_changes(ledger)
            sandbox.clear_requests()
            started = time.monotonic()
            again = subprocess.run(link, env=env, capture_output=True, text=True, check=False)
            wall = time.monotonic() - started
            wrote = ledger_changes(ledger) != before
        summary = json.loads(again.stdout)["summary"] if again.stdout.strip() else {}
        routes = Counter(r.route for r in sandbox.requests("zoom"))
        sb_routes = Counter(r.route for r in sandbox.requests("simplybook"))
        per_host = Counter(str(m.get("host_id", "")) for m in sandbox.meetings())
        host_pages = sum(math.ceil(n / ZOOM_PAGE) for n in per_host.values() if n)
        bookings = sum(summary.values())
        return {
            "size": float(size),
            "bookings": float(bookings),
            "first_linked": float(linked.get("created", 0)),
            "unchanged": float(summary.get("unchanged", 0)),
            "wall": wall,
            "per_booking_ms": wall / max(1, bookings) * 1000,
            "zoom_requests": float(sum(routes.values())),
            "zoom_lists": float(routes.get("meetings.list", 0)),
            "host_pages": float(host_pages),
            "sb_requests": float(sum(sb_routes.values())),
            "sb_booking_pages": float(sb_routes.get("bookings.list", 0)),
            "wrote": float(wrote),
            "exit": float(again.returncode),
        }
    finally:
        sandbox.stop()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="1000,5000,20000")
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args()
    results = []
    for size in (int(x) for x in args.sizes.split(",")):
        r = run(size)
        print(r, flush=True)
        results.append(r)
    first = results[0]
    base = first["per_booking_ms"]

    def marginal(r: dict[str, float]) -> str:
        if r is first:
            return "–"
        extra = (r["wall"] - first["wall"]) / max(1.0, r["bookings"] - first["bookings"])
        return f"{extra * 1000:.2f} ms"

    rows = [
        f"| {r['size']:,.0f} | {r['bookings']:,.0f} | {r['unchanged']:,.0f} | {r['wall']:.1f} s | "
        f"{r['per_booking_ms']:.2f} ms | {marginal(r)} | **{r['per_booking_ms'] / base:.2f}×** | "
        f"{r['zoom_requests']:.0f} ({r['zoom_lists']:.0f} list / {r['host_pages']:.0f} host "
        f"pages) | {r['sb_requests']:.0f} ({r['sb_booking_pages']:.0f} booking pages for "
        f"{math.ceil(r['bookings'] / 100)} hundreds) | {'yes' if r['wrote'] else 'no'} | "
        f"{r['exit']:.0f} |"
        for r in results
    ]
    section = "\n".join(
        [
            "## No-op run",
            "",
            f"Measured {date.today().isoformat()} with `python bench/noop.py` on "
            f"{platform.platform()}, {os.cpu_count()} CPUs, Python {platform.python_version()}.",
            "A second `bookings link --to +30d` right after a first one linked everything, "
            "against the sandbox enforcing a Pro account's limits, default `zoom.max_rps`, "
            "`simplybook.max_rps 100`. Baseline: time per booking at the smallest size, same run.",
            "",
            "| generated | bookings in window | unchanged | wall time | per booking | marginal "
            "per booking | growth | Zoom requests | SimplyBook requests | ledger written | exit |",
            "|---|---|---|---|---|---|---|---|---|---|---|",
            *rows,
            "",
            "*Growth* is time per booking over the smallest size's (it falls while the fixed "
            "start-up and sign-in dominate); *marginal* is the extra time per extra booking "
            "over the smallest size. "
            "Targets: growth ≤ 1 (flat cost per booking), at most one Zoom list call per host "
            "page and one SimplyBook page per 100 bookings, nothing written. Not covered: "
            "SimplyBook's default pace (2 requests/s: 50 s of waiting per 10,000 bookings, the "
            "same at any size per booking), a ledger with years of history, write-back.",
            "",
        ]
    )
    if not args.no_write:
        write_section("No-op run", section)


if __name__ == "__main__":
    main()
