"""Zoom REST API v2: typed calls over one ``HttpSession``.

    ZoomClient(session, api_url, tokens)
      users         list_users, get_user
      meetings      create_meeting, get_meeting, update_meeting, delete_meeting, list_meetings
      registrants   add_registrant, get_registrant, list_registrants, update_registrant_status,
                    cancel_registrants

Every call carries ``Authorization: Bearer`` from a ``TokenSource``. A 401 (Zoom code 124) makes
the client ask the source for a renewed token and send again; one rejected right after renewal is
an ``AuthError``. Failed answers become the exceptions of ``errors.py``.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import replace
from typing import Any
from urllib.parse import quote

import httpx

from sbzoom.clients.http import HttpSession, TokenSource, response_json
from sbzoom.clients.zoom.errors import (
    SCOPE_CODES,
    SERVICE,
    MeetingGoneError,
    RegistrantLinkError,
    error_fields,
    error_for_answer,
    is_daily_limit,
)
from sbzoom.clients.zoom.models import (
    MAX_REGISTRANT_EMAIL,
    MAX_REGISTRANT_NAME,
    Meeting,
    MeetingRequest,
    Registrant,
    RegistrantRef,
    ZoomUser,
    as_text,
    cut_text,
    parse_meeting,
    parse_registrant,
    parse_user,
)
from sbzoom.errors import RemoteError

PAGE_SIZE = 300
REGISTRANT_BATCH = 30  # Zoom's ceiling for one registrant-status call


# Zoom counts requests per second per account in categories, each with its own limit (a call
# draws only on its category's budget; devforum.zoom.us/t/123510). The labels below are the
# "Rate Limit Label" of each endpoint in the OpenAPI spec; every other endpoint sbzoom uses is
# Light. Limits per plan (developers.zoom.us/docs/api/rate-limits/): Light 4 | 30 | 80 /s,
# Medium 2 | 20 | 60 /s (Free | Pro | Business+).
_MEDIUM = (
    ("GET", re.compile(r"/users$")),
    ("GET", re.compile(r"/users/[^/]+/meetings$")),
    ("POST", re.compile(r"/users/[^/]+/meetings$")),
    ("GET", re.compile(r"/meetings/[^/]+/registrants$")),
    ("PUT", re.compile(r"/meetings/[^/]+/registrants/status$")),
)
# Light's budget as a share of Medium's: the smallest Light/Medium ratio of Zoom's plans
# (Business+ 80/60; Pro 30/20, Free 4/2). A zoom.max_rps at or under the plan's Medium limit keeps
# Light under that plan's Light limit too, whichever plan it is.
LIGHT_PER_MEDIUM = 4 / 3


def rate_category(method: str, path: str) -> str:
    """Zoom's rate-limit category of a REST call ("Light" or "Medium")."""
    method = method.upper()
    if any(method == m and pattern.search(path) for m, pattern in _MEDIUM):
        return "Medium"
    return "Light"


def rate_budgets(max_rps: float) -> dict[str, float]:
    """Per-category budgets for ``zoom.max_rps`` (the Medium ceiling sbzoom keeps under)."""
    return {"Medium": max_rps, "Light": max_rps * LIGHT_PER_MEDIUM}


