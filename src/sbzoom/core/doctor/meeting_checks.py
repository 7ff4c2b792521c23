"""Doctor's pure checks of what bookings get: online services, provider mapping, Zoom hosts,
duplicate and orphaned meetings, and each host's backfill against Zoom's daily limit."""

from __future__ import annotations

from collections.abc import Sequence

from sbzoom.clients.simplybook import Provider, Service
from sbzoom.clients.zoom import ZoomUser, ZoomUserGoneError
from sbzoom.core.bookings.backfill import HostPlan
from sbzoom.core.bookings.converge import duplicates
from sbzoom.core.doctor.model import (
    FAIL,
    OK,
    WARN,
    Backlog,
    Check,
    Facts,
    Findings,
    OrphanFinding,
)
from sbzoom.core.online import offers
from sbzoom.store.config import Profile

# Zoom ends meetings hosted by a Basic (unlicensed) user after 40 minutes.
BASIC_MEETING_MINUTES = 40


def _offers(service: Service, providers: Sequence[Provider]) -> list[Provider]:
    return [p for p in providers if p.is_active and offers(p, service)]


def check_services(
    profile: Profile, services: Sequence[Service], providers: Sequence[Provider]
) -> Check:
    online = profile.family("services")
    findings = Findings()
    if not online:
        findings.add(
            WARN,
            "No service is online yet, so no booking gets a meeting",
            "Choose them with 'sbzoom services enable-online SERVICE...' "
            "('sbzoom services list' shows them).",
        )
    by_id = {str(s.id): s for s in services}
    for ident in sorted(online, key=int):
        service = by_id.get(ident)
        if service is None:
            findings.add(
                WARN,
                f"services.{ident} is online, but SimplyBook has no service {ident}",
                f"Run 'sbzoom services disable-online {ident}'.",
            )
            continue
        capacity = service.slot_capacity(providers)
        if online[ident] != "class" and capacity > 1:
            findings.add(
                WARN,
                f"{service.name} ({ident}) takes up to {capacity} clients per slot but is online "
                "as one-to-one, so each client gets a separate meeting",
                f"Run 'sbzoom services enable-online {ident} --class'.",
            )
    names = [
        f"{by_id[i].name}{' (class)' if online[i] == 'class' else ''}"
        for i in sorted(online, key=int)
        if i in by_id
    ]
    return findings.check("online services", f"{len(names)} online: {', '.join(names)}")


def check_mapping(
    profile: Profile, services: Sequence[Service], providers: Sequence[Provider]
) -> Check:
    online = profile.family("services")
    hosts = profile.family("providers")
    findings = Findings()
    offered: dict[int, list[str]] = {}
    for service in services:
        if str(service.id) in online:
            for provider in _offers(service, providers):
                offered.setdefault(provider.id, []).append(service.name)
    by_id = {p.id: p for p in providers}
    for ident, names in sorted(offered.items()):
        if str(ident) not in hosts:
            provider = by_id[ident]
            findings.add(
                FAIL,
                f"{provider.name} ({ident}) offers {', '.join(names)} but has no Zoom user, so "
                "their bookings get no meeting",
                f"Run 'sbzoom providers map {ident} ZOOM_USER' "
                "('sbzoom providers map --auto' maps everyone whose e-mail matches a Zoom user).",
            )
    known = {str(p.id) for p in providers}
    for mapped in sorted(hosts, key=int):
        if mapped not in known:
            findings.add(
                WARN,
                f"providers.{mapped} is mapped, but SimplyBook has no provider {mapped}",
                f"Run 'sbzoom providers unmap {mapped}'.",
            )
    if not offered:
        return findings.check("provider mapping", "no provider offers an online service")
    return findings.check(
        "provider mapping", f"all {len(offered)} providers of online services are mapped"
    )


def check_hosts(
    facts: Facts,
    profile: Profile,
    services: Sequence[Service] | None,
    providers: Sequence[Provider] | None,
) -> Check:
    """Mapped Zoom users exist and are active; class hosts are licensed; Basic users' meetings
    fit in Zoom's 40 minutes. Without the SimplyBook lists only the first two are checked."""
    hosts = profile.family("providers")
    online = profile.family("services")
    if not hosts:
        return Check("zoom hosts", OK, "no provider is mapped to a Zoom user yet")
    names = {str(p.id): p.name for p in providers or ()}
    # provider id -> the online services they offer: (name, is a class, minutes)
    teaching: dict[str, list[tuple[str, bool, int]]] = {}
    for service in services or ():
        mode = online.get(str(service.id))
        if mode is None:
            continue
        for provider in _offers(service, providers or ()):
            entry = (service.name, mode == "class", service.duration or 0)
            teaching.setdefault(str(provider.id), []).append(entry)
    findings = Findings()
    users: dict[str, ZoomUser | None] = {}
    for provider_id in sorted(hosts, key=int):
        ident = hosts[provider_id]
        who = f"{names.get(provider_id, 'provider')} ({provider_id})"
        remap = (
            f"Run 'sbzoom providers map {provider_id} ZOOM_USER' ('sbzoom zoom users' lists them)."
        )
        if ident not in users:
            try:
                users[ident] = facts.zoom_user(ident)
            except ZoomUserGoneError:
                users[ident] = None
        user = users[ident]
        if user is None:
            findings.add(
                FAIL, f"{who} is mapped to Zoom user {ident}, which is not in the account", remap
            )
            continue
        label = user.email or ident
        if user.status and user.status != "active":
            findings.add(
                FAIL,
                f"{who} is mapped to {label}, whose Zoom account is {user.status}",
                f"Activate {label} in the Zoom admin portal (User Management → Users), or "
                f"{remap[0].lower()}{remap[1:]}",
            )
            continue
        if user.licensed:
            continue
        classes = [name for name, is_class, _ in teaching.get(provider_id, []) if is_class]
        long = [
            f"{name} ({minutes} min)"
            for name, is_class, minutes in teaching.get(provider_id, [])
            if not is_class and minutes > BASIC_MEETING_MINUTES
        ]
        license_fix = (
            f"Assign {label} a Licensed plan in Zoom (User Management → Users → Edit), or map "
            f"{who} to a licensed user: 'sbzoom providers map {provider_id} ZOOM_USER'."
        )
        if classes:
            findings.add(
                FAIL,
                f"{label} hosts {who}'s class {', '.join(classes)} but is a Basic (unlicensed) "
                "Zoom user: Zoom refuses registration on their meetings, so class clients get "
                "no links",
                license_fix,
            )
        elif long:
            findings.add(
                WARN,
                f"{label} hosts {who}'s {', '.join(long)} but is a Basic (unlicensed) Zoom "
                f"user, whose meetings end after {BASIC_MEETING_MINUTES} minutes",
                license_fix,
            )
    count = len(set(hosts.values()))
    return findings.check(
        "zoom hosts", f"{count} mapped Zoom user{'s' if count != 1 else ''}: found and active"
    )


