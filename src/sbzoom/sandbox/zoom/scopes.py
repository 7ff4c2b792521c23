"""Which OAuth scopes allow which REST operation, and the refusals when a token lacks them.

Each operation (a route name) has ``admin`` scopes, good for any user of the account, and
``own`` ones, good only for the token's own user (zoom-api-notes §1g).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from sbzoom.sandbox.errors import ZoomApiError
from sbzoom.sandbox.zoom.models import Grant

if TYPE_CHECKING:
    from sbzoom.sandbox.zoom.service import ZoomService


@dataclass(frozen=True)
class ScopeRule:
    """Scopes that allow one operation: ``admin`` ones for any user, ``own`` ones for yourself."""

    named: str  # the scope a 4700 names: the granular admin one, as for an account-level app
    admin: frozenset[str]
    own: frozenset[str]


def _rule(granular_admin: str, classic: str, *extra_own: str) -> ScopeRule:
    base = granular_admin.removesuffix(":admin")
    return ScopeRule(
        granular_admin,
        frozenset({granular_admin, f"{base}:master", f"{classic}:admin"}),
        frozenset({base, classic, *extra_own}),
    )


SCOPE_RULES: dict[str, ScopeRule] = {
    "users.list": _rule("user:read:list_users:admin", "user:read"),
    "users.get": _rule("user:read:user:admin", "user:read", "user_info:read"),
    "meetings.create": _rule("meeting:write:meeting:admin", "meeting:write"),
    "meetings.list": _rule("meeting:read:list_meetings:admin", "meeting:read"),
    "meeting.get": _rule("meeting:read:meeting:admin", "meeting:read"),
    "meeting.update": _rule("meeting:update:meeting:admin", "meeting:write"),
    "meeting.delete": _rule("meeting:delete:meeting:admin", "meeting:write"),
    "registrants.create": _rule("meeting:write:registrant:admin", "meeting:write"),
    "registrants.list": _rule("meeting:read:list_registrants:admin", "meeting:read"),
    "registrant.get": _rule("meeting:read:registrant:admin", "meeting:read"),
    "registrants.status": _rule("meeting:update:registrant_status:admin", "meeting:write"),
    "registrant.delete": _rule("meeting:delete:registrant:admin", "meeting:write"),
}
# users.list has no user-level variant (zoom-api-notes §1g)
SCOPE_RULES["users.list"] = ScopeRule(
    "user:read:list_users:admin",
    frozenset({"user:read:list_users:admin", "user:read:list_users:master", "user:read:admin"}),
    frozenset(),
)


def _missing_scope(zoom: ZoomService, rule: ScopeRule) -> ZoomApiError:
    # Today's Zoom answers 4711; older answers (and some docs) say 4700 for the same thing.
    code = 4700 if zoom.legacy_scope_code else 4711
    return ZoomApiError(400, code, f"Invalid access token, does not contain scopes:[{rule.named}].")


def require_any_scope(zoom: ZoomService, grant: Grant, route: str) -> None:
    """The token has some scope for this operation, for any user or its own."""
    rule = SCOPE_RULES[route]
    if not grant.scopes & (rule.admin | rule.own):
        raise _missing_scope(zoom, rule)


def require_may_act_for(
    zoom: ZoomService, grant: Grant, route: str, user_id: str | None, ref: str = "me"
) -> None:
    """The token may do this operation for ``user_id`` (named ``ref`` in the path)."""
    rule = SCOPE_RULES[route]
    if grant.scopes & rule.admin:
        return
    if grant.scopes & rule.own and user_id == grant.user_id:
        if zoom.user_level_requires_me and ref != "me":
            raise ZoomApiError(
                400, 1001, "For user-level apps, pass the 'me' value instead of the userId."
            )
        return
    raise _missing_scope(zoom, rule)
