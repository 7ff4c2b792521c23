"""The contract can fail: requests and responses outside Zoom's spec are refused, each with the
operation, the field and the rule. Built with the same Exchange records the sandbox hands out."""

from __future__ import annotations

import json
from typing import Any

import pytest

from sbzoom.sandbox import Exchange
from sbzoom.sandbox.data import ZOOM_BEN_ID
from tests.contract.zoom_spec import Violation, ZoomContract, contract, format_violations

MEETING = {
    "topic": "Intro Consultation with Ben Okafor",
    "type": 2,
    "start_time": "2026-11-28T17:00:00Z",
    "duration": 30,
    "timezone": "America/New_York",
    "agenda": "[sbzoom:b1001] Booking ma5duzb6 for Maria Gonzalez",
    "settings": {
        "waiting_room": True,
        "join_before_host": False,
        "auto_recording": "none",
        "approval_type": 2,
    },
}
CREATE = ("POST", f"/zoom/v2/users/{ZOOM_BEN_ID}/meetings")


def exchange(
    method: str,
    path: str,
    body: Any = None,
    *,
    query: dict[str, list[str]] | None = None,
    status: int = 0,
    response: Any = None,
) -> Exchange:
    return Exchange(
        service="zoom",
        method=method,
        path=path,
        query=query or {},
        request_content_type="application/json" if body is not None else "",
        request_body=b"" if body is None else json.dumps(body).encode(),
        route="test",
        status=status,
        response_content_type="application/json;charset=UTF-8" if response is not None else "",
        response_body=b"" if response is None else json.dumps(response).encode(),
    )


def rules(violations: list[Violation]) -> set[tuple[str, str, str]]:
    return {(v.part, v.field, v.rule.split(":")[0]) for v in violations}


def test_what_sbzoom_sends_to_create_a_meeting_passes() -> None:
    assert contract().check(exchange(*CREATE, MEETING, status=0)) == []


@pytest.mark.parametrize(
    ("change", "field", "rule"),
    [
        ({"topic": "t" * 201}, "topic", "maxLength 200"),
        ({"agenda": "a" * 2001}, "agenda", "maxLength 2000"),
        ({"password": "12345678901"}, "password", "maxLength 10"),
        ({"type": 5}, "type", "enum [1, 2, 3, 8]"),
        ({"duration": "30"}, "duration", 'type "integer"'),
        ({"start_time": "28/11/2026 17:00"}, "start_time", 'format "date-time"'),
        ({"settings": {"approval_type": 3}}, "settings.approval_type", "enum [0, 1, 2]"),
        ({"settings": {"auto_recording": "dropbox"}}, "settings.auto_recording", "enum"),
    ],
)
def test_a_create_body_outside_the_spec_is_refused_naming_field_and_rule(
    change: dict[str, Any], field: str, rule: str
) -> None:
    found = contract().check(exchange(*CREATE, {**MEETING, **change}, status=0))
    assert [(v.operation, v.part, v.field) for v in found] == [
        ("POST /users/{userId}/meetings", "request body", field)
    ]
    assert found[0].rule.startswith(rule), found[0].rule


def test_a_field_zoom_does_not_know_is_refused_because_zoom_would_silently_drop_it() -> None:
    found = contract().check(exchange(*CREATE, {**MEETING, "passcode": "x"}, status=0))
    assert len(found) == 1 and "'passcode' was unexpected" in found[0].rule
    # default_password exists on create but not on update: PATCH must not send it.
    patch = exchange(
        "PATCH", "/zoom/v2/meetings/81234567890", {"default_password": False}, status=0
    )
    assert rules(contract().check(patch)) == {("request body", "", "not in the spec")}


def test_registrant_limits_and_enums() -> None:
    path = "/zoom/v2/meetings/81234567890/registrants"
    good = {"email": "maria.gonzalez@client.example", "first_name": "Maria", "auto_approve": True}
    assert contract().check(exchange("POST", path, good, status=0)) == []
    bad = {
        "email": "m" * 120 + "@client.example",
        "first_name": "M" * 65,
        "language": "en-GB",
    }
    assert rules(contract().check(exchange("POST", path, bad, status=0))) == {
        ("request body", "email", "maxLength 128"),
        ("request body", "first_name", "maxLength 64"),
        (
            "request body",
            "language",
            'enum ["en-US", "de-DE", "es-ES", "fr-FR", "jp-JP", '
            '"pt-PT", "ru-RU", "zh-CN", "zh-TW", "ko-KO", "it-IT", "vi-VN", "pl-PL", '
            '"Tr-TR"]',
        ),
    }
    missing = contract().check(exchange("POST", path, {"email": "a@b.example"}, status=0))
    assert rules(missing) == {("request body", "", 'required ["email", "first_name"]')}


def test_registrant_status_action_is_an_enum() -> None:
    path = "/zoom/v2/meetings/81234567890/registrants/status"
    body = {"action": "remove", "registrants": [{"id": "abc"}]}
    found = contract().check(exchange("PUT", path, body, status=0))
    assert [(v.field, v.rule.split(":")[0]) for v in found] == [
        ("action", 'enum ["approve", "cancel", "deny"]')
    ]


