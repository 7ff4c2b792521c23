"""E-mail notices end to end: the real CLI, the sandbox's Zoom + SimplyBook, and its SMTP server."""

from __future__ import annotations

import base64
import json
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from datetime import timedelta
from typing import Any

import httpx
import icalendar
import pytest

from sbzoom.sandbox import Sandbox
from sbzoom.sandbox.data import ZOOM_ALICE_ID, ZOOM_BEN_ID, ZOOM_CHLOE_ID
from tests.conftest import Home

ALICE, BEN, CHLOE = ZOOM_ALICE_ID, ZOOM_BEN_ID, ZOOM_CHLOE_ID
# Linked demo bookings: 1001 1002 1007 1010 one-to-one; 1004-1006 one yoga session; 1011 another.
CLIENT_BOOKINGS = {"1001", "1002", "1004", "1005", "1006", "1007", "1010", "1011"}
PROVIDER_THREADS = 6  # four one-to-one bookings and two class sessions


def setup(home: Home, sandbox: Sandbox, **extra: str) -> dict[str, str]:
    settings = {
        "simplybook.max_rps": "200",
        "zoom.max_rps": "20",  # the sandbox enforces a Pro account's limits
        "providers.1": ALICE,
        "providers.2": BEN,
        "providers.3": CHLOE,
        "services.1": "online",
        "services.2": "online",
        "services.3": "class",
        "notify.email": "true",
        **sandbox.smtp_settings,
        **extra,
    }
    for key, value in settings.items():
        result = home.run("config", "set", key, value)
        assert result.exit_code == 0, result.stderr
    return dict(sandbox.env)


def link(home: Home, env: dict[str, str], *args: str) -> tuple[int, dict[str, Any], str]:
    result = home.run("bookings", "link", "--json", *args, extra_env=env)
    return result.exit_code, json.loads(result.stdout), result.stderr


def notices(sandbox: Sandbox) -> list[str]:
    return [str(m.parsed()["X-Sbzoom-Notice"]) for m in sandbox.mail.messages()]


def invite_of(message: Any) -> icalendar.Calendar:
    data = message.invite()
    assert data is not None
    return icalendar.Calendar.from_ical(data)


def event_of(message: Any) -> Any:
    return invite_of(message).walk("VEVENT")[0]


def by_thread(sandbox: Sandbox, thread: str) -> list[Any]:
    return [
        m
        for m in sandbox.mail.messages()
        if str(m.parsed()["X-Sbzoom-Notice"]).startswith(thread + "/")
    ]


def test_one_message_per_client_and_provider_and_a_rerun_sends_nothing(
    home: Home, sandbox: Sandbox
) -> None:
    env = setup(home, sandbox)
    code, report, stderr = link(home, env)
    assert code == 0, stderr
    sent = notices(sandbox)
    clients = Counter(n.split("/")[0] for n in sent if n.startswith("c"))
    providers = Counter(n.split("/")[0] for n in sent if n.startswith("p"))
    assert set(clients) == {f"c{b}" for b in CLIENT_BOOKINGS}
    assert set(clients.values()) == {1}
    assert len(providers) == PROVIDER_THREADS and set(providers.values()) == {1}
    assert report["notices"]["summary"] == {"sent": len(sent), "pending": 0, "failed": 0}
    # Each client's mail goes to them, with their own link (the class: a personal one).
    for message in sandbox.mail.messages():
        assert len(message.rcpt_tos) == 1
    links = {str(r["booking_id"]): r["join_url"] for r in report["results"]}
    for booking in CLIENT_BOOKINGS:
        (message,) = by_thread(sandbox, f"c{booking}")
        body = message.parsed().get_body(("plain",)).get_content()
        assert links[booking] and links[booking] in body
        assert str(event_of(message)["LOCATION"]) == links[booking]
    # Second run: nothing new.
    code, report, stderr = link(home, env)
    assert code == 0, stderr
    assert len(sandbox.mail.messages()) == len(sent)
    assert report["notices"]["results"] == []


