"""The sandbox's control API on ``/_control``: what the people at SimplyBook and Zoom do.

For scripts (``scripts/demo``) and tests driving a sandbox in another process. Each change goes
through the same methods as the Python API, so the callbacks and webhooks follow as they would.

    POST /_control/simplybook/callback        {"url": "http://…/simplybook/<secret>"} (or null)
    POST /_control/simplybook/bookings        {"service_id", "provider_id", "client_id", "start"}
    POST /_control/simplybook/bookings/{id}/move    {"start": "2026-12-01 10:00:00"}
    POST /_control/simplybook/bookings/{id}/cancel
    POST /_control/zoom/webhook               {"url": "http://…/zoom/webhook"}: validated first
    GET  /_control/zoom/meetings
    POST /_control/zoom/meetings/{id}/delete
    POST /_control/zoom/meetings/{id}/move    {"start_time": "2026-12-01T15:00:00Z"}
    GET  /_control/deliveries
"""

from __future__ import annotations

import re
from dataclasses import asdict
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sbzoom.sandbox._base import BadRequestBody, Request, Response, json_response

if TYPE_CHECKING:
    from sbzoom.sandbox.server import Sandbox


def _fail(status: int, message: str) -> Response:
    return json_response(status, {"error": message})


def control(sandbox: Sandbox, method: str, path: str, body: bytes) -> tuple[str, Response]:
    request = Request(method, path, {}, {}, body)
    try:
        data: dict[str, Any] = request.json_object() if body.strip() else {}
    except BadRequestBody as exc:
        return "control.bad", _fail(400, str(exc))
    try:
        return _route(sandbox, method, path, data)
    except KeyError as exc:
        return "control.missing", _fail(404, f"not found: {exc}")
    except (TypeError, ValueError) as exc:
        return "control.bad", _fail(400, str(exc))


def _route(sandbox: Sandbox, method: str, path: str, data: dict[str, Any]) -> tuple[str, Response]:
    if (method, path) == ("POST", "/simplybook/callback"):
        sandbox.set_callback_url(data.get("url") or None)
        return "control.callback", json_response(200, {"url": data.get("url")})
    if (method, path) == ("POST", "/simplybook/bookings"):
        booking_id = sandbox.add_booking(
            int(data["service_id"]),
            int(data["provider_id"]),
            int(data["client_id"]),
            str(data["start"]),
        )
        return "control.book", json_response(201, {"id": booking_id})
    found = re.fullmatch(r"/simplybook/bookings/(\d+)/(move|cancel)", path)
    if method == "POST" and found:
        booking_id = int(found.group(1))
        if found.group(2) == "move":
            sandbox.move_booking(booking_id, str(data["start"]))
        else:
            sandbox.cancel_booking(booking_id)
        return f"control.{found.group(2)}", json_response(200, {"id": booking_id})
    if (method, path) == ("POST", "/zoom/webhook"):
        ok = sandbox.subscribe_zoom_webhook(str(data["url"]))
        return "control.subscribe", json_response(200 if ok else 409, {"validated": ok})
    if (method, path) == ("GET", "/zoom/meetings"):
        return "control.meetings", json_response(200, sandbox.meetings())
    found = re.fullmatch(r"/zoom/meetings/(\d+)/(delete|move)", path)
    if method == "POST" and found:
        meeting_id = int(found.group(1))
        if found.group(2) == "delete":
            sandbox.delete_meeting_in_zoom(meeting_id)
        else:
            start = datetime.fromisoformat(str(data["start_time"]).replace("Z", "+00:00"))
            if start.tzinfo is None:
                raise ValueError("start_time needs a time zone (…Z)")
            sandbox.move_meeting_in_zoom(meeting_id, start)
        return f"control.zoom-{found.group(2)}", json_response(200, {"id": meeting_id})
    if (method, path) == ("GET", "/deliveries"):
        return "control.deliveries", json_response(200, [asdict(d) for d in sandbox.deliveries()])
    return "control.unknown", _fail(404, "no such control endpoint")