def test_query_parameters_are_declared_and_their_values_fit() -> None:
    judge = contract()
    ok = exchange("GET", "/zoom/v2/users", query={"status": ["active"], "page_size": ["300"]})
    assert judge.check(ok) == []
    bad = exchange(
        "GET",
        "/zoom/v2/users",
        query={"status": ["deleted"], "page_size": ["lots"], "per_page": ["30"]},
    )
    assert rules(judge.check(bad)) == {
        ("query", "status", 'enum ["active", "inactive", "pending"]'),
        ("query", "page_size", "type integer"),
        ("query", "per_page", "parameter not in the spec"),
    }
    delete = exchange(
        "DELETE", "/zoom/v2/meetings/81234567890", query={"cancel_meeting_reminder": ["yes"]}
    )
    assert rules(judge.check(delete, requests=True)) == {
        ("query", "cancel_meeting_reminder", "type boolean")
    }


def test_paths_and_methods_must_exist() -> None:
    judge = contract()
    assert rules(judge.check(exchange("GET", "/zoom/v2/meetings/81234567890/attendees"))) == {
        ("path", "", "no such path in the spec")
    }
    found = judge.check(exchange("POST", "/zoom/v2/meetings/81234567890", {}))
    assert found[0].rule.startswith("the spec has no POST here (it has")
    assert rules(judge.check(exchange("GET", "/zoom/v2/meetings/not-a-number"))) == {
        ("path", "meetingId", "type integer")
    }
    # "me" and e-mails are users too (the spec's oneOf is read as anyOf: specs/zoom/README.md).
    for user in ("me", "ben.okafor%40sbzoom-demo.example", ZOOM_BEN_ID):
        assert judge.check(exchange("GET", f"/zoom/v2/users/{user}")) == []


def test_responses_are_judged_by_the_schema_of_their_status() -> None:
    judge = contract()
    path = "/zoom/v2/meetings/81234567890/registrants"
    good = {"id": 81234567890, "registrant_id": "r1", "join_url": "https://zoom.us/j/1?tk=x"}
    assert judge.check(exchange("POST", path, status=201, response=good), requests=False) == []
    bad = {"id": "81234567890", "registrant_id": "r1", "topic": "t" * 201}
    assert rules(judge.check(exchange("POST", path, status=201, response=bad), requests=False)) == {
        ("response 201", "id", 'type "integer"'),
        ("response 201", "topic", "maxLength 200"),
    }
    # A success the spec does not list (200 where Zoom answers 204) is refused...
    patch = exchange("PATCH", "/zoom/v2/meetings/81234567890", status=200, response={"id": 1})
    assert rules(judge.check(patch, requests=False)) == {
        ("response 200", "", "status not in the spec (204, 300, 400, 404)")
    }
    # ...an error status every Zoom call can answer (401, 429, 5xx) is not judged.
    assert (
        judge.check(exchange("GET", "/zoom/v2/users", status=429, response={}), requests=False)
        == []
    )


def test_oauth_pages_and_doctors_root_probe_are_not_rest_calls() -> None:
    judge = contract()
    root = exchange("GET", "/zoom/v2", status=404, response={"code": 404})
    assert judge.check(root) == []
    oauth = Exchange(**{**exchange("POST", "/zoom/oauth/token").__dict__, "service": "zoom-oauth"})
    assert judge.check(oauth) == []


def test_the_report_has_one_readable_line_per_distinct_violation() -> None:
    bad = exchange(*CREATE, {**MEETING, "topic": "t" * 250}, status=0)
    found = [(v, "POST /zoom/v2/users/x/meetings -> 201") for v in contract().check(bad)] * 3
    text = format_violations(found)
    assert text.count("\n  - ") == 0 and text.startswith("  - POST /users/{userId}/meetings: ")
    assert "request body topic: maxLength 200: 250 characters" in text and "(x3)" in text


def test_a_fresh_contract_applies_the_documented_quirks_only_to_its_copy() -> None:
    from tests.contract.zoom_spec import load_subset

    ZoomContract()
    raw_topic = load_subset()["paths"]["/users/{userId}/meetings"]["post"]["requestBody"]
    assert (
        "maxLength" not in raw_topic["content"]["application/json"]["schema"]["properties"]["topic"]
    )


def test_every_schema_of_the_subset_is_a_valid_draft_4_schema_once_converted() -> None:
    """Each request, parameter and response schema compiles (the quirks fixed), so no exchange
    can break the judge itself (Zoom's registrant status enum repeats its values, for one)."""
    judge = contract()
    compiled = 0
    for operation in judge.operations:
        for parameter in operation.parameters.values():
            judge._validator(parameter.get("schema", {}), strict_objects=False)
            compiled += 1
        body = operation.spec.get("requestBody", {}).get("content", {}).get("application/json")
        if body:
            judge._validator(body["schema"], strict_objects=True)
            compiled += 1
        for response in operation.spec["responses"].values():
            schema = response.get("content", {}).get("application/json", {}).get("schema")
            if schema:
                judge._validator(schema, strict_objects=False)
                compiled += 1
    assert compiled > 30


def test_a_registrant_read_back_is_judged_with_its_repeated_enum_folded() -> None:
    path = "/zoom/v2/meetings/81234567890/registrants/r1"
    good = {"id": "r1", "email": "a@b.example", "first_name": "A", "status": "approved"}
    assert contract().check(exchange("GET", path, status=200, response=good)) == []
    bad = {**good, "status": "cancelled"}
    assert rules(contract().check(exchange("GET", path, status=200, response=bad))) == {
        ("response 200", "status", 'enum ["approved", "denied", "pending"]')
    }