DUPLICATES_SHOWN = 5


def check_duplicates(facts: Facts, profile: Profile) -> Check:
    """One Zoom meeting per booking or class session: more carrying one marker means runs on
    machines that share no data directory raced (issue 14); `bookings link` converges them."""
    hosts = sorted(set(profile.family("providers").values()))
    if not hosts:
        return Check("duplicate meetings", OK, "no provider is mapped to a Zoom user yet")
    found = duplicates(m for host in hosts for m in facts.host_meetings(host))
    if not found:
        count = len(hosts)
        return Check(
            "duplicate meetings",
            OK,
            f"one meeting per booking or class session on {count} Zoom host"
            + ("s" if count != 1 else ""),
        )
    shown = "; ".join(
        f"[sbzoom:{key}] meetings {', '.join(str(m.id) for m in meetings)}"
        for key, meetings in sorted(found.items())[:DUPLICATES_SHOWN]
    )
    more = f"; and {len(found) - DUPLICATES_SHOWN} more" if len(found) > DUPLICATES_SHOWN else ""
    return Check(
        "duplicate meetings",
        FAIL,
        f"{len(found)} bookings or class sessions have more than one Zoom meeting ({shown}{more})",
        "Run 'sbzoom bookings link': it keeps one meeting of each (the one whose link was written "
        "back, else the lowest id), moves class registrants to it and deletes the others. "
        "Duplicates come from runs on machines that share no data directory.",
    )


def check_orphans(found: Sequence[OrphanFinding]) -> Check:
    """Meetings sbzoom made that nobody keeps right any more, with the clean-up that works."""
    if not found:
        return Check("orphaned meetings", OK, "every upcoming meeting sbzoom made is kept right")
    shown = ", ".join(f"{o.booking_id} ({o.why})" for o in found[:5])
    more = f" and {len(found) - 5} more" if len(found) > 5 else ""
    last = max(o.start for o in found).date().isoformat()
    noun = "meeting is" if len(found) == 1 else "meetings are"
    return Check(
        "orphaned meetings",
        WARN,
        f"{len(found)} upcoming {noun} orphaned: they still work, but sbzoom no longer moves or "
        f"cancels them with their booking. Bookings {shown}{more}.",
        "Map the provider or make the service online again (the next 'sbzoom bookings link' "
        "keeps them right again), or cancel them with "
        f"'sbzoom bookings link --cancel-orphans --to {last}' (add --dry-run to preview).",
    )


BACKFILL_SHOWN = 5


def check_backfill(backlog: Backlog) -> Check:
    """Whether each host's meetings still to create fit in what Zoom allows it today (100
    creates/updates per host per UTC day); over it, the rest wait and take days to link."""
    hosts, today = backlog.hosts, backlog.today
    waiting = sum(h.waiting for h in hosts)
    if not waiting:
        return Check("backfill", OK, "no meeting waits to be created in the link window")
    over = []
    for host in sorted(hosts, key=lambda h: h.host):
        left = max(0, host.daily_limit - host.used_today)
        if host.waiting <= left:
            continue
        plan = HostPlan(
            host.host,
            host.daily_limit,
            used_before=host.used_today,
            meetings_waiting=host.waiting - left,
            first_waiting=host.first_waiting,
        )
        over.append(
            f"host {host.host}: {host.waiting} meetings to create, {left} of "
            f"{host.daily_limit} creates/updates left for {today.isoformat()} (UTC), the last "
            f"linked on {plan.done_by(today).isoformat()} when run daily"
        )
    count = sum(1 for h in hosts if h.waiting)
    if not over:
        return Check(
            "backfill",
            OK,
            f"{waiting} meeting{'s' if waiting != 1 else ''} to create on {count} Zoom host"
            f"{'s' if count != 1 else ''}, within today's allowance of each",
        )
    shown = "; ".join(over[:BACKFILL_SHOWN])
    more = f"; and {len(over) - BACKFILL_SHOWN} more" if len(over) > BACKFILL_SHOWN else ""
    return Check(
        "backfill",
        WARN,
        f"{len(over)} Zoom host{'s have' if len(over) != 1 else ' has'} more meetings to create "
        f"than Zoom allows a host per UTC day ({shown}{more}).",
        "Run 'sbzoom bookings link' at least daily until then (cron does): each host's soonest "
        "bookings are linked first and the rest wait as 'deferred'. "
        "'sbzoom bookings link --dry-run' shows the plan per host.",
    )
