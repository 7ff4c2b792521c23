"""Providers ↔ Zoom users: the use cases behind ``sbzoom providers list|map|unmap``.

Stored in the profile's config: ``providers.<id>`` = the Zoom user id hosting that SimplyBook
provider's meetings. PROVIDER is named as ``core.naming`` says; ZOOM_USER as
``core.zoom_directory`` says, which also tells what the Zoom sign-in can see.

An unlicensed Zoom user can host, but a class (``core.online``) gives each client their own link
only in meetings of licensed users: mapping such a user to a provider of an online class warns.

Every change is one ``ConfigStore.update`` call: all of it lands, or none. The Zoom directory is
read only once the SimplyBook side is known to be right (``directory`` is called when needed).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Protocol

from sbzoom.clients.simplybook import Provider, Service
from sbzoom.clients.zoom import ZoomUser
from sbzoom.core.naming import matching, resolve_one
from sbzoom.core.online import capacity_reason, offers, online_mode
from sbzoom.core.zoom_directory import ZoomDirectory, resolve_zoom_user
from sbzoom.errors import UsageError
from sbzoom.ids import parse_id

if TYPE_CHECKING:
    from sbzoom.core.ports import Chooser, Notifier
    from sbzoom.store.config import ConfigStore, Profile

# Why ``providers map --auto`` left a provider unmapped.
NO_EMAIL = "no_email"
NO_ZOOM_USER = "no_zoom_user"
INACTIVE = "inactive"
PENDING = "pending"
USER_LEVEL = "user_level"


class CatalogSource(Protocol):
    """The SimplyBook side: ``SimplyBookClient`` fits."""

    def list_providers(self) -> list[Provider]: ...
    def list_services(self) -> list[Service]: ...


def _online_classes(
    services: Sequence[Service], providers: Sequence[Provider], stored: Mapping[str, str]
) -> list[Service]:
    return [
        s
        for s in services
        if (mode := online_mode(stored, s)) is not None
        and (mode == "class" or capacity_reason(s, providers) is not None)
    ]


def _licence_warning(
    provider: Provider, user: ZoomUser | None, online_classes: Sequence[Service]
) -> str | None:
    if user is None or user.licensed:
        return None
    hosted = [s.name for s in online_classes if offers(provider, s)]
    if not hosted:
        return None
    return (
        f"Zoom user {user.email} is not licensed, but {provider.name} hosts the online class "
        f"{', '.join(hosted)}: Zoom gives each client their own link only in meetings of "
        "licensed users."
    )


@dataclass(frozen=True)
class ProviderRow:
    provider: Provider
    zoom_user_id: str | None  # as stored in the config; None when unmapped
    zoom_user: ZoomUser | None  # that user as Zoom knows them; None when unmapped or gone
    problem: str | None  # the mapping cannot work (user gone, inactive, out of reach)
    warning: str | None  # it works, but something will bite (unlicensed class host, unmapped)


@dataclass(frozen=True)
class ProviderListing:
    rows: tuple[ProviderRow, ...]
    stale: tuple[tuple[str, str], ...]  # (provider id, zoom user id) mapped, gone from SimplyBook
    limitation: str | None  # set when the Zoom sign-in is user-level


def _mapping_problem(directory: ZoomDirectory, user_id: str) -> tuple[ZoomUser | None, str | None]:
    user = directory.by_id(user_id)
    if not directory.all_users:
        if user is None:
            who = directory.me.email if directory.me else "the signed-in Zoom user"
            return None, (
                f"mapped to Zoom user {user_id}, but this user-level Zoom sign-in can act only "
                f"for {who}: meetings for {user_id} cannot be created"
            )
    elif user is None:
        return None, (
            f"Zoom user {user_id} no longer exists in the Zoom account: map the provider again"
        )
    if user.status != "active":
        return user, (
            f"Zoom user {user.email} is {user.status or 'not active'} and cannot host: "
            "reactivate them in Zoom or map another user"
        )
    return user, None


def list_providers(
    catalog: CatalogSource, directory: Callable[[], ZoomDirectory], profile: Profile
) -> ProviderListing:
    """Every SimplyBook provider with its mapped Zoom user, checked against Zoom."""
    providers = sorted(catalog.list_providers(), key=lambda p: p.id)
    services = catalog.list_services()
    zoom = directory()
    mapping = profile.family("providers")
    stored_services = profile.family("services")
    classes = _online_classes(services, providers, stored_services)
    online = [s for s in services if online_mode(stored_services, s)]
    rows: list[ProviderRow] = []
    for provider in providers:
        user_id = mapping.get(str(provider.id))
        if user_id is None:
            offered = [s.name for s in online if offers(provider, s)]
            warning = (
                f"not mapped, yet offers the online service {', '.join(offered)}: "
                "those bookings get no meeting"
                if offered
                else None
            )
            rows.append(ProviderRow(provider, None, None, None, warning))
            continue
        user, problem = _mapping_problem(zoom, user_id)
        warning = None if problem else _licence_warning(provider, user, classes)
        rows.append(ProviderRow(provider, user_id, user, problem, warning))
    known = {str(p.id) for p in providers}
    stale = tuple(sorted((k, v) for k, v in mapping.items() if k not in known))
    return ProviderListing(tuple(rows), stale, zoom.limitation())


@dataclass(frozen=True)
class MapResult:
    provider: Provider
    zoom_user: ZoomUser
    previous: str | None  # the Zoom user id mapped before, if any
    warnings: tuple[str, ...] = ()

    @property
    def changed(self) -> bool:
        return self.previous != self.zoom_user.id


def require_map_arguments(
    provider_ref: str | None, zoom_ref: str | None, chooser: Chooser | None
) -> None:
    """A UsageError naming the arguments and ``--auto`` when one is missing and nobody may be
    asked for it (no ``chooser``)."""
    if (provider_ref is None or zoom_ref is None) and chooser is None:
        what = "the provider and the Zoom user" if provider_ref is None else "the Zoom user"
        raise UsageError(
            f"Name {what}: 'sbzoom providers map PROVIDER ZOOM_USER' "
            "(a SimplyBook id or exact name, and a Zoom user id or e-mail).",
            "Or map every unmapped provider whose e-mail matches a Zoom user with "
            "'sbzoom providers map --auto'.",
        )


def map_provider(
    provider_ref: str | None,
    zoom_ref: str | None,
    *,
    catalog: CatalogSource,
    directory: Callable[[], ZoomDirectory],
    profile: Profile,
    config: ConfigStore,
    chooser: Chooser | None,
    notifier: Notifier,
) -> MapResult:
    """Map one provider to the Zoom user who hosts their meetings; both are checked remotely.

    A missing PROVIDER or ZOOM_USER is asked for with the ``chooser``'s numbered menu; without
    one (sbzoom may not prompt) it is a UsageError naming the arguments and ``--auto``.
    """
    require_map_arguments(provider_ref, zoom_ref, chooser)
    providers = sorted(catalog.list_providers(), key=lambda p: p.id)
    mapping = profile.family("providers")
    if provider_ref is not None:
        provider = resolve_one(provider_ref, providers, "provider")
    else:
        assert chooser is not None
        if not providers:
            raise UsageError("SimplyBook has no providers to map.")
        options = [
            f"{p.name} <{p.email or 'no e-mail'}> (id {p.id})"
            + (f", mapped to {mapping[str(p.id)]}" if str(p.id) in mapping else "")
            for p in providers
        ]
        provider = providers[chooser.choose("SimplyBook providers:", options, "Provider")]
    zoom = directory()
    if zoom_ref is not None:
        user = resolve_zoom_user(zoom, zoom_ref)
    else:
        assert chooser is not None
        hosts = sorted(zoom.hosts, key=lambda u: u.email.casefold())
        if not hosts:
            raise UsageError("The Zoom account has no active user who could host.")
        if zoom.limitation():
            notifier.notice(zoom.limitation() or "")
        options = [f"{u.email} ({u.name or 'no name'}, id {u.id})" for u in hosts]
        user = hosts[chooser.choose(f"Zoom users to host {provider.name}:", options, "Zoom user")]
    previous = mapping.get(str(provider.id))
    warnings: list[str] = []
    if not user.licensed:
        classes = _online_classes(catalog.list_services(), providers, profile.family("services"))
        warning = _licence_warning(provider, user, classes)
        if warning:
            warnings.append(warning)
    if previous != user.id:
        config.update(profile.name, {f"providers.{provider.id}": user.id})
    return MapResult(provider, user, previous, tuple(warnings))


@dataclass(frozen=True)
class AutoMapped:
    provider: Provider
    zoom_user: ZoomUser
    warning: str | None = None


@dataclass(frozen=True)
class NotMapped:
    provider: Provider
    reason: str  # no_email | no_zoom_user | inactive | pending | user_level
    detail: str  # the sentence to show


@dataclass(frozen=True)
class AutoMapResult:
    mapped: tuple[AutoMapped, ...]
    not_mapped: tuple[NotMapped, ...]
    already_mapped: tuple[tuple[Provider, str], ...]  # (provider, zoom user id), left alone
    limitation: str | None


def _why_not(provider: Provider, zoom: ZoomDirectory) -> tuple[ZoomUser | None, NotMapped | None]:
    if not provider.email:
        return None, NotMapped(provider, NO_EMAIL, "has no e-mail in SimplyBook")
    user = zoom.by_email(provider.email)
    if user is None:
        if not zoom.all_users:
            who = zoom.me.email if zoom.me else "the signed-in Zoom user"
            return None, NotMapped(
                provider,
                USER_LEVEL,
                f"{provider.email} is not {who}, the only Zoom user this sign-in can host for",
            )
        return None, NotMapped(
            provider, NO_ZOOM_USER, f"no Zoom user has the e-mail {provider.email}"
        )
    if user.status == "pending" or not user.id:
        return None, NotMapped(
            provider,
            PENDING,
            f"Zoom user {user.email} has not accepted the invitation yet (pending)",
        )
    if user.status != "active":
        return None, NotMapped(
            provider, INACTIVE, f"Zoom user {user.email} is {user.status or 'not active'}"
        )
    return user, None


def auto_map(
    *,
    catalog: CatalogSource,
    directory: Callable[[], ZoomDirectory],
    profile: Profile,
    config: ConfigStore,
) -> AutoMapResult:
    """Map every unmapped provider whose e-mail is an active Zoom user's (case-insensitive), in
    one config write. Providers already mapped are left alone; the rest are reported with why."""
    providers = sorted(catalog.list_providers(), key=lambda p: p.id)
    zoom = directory()
    mapping = profile.family("providers")
    mapped: list[AutoMapped] = []
    not_mapped: list[NotMapped] = []
    already: list[tuple[Provider, str]] = []
    for provider in providers:
        if str(provider.id) in mapping:
            already.append((provider, mapping[str(provider.id)]))
            continue
        user, reason = _why_not(provider, zoom)
        if reason is not None:
            not_mapped.append(reason)
        elif user is not None:
            mapped.append(AutoMapped(provider, user))
    if any(not m.zoom_user.licensed for m in mapped):
        classes = _online_classes(catalog.list_services(), providers, profile.family("services"))
        mapped = [
            replace(m, warning=_licence_warning(m.provider, m.zoom_user, classes)) for m in mapped
        ]
    if mapped:
        config.update(profile.name, {f"providers.{m.provider.id}": m.zoom_user.id for m in mapped})
    return AutoMapResult(tuple(mapped), tuple(not_mapped), tuple(already), zoom.limitation())


@dataclass(frozen=True)
class UnmapResult:
    provider_id: int
    name: str | None  # None when SimplyBook no longer has the provider
    previous: str | None  # the Zoom user id that was mapped; None: there was nothing to remove


def unmap_provider(
    provider_ref: str, *, profile: Profile, catalog: CatalogSource, config: ConfigStore
) -> UnmapResult:
    """Remove a provider's mapping. A mapping of a provider SimplyBook no longer has can be
    removed by its id."""
    mapping = profile.family("providers")
    providers = sorted(catalog.list_providers(), key=lambda p: p.id)
    ref = provider_ref.strip()
    number = parse_id(ref)
    if number is not None and str(number) in mapping and not matching(ref, providers):
        provider_id, name = number, None
    else:
        provider = resolve_one(ref, providers, "provider")
        provider_id, name = provider.id, provider.name
    previous = mapping.get(str(provider_id))
    if previous is not None:
        config.update(profile.name, {f"providers.{provider_id}": None})
    return UnmapResult(provider_id, name, previous)
