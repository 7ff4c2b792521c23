"""The sandbox's own endpoints (sandbox/control.py): the /_control API and /_sandbox settings."""

from __future__ import annotations

import httpx

from tests.sandbox_fixture import MakeSandbox


def test_control_api_drives_the_sandbox_over_http(make_sandbox: MakeSandbox) -> None:
    sandbox = make_sandbox()
    control = f"{sandbox.url}/_control"
    booking_body = {"service_id": 1, "provider_id": 2, "client_id": 3, "start": "2031-01-06 10:00"}
    made = httpx.post(f"{control}/simplybook/bookings", json=booking_body)
    assert made.status_code == 201
    booking = made.json()["id"]
    assert httpx.post(f"{control}/simplybook/bookings/{booking}/cancel").status_code == 200
    assert sandbox.simplybook.booking(booking)["status"] == "canceled"  # type: ignore[index]
    assert httpx.post(f"{control}/zoom/meetings/1/delete").status_code == 404
    assert httpx.post(f"{control}/nope").status_code == 404
    assert httpx.post(f"{control}/zoom/webhook", content=b"{").status_code == 400


def test_control_refusals_say_why_and_are_logged_by_kind(
    make_sandbox: MakeSandbox, http: httpx.Client
) -> None:
    sandbox = make_sandbox()
    control = f"{sandbox.url}/_control"
    missing = http.post(f"{control}/simplybook/bookings/5/move", json={"start": "2031-01-07"})
    assert (missing.status_code, missing.json()) == (404, {"error": "not found: 5"})
    bad = http.post(f"{control}/zoom/meetings/1/move", json={"start_time": "2031-01-01T10:00"})
    assert (bad.status_code, bad.json()) == (400, {"error": "start_time needs a time zone (…Z)"})
    unknown = http.get(f"{control}/simplybook/bookings")  # a POST-only endpoint
    assert (unknown.status_code, unknown.json()) == (404, {"error": "no such control endpoint"})
    assert [(r.service, r.route) for r in sandbox.requests()] == [
        ("control", "control.missing"),
        ("control", "control.bad"),
        ("control", "control.unknown"),
    ]


def test_sandbox_settings_endpoints_serve_the_mailbox_and_refuse_bad_settings(
    make_sandbox: MakeSandbox, http: httpx.Client
) -> None:
    sandbox = make_sandbox()
    settings = f"{sandbox.url}/_sandbox"
    assert http.get(f"{settings}/mail").json() == {"messages": []}
    assert http.delete(f"{settings}/mail").status_code == 204
    faults = http.post(f"{settings}/mail/faults", json={"reject": ["A@client.example"]})
    assert faults.json() == {
        "down": False,
        "reject": ["a@client.example"],
        "defer": [],
        "fail_after": None,
    }
    refused = http.post(f"{settings}/mail/faults", json={"bogus": 1})
    assert refused.status_code == 400
    assert refused.json()["message"].startswith("bad fault settings: ")
    nothing = http.get(f"{settings}/nothing")
    assert (nothing.status_code, nothing.json()) == (404, {"message": "Not Found"})
    assert [r.route for r in sandbox.requests("control")] == [
        "control.mail",
        "control.mail",
        "control.mail.faults",
        "control.mail.faults",
        "control.nothing",
    ]
