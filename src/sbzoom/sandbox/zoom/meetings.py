"""Zoom meetings: ``POST|GET /v2/users/{userId}/meetings`` and ``GET|PATCH|DELETE
/v2/meetings/{meetingId}``, the meeting as Zoom answers it, and the ``meeting.updated`` /
``meeting.deleted`` webhooks every change sends (the API's own included).

``start_time`` ending in ``Z`` is UTC; without it, local time in ``timezone``. A PATCH with a
past ``start_time`` keeps the old one. Each GET issues a fresh ``start_url``.
"""

from __future__ import annotations

import base64
import copy
import re
import secrets
import string
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sbzoom.sandbox.errors import ZoomApiError, zoom_validation_error
from sbzoom.sandbox.wire import BadRequestBody, Request, Response, json_response, no_content
from sbzoom.sandbox.zoom import paging
from sbzoom.sandbox.zoom.limits import count_create_update
from sbzoom.sandbox.zoom.models import Grant, Meeting, zulu
from sbzoom.sandbox.zoom.scopes import require_any_scope, require_may_act_for
from sbzoom.sandbox.zoom.users import find_user, host_of, require_can_host

if TYPE_CHECKING:
    from sbzoom.sandbox.zoom.service import ZoomService

EXPIRED_AFTER = timedelta(days=30)  # a past meeting leaves type=scheduled lists after this
_PASSWORD_RE = re.compile(r"^[A-Za-z0-9@\-_*]*$")
_START_TIME_RE = re.compile(
    r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?$"
)
LIST_KINDS = ("scheduled", "upcoming", "upcoming_meetings", "live", "previous_meetings")

DEFAULT_SETTINGS: dict[str, Any] = {
    "host_video": False,
    "participant_video": False,
    "join_before_host": False,
    "jbh_time": 0,
    "mute_upon_entry": False,
    "watermark": False,
    "use_pmi": False,
    "approval_type": 2,
    "registration_type": 1,
    "audio": "voip",
    "auto_recording": "none",
    "waiting_room": False,
    "registrants_confirmation_email": True,
    "registrants_email_notification": True,
    "meeting_authentication": False,
    "alternative_hosts": "",
    "alternative_hosts_email_notification": True,
    "email_notification": True,
    "allow_multiple_devices": False,
    "private_meeting": False,
    "close_registration": False,
    "encryption_type": "enhanced_encryption",
}


# -- requests --------------------------------------------------------------------------------------


def request_body(request: Request) -> dict[str, Any]:
    """The JSON object a create or change sends (Zoom's 300 when it is not one)."""
    try:
        return request.json_object()
    except BadRequestBody:
        raise ZoomApiError(400, 300, "Request Body should be a valid JSON object.") from None


def parse_fields(body: dict[str, Any], default_zone: str) -> dict[str, Any]:
    """Validated meeting fields from a create or update body (only the keys present)."""
    bad: list[str] = []
    out: dict[str, Any] = {}
    if "topic" in body:
        if not isinstance(body["topic"], str) or len(body["topic"]) > 200:
            bad.append("topic")
        else:
            out["topic"] = body["topic"]
    if "type" in body:
        if body["type"] not in (1, 2, 3, 8) or isinstance(body["type"], bool):
            bad.append("type")
        else:
            out["type"] = body["type"]
    zone_name = default_zone
    if body.get("timezone"):
        try:
            ZoneInfo(str(body["timezone"]))
            zone_name = out["timezone"] = str(body["timezone"])
        except (ZoneInfoNotFoundError, ValueError):
            bad.append("timezone")
    if body.get("start_time"):
        parsed = parse_start(body["start_time"], zone_name)
        if parsed is None:
            bad.append("start_time")
        else:
            out["start_time"] = parsed
    if "duration" in body:
        duration = body["duration"]
        if isinstance(duration, str) and duration.isdigit():
            duration = int(duration)
        if not isinstance(duration, int) or isinstance(duration, bool) or duration < 0:
            bad.append("duration")
        else:
            out["duration"] = duration
    if "agenda" in body:
        if not isinstance(body["agenda"], str) or len(body["agenda"]) > 2000:
            bad.append("agenda")
        else:
            out["agenda"] = body["agenda"]
    if "password" in body:
        password = body["password"]
        if not isinstance(password, str) or len(password) > 10 or not _PASSWORD_RE.match(password):
            bad.append("password")
        else:
            out["password"] = password
    if "settings" in body:
        settings = body["settings"]
        if not isinstance(settings, dict):
            bad.append("settings")
        elif "approval_type" in settings and settings["approval_type"] not in (0, 1, 2):
            bad.append("settings.approval_type")
        elif "jbh_time" in settings and settings["jbh_time"] not in (0, 5, 10):
            bad.append("settings.jbh_time")
        else:
            out["settings"] = settings
    if "tracking_fields" in body:
        if not isinstance(body["tracking_fields"], list):
            bad.append("tracking_fields")
        else:
            out["tracking_fields"] = body["tracking_fields"]
    if bad:
        raise zoom_validation_error(*bad)
    return out


