"""Providers ↔ Zoom users, and which services are online: the use cases behind
``sbzoom providers`` and ``sbzoom services``.

Stored in the profile's config: ``providers.<id>`` = the Zoom user id hosting that SimplyBook
provider's meetings; ``services.<id>`` = ``online`` or ``class``. A service without a key is
offline, so services created later stay offline until someone enables them.

Naming things on the command line:

* PROVIDER / SERVICE: the SimplyBook id, else the exact name; when no name matches exactly, a
  name equal but for letter case is accepted if it is the only one. Two providers (or services)
  sharing the name are ambiguous: the error lists them with their ids. Several SERVICE arguments
  are all resolved before anything is written; one bad name and nothing changes.
* ZOOM_USER: the Zoom user id, or the e-mail (case-insensitive), or ``me``. The user must be
  active: Zoom gives pending (invited) users no id, and deactivated users cannot host.

What the Zoom sign-in can see: an account-level app (Server-to-Server, or OAuth with
``user:read:list_users:admin``) lists every user of the account and can host for any of them.
A user-level app acts only for the Zoom user who authorized it; then that user is the only
possible host, and sbzoom says so instead of mapping others who could never host.

A class (one meeting per session, one registration link per client) is what ``--class`` asks
for, and anything whose capacity lets several clients share a slot: the service's booking limit
(``limit_booking``) or the ``qty`` of a provider who offers it above 1. Such services are stored
as ``class`` without being asked.

Every change is one ``ConfigStore.update`` call: all of it lands, or none.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Protocol, TypeVar

from sbzoom.clients.simplybook import Provider, Service
from sbzoom.clients.zoom import ZoomUser
from sbzoom.context import Context
from sbzoom.errors import AuthError, MissingScopeError, NotFoundError, UsageError
from sbzoom.ids import id_problem, parse_id

ZOOM_STATUSES = ("active", "inactive", "pending")
MAX_CANDIDATES = 20
ALL_USERS_HINT = (
    "To let other Zoom users host, sign in with an account-level app: "
    "'sbzoom auth login zoom --s2s', or an OAuth app a Zoom admin authorized with the scope "
    'user:read:list_users:admin ("shared access permissions").'
)

# Why ``providers map --auto`` left a provider unmapped.
NO_EMAIL = "no_email"
NO_ZOOM_USER = "no_zoom_user"
INACTIVE = "inactive"
PENDING = "pending"
USER_LEVEL = "user_level"


# -- what the use cases read ------------------------------------------------------------------


class CatalogSource(Protocol):
    """The SimplyBook side: ``SimplyBookClient`` fits."""

    def list_providers(self) -> list[Provider]: ...
    def list_services(self) -> list[Service]: ...


class ZoomUserSource(Protocol):
    """The Zoom side: ``ZoomClient`` fits."""

    def list_users(self, status: str = "active") -> list[ZoomUser]: ...
    def get_user(self, user: str = "me") -> ZoomUser: ...


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
            users = [
                user if user.status else replace(user, status=status)
                for status in ZOOM_STATUSES
                for user in source.list_users(status)
            ]
            return ZoomDirectory(tuple(users), all_users=True)
        except MissingScopeError:
            if all_users:
                raise
    me = source.get_user("me")
    me = me if me.status else replace(me, status="active")
    return ZoomDirectory((me,), all_users=False, me=me)


def zoom_directory(context: Context) -> ZoomDirectory:
    """The directory of the profile's Zoom sign-in; AuthError (exit 4) when there is none."""
    from sbzoom.core.auth.zoom.connection import connect

    connection = connect(context)
    connection.tokens.access_token()  # so the grant, and with it the scopes, is known
    grant = connection.tokens.current()
    known = grant.can_list_all_users if grant is not None and grant.scopes else None
    return load_directory(connection.client, known)


def _catalog(context: Context, given: CatalogSource | None) -> CatalogSource:
    if given is not None:
        return given
    from sbzoom.core.auth.simplybook.connection import simplybook_client

    return simplybook_client(context)


