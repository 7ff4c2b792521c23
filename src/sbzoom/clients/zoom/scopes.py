"""The Zoom scopes sbzoom's calls use: one table, read by the client (to name a missing scope)
and by `sbzoom doctor` (to check a sign-in before anything fails).

Each operation sbzoom calls is listed once, with every scope Zoom accepts for it. Sources: the
spec (``zoom-meeting-api.json``: each operation's "Scopes:" line names the classic scopes) and
Zoom's granular-scope table (zoom-api-notes.md §1g). ``:master`` variants of the granular scopes
(sub-accounts) count as the ``:admin`` ones. Only operations ``clients.zoom.ZoomClient`` really
sends are here: a scope nothing uses is never asked of an admin.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class ScopeNeed:
    operation: str  # Zoom's operationId
    method: str
    path: re.Pattern[str]  # path below /v2
    granular: str  # the account-level granular scope: what doctor asks for and errors name
    user_level: tuple[str, ...]  # scopes that cover only the signed-in user's own data
    classic_admin: tuple[str, ...]  # classic scopes that cover every user of the account

    @property
    def any_of(self) -> tuple[str, ...]:
        """Every scope that lets this operation run for some user."""
        master = self.granular.removesuffix(":admin") + ":master"
        return (self.granular, master, *self.classic_admin, *self.user_level)


def _need(op: str, method: str, path: str, granular: str, classic: str, *extra: str) -> ScopeNeed:
    """``classic`` is a classic scope family (``meeting:read``); ``…:admin`` covers everyone."""
    return ScopeNeed(
        op,
        method,
        re.compile(f"^{path}$"),
        granular,
        (granular.removesuffix(":admin"), classic, *extra),
        (f"{classic}:admin",),
    )


_ID = r"[^/]+"
SCOPE_TABLE: tuple[ScopeNeed, ...] = (
    # GET /users has no user-level variant: a user-level app only ever sees itself (`me`).
    ScopeNeed(
        "users",
        "GET",
        re.compile("^/users$"),
        "user:read:list_users:admin",
        (),
        ("user:read:admin",),
    ),
    _need("user", "GET", f"/users/{_ID}", "user:read:user:admin", "user:read", "user_info:read"),
    _need(
        "meetingCreate",
        "POST",
        f"/users/{_ID}/meetings",
        "meeting:write:meeting:admin",
        "meeting:write",
    ),
    _need(
        "meetings",
        "GET",
        f"/users/{_ID}/meetings",
        "meeting:read:list_meetings:admin",
        "meeting:read",
    ),
    _need("meeting", "GET", r"/meetings/\d+", "meeting:read:meeting:admin", "meeting:read"),
    _need(
        "meetingUpdate", "PATCH", r"/meetings/\d+", "meeting:update:meeting:admin", "meeting:write"
    ),
    _need(
        "meetingDelete", "DELETE", r"/meetings/\d+", "meeting:delete:meeting:admin", "meeting:write"
    ),
    _need(
        "meetingRegistrantCreate",
        "POST",
        r"/meetings/\d+/registrants",
        "meeting:write:registrant:admin",
        "meeting:write",
    ),
    _need(
        "meetingRegistrants",
        "GET",
        r"/meetings/\d+/registrants",
        "meeting:read:list_registrants:admin",
        "meeting:read",
    ),
    # A class client's own join link: the add-registrant 201 leaves it out (approval_type 1).
    _need(
        "meetingRegistrantGet",
        "GET",
        rf"/meetings/\d+/registrants/{_ID}",
        "meeting:read:registrant:admin",
        "meeting:read",
    ),
    _need(
        "meetingRegistrantStatus",
        "PUT",
        r"/meetings/\d+/registrants/status",
        "meeting:update:registrant_status:admin",
        "meeting:write",
    ),
)

# The granular scopes an account-level app needs, in table order (what doctor asks for).
NEEDED_SCOPES: tuple[str, ...] = tuple(need.granular for need in SCOPE_TABLE)


def need_for(method: str, path: str) -> ScopeNeed | None:
    """The table row of a call (``path`` below ``/v2``, without the query)."""
    method = method.upper()
    return next((n for n in SCOPE_TABLE if n.method == method and n.path.match(path)), None)


def scope_for(method: str, path: str) -> str | None:
    need = need_for(method, path)
    return need.granular if need else None


def is_user_level(scopes: tuple[str, ...] | list[str] | frozenset[str]) -> bool:
    """A token of a user-level app: it names scopes, and none covers other users."""
    return bool(scopes) and not any(s.endswith((":admin", ":master")) for s in scopes)
