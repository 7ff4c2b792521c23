"""Zoom meeting registrants: ``POST|GET /v2/meetings/{id}/registrants``, ``PUT
…/registrants/status`` and ``GET|DELETE …/registrants/{registrantId}``.

As the spec says, the add-registrant 201 carries no ``join_url`` for ``approval_type`` 1 (GET of
the registrant has it), and over-long fields are refused. Where it is silent: a repeated e-mail
returns the existing registrant; cancelled registrants list under ``status=denied``; unknown
registrants in a status call are ignored; a missing meeting is code 300 (the spec's code for
these operations; 3001 is the meeting endpoints').
"""

from __future__ import annotations

import re
import secrets
from typing import TYPE_CHECKING, Any

from sbzoom.sandbox.errors import ZoomApiError, zoom_validation_error
from sbzoom.sandbox.wire import Request, Response, json_response, no_content
from sbzoom.sandbox.zoom import paging
from sbzoom.sandbox.zoom.meetings import meeting_for, request_body
from sbzoom.sandbox.zoom.models import Grant, Meeting, Registrant, zulu
from sbzoom.sandbox.zoom.users import host_of, require_can_host

if TYPE_CHECKING:
    from sbzoom.sandbox.zoom.service import ZoomService

MAX_REGISTRANTS_PER_STATUS_CALL = 30
_EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
# Optional registrant fields kept as given and answered back.
_EXTRA_FIELDS = (
    "address",
    "city",
    "country",
    "zip",
    "state",
    "phone",
    "comments",
    "org",
    "job_title",
    "language",
    "custom_questions",
)


def registrant_url(zoom: ZoomService, meeting: Meeting, registrant: Registrant) -> str:
    """The registrant's own join link (``tk``), good while the registration is approved."""
    return f"{zoom.base_url}/j/{meeting.id}?tk={registrant.token}"


def registrant_json(zoom: ZoomService, meeting: Meeting, registrant: Registrant) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": registrant.id,
        "email": registrant.email,
        "first_name": registrant.first_name,
        "last_name": registrant.last_name,
        **registrant.extra,
        "status": "denied" if registrant.status == "cancelled" else registrant.status,
        "create_time": zulu(registrant.create_time),
    }
    if registrant.status == "approved":
        data["join_url"] = registrant_url(zoom, meeting, registrant)
    return data


def _require_registration(meeting: Meeting) -> None:
    if not meeting.registration_enabled:
        raise ZoomApiError(
            400, 300, f"This meeting has not set registration as required: {meeting.id}."
        )


def _registration_not_enabled(meeting: Meeting) -> ZoomApiError:
    return ZoomApiError(
        404, 404, f"Registration has not been enabled for this meeting: {meeting.id}."
    )


def _paid_only(email: str) -> ZoomApiError:
    return ZoomApiError(400, 200, f"Only available for paid users: {email}.")


def add_registrant(
    zoom: ZoomService, request: Request, match: re.Match[str], grant: Grant
) -> Response:
    meeting = meeting_for(zoom, match.group(1), grant, "registrants.create")
    host = host_of(zoom, meeting)
    if host.type != 2:
        raise _paid_only(host.email)
    require_can_host(host)
    if not meeting.registration_enabled:
        raise _registration_not_enabled(meeting)
    body = request_body(request)
    email, first_name = body.get("email"), body.get("first_name")
    bad = []
    if not isinstance(email, str) or not _EMAIL_RE.match(email) or len(email) > 128:
        bad.append("email")
    if not isinstance(first_name, str) or not first_name.strip() or len(first_name) > 64:
        bad.append("first_name")
    last_name = body.get("last_name")
    if last_name is not None and (not isinstance(last_name, str) or len(last_name) > 64):
        bad.append("last_name")  # spec: first_name, last_name maxLength 64; email 128
    if bad:
        raise zoom_validation_error(*bad)
    assert isinstance(email, str) and isinstance(first_name, str)
    registrant = next(
        (
            r
            for r in meeting.registrants.values()
            if r.email.lower() == email.lower() and r.status in ("approved", "pending")
        ),
        None,
    )
    if registrant is None:
        approved = meeting.settings.get("approval_type") == 0 or body.get("auto_approve") is True
        registrant = Registrant(
            id=secrets.token_urlsafe(16),
            email=email,
            first_name=first_name,
            last_name=str(body.get("last_name") or ""),
            status="approved" if approved else "pending",
            create_time=zoom._clock.now().replace(microsecond=0),
            token=secrets.token_urlsafe(32),
            extra={key: body[key] for key in _EXTRA_FIELDS if key in body},
        )
        meeting.registrants[registrant.id] = registrant
    data: dict[str, Any] = {
        "id": meeting.id,
        "registrant_id": registrant.id,
        "topic": meeting.topic,
        "occurrences": [],
    }
    if meeting.start_time is not None:
        data["start_time"] = zulu(meeting.start_time)
    # Spec (meetingRegistrantCreate 201, join_url): "The API will not return this field if
    # the meeting was created with the approval_type field value of 1", auto_approve or not.
    # GET /meetings/{id}/registrants/{registrantId} and the registrant list carry it.
    if registrant.status == "approved" and meeting.settings.get("approval_type") != 1:
        data["join_url"] = registrant_url(zoom, meeting, registrant)
    return json_response(201, data)


