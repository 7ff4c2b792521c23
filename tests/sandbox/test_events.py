"""The sandbox's outgoing notifications (sandbox/events.py): SimplyBook callbacks and Zoom
webhooks, with the real services' payloads, signatures, URL validation and retry rules (on a
compressed clock)."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx

from sbzoom.sandbox import ZOOM_ACCOUNT_ID, Sandbox
from tests.sandbox._helpers import CLIENT_AUTH
from tests.sandbox_fixture import MakeSandbox


@contextmanager
def receiver(answers: list[int]) -> Iterator[tuple[str, list[dict[str, Any]]]]:
    """A loopback endpoint answering the given statuses in turn (then 200); records requests.
    A URL validation is answered with the given status too, echoing a wrong token."""
    seen: list[dict[str, Any]] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"]))
            seen.append({"headers": {k.lower(): v for k, v in self.headers.items()}, "body": body})
            status = answers.pop(0) if answers else 200
            self.send_response(status)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/hook", seen
    finally:
        server.shutdown()
        server.server_close()


def test_simplybook_callbacks_carry_the_real_shape_and_are_retried_on_failure(
    make_sandbox: MakeSandbox,
) -> None:
    sandbox: Sandbox = make_sandbox(event_time_scale=1 / 6000)  # 10 min → 0.1 s
    with receiver([500, 503]) as (url, seen):
        sandbox.set_callback_url(url)
        booking = sandbox.add_booking(1, 2, 3, "2031-01-06 10:00:00")
        assert sandbox.wait_notifications(20)
    bodies = [json.loads(s["body"]) for s in seen]
    assert len(bodies) == 3  # two failures, then delivered
    assert bodies[0] == {
        "booking_id": str(booking),  # ids arrive as strings
        "booking_hash": bodies[0]["booking_hash"],
        "company": "demo",
        "notification_type": "create",
    }
    assert not any(k.lower().startswith("x-") for k in seen[0]["headers"])  # not signed
    attempts = [(d.kind, d.attempt, d.status) for d in sandbox.deliveries()]
    assert attempts == [("create", 1, 500), ("create", 2, 503), ("create", 3, 200)]


def test_moves_and_cancellations_send_change_and_cancel(make_sandbox: MakeSandbox) -> None:
    sandbox = make_sandbox()
    with receiver([]) as (url, seen):
        sandbox.set_callback_url(url)
        sandbox.move_booking(1001, "2031-01-07 11:00:00")
        sandbox.cancel_booking(1002)
        assert sandbox.wait_notifications(10)
    kinds = [(json.loads(s["body"])["booking_id"], json.loads(s["body"])["notification_type"])
             for s in seen]  # fmt: skip
    assert kinds == [("1001", "change"), ("1002", "cancel")]


def test_zoom_keeps_a_subscription_only_after_a_right_url_validation(
    make_sandbox: MakeSandbox,
) -> None:
    sandbox = make_sandbox()
    with receiver([]) as (url, seen):
        assert sandbox.subscribe_zoom_webhook(url) is False  # answered 200 without the token
    validation = json.loads(seen[0]["body"])
    assert validation["event"] == "endpoint.url_validation"
    assert validation["payload"]["plainToken"]
    # no subscription: a change in Zoom is sent nowhere
    assert sandbox.webhooks.url is None


def test_zoom_webhooks_are_signed_and_retried_only_on_5xx(make_sandbox: MakeSandbox) -> None:
    sandbox = make_sandbox(event_time_scale=1 / 60000)  # 5 min → 5 ms
    secret = sandbox.env["SBZOOM_ZOOM_WEBHOOK_SECRET"]
    with receiver([502, 429]) as (url, seen):
        sandbox.webhooks.url = url  # subscribed (validation tested above)
        token = httpx.post(
            f"{sandbox.zoom_oauth_url}/oauth/token",
            params={"grant_type": "account_credentials", "account_id": ZOOM_ACCOUNT_ID},
            auth=CLIENT_AUTH,
        ).json()["access_token"]
        made = httpx.post(
            f"{sandbox.zoom_api_url}/users/me/meetings",
            headers={"Authorization": f"Bearer {token}"},
            json={"topic": "t", "type": 2, "start_time": "2031-01-06T10:00:00Z", "duration": 30},
        ).json()
        sandbox.delete_meeting_in_zoom(made["id"])  # by a person, in the web portal
        assert sandbox.wait_notifications(10)
    assert [d.status for d in sandbox.deliveries()] == [502, 429]  # no retry after a 4xx
    for request in seen:
        stamp = request["headers"]["x-zm-request-timestamp"]
        message = f"v0:{stamp}:".encode() + request["body"]
        wanted = "v0=" + hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()
        assert request["headers"]["x-zm-signature"] == wanted
    event = json.loads(seen[0]["body"])
    assert event["event"] == "meeting.deleted"
    assert event["payload"]["object"]["id"] == made["id"]
    assert event["payload"]["account_id"] == ZOOM_ACCOUNT_ID