def test_invite_has_the_fields_a_calendar_needs(home: Home, sandbox: Sandbox) -> None:
    env = setup(home, sandbox)
    assert link(home, env)[0] == 0
    (message,) = by_thread(sandbox, "c1001")
    parsed = message.parsed()
    assert message.rcpt_tos == ("maria.gonzalez@client.example",)
    # text/calendar with METHOD (what mail clients act on) and the same as invite.ics
    calendar_part = next(p for p in parsed.walk() if p.get_content_type() == "text/calendar")
    assert calendar_part.get_param("method") == "REQUEST"
    calendar = invite_of(message)
    assert str(calendar["METHOD"]) == "REQUEST"
    event = calendar.walk("VEVENT")[0]
    assert str(event["UID"]).startswith("sbzoom-demo-c1001@")
    assert int(event["SEQUENCE"]) == 0
    start = event.decoded("DTSTART")
    assert event["DTSTART"].params["TZID"] == "America/New_York"
    assert start.tzinfo is not None and start.hour == 10
    assert event.decoded("DTEND") - start == timedelta(minutes=30)
    assert calendar.walk("VTIMEZONE"), "the invite carries its time zone definition"
    assert str(event["ORGANIZER"]) == "mailto:bookings@sbzoom-demo.example"
    assert str(event["ATTENDEE"]) == "mailto:maria.gonzalez@client.example"
    assert str(event["STATUS"]) == "CONFIRMED"
    assert "Intro Consultation" in str(event["SUMMARY"])


def test_reschedule_sends_one_update_and_cancel_one_cancel(home: Home, sandbox: Sandbox) -> None:
    env = setup(home, sandbox)
    assert link(home, env)[0] == 0
    (first,) = by_thread(sandbox, "c1001")
    uid = str(event_of(first)["UID"])
    start = event_of(first).decoded("DTSTART")
    sandbox.move_booking(1001, (start + timedelta(hours=2)).replace(tzinfo=None))
    before = len(sandbox.mail.messages())
    code, _, stderr = link(home, env)
    assert code == 0, stderr
    new = sandbox.mail.messages()[before:]
    assert sorted(notices_of(new)) == ["c1001/1", "pb1001/1"]
    update = next(m for m in new if m.rcpt_tos == ("maria.gonzalez@client.example",))
    event = event_of(update)
    assert str(event["UID"]) == uid and int(event["SEQUENCE"]) == 1
    assert event.decoded("DTSTART").hour == start.hour + 2
    assert str(invite_of(update)["METHOD"]) == "REQUEST"

    sandbox.cancel_booking(1001)
    before = len(sandbox.mail.messages())
    assert link(home, env)[0] == 0
    new = sandbox.mail.messages()[before:]
    assert sorted(notices_of(new)) == ["c1001/2", "pb1001/2"]
    for message in new:
        calendar = invite_of(message)
        assert str(calendar["METHOD"]) == "CANCEL"
        event = calendar.walk("VEVENT")[0]
        assert str(event["STATUS"]) == "CANCELLED" and int(event["SEQUENCE"]) == 2
    # and nothing more after that
    before = len(sandbox.mail.messages())
    assert link(home, env)[0] == 0
    assert len(sandbox.mail.messages()) == before


def notices_of(messages: list[Any]) -> list[str]:
    return [str(m.parsed()["X-Sbzoom-Notice"]) for m in messages]


def test_smtp_outage_loses_nothing_and_the_next_run_sends(home: Home, sandbox: Sandbox) -> None:
    env = setup(home, sandbox)
    sandbox.mail.configure(fail_after=3)  # the server goes away after three messages
    code, report, stderr = link(home, env)
    assert code == 5, stderr  # meetings fine; e-mail waits: run again later
    assert len(sandbox.mail.messages()) == 3
    summary = report["notices"]["summary"]
    assert summary["sent"] == 3 and summary["pending"] == 11 and summary["failed"] == 0
    # the report shows it
    rows = json.loads(home.run("report", "meetings", "--format", "json", extra_env=env).stdout)
    states = Counter(r["delivery"] for r in rows if r["status"] == "linked")
    assert states["pending"] > 0
    sandbox.mail.configure(fail_after=None)
    code, report, stderr = link(home, env)
    assert code == 0, stderr
    threads = Counter(n.split("/")[0] for n in notices(sandbox))
    assert len(threads) == len(CLIENT_BOOKINGS) + PROVIDER_THREADS
    assert set(threads.values()) == {1}  # nothing sent twice, nothing skipped
    rows = json.loads(home.run("report", "meetings", "--format", "json", extra_env=env).stdout)
    assert {r["delivery"] for r in rows if r["status"] == "linked"} == {"sent"}


