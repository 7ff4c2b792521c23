"""The router (sandbox/server.py): the request log, and refusals answered in each service's
shape (404 and 405 included)."""

from __future__ import annotations

import httpx

from sbzoom.sandbox import Sandbox
from sbzoom.sandbox.errors import (
    ControlError,
    HtmlPageError,
    SandboxApiError,
    SandboxError,
    SimplyBookApiError,
    ZoomApiError,
    ZoomOAuthError,
    zoom_validation_error,
)
from sbzoom.sandbox.server import error_response
from tests.sandbox._helpers import s2s_token


def test_request_log_records_service_route_and_status(sandbox: Sandbox, http: httpx.Client) -> None:
    s2s_token(http, sandbox)
    http.get(f"{sandbox.simplybook_api_url}/admin/bookings", params={"filter[status]": "pending"})
    oauth, simplybook = sandbox.requests()
    assert (oauth.service, oauth.route, oauth.status) == ("zoom-oauth", "oauth.token", 200)
    assert (simplybook.service, simplybook.method, simplybook.status) == ("simplybook", "GET", 401)
    assert simplybook.path == "/simplybook/admin/bookings"
    assert simplybook.query_params == {"filter[status]": ["pending"]}


def test_each_refusal_is_answered_in_its_services_shape() -> None:
    def answer(error: SandboxError) -> tuple[int, str, bytes]:
        response = error_response(error)
        return response.status, response.headers["Content-Type"], response.body

    json_type = "application/json;charset=UTF-8"
    assert answer(ZoomApiError(404, 3001, "Meeting 1 is not found or has expired.")) == (
        404,
        json_type,
        b'{"code":3001,"message":"Meeting 1 is not found or has expired."}',
    )
    limited = error_response(ZoomApiError(429, 429, "slow down", headers={"Retry-After": "1"}))
    assert limited.headers == {"Content-Type": json_type, "Retry-After": "1"}
    assert answer(zoom_validation_error("topic")) == (
        400,
        json_type,
        b'{"code":300,"message":"Validation Failed.",'
        b'"errors":[{"field":"topic","message":"Invalid field."}]}',
    )
    assert answer(ZoomOAuthError(400, "Invalid Token!", "invalid_grant")) == (
        400,
        json_type,
        b'{"reason":"Invalid Token!","error":"invalid_grant"}',
    )
    assert answer(SimplyBookApiError(419, "Token Expired")) == (
        419,
        json_type,
        b'{"code":419,"message":"Token Expired","data":[],"message_data":[]}',
    )
    assert answer(SimplyBookApiError(400, "Validation error", {"comment": ["Value is required"]}))[
        2
    ] == (
        b'{"code":400,"message":"Validation error",'
        b'"data":{"comment":["Value is required"]},"message_data":[]}'
    )
    assert answer(HtmlPageError(404, "Invalid meeting ID", "Not valid.")) == (
        404,
        "text/html;charset=UTF-8",
        b"<html><head><title>Invalid meeting ID</title></head>"
        b"<body><h1>Invalid meeting ID</h1><p>Not valid.</p></body></html>",
    )
    assert answer(ControlError(404, "not found: 5"))[2] == b'{"error":"not found: 5"}'
    assert answer(SandboxApiError(404, "Not Found"))[2] == b'{"message":"Not Found"}'


def test_unknown_paths_are_404_and_other_methods_405_in_each_services_shape(
    sandbox: Sandbox, http: httpx.Client
) -> None:
    zoom_missing = http.get(f"{sandbox.zoom_api_url}/nothing")
    assert (zoom_missing.status_code, zoom_missing.json()) == (
        404,
        {"code": 404, "message": "Not Found"},
    )
    zoom_method = http.put(f"{sandbox.zoom_api_url}/users")
    assert (zoom_method.status_code, zoom_method.json()["code"]) == (405, 405)
    simplybook = http.post(f"{sandbox.simplybook_api_url}/admin/bookings")
    assert (simplybook.status_code, simplybook.json()) == (
        405,
        {"code": 405, "message": "Method Not Allowed", "data": [], "message_data": []},
    )
    elsewhere = http.get(f"{sandbox.url}/elsewhere")
    assert (elsewhere.status_code, elsewhere.json()["message"]) == (404, "Not Found")
    routes = [(r.service, r.route, r.status) for r in sandbox.requests()]
    assert routes == [
        ("zoom", "unknown", 404),
        ("zoom", "unknown", 405),
        ("simplybook", "unknown", 405),
        ("unknown", "unknown", 404),
    ]