def _directory(context: Context, given: ZoomDirectory | None) -> ZoomDirectory:
    return given if given is not None else zoom_directory(context)


# -- naming things -----------------------------------------------------------------------------

Named = TypeVar("Named", Provider, Service)


def _matches(ref: str, items: Sequence[Named]) -> list[Named]:
    text = ref.strip()
    number = parse_id(text)
    if number is not None:
        by_id = [item for item in items if item.id == number]
        if by_id:
            return by_id
    exact = [item for item in items if item.name == text]
    if exact:
        return exact
    return [item for item in items if item.name.casefold() == text.casefold()]


def describe(item: Provider | Service) -> str:
    return f"{item.id} {item.name}"


def _candidates(refs: Iterable[str], items: Sequence[Named]) -> list[str]:
    """Everything when the list is short; otherwise the names close to what was typed."""
    ordered = sorted(items, key=lambda i: i.id)
    if len(ordered) <= MAX_CANDIDATES:
        return [describe(i) for i in ordered]
    names = [i.name for i in ordered]
    close: list[str] = []
    for ref in refs:
        for name in difflib.get_close_matches(ref, names, n=MAX_CANDIDATES, cutoff=0.5):
            if name not in close:
                close.append(name)
    chosen = [i for i in ordered if i.name in close] or ordered[:MAX_CANDIDATES]
    return [describe(i) for i in chosen[:MAX_CANDIDATES]]


def resolve_all(refs: Sequence[str], items: Sequence[Named], kind: str) -> list[Named]:
    """Each ref as one item (duplicates once, in order), or one NotFoundError naming every bad
    ref: ``kind`` is "provider" or "service"."""
    found: list[Named] = []
    unknown: list[str] = []
    ambiguous: list[tuple[str, list[Named]]] = []
    for ref in refs:
        hits = _matches(ref, items)
        if not hits:
            unknown.append(ref)
        elif len(hits) > 1:
            ambiguous.append((ref, hits))
        elif hits[0] not in found:
            found.append(hits[0])
    if not unknown and not ambiguous:
        return found
    problems: list[str] = []
    for ref in unknown:
        why = id_problem(ref)
        if why:  # '-3', '١٢': a try at an id, not a name nobody has
            raise UsageError(f"{kind.capitalize()} id {why}.", f"Name a {kind} by its id or name.")
    if unknown:
        quoted = ", ".join(f"'{r}'" for r in unknown)
        problems.append(
            f"No {kind} has the id or exact name {quoted}."
            if len(unknown) == 1
            else f"No {kind}s have the ids or exact names {quoted}."
        )
    for ref, hits in ambiguous:
        ids = ", ".join(str(h.id) for h in hits)
        problems.append(f"'{ref}' matches {len(hits)} {kind}s (ids {ids}).")
    if unknown:
        candidates = _candidates(unknown, items)
        hint = f"Name a {kind} by its id or exact name; 'sbzoom {kind}s list' shows them all."
    else:
        candidates = [describe(h) for _, hits in ambiguous for h in hits]
        hint = "Use the id to say which one."
    if ambiguous and unknown:
        hint += " Where a name is shared, use the id."
    raise NotFoundError(" ".join(problems), hint, candidates)


def resolve_one(ref: str, items: Sequence[Named], kind: str) -> Named:
    return resolve_all([ref], items, kind)[0]


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


# -- which services are classes, which are online ---------------------------------------------


def offers(provider: Provider, service: Service) -> bool:
    return provider.id in service.provider_ids or service.id in provider.service_ids


def capacity_reason(service: Service, providers: Iterable[Provider]) -> str | None:
    """Why the service's capacity makes it a class, or None when one client fills a slot."""
    if service.capacity > 1:
        return f"its booking limit allows {service.capacity} clients per slot"
    takers = [p for p in providers if offers(p, service) and p.qty > 1]
    if takers:
        most = max(takers, key=lambda p: p.qty)
        return f"provider {most.name} takes {most.qty} clients per slot"
    return None


