"""A small studio for the provider, service and Zoom-user tests: seven providers, four services,
and a Zoom account whose users are active, unlicensed, inactive and pending."""

from __future__ import annotations

from sbzoom.clients.simplybook import Provider, Service
from sbzoom.clients.zoom import ZoomUser
from sbzoom.core.zoom_directory import ZoomDirectory
from tests.fakes import FakeCatalog


def provider(
    ident: int, name: str, email: str | None, qty: int = 1, services: tuple[int, ...] = ()
) -> Provider:
    return Provider(ident, name, email, qty, True, True, services)


def service(ident: int, name: str, providers: tuple[int, ...] = (), limit: int = 1) -> Service:
    return Service(ident, name, 60, providers, limit, True, True)


def zoom_user(ident: str, email: str, status: str = "active", licensed: bool = True) -> ZoomUser:
    return ZoomUser(ident, email, "First", "Last", 2 if licensed else 1, status)


ALICE = provider(1, "Alice Romero", "alice@example.com", qty=12, services=(3,))
BEN = provider(2, "Ben Okafor", "Ben.Okafor@Example.COM", services=(1, 2))
CHLOE = provider(3, "Chloe Park", "chloe@example.com", services=(1, 2))
DAN = provider(4, "Dan Whitfield", "dan@example.com", services=(1,))
ERIN = provider(5, "Erin Ode", None)
FRANK = provider(6, "Frank Stone", "frank@example.com")
GINA = provider(7, "Gina Lo", "gina@example.com")
PROVIDERS = (ALICE, BEN, CHLOE, DAN, ERIN, FRANK, GINA)

INTRO = service(1, "Intro Consultation", (2, 3, 4))
NUTRITION = service(2, "Nutrition Coaching", (2, 3))
YOGA = service(3, "Group Yoga", (1,))  # limit 1, but Alice takes 12 per slot
WORKSHOP = service(5, "Workshop", limit=8)
SERVICES = (INTRO, NUTRITION, YOGA, WORKSHOP)

OWNER = zoom_user("zOwner", "owner@example.com")
Z_ALICE = zoom_user("zAlice", "alice@example.com")
Z_BEN = zoom_user("zBen", "ben.okafor@example.com")
Z_CHLOE = zoom_user("zChloe", "chloe@example.com", licensed=False)
Z_FRANK = zoom_user("zFrank", "frank@example.com", status="inactive")
Z_GINA = zoom_user("", "gina@example.com", status="pending")
ACCOUNT = ZoomDirectory((OWNER, Z_ALICE, Z_BEN, Z_CHLOE, Z_FRANK, Z_GINA), all_users=True)
USER_LEVEL = ZoomDirectory((OWNER,), all_users=False, me=OWNER)


def studio_catalog(
    providers: tuple[Provider, ...] = PROVIDERS, services: tuple[Service, ...] = SERVICES
) -> FakeCatalog:
    return FakeCatalog(providers, services)
