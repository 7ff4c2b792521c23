"""`sbzoom zoom users`: the Zoom account's users, active, inactive and pending."""

from __future__ import annotations

from dataclasses import replace

from sbzoom.clients.zoom import ZoomUser
from sbzoom.context import Context
from sbzoom.core.auth.zoom.connection import zoom_client

STATUSES = ("active", "inactive", "pending")


def list_users(context: Context) -> list[ZoomUser]:
    """Every user of the account; pending users (invited, not yet joined) have no id."""
    client = zoom_client(context)
    users: list[ZoomUser] = []
    for status in STATUSES:
        users.extend(
            u if u.status else replace(u, status=status) for u in client.list_users(status)
        )
    return users


def user_json(user: ZoomUser) -> dict[str, object]:
    return {
        "id": user.id,
        "email": user.email,
        "name": user.name,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "licensed": user.licensed,
        "type": user.type,
        "status": user.status,
    }
