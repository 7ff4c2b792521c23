"""What `sbzoom zoom users` prints."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from sbzoom.render import print_json, print_table

if TYPE_CHECKING:
    from rich.console import Console

    from sbzoom.clients.zoom import ZoomUser

USER_COLUMNS = ("ID", "EMAIL", "NAME", "LICENSED", "STATUS")


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


def show_users(out: Console, users: Sequence[ZoomUser], *, as_json: bool) -> None:
    if as_json:
        print_json(out, [user_json(u) for u in users])
        return
    print_table(
        out,
        USER_COLUMNS,
        [(u.id, u.email, u.name, "yes" if u.licensed else "no", u.status) for u in users],
    )