def parse_start(value: Any, zone_name: str) -> datetime | None:
    """``…Z`` is UTC; without ``Z`` it is local time in ``timezone`` (Zoom's two forms).

    An explicit offset (``+02:00``) is accepted as well and honoured.
    """
    if not isinstance(value, str) or not _START_TIME_RE.match(value.strip()):
        return None
    text = value.strip()
    try:
        if text.endswith("Z"):
            return datetime.fromisoformat(text[:-1]).replace(tzinfo=UTC)
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=ZoneInfo(zone_name))
    return moment.astimezone(UTC).replace(microsecond=0)


# -- answers ---------------------------------------------------------------------------------------


def _random_digits(length: int) -> str:
    return "".join(secrets.choice(string.digits) for _ in range(length))


def _new_meeting_id(zoom: ZoomService) -> int:
    while True:
        meeting_id = 10_000_000_000 + secrets.randbelow(89_999_999_999)
        if meeting_id not in zoom._meetings and meeting_id not in zoom._deleted:
            return meeting_id


def issue_start_url(zoom: ZoomService, meeting: Meeting) -> str:
    """A fresh start link; its ``zak`` is good for ``start_url_ttl`` (2 hours)."""
    zak = secrets.token_urlsafe(32)
    zoom._zaks[zak] = (meeting.id, zoom._clock.now())
    return f"{zoom.base_url}/s/{meeting.id}?zak={zak}"


def join_url(zoom: ZoomService, meeting: Meeting) -> str:
    return f"{zoom.base_url}/j/{meeting.id}?pwd={meeting.encrypted_password}"


def registration_url(zoom: ZoomService, meeting: Meeting) -> str:
    return f"{zoom.base_url}/meeting/register/{meeting.registration_token}"


def meeting_json(zoom: ZoomService, meeting: Meeting, *, start_url: bool = True) -> dict[str, Any]:
    """The meeting as ``GET /meetings/{id}`` answers it (``start_url=False``: without one)."""
    data: dict[str, Any] = {
        "uuid": meeting.uuid,
        "id": meeting.id,
        "host_id": meeting.host_id,
        "host_email": meeting.host_email,
        "assistant_id": "",
        "topic": meeting.topic,
        "type": meeting.type,
        "status": meeting.status,
    }
    if meeting.start_time is not None and meeting.type in (2, 8):
        data["start_time"] = zulu(meeting.start_time)
    data.update(
        duration=meeting.duration,
        timezone=meeting.timezone,
        agenda=meeting.agenda,
        created_at=zulu(meeting.created_at),
    )
    if start_url:
        data["start_url"] = issue_start_url(zoom, meeting)
    data.update(
        join_url=join_url(zoom, meeting),
        password=meeting.password,
        h323_password=meeting.h323_password,
        pstn_password=meeting.h323_password,
        encrypted_password=meeting.encrypted_password,
        settings=copy.deepcopy(meeting.settings),
        pre_schedule=False,
    )
    if meeting.registration_enabled:
        data["registration_url"] = registration_url(zoom, meeting)
    if meeting.tracking_fields:
        data["tracking_fields"] = copy.deepcopy(meeting.tracking_fields)
    return data


