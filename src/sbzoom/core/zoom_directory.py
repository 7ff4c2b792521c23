"""The Zoom users this sign-in can see and host for: `sbzoom zoom users`, and the Zoom side of
`sbzoom providers`.

ZOOM_USER on the command line: the Zoom user id, or the e-mail (case-insensitive), or ``me``.
The user must be active: Zoom gives pending (invited) users no id, and deactivated users cannot
host.

What the Zoom sign-in can see: an account-level app (Server-to-Server, or OAuth with
``user:read:list_users:admin``) lists every user of the account and can host for any of them.
A user-level app acts only for the Zoom user who authorized it; then that user is the only
possible host, and sbzoom says so instead of mapping others who could never host.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Protocol

from sbzoom.clients.zoom import TokenGrant, ZoomUser
from sbzoom.core.naming import MAX_CANDIDATES
from sbzoom.errors import AuthError, MissingScopeError, NotFoundError, UsageError

ZOOM_STATUSES = ("active", "inactive", "pending")
ALL_USERS_HINT = (
    "To let other Zoom users host, sign in with an account-level app: "
    "'sbzoom auth login zoom --s2s', or an OAuth app a Zoom admin authorized with the scope "
    'user:read:list_users:admin ("shared access permissions").'
)


class ZoomUserSource(Protocol):
    """The Zoom users API: ``ZoomClient`` fits."""

    def list_users(self, status: str = "active") -> list[ZoomUser]: ...
    def get_user(self, user: str = "me") -> ZoomUser: ...


class GrantSource(Protocol):
    """The sign-in's tokens, whose scopes say what it may see: ``ZoomTokens`` fits."""

    def access_token(self) -> str: ...
    def current(self) -> TokenGrant | None: ...


def list_users(source: ZoomUserSource) -> list[ZoomUser]:
    """Every user of the account (`sbzoom zoom users`); pending users (invited, not yet joined)
    have no id."""
    users: list[ZoomUser] = []
    for status in ZOOM_STATUSES:
        users.extend(
            u if u.status else replace(u, status=status) for u in source.list_users(status)
        )
    return users


@dataclass(frozen=True)
class ZoomDirectory:
    """The Zoom users this sign-in can see and host for.

    ``all_users``: the sign-in acts for every user of the account and ``users`` holds them all
    (active, inactive, pending). Otherwise ``users`` is only ``me``, the authorizing user.
    """

    users: tuple[ZoomUser, ...]
    all_users: bool
    me: ZoomUser | None = None

    def by_id(self, user_id: str) -> ZoomUser | None:
        if not user_id:
            return None
        return next((u for u in self.users if u.id == user_id), None)

    def by_email(self, email: str) -> ZoomUser | None:
        """The user with this e-mail (case-insensitive); an active one wins over others."""
        wanted = email.strip().casefold()
        found = [u for u in self.users if u.email.casefold() == wanted]
        found.sort(key=lambda u: ZOOM_STATUSES.index(u.status) if u.status in ZOOM_STATUSES else 9)
        return found[0] if found else None

    def find(self, ref: str) -> ZoomUser | None:
        text = ref.strip()
        if text.lower() == "me" and self.me is not None:
            return self.me
        return self.by_id(text) or (self.by_email(text) if "@" in text else None)

    @property
    def hosts(self) -> tuple[ZoomUser, ...]:
        """Users who can host: active and with an id."""
        return tuple(u for u in self.users if u.id and u.status == "active")

    def limitation(self) -> str | None:
        """The plain sentence explaining a user-level sign-in, or None when there is none."""
        if self.all_users:
            return None
        who = self.me.email if self.me is not None else "the Zoom user who signed in"
        return (
            "This Zoom sign-in is a user-level app: it cannot act for the other users of the "
            f"Zoom account, so only {who} can host meetings."
        )


def load_directory(source: ZoomUserSource, all_users: bool | None) -> ZoomDirectory:
    """Read the account's users. ``all_users`` is what the grant's scopes say (None: unknown,
    then listing is tried and a missing-scope answer means a user-level sign-in)."""
    if all_users is not False:
        try:
            return ZoomDirectory(tuple(list_users(source)), all_users=True)
        except MissingScopeError:
            if all_users:
                raise
    me = source.get_user("me")
    me = me if me.status else replace(me, status="active")
    return ZoomDirectory((me,), all_users=False, me=me)


def signed_in_directory(source: ZoomUserSource, tokens: GrantSource) -> ZoomDirectory:
    """The directory of the profile's Zoom sign-in, as far as its grant's scopes let it see."""
    tokens.access_token()  # so the grant, and with it the scopes, is known
    grant = tokens.current()
    known = grant.can_list_all_users if grant is not None and grant.scopes else None
    return load_directory(source, known)


def resolve_zoom_user(directory: ZoomDirectory, ref: str) -> ZoomUser:
    """The active Zoom user ``ref`` names (id, e-mail or ``me``), or an error saying why not."""
    user = directory.find(ref)
    if not directory.all_users and user is None:
        raise AuthError(
            f"Cannot map to '{ref}'. {directory.limitation()}",
            f"Map to {directory.me.email if directory.me else 'me'} (or 'me') instead. "
            + ALL_USERS_HINT,
        )
    if user is None:
        raise NotFoundError(
            f"The Zoom account has no user with the id or e-mail '{ref}'.",
            "Name the Zoom user by id or e-mail; 'sbzoom zoom users' lists them.",
            [f"{u.email} ({u.id})" for u in directory.hosts][:MAX_CANDIDATES],
        )
    if user.status == "pending" or not user.id:
        raise UsageError(
            f"Zoom user {user.email} has not accepted the invitation to the Zoom account yet "
            "(pending): Zoom gives pending users no id, and they cannot host meetings.",
            "Ask them to accept the invitation in their e-mail, then map again.",
        )
    if user.status != "active":
        raise UsageError(
            f"Zoom user {user.email} is {user.status or 'not active'} and cannot host meetings.",
            "Reactivate the user in the Zoom admin portal, or map another Zoom user.",
        )
    return user
