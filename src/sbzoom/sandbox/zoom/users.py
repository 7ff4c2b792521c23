"""Zoom users: ``GET /v2/users`` and ``GET /v2/users/{userId}`` (an id, an e-mail or ``me``).

Pending users have no id: lists show them without one and ``GET /users/{email}`` does not find
them (1001).
"""

from __future__ import annotations

import re
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from sbzoom.sandbox.data import ZOOM_ACCOUNT_ID, ZoomUser
from sbzoom.sandbox.errors import ZoomApiError, zoom_validation_error
from sbzoom.sandbox.wire import Request, Response, json_response
from sbzoom.sandbox.zoom import paging
from sbzoom.sandbox.zoom.models import Grant, Meeting, zulu
from sbzoom.sandbox.zoom.scopes import require_any_scope, require_may_act_for

if TYPE_CHECKING:
    from sbzoom.sandbox.zoom.service import ZoomService


def find_user(zoom: ZoomService, ref: str, grant: Grant) -> ZoomUser | None:
    if ref == "me":
        ref = grant.user_id
    for user in zoom._users:
        if user.id is not None and (user.id == ref or user.email.lower() == ref.lower()):
            return user
    return None


def host_of(zoom: ZoomService, meeting: Meeting) -> ZoomUser:
    return next(user for user in zoom._users if user.id == meeting.host_id)


def require_can_host(user: ZoomUser) -> None:
    if user.status != "active" or not user.can_schedule:
        raise ZoomApiError(
            400,
            3161,
            "Meeting hosting and scheduling capabilities are not allowed for your user account.",
        )


def user_json(zoom: ZoomService, user: ZoomUser, *, full: bool = False) -> dict[str, Any]:
    """A user as the list shows it; ``full``: as ``GET /users/{userId}`` does."""
    data: dict[str, Any] = {}
    if user.id is not None:
        data["id"] = user.id
    data.update(
        first_name=user.first_name,
        last_name=user.last_name,
        display_name=f"{user.first_name} {user.last_name}",
        email=user.email,
        type=user.type,
    )
    if user.status != "pending":
        data.update(
            pmi=user.pmi, verified=1, last_login_time=zulu(user.created_at + timedelta(days=30))
        )
    data.update(
        timezone=user.timezone,
        dept="",
        created_at=zulu(user.created_at),
        user_created_at=zulu(user.created_at),
        language="en-US",
        status=user.status,
        role_id=user.role_id,
    )
    if full:
        data.update(
            role_name=user.role_name,
            account_id=ZOOM_ACCOUNT_ID,
            account_number=81000000,
            use_pmi=False,
            personal_meeting_url=f"{zoom.base_url}/j/{user.pmi}",
            phone_number="",
            cms_user_id="",
            group_ids=[],
            im_group_ids=[],
            login_types=[100],
            cluster="sbx01",
        )
    return data


def list_users(zoom: ZoomService, request: Request, match: re.Match[str], grant: Grant) -> Response:
    require_any_scope(zoom, grant, "users.list")
    size = paging.page_size(request)
    status = request.arg("status") or "active"
    if status not in ("active", "inactive", "pending"):
        raise zoom_validation_error("status")
    keys = [index for index, user in enumerate(zoom._users) if user.status == status]
    chunk, token, total = paging.page(zoom, request, keys, size)
    users = [user_json(zoom, zoom._users[i]) for i in chunk]
    return json_response(200, paging.listing(size, total, token, "users", users))


def get_user(zoom: ZoomService, request: Request, match: re.Match[str], grant: Grant) -> Response:
    require_any_scope(zoom, grant, "users.get")
    user = find_user(zoom, match.group(1), grant)
    if user is None:
        raise ZoomApiError(404, 1001, f"User does not exist: {match.group(1)}.")
    require_may_act_for(zoom, grant, "users.get", user.id)
    return json_response(200, user_json(zoom, user, full=True))