def _list_item(zoom: ZoomService, meeting: Meeting) -> dict[str, Any]:
    """A meeting as lists show it: no start_url, no settings, the agenda cut to 250."""
    item: dict[str, Any] = {
        "uuid": meeting.uuid,
        "id": meeting.id,
        "host_id": meeting.host_id,
        "topic": meeting.topic,
        "type": meeting.type,
    }
    if meeting.start_time is not None:
        item["start_time"] = zulu(meeting.start_time)
    item.update(
        duration=meeting.duration,
        timezone=meeting.timezone,
        agenda=meeting.agenda[:250],
        created_at=zulu(meeting.created_at),
        join_url=join_url(zoom, meeting),
    )
    return item


def meeting_for(zoom: ZoomService, raw_id: str, grant: Grant, route: str) -> Meeting:
    """The meeting a path names, once the token may do ``route`` on it."""
    require_any_scope(zoom, grant, route)
    meeting = zoom._meetings.get(int(raw_id)) if raw_id.isdigit() else None
    if meeting is None:
        if route.startswith("registrant"):
            # The spec lists code 300 for the registrant operations ("Meeting {id} is not
            # found or has expired"), not 3001 as the meeting operations answer.
            raise ZoomApiError(400, 300, f"Meeting {raw_id} is not found or has expired.")
        raise ZoomApiError(404, 3001, f"Meeting {raw_id} is not found or has expired.")
    require_may_act_for(zoom, grant, route, meeting.host_id)
    return meeting


# -- endpoints -------------------------------------------------------------------------------------


def create_meeting(
    zoom: ZoomService, request: Request, match: re.Match[str], grant: Grant
) -> Response:
    require_any_scope(zoom, grant, "meetings.create")
    ref = match.group(1)
    host = find_user(zoom, ref, grant)
    if host is None or host.id is None:
        raise ZoomApiError(404, 1001, f"User {ref} not exist or not belong to this account.")
    require_may_act_for(zoom, grant, "meetings.create", host.id, ref)
    require_can_host(host)
    fields = parse_fields(request_body(request), host.timezone)
    count_create_update(zoom, host)
    now = zoom._clock.now().replace(microsecond=0)
    settings = {**DEFAULT_SETTINGS, **fields.get("settings", {})}
    if settings.get("waiting_room"):
        settings["join_before_host"] = False  # the waiting room silently wins
    meeting_type = fields.get("type", 2)
    meeting = Meeting(
        id=_new_meeting_id(zoom),
        uuid=base64.b64encode(secrets.token_bytes(16)).decode(),
        host_id=host.id,
        host_email=host.email,
        topic=fields.get("topic", "Zoom Meeting"),
        type=meeting_type,
        start_time=fields.get("start_time", now) if meeting_type != 3 else None,
        duration=fields.get("duration", 60),
        timezone=fields.get("timezone", host.timezone),
        agenda=fields.get("agenda", ""),
        created_at=now,
        password=fields.get(
            "password",
            "".join(secrets.choice(string.ascii_letters + string.digits) for _ in range(6)),
        ),
        encrypted_password=secrets.token_urlsafe(24),
        h323_password=_random_digits(6),
        registration_token=secrets.token_urlsafe(16),
        settings=settings,
        tracking_fields=fields.get("tracking_fields", []),
    )
    zoom._meetings[meeting.id] = meeting
    response = json_response(201, meeting_json(zoom, meeting))
    response.headers["Location"] = f"{zoom.base_url}/v2/meetings/{meeting.id}"
    response.drop = zoom._faults.drop_this_create("meetings.create")
    return response


def get_meeting(
    zoom: ZoomService, request: Request, match: re.Match[str], grant: Grant
) -> Response:
    meeting = meeting_for(zoom, match.group(1), grant, "meeting.get")
    return json_response(200, meeting_json(zoom, meeting))


def update_meeting(
    zoom: ZoomService, request: Request, match: re.Match[str], grant: Grant
) -> Response:
    meeting = meeting_for(zoom, match.group(1), grant, "meeting.update")
    host = host_of(zoom, meeting)
    require_can_host(host)
    fields = parse_fields(request_body(request), meeting.timezone)
    count_create_update(zoom, host)
    before = watched(meeting)
    for name in ("topic", "type", "duration", "timezone", "agenda", "password", "tracking_fields"):
        if name in fields:
            setattr(meeting, name, fields[name])
    start = fields.get("start_time")
    if start is not None and start > zoom._clock.now():  # a past start_time is ignored
        meeting.start_time = start
    if "settings" in fields:
        meeting.settings.update(fields["settings"])
        if meeting.settings.get("waiting_room"):
            meeting.settings["join_before_host"] = False
    notify_updated(zoom, meeting, before, operator_of(zoom, grant))
    return no_content()


