"""The README's first command, `scripts/demo`, run as a user runs it: it must end with a report in
which every online booking is linked (but the unmapped provider's) and the class clients have
distinct links into one meeting."""

from __future__ import annotations

import csv
import io
import os
import re
import subprocess
from collections import defaultdict
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
REPORT_COMMAND = "$ sbzoom report meetings --from today --to +14d"


@pytest.mark.slow
def test_demo_links_every_online_booking_and_gives_class_clients_their_own_links(
    tmp_path: Path, zoom_exchange_file: Path
) -> None:
    # The demo must not need (or touch) any sbzoom setting of the caller's shell.
    env = {k: v for k, v in os.environ.items() if not k.startswith("SBZOOM_")}
    env.update(SBZOOM_CONFIG=str(tmp_path / "not-used.toml"), TMPDIR=str(tmp_path))
    # Its sandbox records every Zoom exchange; tests/contract judges them after this test.
    env["SBZOOM_DEMO_RECORD_EXCHANGES"] = str(zoom_exchange_file)
    done = subprocess.run(
        [str(ROOT / "scripts" / "demo")],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    for command in (
        "$ sbzoom auth status",
        "$ sbzoom providers map --auto",
        '$ sbzoom services enable-online "Intro Consultation" "Nutrition Coaching" '
        '"Group Yoga Class"',
        "$ sbzoom bookings link --from today --to +14d",
    ):
        assert command in done.stdout
    assert done.stdout.count(REPORT_COMMAND) == 1
    # `sbzoom listen` linked a booking made in the sandbox, with no `bookings link` run
    assert "$ sbzoom listen --print-urls" in done.stdout
    seconds = re.search(r"has its Zoom link ([0-9.]+) s later", done.stdout)
    assert seconds is not None, done.stdout
    assert float(seconds.group(1)) < 10
    assert re.search(r'"kind": "create", "booking": "\d+", "action": "created"', done.stdout)
    after = done.stdout.split(REPORT_COMMAND + "\n", 1)[1]
    report = after.split("\n$ ", 1)[0]
    mail = after.split("\n$ sbzoom sandbox mail", 1)[1]
    rows = list(csv.DictReader(io.StringIO(report, newline="")))

    assert rows
    for row in rows:
        if row["provider"] == "Dan Whitfield":  # the demo provider with no Zoom user
            assert row["status"] == "missing", row
        elif str(row["booking_id"]) == "1008":  # cancelled by the client
            assert row["status"] == "cancelled", row
        else:
            assert row["status"] == "linked", row
            assert row["join_url"] and row["meeting_id"]
            assert row["delivery"] == "sent", row  # the client and provider were e-mailed
    assert any(r["provider"] == "Dan Whitfield" for r in rows)

    sessions: dict[str, list[dict[str, str]]] = defaultdict(list)
    for row in rows:
        if row["service"] == "Group Yoga Class":
            sessions[row["start"]].append(row)
    assert max(len(clients) for clients in sessions.values()) >= 2
    for clients in sessions.values():
        assert len({c["meeting_id"] for c in clients}) == 1
        assert len({c["join_url"] for c in clients}) == len(clients)
        # each a personal registrant link (Zoom's ?tk= form), never the meeting's generic link
        assert all("tk=" in c["join_url"] for c in clients), clients

    # Support staff's view: where booking 1001 stands, and the audit of what sbzoom did to it.
    show = done.stdout.split("$ sbzoom bookings show 1001\n", 1)[1]
    assert show.startswith("linked: meeting ") and "hosted by ben.okafor@" in show
    audit = done.stdout.split("$ sbzoom audit 1001\n", 1)[1].splitlines()
    assert audit[0].split()[:3] == ["WHEN", "BOOKING", "ACTION"]
    assert audit[1].split()[3:6] == ["1001", "create", "ok"]
    # who made it, and the detail naming the host, each cut to fit 80 columns when need be
    # (how much depends on this machine's user and host name)
    assert "bookings link" in audit[1] and "host ben" in audit[1]
    # The demo ends by showing one client's message and its calendar invite.
    shown = mail.split("$ sbzoom sandbox mail --show", 1)[1]
    assert "To: Maria Gonzalez <maria.gonzalez@client.example>" in shown
    assert "METHOD:REQUEST" in shown and "DTSTART;TZID=America/New_York:" in shown
    linked = next(r for r in rows if r["booking_id"] == "1001")
    assert linked["join_url"] in shown.replace("\n ", "")
    # The demo really talked to Zoom (the exchanges are judged against the spec after the test).
    assert zoom_exchange_file.read_text().count('"route": "meetings.create"') >= 5

    # Nothing is left behind: the sandbox was stopped and its directory removed.
    assert not list(tmp_path.glob("sbzoom-demo.*"))
    assert not (tmp_path / "not-used.toml").exists()