def _online(profile_services: Mapping[str, str], service: Service) -> str | None:
    value = profile_services.get(str(service.id))
    return value if value in ("online", "class") else None


def _online_classes(
    services: Sequence[Service], providers: Sequence[Provider], stored: Mapping[str, str]
) -> list[Service]:
    return [
        s
        for s in services
        if (mode := _online(stored, s)) is not None
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


# -- providers ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class ProviderRow:
    provider: Provider
    zoom_user_id: str | None  # as stored in the config; None when unmapped
    zoom_user: ZoomUser | None  # that user as Zoom knows them; None when unmapped or gone
    problem: str | None  # the mapping cannot work (user gone, inactive, out of reach)
    warning: str | None  # it works, but something will bite (unlicensed class host, unmapped)

    def to_json(self) -> dict[str, object]:
        user = self.zoom_user
        return {
            "id": self.provider.id,
            "name": self.provider.name,
            "email": self.provider.email,
            "zoom_user_id": self.zoom_user_id,
            "zoom_email": user.email if user else None,
            "licensed": user.licensed if user else None,
            "problem": self.problem,
            "warning": self.warning,
            "zoom_status": user.status if user else None,
            "active": self.provider.is_active,
        }


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
    context: Context,
    *,
    catalog: CatalogSource | None = None,
    directory: ZoomDirectory | None = None,
) -> ProviderListing:
    """Every SimplyBook provider with its mapped Zoom user, checked against Zoom."""
    source = _catalog(context, catalog)
    providers = sorted(source.list_providers(), key=lambda p: p.id)
    services = source.list_services()
    zoom = _directory(context, directory)
    mapping = context.profile.family("providers")
    stored_services = context.profile.family("services")
    classes = _online_classes(services, providers, stored_services)
    online = [s for s in services if _online(stored_services, s)]
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

    def to_json(self) -> dict[str, object]:
        return {
            "id": self.provider.id,
            "name": self.provider.name,
            "email": self.provider.email,
            "zoom_user_id": self.zoom_user.id,
            "zoom_email": self.zoom_user.email,
            "licensed": self.zoom_user.licensed,
            "previous_zoom_user_id": self.previous,
            "changed": self.changed,
            "warnings": list(self.warnings),
        }


def _pick(context: Context, title: str, options: Sequence[str], label: str) -> int:
    """A numbered menu on stderr; returns the index chosen."""
    menu = "\n".join(f"  {number}) {text}" for number, text in enumerate(options, start=1))
    context.notice(f"{title}\n{menu}")
    answer = context.ask.text(f"{label} (1-{len(options)})").strip()
    if answer.isdigit() and 1 <= int(answer) <= len(options):
        return int(answer) - 1
    raise UsageError(f"'{answer}' is not one of the numbers 1 to {len(options)}; nothing changed.")


