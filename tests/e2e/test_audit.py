"""`sbzoom audit` end to end against the sandbox: what sbzoom changed for a booking, and when."""

from __future__ import annotations

import getpass
import socket

import pytest
from rich.cells import cell_len

from sbzoom.sandbox import Sandbox
from tests.conftest import Home
from tests.e2e.test_admin_view import DATE, run_json, table_rows
from tests.e2e.test_link import link, setup

# Who this test process is, and where, as sbzoom names them in the audit log.
WHERE = f"{getpass.getuser()}@{socket.gethostname().split('.')[0]}"


def test_audit_answers_what_happened_to_a_booking(
    home: Home, sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    env = setup(home, sandbox)
    empty = home.run("audit", extra_env=env)
    assert empty.exit_code == 0 and "Nothing recorded yet" in empty.stderr
    assert link(home, env)[0] == 0
    code, log = run_json(home, env, "audit")
    assert code == 0 and {e["action"] for e in log} >= {"create", "add-registrant"}
    assert all(isinstance(e["booking_id"], int) for e in log)
    assert {e["who"] for e in log} == {f"bookings link · {WHERE}"}
    mine = home.run("audit", "1001", extra_env=env)
    assert mine.exit_code == 0
    rows = table_rows(mine.stdout.replace("\n2", "\n\n2"))  # rows start with the date
    lines = mine.stdout.splitlines()
    assert lines[0].split()[:3] == ["WHEN", "BOOKING", "ACTION"] and " WHO " in lines[0]
    assert len(lines) == 2 and DATE.match(lines[1]) and " 1001 " in lines[1]
    assert " create " in lines[1] and " bookings link" in lines[1] and not rows
    assert all(cell_len(line) <= 80 for line in lines)  # the tests' terminal is 80 wide
    full = home.run("audit", extra_env=env).stdout.splitlines()
    assert full[0].split()[-1] == "WHO" and all(cell_len(line) <= 80 for line in full)
    assert all(f"  bookings link · {WHERE}"[:16] in line for line in full[1:])
    monkeypatch.setenv("COLUMNS", "120")
    wide = home.run("audit", extra_env=env).stdout.splitlines()
    assert all(cell_len(line) <= 120 for line in wide)
    assert all(f"  bookings link · {WHERE}" in line for line in wide[1:])
    code, later = run_json(home, env, "audit", "--since", "tomorrow")
    assert code == 0 and later == []
    bad = home.run("audit", "abc", extra_env=env)
    assert bad.exit_code == 2 and "not a number" in bad.stderr