def list_registrants(
    zoom: ZoomService, request: Request, match: re.Match[str], grant: Grant
) -> Response:
    meeting = meeting_for(zoom, match.group(1), grant, "registrants.list")
    _require_registration(meeting)
    size = paging.page_size(request)
    wanted = request.arg("status") or "approved"
    if wanted not in ("approved", "pending", "denied"):
        raise zoom_validation_error("status")
    statuses = ("denied", "cancelled") if wanted == "denied" else (wanted,)
    keys = [r.id for r in meeting.registrants.values() if r.status in statuses]
    ids, token, total = paging.page(zoom, request, keys, size)
    registrants = [
        registrant_json(zoom, meeting, meeting.registrants[i])
        for i in ids
        if i in meeting.registrants
    ]
    return json_response(200, paging.listing(size, total, token, "registrants", registrants))


def update_status(
    zoom: ZoomService, request: Request, match: re.Match[str], grant: Grant
) -> Response:
    meeting = meeting_for(zoom, match.group(1), grant, "registrants.status")
    _require_registration(meeting)
    body = request_body(request)
    action, entries = body.get("action"), body.get("registrants")
    if action not in ("approve", "cancel", "deny"):
        raise zoom_validation_error("action")
    if (
        not isinstance(entries, list)
        or len(entries) > MAX_REGISTRANTS_PER_STATUS_CALL
        or not all(isinstance(entry, dict) for entry in entries)
    ):
        raise zoom_validation_error("registrants")
    for entry in entries:
        for registrant in meeting.registrants.values():
            matches = entry.get("id") == registrant.id or (
                isinstance(entry.get("email"), str)
                and entry["email"].lower() == registrant.email.lower()
            )
            if not matches:
                continue
            if action == "approve" and registrant.status in ("pending", "denied"):
                registrant.status = "approved"
            elif action == "cancel" and registrant.status == "approved":
                registrant.status = "cancelled"
            elif action == "deny" and registrant.status == "pending":
                registrant.status = "denied"
    return no_content()


def get_registrant(
    zoom: ZoomService, request: Request, match: re.Match[str], grant: Grant
) -> Response:
    meeting = meeting_for(zoom, match.group(1), grant, "registrant.get")
    registrant = meeting.registrants.get(match.group(2))
    if registrant is None:
        raise ZoomApiError(404, 3000, f"Registrant {match.group(2)} was not found.")
    return json_response(200, registrant_json(zoom, meeting, registrant))


def delete_registrant(
    zoom: ZoomService, request: Request, match: re.Match[str], grant: Grant
) -> Response:
    meeting = meeting_for(zoom, match.group(1), grant, "registrant.delete")
    if host_of(zoom, meeting).type != 2:
        raise _paid_only(meeting.host_email)
    if not meeting.registration_enabled:
        raise _registration_not_enabled(meeting)
    if meeting.registrants.pop(match.group(2), None) is None:
        raise ZoomApiError(400, 3000, f"Registrant {match.group(2)} was not found.")
    return no_content()
