"""`sbzoom listen` end to end: a real listener process, the sandbox sending callbacks and
webhooks to it, and nothing else linking (no `bookings link` run in these tests unless said)."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from sbzoom.core.listen.verify import zoom_signature
from sbzoom.sandbox import Sandbox
from sbzoom.sandbox.data import ZOOM_ACCOUNT_ID, ZOOM_BEN_ID
from tests.conftest import Home
from tests.listen_harness import Listener
from tests.reliability.harness import BASE_OPTIONS, Installation, install, marker_of
from tests.sandbox_fixture import MakeSandbox

BEN = ZOOM_BEN_ID
WITHIN = 5.0  # seconds: the promise for each change


@pytest.fixture
def setup(home: Home, make_sandbox: MakeSandbox) -> Installation:
    return install(home, make_sandbox(**BASE_OPTIONS))


def meetings_of(sandbox: Sandbox, key: str) -> list[dict[str, Any]]:
    return [m for m in sandbox.meetings() if marker_of(m) == key]


def local_start(sandbox: Sandbox, days: int, hour: int) -> str:
    day = datetime.now(sandbox.zone).date() + timedelta(days=days)
    return f"{day.isoformat()} {hour:02d}:00:00"


def test_booking_created_moved_cancelled_in_simplybook_follows_in_zoom_by_the_listener_alone(
    setup: Installation,
) -> None:
    sandbox = setup.sandbox
    listener = Listener.start(setup)
    try:
        booking = sandbox.add_booking(1, 2, 3, local_start(sandbox, 3, 15))  # intro, Ben
        key = f"b{booking}"
        took = listener.wait_for(lambda: len(meetings_of(sandbox, key)) == 1, WITHIN)
        assert took < WITHIN
        meeting = meetings_of(sandbox, key)[0]
        assert meeting["host_id"] == BEN

        sandbox.move_booking(booking, local_start(sandbox, 4, 11))
        wanted = datetime.fromisoformat(local_start(sandbox, 4, 11)).replace(tzinfo=sandbox.zone)
        wanted_utc = wanted.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        listener.wait_for(
            lambda: [m["start_time"] for m in meetings_of(sandbox, key)] == [wanted_utc], WITHIN
        )
        assert meetings_of(sandbox, key)[0]["id"] == meeting["id"]  # moved, not replaced

        sandbox.cancel_booking(booking)
        listener.wait_for(lambda: meetings_of(sandbox, key) == [], WITHIN)
        listener.wait_for(listener.idle)
        # sbzoom's own update and delete came back as webhooks and were ignored, not acted on
        zoom_events = [e for e in listener.events() if e["source"] == "zoom"]
        assert zoom_events and all(e["action"] == "ignored" for e in zoom_events)
        creates = [r for r in sandbox.requests("zoom") if r.route == "meetings.create"]
        assert len(creates) == 1  # one meeting made, moved once, deleted once
    finally:
        assert listener.stop() == 0
    lines = [json.loads(line) for line in listener.raw if line.startswith("{")]
    assert len(lines) == len(listener.raw), listener.raw  # every stderr line is one JSON object
    assert any(r["msg"] == "worker stopped" and r["in_flight_finished"] for r in lines)
    handled = [r for r in lines if r.get("msg") == "event" and r["source"] == "simplybook"]
    assert {r["kind"] for r in handled} == {"create", "change", "cancel"}
    assert all({"booking", "action", "outcome", "ms"} <= set(r) for r in handled)


def test_meeting_deleted_or_moved_in_zoom_is_put_back(setup: Installation) -> None:
    sandbox = setup.sandbox
    listener = Listener.start(setup)
    try:
        booking = sandbox.add_booking(2, 2, 4, local_start(sandbox, 5, 9))
        key = f"b{booking}"
        listener.wait_for(lambda: len(meetings_of(sandbox, key)) == 1, WITHIN)
        first = meetings_of(sandbox, key)[0]

        sandbox.delete_meeting_in_zoom(first["id"])
        listener.wait_for(lambda: len(meetings_of(sandbox, key)) == 1, WITHIN)
        second = meetings_of(sandbox, key)[0]
        assert second["id"] != first["id"]

        start = second["start_time"]
        sandbox.move_meeting_in_zoom(second["id"], datetime.now(UTC) + timedelta(days=9))
        listener.wait_for(lambda: meetings_of(sandbox, key)[0]["start_time"] == start, WITHIN)
        listener.wait_for(listener.idle)
        assert len(meetings_of(sandbox, key)) == 1
        actions = [(e["kind"], e["action"]) for e in listener.events() if e["source"] == "zoom"]
        assert ("meeting.deleted", "recreated") in actions
        assert ("meeting.updated", "restored") in actions
        # and the put-back's own echo was recognised: one restore, no ping-pong
        assert actions.count(("meeting.updated", "restored")) == 1
        audit = {(a["action"], a["booking_id"]) for a in setup.audit()}
        assert ("zoom-deleted", str(booking)) in audit and ("zoom-changed", str(booking)) in audit
        who = {a["actor"] for a in setup.audit() if a["action"].startswith("zoom-")}
        assert len(who) == 1 and who.pop().startswith("listen · ")  # the listener did it
        doctor = setup.run("doctor", "--json", extra_env={"SBZOOM_LISTEN_PORT": str(listener.port)})
        checks = {c["name"]: c for c in json.loads(doctor.stdout)["checks"]}
        assert checks["listener"]["status"] == "ok", checks["listener"]
        assert "last event handled" in checks["listener"]["detail"]
    finally:
        assert listener.stop() == 0
    stopped = setup.run("doctor", "--json", extra_env={"SBZOOM_LISTEN_PORT": str(listener.port)})
    checks = {c["name"]: c for c in json.loads(stopped.stdout)["checks"]}
    assert (
        checks["listener"]["status"] == "warn" and "does not answer" in checks["listener"]["detail"]
    )


def signed(secret: str, body: bytes, stamp: float | None = None) -> dict[str, str]:
    when = str(int(time.time() if stamp is None else stamp))
    return {
        "content-type": "application/json",
        "x-zm-request-timestamp": when,
        "x-zm-signature": zoom_signature(secret, when, body),
    }


def test_forged_replayed_oversized_and_foreign_requests_change_nothing(
    setup: Installation,
) -> None:
    sandbox = setup.sandbox
    listener = Listener.start(setup)
    secret = sandbox.env["SBZOOM_ZOOM_WEBHOOK_SECRET"]
    callback = listener.callback_url()
    good = json.dumps(
        {"booking_id": "1001", "booking_hash": "x", "company": "demo",
         "notification_type": "create"}
    ).encode()  # fmt: skip
    deleted = json.dumps(
        {"event": "meeting.deleted", "payload": {"account_id": ZOOM_ACCOUNT_ID,
         "object": {"id": 123456789}}}
    ).encode()  # fmt: skip
    try:
        with httpx.Client(timeout=5) as http:
            cases = [
                # wrong secret in the path: a plain 404, like any unknown path
                (http.post(f"{listener.url}/simplybook/not-the-secret", content=good), 404),
                (http.post(callback[:-1], content=good), 404),
                # oversized, by declaration and in fact
                (http.post(callback, content=b"{" + b" " * 70_000 + b"}"), 413),
                (http.post(callback, content=b"[1,2"), 400),
                (http.post(callback, content=b'{"booking_id": "x"}'), 400),
                (http.post(callback, content=good.replace(b"demo", b"acme")), 403),
                # Zoom: unsigned, forged, replayed (6 minutes old), signed with another secret
                (http.post(f"{listener.url}/zoom/webhook", content=deleted), 401),
                (http.post(f"{listener.url}/zoom/webhook", content=deleted,
                           headers=signed("forged-secret", deleted)), 401),
                (http.post(f"{listener.url}/zoom/webhook", content=deleted,
                           headers=signed(secret, deleted, time.time() - 360)), 401),
                (http.post(f"{listener.url}/zoom/webhook", content=b"{" + b" " * 70_000 + b"}",
                           headers=signed(secret, b"{" + b" " * 70_000 + b"}")), 413),
                (http.post(f"{listener.url}/zoom/webhook", content=b"nope",
                           headers=signed(secret, b"nope")), 400),
            ]  # fmt: skip
            for number, (answer, status) in enumerate(cases):
                assert answer.status_code == status, (number, answer.text)
                assert secret not in answer.text and callback.rsplit("/", 1)[1] not in answer.text
            health = http.get(f"{listener.url}/healthz").json()
            metrics = http.get(f"{listener.url}/metrics").text
    finally:
        assert listener.stop() == 0
    assert health["queued"] == 0 and health["working"] == 0
    assert 'sbzoom_listen_events_received_total{source="simplybook"} 0' in metrics
    assert 'sbzoom_listen_requests_rejected_total{status="401"} 3' in metrics
    assert sandbox.meetings() == []
    assert [r for r in sandbox.requests() if r.service in ("zoom", "simplybook")] == []
    assert not [e for e in listener.events()]
    # nothing secret in the log lines either
    text = "".join(listener.raw)
    assert secret not in text and callback.rsplit("/", 1)[1] not in text
