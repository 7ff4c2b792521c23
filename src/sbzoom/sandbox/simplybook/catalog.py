"""What the company offers: ``GET /admin/providers[/{id}]``, ``GET /admin/services[/{id}]``
(``filter[service_id]`` narrows providers), ``GET /admin/company/info``, and the entity shapes
bookings embed (a provider's ``services`` are strings, a service's ``providers`` numbers).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from sbzoom.sandbox.data import DEMO_COMPANY, DEMO_COMPANY_NAME, DOMAIN, Client, Provider, Service
from sbzoom.sandbox.errors import SimplyBookApiError
from sbzoom.sandbox.simplybook.formats import listing, parse_int
from sbzoom.sandbox.wire import Request, Response, json_response

if TYPE_CHECKING:
    from sbzoom.sandbox.simplybook.service import SimplyBookService


def provider_entity(provider: Provider) -> dict[str, Any]:
    return {
        "id": provider.id,
        "name": provider.name,
        "qty": provider.qty,
        "email": provider.email,
        "description": provider.description,
        "phone": provider.phone,
        "picture": None,
        "picture_preview": None,
        "color": provider.color,
        "is_active": True,
        "is_visible": True,
        "services": [str(service_id) for service_id in provider.services],
    }


def service_entity(service: Service) -> dict[str, Any]:
    return {
        "id": service.id,
        "name": service.name,
        "description": service.description,
        "price": service.price,
        "currency": "USD",
        "deposit_price": None,
        "tax_id": None,
        "tax": None,
        "duration": service.duration,
        "buffer_time_after": 0,
        "duration_type": "fixed",
        "recurring_settings": None,
        "picture": None,
        "picture_preview": None,
        "memberships": [],
        "providers": list(service.providers),
        "is_active": True,
        "is_visible": True,
        "limit_booking": service.limit_booking,
        "min_group_booking": service.min_group_booking,
    }


def client_entity(client: Client) -> dict[str, Any]:
    return {
        "id": client.id,
        "name": client.name,
        "email": client.email,
        "phone": client.phone,
        "address1": "",
        "address2": "",
        "city": client.city,
        "zip": "",
        "country_id": "US",
        "state_id": None,
        "full_address": client.city,
        "can_be_edited": True,
        "is_deleted": False,
        "email_promo_subscribed": False,
        "sms_promo_subscribed": False,
    }


def list_providers(
    simplybook: SimplyBookService, request: Request, match: re.Match[str]
) -> Response:
    providers = list(simplybook._providers.values())
    service_id = parse_int(request.arg("filter[service_id]"))
    if service_id is not None:
        providers = [p for p in providers if service_id in p.services]
    return listing(
        request,
        providers,
        lambda p: simplybook._provider_json[p.id],
        bare=simplybook.bare_lists,
    )


def get_provider(simplybook: SimplyBookService, request: Request, match: re.Match[str]) -> Response:
    provider = simplybook._provider_json.get(int(match.group(1)))
    if not provider:
        raise SimplyBookApiError(404, "Provider not found")
    return json_response(200, provider)


def list_services(
    simplybook: SimplyBookService, request: Request, match: re.Match[str]
) -> Response:
    services = list(simplybook._services.values())
    return listing(
        request, services, lambda s: simplybook._service_json[s.id], bare=simplybook.bare_lists
    )


def get_service(simplybook: SimplyBookService, request: Request, match: re.Match[str]) -> Response:
    service = simplybook._service_json.get(int(match.group(1)))
    if not service:
        raise SimplyBookApiError(404, "Service not found")
    return json_response(200, service)


def company_info(simplybook: SimplyBookService, request: Request, match: re.Match[str]) -> Response:
    info: dict[str, Any] = {
        "login": DEMO_COMPANY,
        "name": DEMO_COMPANY_NAME,
        "description": "A demo company served by the sbzoom sandbox.",
        "address1": "1 Demo Plaza",
        "address2": "",
        "city": "New York",
        "zip": "10001",
        "country_id": "US",
        "email": f"studio@{DOMAIN}",
        "phone": "+1 212 555 0100",
        "web": "",
        "currency": "USD",
    }
    if simplybook._info_timezone:
        info["timezone"] = simplybook._zone.key
    return json_response(200, info)
