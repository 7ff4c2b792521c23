"""Zoom: the REST API v2 and the OAuth endpoints, typed, over one ``HttpSession``.

    api.py      ZoomClient: users, meetings, registrants; Zoom's rate-limit categories
    auth.py     ZoomOAuth: sign-in URL, code exchange, refresh, Server-to-Server token, revoke
    models.py   ZoomUser, Meeting, Registrant, MeetingRequest, MeetingSettings, TokenGrant
    errors.py   the Zoom errors and how a failed answer maps onto them
    scopes.py   the scopes each call needs (read by the client and by doctor)

The public names are importable from here: ``from sbzoom.clients.zoom import ZoomClient``.
"""

from sbzoom.clients.zoom.api import ZoomClient, rate_budgets, rate_category
from sbzoom.clients.zoom.auth import ZoomOAuth
from sbzoom.clients.zoom.errors import (
    LOGIN_HINT,
    SCOPE_HINT,
    DailyLimitError,
    HostNotAllowedError,
    MeetingGoneError,
    RegistrantLinkError,
    TokenRejectedError,
    TokenRequestError,
    ZoomUserGoneError,
)
from sbzoom.clients.zoom.models import (
    MAX_AGENDA,
    MAX_PASSWORD,
    MAX_REGISTRANT_EMAIL,
    MAX_REGISTRANT_NAME,
    MAX_TOPIC,
    Meeting,
    MeetingRequest,
    MeetingSettings,
    Registrant,
    RegistrantRef,
    TokenGrant,
    ZoomUser,
    cut_text,
    zoom_time,
)

__all__ = [
    "LOGIN_HINT",
    "MAX_AGENDA",
    "MAX_PASSWORD",
    "MAX_REGISTRANT_EMAIL",
    "MAX_REGISTRANT_NAME",
    "MAX_TOPIC",
    "SCOPE_HINT",
    "DailyLimitError",
    "HostNotAllowedError",
    "Meeting",
    "MeetingGoneError",
    "MeetingRequest",
    "MeetingSettings",
    "Registrant",
    "RegistrantLinkError",
    "RegistrantRef",
    "TokenGrant",
    "TokenRejectedError",
    "TokenRequestError",
    "ZoomClient",
    "ZoomOAuth",
    "ZoomUser",
    "ZoomUserGoneError",
    "cut_text",
    "rate_budgets",
    "rate_category",
    "zoom_time",
]