def test_smtp_down_from_the_start_then_up(home: Home, sandbox: Sandbox) -> None:
    env = setup(home, sandbox)
    sandbox.mail.configure(down=True)
    code, report, stderr = link(home, env)
    assert code == 5, stderr
    assert "connection refused" in stderr.lower() or "pending" in stderr
    assert report["summary"]["created"] == 8  # the meetings were made all the same
    sandbox.mail.configure(down=False)
    assert link(home, env)[0] == 0
    assert len(sandbox.mail.messages()) == len(CLIENT_BOOKINGS) + PROVIDER_THREADS


def test_rejected_address_is_failed_with_reason_others_go(home: Home, sandbox: Sandbox) -> None:
    env = setup(home, sandbox)
    sandbox.mail.configure(reject=["james.chen@client.example"])
    code, report, _ = link(home, env)
    assert code == 1
    failed = [r for r in report["notices"]["results"] if r["status"] == "failed"]
    assert [(f["booking_id"], f["to"]) for f in failed] == [(1002, "james.chen@client.example")]
    assert "550" in failed[0]["reason"]
    assert len(sandbox.mail.messages()) == len(CLIENT_BOOKINGS) + PROVIDER_THREADS - 1
    rows = json.loads(home.run("report", "meetings", "--format", "json", extra_env=env).stdout)
    assert next(r["delivery"] for r in rows if r["booking_id"] == 1002) == "failed"


def test_wrong_smtp_password_exits_4_naming_the_fix(home: Home, sandbox: Sandbox) -> None:
    env = setup(home, sandbox)
    env["SBZOOM_SMTP_PASSWORD"] = "wrong-password"
    code, report, stderr = link(home, env)
    assert code == 4
    assert "refused the sign-in" in stderr and "auth login smtp" in stderr
    assert "wrong-password" not in stderr
    assert report["summary"]["created"] == 8
    assert sandbox.mail.messages() == []
    # nothing lost: with the right password the next run sends everything
    env["SBZOOM_SMTP_PASSWORD"] = sandbox.env["SBZOOM_SMTP_PASSWORD"]
    assert link(home, env)[0] == 0
    assert len(sandbox.mail.messages()) == len(CLIENT_BOOKINGS) + PROVIDER_THREADS


def test_debug_masks_the_smtp_sign_in(home: Home, sandbox: Sandbox) -> None:
    env = setup(home, sandbox)
    result = home.run("--debug", "bookings", "link", "1001", extra_env=env)
    assert result.exit_code == 0, result.stderr
    assert "AUTH" in result.stderr and "***" in result.stderr
    password = sandbox.env["SBZOOM_SMTP_PASSWORD"]
    import base64

    plain = base64.b64encode(f"\0sbzoom-demo\0{password}".encode()).decode()
    assert password not in result.stderr and plain not in result.stderr
    # the messages (join links with passcodes) are shown by size only
    assert "<message," in result.stderr and "BEGIN:VCALENDAR" not in result.stderr


def test_dry_run_lists_messages_and_sends_nothing(home: Home, sandbox: Sandbox) -> None:
    env = setup(home, sandbox)
    code, report, stderr = link(home, env, "--dry-run")
    assert code == 0, stderr
    would = [r for r in report["notices"]["results"] if r["status"] == "would-send"]
    assert {str(r["booking_id"]) for r in would if r["role"] == "client"} == CLIENT_BOOKINGS
    assert sandbox.mail.messages() == []