def delete_meeting(
    zoom: ZoomService, request: Request, match: re.Match[str], grant: Grant
) -> Response:
    meeting = meeting_for(zoom, match.group(1), grant, "meeting.delete")
    if meeting.status == "started":
        raise ZoomApiError(400, 3002, f"Meeting {meeting.id} is in progress and cannot be deleted.")
    del zoom._meetings[meeting.id]
    zoom._deleted.append(meeting.id)
    notify_deleted(zoom, meeting, operator_of(zoom, grant))
    return no_content()


def list_meetings(
    zoom: ZoomService, request: Request, match: re.Match[str], grant: Grant
) -> Response:
    require_any_scope(zoom, grant, "meetings.list")
    ref = match.group(1)
    host = find_user(zoom, ref, grant)
    if host is None or host.id is None:
        raise ZoomApiError(404, 1001, f"User {ref} not exist or not belong to this account.")
    require_may_act_for(zoom, grant, "meetings.list", host.id, ref)
    size = paging.page_size(request)
    kind = request.arg("type") or "scheduled"
    now = zoom._clock.now()

    def keep(meeting: Meeting) -> bool:
        end = meeting.end_time
        if kind == "scheduled":
            return end is None or end + EXPIRED_AFTER > now
        if kind in ("upcoming", "upcoming_meetings"):
            return end is None or end > now
        if kind == "live":
            return meeting.status == "started"
        return end is not None and end <= now  # previous_meetings

    if kind not in LIST_KINDS:
        raise zoom_validation_error("type")
    mine = [m for m in zoom._meetings.values() if m.host_id == host.id and m.type != 1]
    far = datetime.max.replace(tzinfo=UTC)
    chosen = sorted((m for m in mine if keep(m)), key=lambda m: (m.start_time or far, m.id))
    ids, token, total = paging.page(zoom, request, [m.id for m in chosen], size)
    # A meeting deleted since the first page is left out.
    items = [_list_item(zoom, zoom._meetings[i]) for i in ids if i in zoom._meetings]
    return json_response(200, paging.listing(size, total, token, "meetings", items))


# -- webhooks (Zoom notifies every change, the API's own included) ---------------------------------


def operator_of(zoom: ZoomService, grant: Grant) -> str:
    """Who a webhook says made the change: the token's user, by e-mail."""
    user = next((u for u in zoom._users if u.id == grant.user_id), None)
    return user.email if user and user.email else grant.user_id


def watched(meeting: Meeting) -> dict[str, Any]:
    """The fields a ``meeting.updated`` webhook reports changes of."""
    return {
        "start_time": zulu(meeting.start_time) if meeting.start_time else None,
        "duration": meeting.duration,
        "topic": meeting.topic,
        "timezone": meeting.timezone,
    }


def notify_updated(
    zoom: ZoomService, meeting: Meeting, before: dict[str, Any], operator: str
) -> None:
    after = watched(meeting)
    changed = {k: v for k, v in after.items() if before[k] != v}
    if zoom.webhook is None or not changed:
        return
    obj = {"id": meeting.id, "uuid": meeting.uuid, "host_id": meeting.host_id, **changed}
    old = {"id": meeting.id, "uuid": meeting.uuid, **{k: before[k] for k in changed}}
    zoom.webhook("meeting.updated", obj, operator, old)


def notify_deleted(zoom: ZoomService, meeting: Meeting, operator: str) -> None:
    if zoom.webhook is None:
        return
    obj = {
        "id": meeting.id,
        "uuid": meeting.uuid,
        "host_id": meeting.host_id,
        "topic": meeting.topic,
        "type": meeting.type,
        "start_time": zulu(meeting.start_time) if meeting.start_time else None,
        "timezone": meeting.timezone,
        "duration": meeting.duration,
    }
    zoom.webhook("meeting.deleted", obj, operator, None)