def map_provider(
    context: Context,
    provider_ref: str | None,
    zoom_ref: str | None,
    *,
    catalog: CatalogSource | None = None,
    directory: ZoomDirectory | None = None,
) -> MapResult:
    """Map one provider to the Zoom user who hosts their meetings; both are checked remotely.

    A missing PROVIDER or ZOOM_USER is asked for with a numbered menu when sbzoom may prompt,
    otherwise it is a UsageError naming the arguments and ``--auto``.
    """
    if (provider_ref is None or zoom_ref is None) and not context.interactive:
        what = "the provider and the Zoom user" if provider_ref is None else "the Zoom user"
        raise UsageError(
            f"Name {what}: 'sbzoom providers map PROVIDER ZOOM_USER' "
            "(a SimplyBook id or exact name, and a Zoom user id or e-mail).",
            "Or map every unmapped provider whose e-mail matches a Zoom user with "
            "'sbzoom providers map --auto'.",
        )
    source = _catalog(context, catalog)
    providers = sorted(source.list_providers(), key=lambda p: p.id)
    mapping = context.profile.family("providers")
    if provider_ref is not None:
        provider = resolve_one(provider_ref, providers, "provider")
    else:
        if not providers:
            raise UsageError("SimplyBook has no providers to map.")
        options = [
            f"{p.name} <{p.email or 'no e-mail'}> (id {p.id})"
            + (f", mapped to {mapping[str(p.id)]}" if str(p.id) in mapping else "")
            for p in providers
        ]
        provider = providers[_pick(context, "SimplyBook providers:", options, "Provider")]
    zoom = _directory(context, directory)
    if zoom_ref is not None:
        user = resolve_zoom_user(zoom, zoom_ref)
    else:
        hosts = sorted(zoom.hosts, key=lambda u: u.email.casefold())
        if not hosts:
            raise UsageError("The Zoom account has no active user who could host.")
        if zoom.limitation():
            context.notice(zoom.limitation() or "")
        options = [f"{u.email} ({u.name or 'no name'}, id {u.id})" for u in hosts]
        user = hosts[_pick(context, f"Zoom users to host {provider.name}:", options, "Zoom user")]
    previous = mapping.get(str(provider.id))
    warnings: list[str] = []
    if not user.licensed:
        classes = _online_classes(
            source.list_services(), providers, context.profile.family("services")
        )
        warning = _licence_warning(provider, user, classes)
        if warning:
            warnings.append(warning)
    if previous != user.id:
        context.config.update(context.profile_name, {f"providers.{provider.id}": user.id})
        context.reload_profile()
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

    def to_json(self) -> dict[str, object]:
        return {
            "mapped": [
                {
                    "id": m.provider.id,
                    "name": m.provider.name,
                    "email": m.provider.email,
                    "zoom_user_id": m.zoom_user.id,
                    "zoom_email": m.zoom_user.email,
                    "licensed": m.zoom_user.licensed,
                    "warning": m.warning,
                }
                for m in self.mapped
            ],
            "not_mapped": [
                {
                    "id": n.provider.id,
                    "name": n.provider.name,
                    "email": n.provider.email,
                    "reason": n.reason,
                    "detail": n.detail,
                }
                for n in self.not_mapped
            ],
            "already_mapped": [
                {"id": p.id, "name": p.name, "zoom_user_id": user_id}
                for p, user_id in self.already_mapped
            ],
            "all_users": self.limitation is None,
            "limitation": self.limitation,
        }


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
    context: Context,
    *,
    catalog: CatalogSource | None = None,
    directory: ZoomDirectory | None = None,
) -> AutoMapResult:
    """Map every unmapped provider whose e-mail is an active Zoom user's (case-insensitive), in
    one config write. Providers already mapped are left alone; the rest are reported with why."""
    source = _catalog(context, catalog)
    providers = sorted(source.list_providers(), key=lambda p: p.id)
    zoom = _directory(context, directory)
    mapping = context.profile.family("providers")
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
        classes = _online_classes(
            source.list_services(), providers, context.profile.family("services")
        )
        mapped = [
            replace(m, warning=_licence_warning(m.provider, m.zoom_user, classes)) for m in mapped
        ]
    if mapped:
        context.config.update(
            context.profile_name, {f"providers.{m.provider.id}": m.zoom_user.id for m in mapped}
        )
        context.reload_profile()
    return AutoMapResult(tuple(mapped), tuple(not_mapped), tuple(already), zoom.limitation())


@dataclass(frozen=True)
class UnmapResult:
    provider_id: int
    name: str | None  # None when SimplyBook no longer has the provider
    previous: str | None  # the Zoom user id that was mapped; None: there was nothing to remove


