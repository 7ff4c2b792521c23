"""The listener's request checks: Zoom's signatures and URL validation, SimplyBook callbacks."""

from __future__ import annotations

import json

import pytest

from sbzoom.core.listen import verify

SECRET = "s3cr3t-token"
NOW = 1_800_000_000.0


def test_zoom_signature_matches_zoom_s_documented_recipe() -> None:
    # v0=HMAC_SHA256(secret, "v0:{ts}:{body}") in hex (zoom-api-notes.md, Webhooks)
    import hashlib
    import hmac

    body = b'{"event":"meeting.deleted"}'
    expected = hmac.new(SECRET.encode(), b"v0:123:" + body, hashlib.sha256).hexdigest()
    assert verify.zoom_signature(SECRET, "123", body) == "v0=" + expected


@pytest.mark.parametrize(
    ("signature", "stamp", "reason"),
    [
        (None, str(int(NOW)), "unsigned"),
        ("v0=00", str(int(NOW)), "bad signature"),
        ("sig", "yesterday", "bad timestamp"),
        ("sig", str(int(NOW - 301)), "stale timestamp"),
        ("sig", str(int(NOW + 301)), "stale timestamp"),
    ],
)
def test_bad_or_stale_signatures_are_401(signature: str | None, stamp: str, reason: str) -> None:
    with pytest.raises(verify.Rejected) as caught:
        verify.check_zoom_signature(SECRET, signature, stamp, b"{}", NOW)
    assert (caught.value.status, caught.value.reason) == (401, reason)


def test_a_fresh_right_signature_passes_in_seconds_or_milliseconds() -> None:
    for stamp in (str(int(NOW - 200)), str(int((NOW - 200) * 1000))):
        verify.check_zoom_signature(
            SECRET, verify.zoom_signature(SECRET, stamp, b"{}"), stamp, b"{}", NOW
        )


def test_url_validation_is_answered_with_the_hmac_of_the_plain_token() -> None:
    body = json.dumps(
        {"event": "endpoint.url_validation", "payload": {"plainToken": "abc"}}
    ).encode()
    notice = verify.zoom_notice(body, SECRET, None)
    assert notice.validation == verify.url_validation_answer(SECRET, "abc")
    assert notice.event is None


def test_zoom_events_keep_only_what_the_worker_needs() -> None:
    body = json.dumps({"event": "meeting.updated", "payload": {
        "account_id": "A1", "operator": "ann@example.com",
        "object": {"id": 42, "start_time": "2030-01-01T10:00:00Z", "password": "p"},
        "old_object": {"id": 42, "start_time": "2030-01-01T09:00:00Z"}}}).encode()  # fmt: skip
    event = verify.zoom_notice(body, SECRET, "A1").event
    assert event is not None and (event.kind, event.key) == ("meeting.updated", "42")
    assert "password" not in event.payload
    with pytest.raises(verify.Rejected) as caught:
        verify.zoom_notice(body, SECRET, "another-account")
    assert caught.value.status == 403
    other = json.dumps({"event": "meeting.started", "payload": {"object": {"id": 1}}}).encode()
    assert verify.zoom_notice(other, SECRET, None) == verify.ZoomNotice()


def test_simplybook_callback_checks() -> None:
    def body(**fields: object) -> bytes:
        return json.dumps({"booking_id": "7", "company": "demo",
                           "notification_type": "create", **fields}).encode()  # fmt: skip

    assert verify.simplybook_event(body(), "Demo") == verify.Event("simplybook", "create", "7")
    assert verify.simplybook_event(body(notification_type="notify"), "demo") is None
    for bad, status in (
        (b"not json", 400),
        (b"[]", 400),
        (body(booking_id="7; drop"), 400),
        (body(notification_type="delete"), 400),
        (body(company="acme"), 403),
    ):
        with pytest.raises(verify.Rejected) as caught:
            verify.simplybook_event(bad, "demo")
        assert caught.value.status == status
    with pytest.raises(verify.Rejected):
        verify.check_size(str(verify.MAX_BODY_BYTES + 1))
    assert verify.same_secret("abc", "abc") and not verify.same_secret("abd", "abc")
    assert not verify.same_secret("", "")  # no secret set never matches