class ZoomClient:
    """Zoom REST API v2. ``api_url`` ends in ``/v2``; ``tokens`` hands out bearer tokens."""

    def __init__(
        self,
        session: HttpSession,
        api_url: str,
        tokens: TokenSource,
        *,
        user_level: Callable[[], bool] | None = None,
    ) -> None:
        self.session = session
        self.api_url = api_url.rstrip("/")
        self.tokens = tokens
        # Whether the token belongs to a user-level app, which the spec tells to pass `me`
        # instead of its own user id ("For user-level apps, pass the me value…").
        self._user_level = user_level
        self._me: ZoomUser | None = None
        self._me_lock = threading.Lock()

    def _user_segment(self, user: str) -> str:
        """``user`` as a path segment: ``me`` when a user-level app names its own user (looked
        up once with GET /users/me, and only for user-level apps); anyone else as given."""
        if user == "me" or self._user_level is None or not self._user_level():
            return _seg(user)
        with self._me_lock:
            if self._me is None:
                self._me = parse_user(self._json("GET", "/users/me", user="me"))
            me = self._me
        if user == me.id or (me.email and user.lower() == me.email.lower()):
            return "me"
        return _seg(user)

    def close(self) -> None:
        self.session.client.close()

    # -- users ---------------------------------------------------------------------------------

    def list_users(self, status: str = "active") -> list[ZoomUser]:
        """Every user with ``status`` (active, inactive or pending), across all pages."""
        return [parse_user(u) for u in self._pages("/users", "users", {"status": status})]

    def get_user(self, user: str = "me") -> ZoomUser:
        """One user by id, e-mail or ``me``."""
        return parse_user(self._json("GET", f"/users/{self._user_segment(user)}", user=user))

    # -- meetings ------------------------------------------------------------------------------

    def create_meeting(self, host: str, body: MeetingRequest) -> Meeting:
        """Schedule a meeting for ``host`` (user id or e-mail); ``type`` 2 unless ``body`` says.

        Not idempotent: a dropped connection raises ``MaybeCommittedError``; look for the
        meeting (``list_meetings``) before creating again.
        """
        payload = body.to_json()
        payload.setdefault("type", 2)
        data = self._json(
            "POST",
            f"/users/{self._user_segment(host)}/meetings",
            json_body=payload,
            user=host,
            host=host,
        )
        return parse_meeting(data)

    def get_meeting(self, meeting_id: int) -> Meeting:
        """The meeting with a freshly issued ``start_url``."""
        return parse_meeting(
            self._json("GET", f"/meetings/{int(meeting_id)}", meeting_id=meeting_id)
        )

    def update_meeting(
        self,
        meeting_id: int,
        body: MeetingRequest,
        *,
        host: str | None = None,
    ) -> None:
        """Change only the fields in ``body``; the id and join links stay the same.

        ``host`` only names the host in a ``DailyLimitError``.
        """
        self._call(
            "PATCH",
            f"/meetings/{int(meeting_id)}",
            json_body=body.to_json(),
            meeting_id=meeting_id,
            host=host,
        )

    def delete_meeting(self, meeting_id: int, *, notify_registrants: bool = False) -> bool:
        """Delete the meeting. False when it was already gone (Zoom 3001): the goal is reached."""
        params = {"cancel_meeting_reminder": "true" if notify_registrants else "false"}
        try:
            self._call(
                "DELETE", f"/meetings/{int(meeting_id)}", params=params, meeting_id=meeting_id
            )
        except MeetingGoneError:
            return False
        return True

    def list_meetings(self, host: str, type: str = "upcoming") -> list[Meeting]:
        """The host's scheduled meetings of ``type``, across all pages (agendas cut to 250)."""
        path = f"/users/{self._user_segment(host)}/meetings"
        return [parse_meeting(m) for m in self._pages(path, "meetings", {"type": type}, user=host)]

    # -- registrants ---------------------------------------------------------------------------

    def add_registrant(
        self,
        meeting_id: int,
        email: str,
        first_name: str,
        last_name: str = "",
        *,
        auto_approve: bool = True,
        language: str | None = None,
    ) -> Registrant:
        """Register one attendee; the result carries their own ``join_url``.

        The spec (meetingRegistrantCreate, 201 ``join_url``): "The API will not return this field
        if the meeting was created with the ``approval_type`` field value of ``1``". Class
        meetings use approval type 1 on purpose (type 0 would let anyone holding the registration
        page sign themselves in), so when the 201 has no link it is read from GET
        ``/meetings/{id}/registrants/{registrantId}``, which returns an approved registrant's
        ``join_url`` whatever the approval type. Never the meeting's own ``join_url``: for a
        registration meeting that leads to Zoom's registration page, not into the meeting.
        """
        if len(email) > MAX_REGISTRANT_EMAIL:
            raise ValueError(f"e-mail longer than Zoom's {MAX_REGISTRANT_EMAIL} characters")
        first_name = cut_text(first_name or email, MAX_REGISTRANT_NAME)
        last_name = cut_text(last_name, MAX_REGISTRANT_NAME)
        body: dict[str, Any] = {"email": email, "first_name": first_name}
        if last_name:
            body["last_name"] = last_name
        if auto_approve:
            body["auto_approve"] = True
        if language:
            body["language"] = language
        data = self._json(
            "POST",
            f"/meetings/{int(meeting_id)}/registrants",
            json_body=body,
            meeting_id=meeting_id,
        )
        made = Registrant(
            id=as_text(data.get("registrant_id")),
            email=email,
            first_name=body["first_name"],
            last_name=last_name,
            status="approved" if auto_approve else "pending",
            join_url=as_text(data.get("join_url")),
        )
        if made.join_url or not auto_approve:
            return made
        fetched = self.get_registrant(meeting_id, made.id) if made.id else None
        if fetched is None or not fetched.join_url:
            raise RegistrantLinkError(
                f"Zoom registered {email} for meeting {meeting_id} but gave no personal join link"
                f" (registrant status: {fetched.status if fetched else 'unknown'}).",
                "Check the registrant in the Zoom web portal, then run 'sbzoom bookings link' "
                "again.",
                service=SERVICE,
                status=201,
            )
        return replace(made, join_url=fetched.join_url, status=fetched.status or made.status)

    def get_registrant(self, meeting_id: int, registrant_id: str) -> Registrant:
        """One registrant, with their own ``join_url`` once approved."""
        path = f"/meetings/{int(meeting_id)}/registrants/{quote(registrant_id, safe='')}"
        return parse_registrant(self._json("GET", path, meeting_id=meeting_id))

    def list_registrants(self, meeting_id: int, status: str = "approved") -> list[Registrant]:
        path = f"/meetings/{int(meeting_id)}/registrants"
        rows = self._pages(path, "registrants", {"status": status}, meeting_id=meeting_id)
        return [parse_registrant(r) for r in rows]

    def update_registrant_status(
        self, meeting_id: int, action: str, registrants: Sequence[RegistrantRef]
    ) -> None:
        """``approve``, ``deny`` or ``cancel`` registrants, 30 per call as Zoom requires."""
        items = [
            {"id": r.id, **({"email": r.email} if r.email else {})} for r in registrants if r.id
        ]
        for start in range(0, len(items), REGISTRANT_BATCH):
            self._call(
                "PUT",
                f"/meetings/{int(meeting_id)}/registrants/status",
                json_body={
                    "action": action,
                    "registrants": items[start : start + REGISTRANT_BATCH],
                },
                meeting_id=meeting_id,
            )

    def cancel_registrants(self, meeting_id: int, registrants: Sequence[RegistrantRef]) -> None:
        self.update_registrant_status(meeting_id, "cancel", registrants)

    # -- plumbing ------------------------------------------------------------------------------

    def _pages(
        self,
        path: str,
        key: str,
        params: Mapping[str, str],
        *,
        user: str | None = None,
        meeting_id: int | None = None,
    ) -> Iterator[Mapping[str, Any]]:
        token = ""
        seen: set[str] = set()
        while True:
            query = {**params, "page_size": str(PAGE_SIZE)}
            if token:
                query["next_page_token"] = token
            data = self._json("GET", path, params=query, user=user, meeting_id=meeting_id)
            rows = data.get(key) or []
            yield from (row for row in rows if isinstance(row, dict))
            token = as_text(data.get("next_page_token"))
            if not token or token in seen:  # a server repeating itself must not loop us forever
                return
            seen.add(token)

    def _json(self, method: str, path: str, **kwargs: Any) -> Mapping[str, Any]:
        data = response_json(self._call(method, path, **kwargs), SERVICE)
        if not isinstance(data, dict):
            raise RemoteError(
                f"Zoom answered {method} {path} with JSON that is not an object.",
                "Try again later, or run with --debug to see the answer.",
            )
        return data

    def _call(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, str] | None = None,
        json_body: Any = None,
        user: str | None = None,
        host: str | None = None,
        meeting_id: int | None = None,
    ) -> httpx.Response:
        response = self.session.send_with_token(
            method,
            self.api_url + path,
            tokens=self.tokens,
            credentials=lambda token: {"Authorization": f"Bearer {token}"},
            # A missing scope is a 401 too, and no new token cures it.
            refused=lambda answer: (
                answer.status_code == 401 and error_fields(answer)[0] not in SCOPE_CODES
            ),
            params=params,
            json_body=json_body,
            final=is_daily_limit,
            category=rate_category(method, path),
        )
        if response.is_success:
            return response
        raise error_for_answer(
            method,
            path,
            response,
            redactor=self.session.redactor,
            clock=self.session.clock,
            user=user,
            host=host,
            meeting_id=meeting_id,
        )


def _seg(value: str) -> str:
    """A user id or e-mail as one path segment."""
    return quote(value, safe="@")