def test_bookings_notify_resend(home: Home, sandbox: Sandbox) -> None:
    env = setup(home, sandbox)
    assert link(home, env)[0] == 0
    before = len(sandbox.mail.messages())
    result = home.run("bookings", "notify", "1001", "--json", extra_env=env)
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["results"] == []  # already sent: nothing to do
    result = home.run("bookings", "notify", "1001", "--resend", "--json", extra_env=env)
    assert result.exit_code == 0, result.stderr
    new = sandbox.mail.messages()[before:]
    assert sorted(notices_of(new)) == ["c1001/1", "pb1001/1"]


def test_class_via_zoom_sends_no_client_mail_for_classes(home: Home, sandbox: Sandbox) -> None:
    env = setup(home, sandbox, **{"notify.class_via": "zoom"})
    assert link(home, env)[0] == 0
    sent = notices(sandbox)
    assert not any(n.startswith(("c1004", "c1005", "c1006", "c1011")) for n in sent)
    class_meetings = [m for m in sandbox.meetings() if m["settings"].get("approval_type") == 1]
    assert class_meetings
    assert all(m["settings"]["registrants_confirmation_email"] for m in class_meetings)


def test_sandbox_mail_listing(home: Home, sandbox: Sandbox) -> None:
    env = setup(home, sandbox)
    assert link(home, env, "1001")[0] == 0
    listed = httpx.get(f"{sandbox.url}/_sandbox/mail").json()["messages"]
    assert {m["notice"] for m in listed} == {"c1001/0", "pb1001/0"}
    result = home.run("sandbox", "mail", "--json", extra_env=env)
    assert result.exit_code == 0, result.stderr
    assert len(json.loads(result.stdout)) == 2
    result = home.run("sandbox", "mail", "--show", "1", extra_env=env)
    assert "BEGIN:VCALENDAR" in result.stdout or "invite.ics" in result.stdout


@pytest.mark.slow
def test_killed_while_sending_then_rerun_skips_none_repeats_at_most_one(
    home: Home, sandbox: Sandbox
) -> None:
    setup(home, sandbox)
    env = {k: v for k, v in os.environ.items() if not k.startswith("SBZOOM_")}
    env.update(home.env)
    env.update(sandbox.env)
    sandbox.mail.configure(delay=0.3)  # each message is taken, then acknowledged 0.3 s later
    command = [sys.executable, "-m", "sbzoom", "bookings", "link"]
    process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)  # fmt: skip
    deadline = time.monotonic() + 60
    while len(sandbox.mail.messages()) < 4 and time.monotonic() < deadline:
        time.sleep(0.01)
    process.send_signal(signal.SIGKILL)  # while message 4 waits for its 250
    process.wait(timeout=10)
    received_before = len(sandbox.mail.messages())
    assert 4 <= received_before < len(CLIENT_BOOKINGS) + PROVIDER_THREADS
    sandbox.mail.configure(delay=0.0)
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=180,
                          check=False)  # fmt: skip
    assert done.returncode == 0, done.stderr
    threads = Counter(n.split("/")[0] for n in notices(sandbox))
    assert len(threads) == len(CLIENT_BOOKINGS) + PROVIDER_THREADS  # none skipped
    repeated = [t for t, n in threads.items() if n > 1]
    assert len(repeated) <= 1 and all(n <= 2 for n in threads.values())
    # a third run sends nothing
    count = len(sandbox.mail.messages())
    subprocess.run(command, env=env, capture_output=True, timeout=180, check=True)
    assert len(sandbox.mail.messages()) == count


