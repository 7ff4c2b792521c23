"""The sandbox's own endpoints, beside the two services it emulates.

The control API on ``/_control`` does what the people at SimplyBook and Zoom do, for scripts
(``scripts/demo``) and tests driving a sandbox in another process. Each change goes through the
same methods as the Python API, so the callbacks and webhooks follow as they would.

    POST /_control/simplybook/callback        {"url": "http://…/simplybook/<secret>"} (or null)
    POST /_control/simplybook/bookings        {"service_id", "provider_id", "client_id", "start"}
    POST /_control/simplybook/bookings/{id}/move    {"start": "2026-12-01 10:00:00"}
    POST /_control/simplybook/bookings/{id}/cancel
    POST /_control/zoom/webhook               {"url": "http://…/zoom/webhook"}: validated first
    GET  /_control/zoom/meetings
    POST /_control/zoom/meetings/{id}/delete
    POST /_control/zoom/meetings/{id}/move    {"start_time": "2026-12-01T15:00:00Z"}
    GET  /_control/deliveries

A body that is not a JSON object, a missing field or an unknown id (``KeyError``) and a bad value
(``TypeError``, ``ValueError``) are answered by the router: 400, 404 and 400 ``{"error": …}``.

The settings endpoints on ``/_sandbox`` (``sbzoom sandbox mail`` and test setups use them):

    GET    /_sandbox/mail[?raw=1]             the messages the SMTP server received
    DELETE /_sandbox/mail
    POST   /_sandbox/mail/faults              {"down", "reject", "defer", "fail_after", "delay"}
    POST   /_sandbox/zoom/redirect_uris       {"uri": "http://127.0.0.1:PORT/callback"}
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import asdict
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sbzoom.sandbox.errors import SandboxApiError
from sbzoom.sandbox.wire import Handler, Request, Response, RouteTable, json_response, route

if TYPE_CHECKING:
    from sbzoom.sandbox.sandbox import Sandbox

ControlHandler = Callable[["Sandbox", "re.Match[str]", dict[str, Any]], Response]


def request_fields(request: Request) -> dict[str, Any]:
    """The JSON object a control call sends (none: no fields)."""
    return request.json_object() if request.body.strip() else {}


# -- /_control -------------------------------------------------------------------------------------


def set_callback_url(sandbox: Sandbox, match: re.Match[str], data: dict[str, Any]) -> Response:
    sandbox.set_callback_url(data.get("url") or None)
    return json_response(200, {"url": data.get("url")})


def add_booking(sandbox: Sandbox, match: re.Match[str], data: dict[str, Any]) -> Response:
    booking_id = sandbox.add_booking(
        int(data["service_id"]),
        int(data["provider_id"]),
        int(data["client_id"]),
        str(data["start"]),
    )
    return json_response(201, {"id": booking_id})


def move_booking(sandbox: Sandbox, match: re.Match[str], data: dict[str, Any]) -> Response:
    booking_id = int(match.group(1))
    sandbox.move_booking(booking_id, str(data["start"]))
    return json_response(200, {"id": booking_id})


def cancel_booking(sandbox: Sandbox, match: re.Match[str], data: dict[str, Any]) -> Response:
    booking_id = int(match.group(1))
    sandbox.cancel_booking(booking_id)
    return json_response(200, {"id": booking_id})


def subscribe_zoom_webhook(
    sandbox: Sandbox, match: re.Match[str], data: dict[str, Any]
) -> Response:
    ok = sandbox.subscribe_zoom_webhook(str(data["url"]))
    return json_response(200 if ok else 409, {"validated": ok})


def zoom_meetings(sandbox: Sandbox, match: re.Match[str], data: dict[str, Any]) -> Response:
    return json_response(200, sandbox.meetings())


def delete_zoom_meeting(sandbox: Sandbox, match: re.Match[str], data: dict[str, Any]) -> Response:
    meeting_id = int(match.group(1))
    sandbox.delete_meeting_in_zoom(meeting_id)
    return json_response(200, {"id": meeting_id})


def move_zoom_meeting(sandbox: Sandbox, match: re.Match[str], data: dict[str, Any]) -> Response:
    meeting_id = int(match.group(1))
    start = datetime.fromisoformat(str(data["start_time"]).replace("Z", "+00:00"))
    if start.tzinfo is None:
        raise ValueError("start_time needs a time zone (…Z)")
    sandbox.move_meeting_in_zoom(meeting_id, start)
    return json_response(200, {"id": meeting_id})


def deliveries(sandbox: Sandbox, match: re.Match[str], data: dict[str, Any]) -> Response:
    return json_response(200, [asdict(d) for d in sandbox.deliveries()])


def control_routes(sandbox: Sandbox) -> RouteTable:
    """The ``/_control`` endpoints (paths relative to it); a route's name is its log's."""

    def call(handler: ControlHandler) -> Handler:
        def run(request: Request, match: re.Match[str]) -> Response:
            return handler(sandbox, match, request_fields(request))

        return run

    bookings = r"/simplybook/bookings/(\d+)"
    meetings = r"/zoom/meetings/(\d+)"
    return RouteTable(
        [
            route("POST", "/simplybook/callback", "control.callback", call(set_callback_url)),
            route("POST", "/simplybook/bookings", "control.book", call(add_booking)),
            route("POST", f"{bookings}/move", "control.move", call(move_booking)),
            route("POST", f"{bookings}/cancel", "control.cancel", call(cancel_booking)),
            route("POST", "/zoom/webhook", "control.subscribe", call(subscribe_zoom_webhook)),
            route("GET", "/zoom/meetings", "control.meetings", call(zoom_meetings)),
            route("POST", f"{meetings}/delete", "control.zoom-delete", call(delete_zoom_meeting)),
            route("POST", f"{meetings}/move", "control.zoom-move", call(move_zoom_meeting)),
            route("GET", "/deliveries", "control.deliveries", call(deliveries)),
        ]
    )


# -- /_sandbox -------------------------------------------------------------------------------------


def settings_routes(sandbox: Sandbox) -> RouteTable:
    """The ``/_sandbox`` endpoints (whole paths); the log names them by path alone."""

    def mail(request: Request, match: re.Match[str]) -> Response:
        raw = request.query.get("raw", ["0"])[0] in ("1", "true")
        messages = [m.to_json(raw=raw) for m in sandbox.mail.messages()]
        return json_response(200, {"messages": messages})

    def clear_mail(request: Request, match: re.Match[str]) -> Response:
        sandbox.mail.clear()
        return Response(204, b"", {})

    def mail_faults(request: Request, match: re.Match[str]) -> Response:
        try:
            changes = json.loads(request.body or b"{}")
            faults = sandbox.mail.configure(**changes)
        except (ValueError, TypeError) as exc:
            raise SandboxApiError(400, f"bad fault settings: {exc}") from None
        return json_response(
            200,
            {
                "down": faults.down,
                "reject": sorted(faults.reject),
                "defer": sorted(faults.defer),
                "fail_after": faults.fail_after,
            },
        )

    def register_redirect_uri(request: Request, match: re.Match[str]) -> Response:
        try:
            uri = json.loads(request.body or b"{}")["uri"]
        except (ValueError, TypeError, KeyError):
            raise SandboxApiError(400, 'send {"uri": "http://127.0.0.1:PORT/callback"}') from None
        if not isinstance(uri, str) or not uri.startswith(("http://", "https://")):
            raise SandboxApiError(400, "uri must be an http(s) URL")
        sandbox.zoom.register_redirect_uri(uri)
        return json_response(200, {"redirect_uris": list(sandbox.zoom.redirect_uris)})

    return RouteTable(
        [
            route("GET", "/_sandbox/mail", "control.mail", mail),
            route("DELETE", "/_sandbox/mail", "control.mail", clear_mail),
            route("POST", "/_sandbox/mail/faults", "control.mail.faults", mail_faults),
            route(
                "POST",
                "/_sandbox/zoom/redirect_uris",
                "control.zoom.redirect_uris",
                register_redirect_uri,
            ),
        ]
    )
