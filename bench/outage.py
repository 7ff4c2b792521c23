"""How fast `bookings link` gives up when Zoom is down (issue 14, kind 2: the circuit breaker).

Two scenarios, each a real `sbzoom bookings link --json` process; SimplyBook is one sandbox,
Zoom a second sandbox (its OAuth endpoint stays up, so the run has a token):

- down:     Zoom's REST API is a closed port from the start (connection refused), with the demo
            company's bookings in the window (10 online bookings, 8 needing a meeting);
- mid-run:  Zoom answers (20 ms latency) until a third of the meetings exist, then its server
            stops (connections refused and dropped), with ``--bookings`` generated bookings.

For each: wall time, exit code, and how the bookings ended. The baseline is the same scenario
run by an earlier sbzoom (``--baseline SRC``: a ``src`` directory, e.g. from
``git archive <commit> src | tar -x -C /tmp/base``), measured in the same run. Writes the
"Outage" section of bench/RESULTS.md. Not covered: connect timeouts (a host that drops packets
costs 10 s per attempt before the circuit opens), and SimplyBook outages (same mechanism).

    python bench/outage.py [--bookings 60] [--baseline /tmp/base/src]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from _results import write_section  # bench/ is on sys.path when run as a script

from sbzoom.sandbox import Sandbox
from sbzoom.sandbox.data import ZOOM_ALICE_ID, ZOOM_BEN_ID, ZOOM_CHLOE_ID

ROOT = Path(__file__).resolve().parent.parent
HOSTS = {
    "providers.1": ZOOM_ALICE_ID,
    "providers.2": ZOOM_BEN_ID,
    "providers.3": ZOOM_CHLOE_ID,
}


def closed_port_url() -> str:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}/zoom/v2"  # nothing listens there once the socket closes


@dataclass(frozen=True)
class Outcome:
    exit: int
    wall: float
    statuses: dict[str, int]

    @property
    def shown(self) -> str:
        return f"{self.wall:.1f} s / exit {self.exit}"


def run(scenario: str, bookings: int, src: Path) -> Outcome:
    books = Sandbox(bookings=bookings if scenario == "mid-run" else 0, seed=5).start()
    zoom = Sandbox(latency_ms=20, daily_limit=10**6).start()
    stopper: threading.Thread | None = None
    try:
        with tempfile.TemporaryDirectory() as home:
            env = {k: v for k, v in os.environ.items() if not k.startswith("SBZOOM_")}
            env.update(books.env)
            for key in ("SBZOOM_ZOOM_API_URL", "SBZOOM_ZOOM_OAUTH_URL"):
                env[key] = zoom.env[key]
            env.update(
                SBZOOM_CONFIG=f"{home}/config.toml",
                SBZOOM_DATA_DIR=f"{home}/data",
                SBZOOM_SECRET_BACKEND="file",
                PYTHONPATH=str(src),
            )
            sbzoom = [sys.executable, "-m", "sbzoom"]
            settings = {
                **HOSTS,
                "services.1": "online",
                "services.2": "online",
                "services.3": "class",
                "zoom.max_rps": "100",
                "simplybook.max_rps": "100",
            }
            for key, value in settings.items():
                subprocess.run([*sbzoom, "config", "set", key, value], env=env, check=True,
                               capture_output=True)  # fmt: skip
            subprocess.run([*sbzoom, "zoom", "users"], env=env, check=True, capture_output=True)
            if scenario == "down":
                env["SBZOOM_ZOOM_API_URL"] = closed_port_url()
            else:
                target = max(1, bookings // 3)

                def stop_when_a_third_exist() -> None:
                    deadline = time.monotonic() + 300
                    while len(zoom.meetings()) < target and time.monotonic() < deadline:
                        time.sleep(0.01)
                    zoom.stop()

                stopper = threading.Thread(target=stop_when_a_third_exist, daemon=True)
                stopper.start()
            started = time.monotonic()
            done = subprocess.run([*sbzoom, "bookings", "link", "--json"], env=env,
                                  capture_output=True, text=True, check=False)  # fmt: skip
            wall = time.monotonic() - started
        try:
            statuses = Counter(r["status"] for r in json.loads(done.stdout)["results"])
        except ValueError:
            statuses = Counter()
        return Outcome(done.returncode, wall, dict(statuses))
    finally:
        books.stop()
        if stopper is None:
            zoom.stop()
        else:
            stopper.join(timeout=310)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--bookings", type=int, default=60)
    parser.add_argument("--baseline", type=Path, help="src directory of the sbzoom to compare")
    args = parser.parse_args()
    rows = []
    for scenario in ("down", "mid-run"):
        now = run(scenario, args.bookings, ROOT / "src")
        before = run(scenario, args.bookings, args.baseline) if args.baseline else None
        rows.append((scenario, before, now))
        print(scenario, "before:", before, "now:", now, flush=True)
    table = [
        "| scenario | before: wall / exit | now: wall / exit | ratio | now: results |",
        "|---|---|---|---|---|",
    ]
    for scenario, before, now in rows:
        old = before.shown if before else "not measured"
        ratio = f"**{now.wall / before.wall:.2f}**" if before else ""
        shown = ", ".join(f"{n} {s}" for s, n in sorted(now.statuses.items()))
        table.append(f"| {scenario} | {old} | {now.shown} | {ratio} | {shown} |")
    text = (
        "## Outage\n\n"
        f"Measured {date.today()} with `python bench/outage.py --bookings {args.bookings}` on "
        f"{platform.platform()}, {os.cpu_count()} CPUs, Python {platform.python_version()}.\n"
        "`bookings link --json` with Zoom's REST API refused from the start (the demo company: "
        "10 online bookings, 8 needing a meeting), and with Zoom stopping once a third of "
        f'{args.bookings} generated bookings have their meeting. "before" is the sbzoom without '
        "the circuit breaker, measured in the same run. Not covered: hosts that drop packets "
        "(each attempt then waits the 10 s connect timeout until the circuit opens).\n\n"
        + "\n".join(table)
        + "\n"
    )
    write_section("Outage", text)


if __name__ == "__main__":
    main()
