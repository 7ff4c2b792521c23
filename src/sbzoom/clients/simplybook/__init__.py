"""SimplyBook.me: the REST API v2 (``user-api-v2.<domain>``), typed, over one ``HttpSession``.

    api.py      SimplyBookClient: company info, providers, services, bookings, booking comments
    auth.py     SimplyBookAuth: sign-in, two-factor, refresh, logout; FixedToken
    models.py   Tokens, TwoFactorChallenge, CompanyInfo, Provider, Service, Client, Booking, and
                how SimplyBook's wall times become aware datetimes
    errors.py   what SimplyBook's error answers hold; EndpointMissingError

The public names are importable from here: ``from sbzoom.clients.simplybook import Booking``.
"""

from sbzoom.clients.simplybook.api import (
    DEFAULT_DOMAIN,
    SimplyBookClient,
    api_url_for_domain,
    booking_filters,
)
from sbzoom.clients.simplybook.auth import FixedToken, SimplyBookAuth
from sbzoom.clients.simplybook.errors import LOGIN_HINT, SERVICE, EndpointMissingError
from sbzoom.clients.simplybook.models import (
    Booking,
    Client,
    CompanyInfo,
    Provider,
    Service,
    Tokens,
    TwoFactorChallenge,
    localize,
    localize_span,
    parse_booking,
    parse_provider,
    parse_service,
)

__all__ = [
    "DEFAULT_DOMAIN",
    "LOGIN_HINT",
    "SERVICE",
    "Booking",
    "Client",
    "CompanyInfo",
    "EndpointMissingError",
    "FixedToken",
    "Provider",
    "Service",
    "SimplyBookAuth",
    "SimplyBookClient",
    "Tokens",
    "TwoFactorChallenge",
    "api_url_for_domain",
    "booking_filters",
    "localize",
    "localize_span",
    "parse_booking",
    "parse_provider",
    "parse_service",
]
