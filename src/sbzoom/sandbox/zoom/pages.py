"""The web pages Zoom's links lead to: join (``/j/{id}``, ``?tk=`` for a registrant), start
(``/s/{id}?zak=…``, refused once 2 hours old) and registration (``/meeting/register/{token}``).

They answer HTML, as a browser would see them; faults and rate limits spare them.
"""

from __future__ import annotations

import re
import secrets
from typing import TYPE_CHECKING

from sbzoom.sandbox.errors import HtmlPageError
from sbzoom.sandbox.wire import Request, Response, html_response
from sbzoom.sandbox.zoom.meetings import registration_url

if TYPE_CHECKING:
    from sbzoom.sandbox.zoom.service import ZoomService


def _invalid_meeting() -> HtmlPageError:
    return HtmlPageError(404, "Invalid meeting ID", "This meeting link is not valid.")


def join_page(zoom: ZoomService, request: Request, match: re.Match[str]) -> Response:
    meeting = zoom._meetings.get(int(match.group(1)))
    if meeting is None:
        raise _invalid_meeting()
    token = request.arg("tk")
    if token:
        for registrant in meeting.registrants.values():
            if secrets.compare_digest(registrant.token, token):
                if registrant.status == "approved":
                    return html_response(
                        200,
                        f"Join meeting {meeting.id}",
                        f"Joining as {registrant.first_name}.",
                    )
                break
        raise HtmlPageError(404, "Invalid registration", "This registration is not valid.")
    if meeting.registration_enabled:
        return Response(302, b"", {"Location": registration_url(zoom, meeting)})
    return html_response(200, f"Join meeting {meeting.id}", meeting.topic)


def start_page(zoom: ZoomService, request: Request, match: re.Match[str]) -> Response:
    meeting = zoom._meetings.get(int(match.group(1)))
    if meeting is None:
        raise _invalid_meeting()
    issued = zoom._zaks.get(request.arg("zak") or "")
    if issued is None or issued[0] != meeting.id:
        raise HtmlPageError(403, "Invalid start link", "Sign in to start this meeting.")
    if zoom._clock.now() >= issued[1] + zoom._start_url_ttl:
        raise HtmlPageError(403, "Start link expired", "This start link has expired.")
    return html_response(200, f"Start meeting {meeting.id}", meeting.topic)


def register_page(zoom: ZoomService, request: Request, match: re.Match[str]) -> Response:
    for meeting in zoom._meetings.values():
        if meeting.registration_token == match.group(1) and meeting.registration_enabled:
            return html_response(200, f"Register for {meeting.topic}", str(meeting.id))
    raise HtmlPageError(404, "Invalid registration link")