def unmap_provider(
    context: Context, provider_ref: str, *, catalog: CatalogSource | None = None
) -> UnmapResult:
    """Remove a provider's mapping. A mapping of a provider SimplyBook no longer has can be
    removed by its id."""
    mapping = context.profile.family("providers")
    providers = sorted(_catalog(context, catalog).list_providers(), key=lambda p: p.id)
    ref = provider_ref.strip()
    number = parse_id(ref)
    if number is not None and str(number) in mapping and not _matches(ref, providers):
        provider_id, name = number, None
    else:
        provider = resolve_one(ref, providers, "provider")
        provider_id, name = provider.id, provider.name
    previous = mapping.get(str(provider_id))
    if previous is not None:
        context.config.update(context.profile_name, {f"providers.{provider_id}": None})
        context.reload_profile()
    return UnmapResult(provider_id, name, previous)


# -- services ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ServiceRow:
    service: Service
    online: bool
    is_class: bool
    class_source: str | None  # "forced" (--class) | "capacity" | None
    class_reason: str | None

    def to_json(self) -> dict[str, object]:
        return {
            "id": self.service.id,
            "name": self.service.name,
            "online": self.online,
            "class": self.is_class,
            "class_source": self.class_source,
            "class_reason": self.class_reason,
            "active": self.service.is_active,
        }


@dataclass(frozen=True)
class ServiceListing:
    rows: tuple[ServiceRow, ...]
    stale: tuple[tuple[str, str], ...]  # (service id, online|class) configured, gone from SB


def _service_row(
    service: Service, providers: Sequence[Provider], stored: Mapping[str, str]
) -> ServiceRow:
    mode = _online(stored, service)
    reason = capacity_reason(service, providers)
    if reason is not None:
        return ServiceRow(service, mode is not None, True, "capacity", reason)
    if mode == "class":
        return ServiceRow(service, True, True, "forced", "enabled with --class")
    return ServiceRow(service, mode is not None, False, None, None)


def list_services(context: Context, *, catalog: CatalogSource | None = None) -> ServiceListing:
    """Every SimplyBook service with its online and class flags (and where the class comes from)."""
    source = _catalog(context, catalog)
    services = sorted(source.list_services(), key=lambda s: s.id)
    providers = source.list_providers()
    stored = context.profile.family("services")
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


def _write(context: Context, changes: Sequence[ServiceChange]) -> None:
    updates: dict[str, str | None] = {
        f"services.{c.service_id}": c.after for c in changes if c.changed
    }
    if updates:
        context.config.update(context.profile_name, updates)
        context.reload_profile()


def enable_online(
    context: Context,
    refs: Sequence[str],
    *,
    force_class: bool = False,
    catalog: CatalogSource | None = None,
) -> tuple[ServiceChange, ...]:
    """Make services online, as classes when ``force_class`` or their capacity says so. Every
    name is resolved first; one bad name and nothing is written (NotFoundError, exit 2)."""
    source = _catalog(context, catalog)
    services = source.list_services()
    chosen = resolve_all(refs, services, "service")
    providers = source.list_providers()
    stored = context.profile.family("services")
    changes: list[ServiceChange] = []
    for service in chosen:
        reason = capacity_reason(service, providers)
        if reason is None and force_class:
            reason = "enabled with --class"
        after = "class" if reason else "online"
        changes.append(
            ServiceChange(service.id, service.name, _online(stored, service), after, reason)
        )
    _write(context, changes)
    return tuple(changes)


def disable_online(
    context: Context, refs: Sequence[str], *, catalog: CatalogSource | None = None
) -> tuple[ServiceChange, ...]:
    """Make services offline. A configured id SimplyBook no longer knows can be disabled too."""
    services = _catalog(context, catalog).list_services()
    stored = context.profile.family("services")
    gone = [
        r.strip()
        for r in refs
        if parse_id(r) is not None and str(parse_id(r)) in stored and not _matches(r, services)
    ]
    chosen = resolve_all([r for r in refs if r.strip() not in gone], services, "service")
    changes = [ServiceChange(s.id, s.name, _online(stored, s), None) for s in chosen]
    for ref in dict.fromkeys(int(r) for r in gone):
        changes.append(ServiceChange(ref, None, stored[str(ref)], None))
    _write(context, changes)
    return tuple(changes)