def test_auth_login_smtp_stores_the_password_and_nothing_leaks(
    home: Home, sandbox: Sandbox
) -> None:
    env = setup(home, sandbox)
    password = env.pop("SBZOOM_SMTP_PASSWORD")
    # No password anywhere yet: the first run links, and the notices wait (exit 4 names the fix).
    code, _, stderr = link(home, env)
    assert code == 4 and "auth login smtp" in stderr
    wrong = home.run("auth", "login", "smtp", "--password-stdin", stdin="nope\n", extra_env=env)
    assert wrong.exit_code == 4 and "refused the sign-in" in wrong.stderr
    done = home.run(
        "--debug", "auth", "login", "smtp", "--password-stdin", stdin=password + "\n", extra_env=env
    )
    assert done.exit_code == 0, done.stderr
    result = home.run("--debug", "bookings", "link", "--json", extra_env=env)
    assert result.exit_code == 0, result.stderr
    assert len(sandbox.mail.messages()) == len(CLIENT_BOOKINGS) + PROVIDER_THREADS
    encoded = {
        password,
        base64.b64encode(password.encode()).decode(),
        base64.b64encode(f"\0sbzoom-demo\0{password}".encode()).decode(),
    }
    printed = wrong.stdout + wrong.stderr + done.stdout + done.stderr
    printed += result.stdout + result.stderr
    assert not any(secret in printed for secret in encoded)
    for path in home.root.rglob("*"):
        if path.is_file() and path.name != "secrets.json":
            data = path.read_bytes()
            assert not any(s.encode() in data for s in encoded), path
    assert "smtp.password" in (home.data_dir / "secrets.json").read_text()


def test_booking_deleted_in_simplybook_gets_a_cancel(home: Home, sandbox: Sandbox) -> None:
    env = setup(home, sandbox)
    assert link(home, env)[0] == 0
    sandbox.simplybook.delete_booking(1010)
    before = len(sandbox.mail.messages())
    code, report, stderr = link(home, env)
    assert code == 0, stderr
    assert {str(r["booking_id"]): r["status"] for r in report["results"]}["1010"] == "cancelled"
    new = sandbox.mail.messages()[before:]
    assert sorted(notices_of(new)) == ["c1010/1", "pb1010/1"]
    assert all(str(invite_of(m)["METHOD"]) == "CANCEL" for m in new)


def test_class_client_moving_to_another_session(home: Home, sandbox: Sandbox) -> None:
    env = setup(home, sandbox)
    assert link(home, env)[0] == 0
    (first,) = by_thread(sandbox, "c1006")
    old = event_of(first)
    (session,) = [
        thread
        for thread in {n.split("/")[0] for n in notices(sandbox)}
        if thread.startswith("ps3.1.")
        and "Noah Williams"
        in by_thread(sandbox, thread)[0].parsed().get_body(("plain",)).get_content()
    ]
    start = old.decoded("DTSTART")
    sandbox.move_booking(1006, (start + timedelta(days=1)).replace(tzinfo=None))
    before = len(sandbox.mail.messages())
    code, _, stderr = link(home, env)
    assert code == 0, stderr
    new = notices_of(sandbox.mail.messages()[before:])
    assert "c1006/1" in new  # an updated invite: new time, new personal link
    assert f"{session}/1" in new  # the old session's provider: Noah is no longer listed
    assert any(n.startswith("ps3.1.") and n.endswith("/0") for n in new)  # the new session
    assert len(new) == 3
    (update,) = by_thread(sandbox, "c1006")[1:]
    assert str(event_of(update)["UID"]) == str(old["UID"])
    (listing,) = by_thread(sandbox, session)[1:]
    text = listing.parsed().get_body(("plain",)).get_content()
    assert "Noah Williams" not in text and "Tom Becker" in text


def test_a_deferred_mailbox_waits_while_the_others_go(home: Home, sandbox: Sandbox) -> None:
    env = setup(home, sandbox)
    sandbox.mail.configure(defer=["james.chen@client.example"])  # 450 for one address only
    code, report, stderr = link(home, env)
    assert code == 5, stderr  # nothing failed; one e-mail waits for the next run
    waiting = [r for r in report["notices"]["results"] if r["status"] == "pending"]
    assert [(str(r["booking_id"]), r["to"]) for r in waiting] == [
        ("1002", "james.chen@client.example")
    ]
    assert "450" in waiting[0]["reason"]
    total = len(CLIENT_BOOKINGS) + PROVIDER_THREADS
    assert len(sandbox.mail.messages()) == total - 1
    sandbox.mail.configure(defer=[])
    code, report, stderr = link(home, env)
    assert code == 0, stderr
    assert [r["to"] for r in report["notices"]["results"]] == ["james.chen@client.example"]
    assert len(sandbox.mail.messages()) == total
