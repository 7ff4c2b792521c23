"""Which services are online: the use cases behind ``sbzoom services list|enable-online|
disable-online``.

Stored in the profile's config: ``services.<id>`` = ``online`` or ``class`` (``core.online``
says what makes a class). SERVICE is named as ``core.naming`` says; several SERVICE arguments are
all resolved before anything is written, and every change is one ``ConfigStore.update`` call.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sbzoom.clients.simplybook import Provider, Service
from sbzoom.core.naming import matching, resolve_all
from sbzoom.core.online import capacity_reason, online_mode
from sbzoom.ids import parse_id

if TYPE_CHECKING:
    from sbzoom.core.providers import CatalogSource
    from sbzoom.store.config import ConfigStore, Profile


@dataclass(frozen=True)
class ServiceRow:
    service: Service
    online: bool
    is_class: bool
    class_source: str | None  # "forced" (--class) | "capacity" | None
    class_reason: str | None


@dataclass(frozen=True)
class ServiceListing:
    rows: tuple[ServiceRow, ...]
    stale: tuple[tuple[str, str], ...]  # (service id, online|class) configured, gone from SB


def _service_row(
    service: Service, providers: Sequence[Provider], stored: Mapping[str, str]
) -> ServiceRow:
    mode = online_mode(stored, service)
    reason = capacity_reason(service, providers)
    if reason is not None:
        return ServiceRow(service, mode is not None, True, "capacity", reason)
    if mode == "class":
        return ServiceRow(service, True, True, "forced", "enabled with --class")
    return ServiceRow(service, mode is not None, False, None, None)


def list_services(catalog: CatalogSource, profile: Profile) -> ServiceListing:
    """Every SimplyBook service with its online and class flags (and where the class comes from)."""
    services = sorted(catalog.list_services(), key=lambda s: s.id)
    providers = catalog.list_providers()
    stored = profile.family("services")
    rows = tuple(_service_row(s, providers, stored) for s in services)
    known = {str(s.id) for s in services}
    stale = tuple(sorted((k, v) for k, v in stored.items() if k not in known))
    return ServiceListing(rows, stale)


@dataclass(frozen=True)
class ServiceChange:
    service_id: int
    name: str | None  # None for a configured service SimplyBook no longer has
    before: str | None  # None (offline) | online | class
    after: str | None
    class_reason: str | None = None  # why it is a class, when it is one

    @property
    def changed(self) -> bool:
        return self.before != self.after


def _write(config: ConfigStore, profile: Profile, changes: Sequence[ServiceChange]) -> None:
    updates: dict[str, str | None] = {
        f"services.{c.service_id}": c.after for c in changes if c.changed
    }
    if updates:
        config.update(profile.name, updates)


def enable_online(
    refs: Sequence[str],
    *,
    force_class: bool = False,
    catalog: CatalogSource,
    profile: Profile,
    config: ConfigStore,
) -> tuple[ServiceChange, ...]:
    """Make services online, as classes when ``force_class`` or their capacity says so. Every
    name is resolved first; one bad name and nothing is written (NotFoundError, exit 2)."""
    services = catalog.list_services()
    chosen = resolve_all(refs, services, "service")
    providers = catalog.list_providers()
    stored = profile.family("services")
    changes: list[ServiceChange] = []
    for service in chosen:
        reason = capacity_reason(service, providers)
        if reason is None and force_class:
            reason = "enabled with --class"
        after = "class" if reason else "online"
        changes.append(
            ServiceChange(service.id, service.name, online_mode(stored, service), after, reason)
        )
    _write(config, profile, changes)
    return tuple(changes)


def disable_online(
    refs: Sequence[str], *, catalog: CatalogSource, profile: Profile, config: ConfigStore
) -> tuple[ServiceChange, ...]:
    """Make services offline. A configured id SimplyBook no longer knows can be disabled too."""
    services = catalog.list_services()
    stored = profile.family("services")
    gone = [
        r.strip()
        for r in refs
        if parse_id(r) is not None and str(parse_id(r)) in stored and not matching(r, services)
    ]
    chosen = resolve_all([r for r in refs if r.strip() not in gone], services, "service")
    changes = [ServiceChange(s.id, s.name, online_mode(stored, s), None) for s in chosen]
    for ref in dict.fromkeys(int(r) for r in gone):
        changes.append(ServiceChange(ref, None, stored[str(ref)], None))
    _write(config, profile, changes)
    return tuple(changes)
