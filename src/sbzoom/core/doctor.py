"""`sbzoom doctor`: what is wrong with this setup, and the exact fix for each problem.

Every check looks at one thing and answers ``ok``, ``warn`` or ``fail`` with a detail and, when not
ok, a fix that names the command to run. Checks read the world through ``Facts`` (``LiveFacts``
is the real one; tests pass fakes), and a check that raises becomes a ``fail`` row carrying the
error's message and hint: one broken piece never hides the others. Checks that need a sign-in
which failed say so with ``warn`` instead of failing a second time for the same cause.

Nothing here prints, and no secret value ever reaches a detail: only names, ids and e-mails.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Protocol

from sbzoom.clients.simplybook import Provider, Service
from sbzoom.clients.zoom import ZoomUser, ZoomUserGoneError
from sbzoom.clients.zoom_scopes import SCOPE_TABLE
from sbzoom.context import Context
from sbzoom.core.catalog import offers
from sbzoom.core.converge import Marked, duplicates
from sbzoom.errors import ConfigError, SbzoomError
from sbzoom.store.config import Profile

OK, WARN, FAIL = "ok", "warn", "fail"
_RANK = {OK: 0, WARN: 1, FAIL: 2}

CLOCK_WARN_SECONDS = 60.0
CLOCK_FAIL_SECONDS = 300.0
CLOCK_RESOLUTION = 2.0
# Zoom ends meetings hosted by a Basic (unlicensed) user after 40 minutes.
BASIC_MEETING_MINUTES = 40
CLOCK_FIX = (
    "Turn on network time sync: 'sudo timedatectl set-ntp true' (Linux), or System Settings → "
    "General → Date & Time → Set time automatically (macOS)."
)
SCOPE_FIX = (
    "Add them to the app in the Zoom Marketplace (Manage → your app → Scopes), then sign in "
    "again with 'sbzoom auth login zoom' (Server-to-Server apps: 'sbzoom auth login zoom --s2s', "
    "or just run again when the credentials come from SBZOOM_ZOOM_*)."
)

# The scopes sbzoom's calls use come from one table (clients/zoom_scopes.py), shared with the
# client that names a missing scope: doctor never asks for a scope nothing uses.
NEEDED_SCOPES: dict[str, tuple[str, ...]] = {
    need.granular: tuple(a for a in need.any_of if a != need.granular) for need in SCOPE_TABLE
}
# Scopes that only cover the signed-in user's own meetings and users.
USER_LEVEL = frozenset(scope for need in SCOPE_TABLE for scope in need.user_level)


# -- results ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Check:
    name: str
    status: str  # ok | warn | fail
    detail: str
    fix: str = ""

    def to_json(self) -> dict[str, object]:
        return {"name": self.name, "status": self.status, "detail": self.detail, "fix": self.fix}


@dataclass(frozen=True)
class DoctorReport:
    checks: list[Check]

    @property
    def ok(self) -> bool:
        return not any(c.status == FAIL for c in self.checks)

    def to_json(self) -> dict[str, object]:
        return {"checks": [c.to_json() for c in self.checks], "ok": self.ok}

    def summary(self) -> str:
        fails = sum(c.status == FAIL for c in self.checks)
        warns = sum(c.status == WARN for c in self.checks)
        if not fails and not warns:
            return f"All {len(self.checks)} checks passed."
        parts = [f"{fails} failed"] if fails else []
        parts += [f"{warns} with warnings"] if warns else []
        return f"{len(self.checks)} checks: {', '.join(parts)}."


# -- what the checks read ---------------------------------------------------------------------


@dataclass(frozen=True)
class ConfigInfo:
    path: Path
    profile: Profile
    file_exists: bool
    other_problems: tuple[str, ...] = ()  # other profiles of the file that do not load


@dataclass(frozen=True)
class SecretInfo:
    backend: str  # keyring | file
    chosen: bool  # SBZOOM_SECRET_BACKEND asked for it
    path: Path | None = None  # the fallback file, for the file backend
    mode: int | None = None  # its permission bits, when it exists


@dataclass(frozen=True)
class ZoomLogin:
    mode: str  # oauth | s2s
    source: str  # env | keyring | file
    user: str  # e-mail of the signed-in user; "" when the token may not read it
    scopes: tuple[str, ...]


@dataclass(frozen=True)
class SimplyBookLogin:
    company: str
    login: str
    api_url: str
    source: str
    company_name: str | None
    timezone: str | None  # what SimplyBook's company info says


@dataclass(frozen=True)
class LedgerInfo:
    path: Path
    exists: bool
    writable: bool = True


@dataclass(frozen=True)
class ListenerInfo:
    """What is known of ``sbzoom listen`` for this profile: its queue in the ledger (None: it
    never ran), and what its ``/healthz`` answered (None: not reachable, see ``problem``)."""

    url: str
    queued: int | None = None
    failed: int = 0
    oldest_waiting_age: float | None = None  # seconds
    last_event_age: float | None = None  # seconds
    health: Mapping[str, object] | None = None
    problem: str = ""


@dataclass(frozen=True)
class ServerTime:
    service: str
    server: datetime | None  # the Date header; None when it could not be read
    local: datetime  # this machine's clock in the middle of the request
    problem: str = ""


@dataclass(frozen=True)
class OrphanFinding:
    """An upcoming booking whose meeting sbzoom made and no longer keeps right (core.online)."""

    booking_id: str
    start: datetime  # aware, company zone
    why: str


class Facts(Protocol):
    def config(self) -> ConfigInfo: ...
    def secrets(self) -> SecretInfo: ...
    def zoom(self) -> ZoomLogin | None: ...
    def zoom_user(self, ident: str) -> ZoomUser: ...
    def simplybook(self) -> SimplyBookLogin | None: ...
    def services(self) -> Sequence[Service]: ...
    def providers(self) -> Sequence[Provider]: ...
    def ledger(self) -> LedgerInfo: ...
    def listener(self) -> ListenerInfo: ...
    def server_times(self) -> list[ServerTime]: ...
    def orphans(self) -> list[OrphanFinding]: ...
    def host_meetings(self, host: str) -> Sequence[Marked]: ...


# -- the checks -------------------------------------------------------------------------------


@dataclass
class _Findings:
    """Several problems of one check folded into one row: the worst status wins."""

    problems: list[tuple[str, str, str]] = field(default_factory=list)

    def add(self, status: str, detail: str, fix: str = "") -> None:
        self.problems.append((status, detail, fix))

    def check(self, name: str, fine: str) -> Check:
        if not self.problems:
            return Check(name, OK, fine)
        worst = max((p[0] for p in self.problems), key=_RANK.__getitem__)
        details = "; ".join(p[1] for p in self.problems)
        fixes: list[str] = []
        for _, _, fix in self.problems:
            if fix and fix not in fixes:
                fixes.append(fix)
        return Check(name, worst, details, " ".join(fixes))


def check_config(info: ConfigInfo) -> Check:
    where = f"{info.path}, profile '{info.profile.name}'"
    if not info.file_exists:
        return Check(
            "config",
            WARN,
            f"There is no config file at {info.path} yet.",
            "Sign in with 'sbzoom auth login simplybook' and 'sbzoom auth login zoom': "
            "they create it.",
        )
    if info.other_problems:
        return Check(
            "config",
            WARN,
            f"{where} is valid, but another profile is not: {'; '.join(info.other_problems)}",
            "Fix that profile with 'sbzoom --profile NAME config unset KEY', or edit the file.",
        )
    if not info.profile.exists:
        return Check(
            "config",
            WARN,
            f"{info.path} has no settings for profile '{info.profile.name}'.",
            "Sign in with 'sbzoom auth login simplybook' and 'sbzoom auth login zoom'.",
        )
    return Check("config", OK, f"{where}: {len(info.profile.values)} settings, all valid")


def check_secrets(info: SecretInfo) -> Check:
    if info.backend != "file":
        return Check("secret store", OK, "the system keyring")
    where = f"the file {info.path}"
    if info.mode is not None and info.mode & 0o077:
        return Check(
            "secret store",
            FAIL,
            f"{where} can be read by other users (mode {info.mode:04o}).",
            f"Run 'chmod 600 {info.path}'.",
        )
    if info.chosen:
        return Check("secret store", OK, f"{where} (chosen with SBZOOM_SECRET_BACKEND=file)")
    return Check(
        "secret store",
        WARN,
        f"No system keyring works here, so secrets are in the fallback {where} (mode 0600).",
        "Install or unlock a keyring (Secret Service such as gnome-keyring, or macOS Keychain), "
        "or set SBZOOM_SECRET_BACKEND=file to choose the file on purpose.",
    )


NOT_SIGNED_IN_ZOOM = Check(
    "zoom sign-in",
    FAIL,
    "Not signed in to Zoom.",
    "Run 'sbzoom auth login zoom' (or 'sbzoom auth login zoom --s2s'), or set "
    "SBZOOM_ZOOM_ACCOUNT_ID, SBZOOM_ZOOM_CLIENT_ID and SBZOOM_ZOOM_CLIENT_SECRET.",
)


def check_zoom(login: ZoomLogin | None) -> Check:
    if login is None:
        return NOT_SIGNED_IN_ZOOM
    who = f" as {login.user}" if login.user else ""
    mode = "Server-to-Server" if login.mode == "s2s" else "OAuth"
    return Check("zoom sign-in", OK, f"{mode} ({login.mode}){who}; credentials from {login.source}")


def missing_scopes(granted: Iterable[str]) -> tuple[list[str], list[str]]:
    """(needed scopes nothing grants, needed scopes only user-level scopes grant)."""
    have = set(granted)
    missing, user_level = [], []
    for needed, alternatives in NEEDED_SCOPES.items():
        if needed in have or f"{needed.removesuffix(':admin')}:master" in have:
            continue
        others = [a for a in alternatives if a in have]
        if not others:
            missing.append(needed)
        elif all(a in USER_LEVEL for a in others):
            user_level.append(needed)
    return missing, user_level


def check_scopes(login: ZoomLogin) -> Check:
    if not login.scopes:
        return Check(
            "zoom scopes",
            WARN,
            "Zoom did not say which scopes the token has.",
            "Run 'sbzoom auth status' to see the sign-in; sign in again with "
            "'sbzoom auth login zoom' if commands fail with a missing scope.",
        )
    missing, user_level = missing_scopes(login.scopes)
    if missing:
        return Check(
            "zoom scopes",
            FAIL,
            f"The Zoom app lacks {len(missing)} needed scope(s): {', '.join(missing)}.",
            SCOPE_FIX,
        )
    if user_level:
        return Check(
            "zoom scopes",
            WARN,
            "Some scopes cover only the signed-in user's own meetings, so providers mapped to "
            f"other Zoom users cannot host: {', '.join(user_level)} (granted as user-level).",
            "If several Zoom users host, add the ':admin' scopes to the app, then sign in again "
            "with 'sbzoom auth login zoom'.",
        )
    return Check("zoom scopes", OK, f"all {len(NEEDED_SCOPES)} needed scopes are granted")


NOT_SIGNED_IN_SIMPLYBOOK = Check(
    "simplybook sign-in",
    FAIL,
    "Not signed in to SimplyBook.",
    "Run 'sbzoom auth login simplybook', or set SBZOOM_SIMPLYBOOK_COMPANY, "
    "SBZOOM_SIMPLYBOOK_LOGIN and SBZOOM_SIMPLYBOOK_PASSWORD.",
)


def check_simplybook(login: SimplyBookLogin | None) -> Check:
    if login is None:
        return NOT_SIGNED_IN_SIMPLYBOOK
    name = f" ({login.company_name})" if login.company_name else ""
    return Check(
        "simplybook sign-in",
        OK,
        f"company {login.company}{name} as {login.login} at {login.api_url}; "
        f"credentials from {login.source}",
    )


# Zoom's per-second limits for Medium endpoints (create meeting, list meetings, list registrants),
# per account and plan (Zoom "Rate limits" page, restated in zoom-api-notes.md §4): Free 2/s,
# Pro 20/s, Business and higher 60/s. Light endpoints allow 4/30/80.
PLAN_MEDIUM_RPS = (("Free", 2.0), ("Pro", 20.0), ("Business or higher", 60.0))


def check_rate(profile: Profile) -> Check:
    """Which Zoom plan ``zoom.max_rps`` assumes: above a plan's ceiling, that plan's accounts
    answer 429s (shared with every other app on the account)."""
    value = profile.get("zoom.max_rps")
    rps = float(value) if isinstance(value, int | float) else 0.0
    fits = [plan for plan, ceiling in PLAN_MEDIUM_RPS if rps <= ceiling]
    if len(fits) == len(PLAN_MEDIUM_RPS):
        return Check("zoom rate", OK, f"zoom.max_rps {rps:g} is within every Zoom plan's limits")
    if not fits:
        return Check(
            "zoom rate",
            WARN,
            f"zoom.max_rps {rps:g} is above every Zoom plan's per-second limit (60/s on "
            "Business and higher); Zoom will answer 429s.",
            "Run 'sbzoom config set zoom.max_rps 20' (Pro) or '60' (Business or higher).",
        )
    return Check(
        "zoom rate",
        OK,
        f"zoom.max_rps {rps:g} assumes a {fits[0]} Zoom plan or higher (Free accounts allow 2 "
        "requests per second on meeting and registrant lists and creates)",
        "On a Free Zoom account run 'sbzoom config set zoom.max_rps 2'; on a bigger plan you may "
        "raise it (Pro 20, Business 60).",
    )


def check_timezone(profile: Profile, login: SimplyBookLogin | None) -> Check:
    configured = profile.text("simplybook.timezone")
    reported = login.timezone if login else None
    fix_to = reported or "<IANA zone, e.g. Europe/Copenhagen>"
    if configured and reported and configured != reported:
        return Check(
            "time zone",
            WARN,
            f"The config says {configured}, but SimplyBook says the company is in {reported}; "
            f"booking times are read as {configured}.",
            f"If SimplyBook is right, run 'sbzoom config set simplybook.timezone {reported}'.",
        )
    if configured:
        return Check("time zone", OK, f"{configured} (config)")
    if reported:
        return Check("time zone", OK, f"{reported} (SimplyBook company info)")
    if login is None:
        return Check(
            "time zone",
            WARN,
            "Not in the config, and SimplyBook could not be asked (see its sign-in above).",
            "Set it with 'sbzoom config set simplybook.timezone <IANA zone>'.",
        )
    return Check(
        "time zone",
        FAIL,
        "The company time zone is neither in the config nor in SimplyBook's company info, so "
        "booking times cannot be read.",
        f"Run 'sbzoom config set simplybook.timezone {fix_to}'.",
    )


def _offers(service: Service, providers: Sequence[Provider]) -> list[Provider]:
    return [p for p in providers if p.is_active and offers(p, service)]


def check_services(
    profile: Profile, services: Sequence[Service], providers: Sequence[Provider]
) -> Check:
    online = profile.family("services")
    findings = _Findings()
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
    findings = _Findings()
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
    findings = _Findings()
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


def check_ledger(info: LedgerInfo) -> Check:
    if not info.exists:
        return Check("ledger", OK, f"none yet at {info.path} ('sbzoom bookings link' creates it)")
    if not info.writable:
        return Check(
            "ledger",
            FAIL,
            f"{info.path} is readable but not writable, so 'bookings link' cannot record meetings.",
            f"Give your user write access: 'chmod u+w {info.path}' (and check its owner).",
        )
    return Check("ledger", OK, f"{info.path} is readable")


STUCK_SECONDS = 300.0  # an event waiting this long: the worker is not getting through


def _age(seconds: float) -> str:
    if seconds < 120:
        return f"{seconds:.0f} s"
    if seconds < 7200:
        return f"{seconds / 60:.0f} min"
    return f"{seconds / 3600:.0f} h"


def check_listener(info: ListenerInfo, profile: str) -> Check:
    """Reachable, recent events, queue not stuck. Not using it at all is fine (cron only)."""
    name = "listener"
    service = f"sbzoom-listen@{profile}"
    if info.queued is None and info.health is None:
        return Check(name, OK, "not in use ('sbzoom listen' is optional; cron links bookings)")
    if info.health is None:
        return Check(
            name,
            WARN,
            f"'sbzoom listen' handled events before but does not answer at {info.url} "
            f"({info.problem or 'no answer'}); callbacks are not being received.",
            f"Start it ('systemctl start {service}' or 'sbzoom listen'), or set "
            "listen.public_url to where it runs.",
        )
    health = info.health
    waiting = info.queued or 0
    oldest = info.oldest_waiting_age
    if oldest is not None and oldest > STUCK_SECONDS and waiting:
        return Check(
            name,
            FAIL,
            f"the queue is stuck: {waiting} event(s) waiting, the oldest for {_age(oldest)}.",
            f"Read its log lines ('journalctl -u {service}' or its stderr) for the reason "
            "(often a sign-in or a service down: the checks above say which); "
            "'sbzoom bookings link' repairs the bookings meanwhile.",
        )
    last = info.last_event_age
    detail = f"answers at {info.url}; " + (
        f"last event handled {_age(last)} ago" if last is not None else "no event handled yet"
    )
    detail += f", {waiting} waiting"
    if not health.get("zoom_webhooks"):
        return Check(
            name,
            WARN,
            detail + "; Zoom webhooks are off (meetings deleted or moved in Zoom wait for cron)",
            "Give the Zoom app's secret token: 'sbzoom listen --zoom-secret-stdin' (or "
            "SBZOOM_ZOOM_WEBHOOK_SECRET), then restart the listener.",
        )
    if info.failed:
        return Check(
            name,
            WARN,
            detail + f"; {info.failed} event(s) failed",
            "Their bookings are repaired by the next 'sbzoom bookings link' run; the listener's "
            "log lines say why they failed.",
        )
    return Check(name, OK, detail)


def check_clock(times: Sequence[ServerTime]) -> Check:
    if not times:
        return Check(
            "clock",
            WARN,
            "Not compared: neither Zoom nor SimplyBook is signed in.",
            "Sign in first ('sbzoom auth login ...'), then run 'sbzoom doctor' again.",
        )
    measured = [(t.service, (t.server - t.local).total_seconds()) for t in times if t.server]
    if not measured:
        problems = "; ".join(f"{t.service}: {t.problem or 'no Date header'}" for t in times)
        return Check(
            "clock",
            WARN,
            f"Could not read the servers' time ({problems}).",
            "Check the network connection, then run 'sbzoom doctor' again.",
        )
    parts = []
    for service, skew in measured:
        if abs(skew) < CLOCK_RESOLUTION:  # Date has whole seconds: closer cannot be told apart
            parts.append(f"in step with {service}")
        else:
            direction = "behind" if skew > 0 else "ahead of"
            parts.append(f"{abs(skew):.0f} s {direction} {service}")
    worst = max(abs(skew) for _, skew in measured)
    detail = "this machine's clock is " + ", ".join(parts)
    if worst > CLOCK_FAIL_SECONDS:
        return Check("clock", FAIL, detail + " (more than 5 minutes off).", CLOCK_FIX)
    if worst > CLOCK_WARN_SECONDS:
        return Check("clock", WARN, detail + " (more than a minute off).", CLOCK_FIX)
    return Check("clock", OK, detail)


# -- running them -----------------------------------------------------------------------------


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


def _failed(name: str, exc: BaseException) -> Check:
    if isinstance(exc, SbzoomError):
        return Check(name, FAIL, exc.message, exc.hint or "")
    return Check(
        name,
        FAIL,
        f"unexpected {type(exc).__name__}: {exc}",
        "This is a bug in sbzoom: run 'sbzoom --debug doctor' and report what it prints.",
    )


def _skipped(name: str, needs: str) -> Check:
    return Check(name, WARN, f"Not checked: needs a working {needs} (see above).")


def run_doctor(facts: Facts) -> DoctorReport:
    checks: list[Check] = []

    def attempt(name: str, run: Callable[[], Check]) -> Check:
        try:
            result = run()
        except Exception as exc:  # one broken check must not stop the others
            result = _failed(name, exc)
        checks.append(result)
        return result

    config: list[ConfigInfo] = []

    def config_check() -> Check:
        info = facts.config()
        config.append(info)
        return check_config(info)

    attempt("config", config_check)
    attempt("secret store", lambda: check_secrets(facts.secrets()))

    zoom: list[ZoomLogin | None] = []

    def zoom_check() -> Check:
        zoom.append(facts.zoom())
        return check_zoom(zoom[0])

    zoom_ok = attempt("zoom sign-in", zoom_check).status == OK
    zoom_login = zoom[0] if zoom and zoom_ok else None
    if zoom_login is not None:
        attempt("zoom scopes", lambda: check_scopes(zoom_login))
    else:
        checks.append(_skipped("zoom scopes", "Zoom sign-in"))

    simplybook: list[SimplyBookLogin | None] = []

    def simplybook_check() -> Check:
        simplybook.append(facts.simplybook())
        return check_simplybook(simplybook[0])

    simplybook_ok = attempt("simplybook sign-in", simplybook_check).status == OK
    sb_login = simplybook[0] if simplybook and simplybook_ok else None
    profile = config[0].profile if config else None

    def lists() -> tuple[Sequence[Service], Sequence[Provider]]:
        return facts.services(), facts.providers()  # LiveFacts asks SimplyBook only once

    if profile is None:
        names = ("time zone", "online services", "provider mapping", "zoom hosts")
        for name in (*names, "duplicate meetings", "orphaned meetings"):
            checks.append(_skipped(name, "config"))
    else:
        attempt("time zone", lambda: check_timezone(profile, sb_login))
        if sb_login is not None:
            attempt("online services", lambda: check_services(profile, *lists()))
            attempt("provider mapping", lambda: check_mapping(profile, *lists()))
        else:
            checks.append(_skipped("online services", "SimplyBook sign-in"))
            checks.append(_skipped("provider mapping", "SimplyBook sign-in"))
        if zoom_login is not None:

            def hosts() -> Check:
                known: tuple[Sequence[Service], Sequence[Provider]] | tuple[None, None]
                try:
                    known = lists() if sb_login is not None else (None, None)
                except SbzoomError:
                    known = (None, None)
                return check_hosts(facts, profile, *known)

            attempt("zoom hosts", hosts)
            attempt("duplicate meetings", lambda: check_duplicates(facts, profile))
        else:
            checks.append(_skipped("zoom hosts", "Zoom sign-in"))
            checks.append(_skipped("duplicate meetings", "Zoom sign-in"))
        if sb_login is not None:
            attempt("orphaned meetings", lambda: check_orphans(facts.orphans()))
        else:
            checks.append(_skipped("orphaned meetings", "SimplyBook sign-in"))
    if profile is not None:
        attempt("zoom rate", lambda: check_rate(profile))
    else:
        checks.append(_skipped("zoom rate", "config"))
    sample = getattr(facts, "booking_sample", None)
    if profile is not None and sb_login is not None and callable(sample):
        attempt("simplybook reads", lambda: check_simplybook_reads(profile, sample()))
    attempt("ledger", lambda: check_ledger(facts.ledger()))
    profile_name = profile.name if profile is not None else "default"
    attempt("listener", lambda: check_listener(facts.listener(), profile_name))
    attempt("clock", lambda: check_clock(facts.server_times()))
    return DoctorReport(checks)


@dataclass(frozen=True)
class BookingSample:
    """What a read-only look at the live account shows (docs/simplybook-facts.md)."""

    first: date  # the window asked for with filter[date_from] / filter[date_to]
    last: date
    starts: tuple[date, ...]  # company-local start dates of the bookings SimplyBook listed
    details_have_comment: bool | None  # None: no booking to look at


def check_simplybook_reads(profile: Profile, sample: BookingSample) -> Check:
    """Check, with reads only, the SimplyBook semantics sbzoom could not confirm from docs."""
    found = _Findings()
    outside = [d for d in sample.starts if not sample.first <= d <= sample.last]
    if outside:
        found.add(
            FAIL,
            f"SimplyBook's date filter returned bookings starting outside {sample.first} .. "
            f"{sample.last} (e.g. {outside[0]}): it does not select by appointment date",
            "sbzoom keeps only bookings that start in the window, but may miss others: "
            "report this SimplyBook behaviour, and link by booking id meanwhile.",
        )
    if profile.get("write_back") == "comment" and sample.details_have_comment is False:
        found.add(
            WARN,
            "SimplyBook's booking details carry no comment field, so write-back cannot keep "
            "what is already in a comment and writes nothing",
            "Run 'sbzoom config set write_back none'.",
        )
    return found.check(
        "simplybook reads",
        "the date filter selects by appointment date"
        + ("; booking details carry the comment" if sample.details_have_comment else ""),
    )


# -- the real world ---------------------------------------------------------------------------


def server_time(send: Callable[[], Mapping[str, str]]) -> datetime:
    """The ``Date`` a server answered with; ``send`` makes the request and returns its headers.

    Raises ``ValueError`` when there is no readable ``Date`` header."""
    value = send().get("date")
    if not value:
        raise ValueError("no Date header")
    parsed = parsedate_to_datetime(value)
    if parsed.tzinfo is None:
        raise ValueError(f"Date header {value!r} has no zone")
    return parsed


class LiveFacts:
    """Facts read from this machine, the config, the secret store, Zoom and SimplyBook."""

    def __init__(self, context: Context) -> None:
        self.context = context

    def config(self) -> ConfigInfo:
        context = self.context
        profile = context.profile  # raises ConfigError naming the file, line and key
        others = []
        for name in context.config.profiles():
            if name == context.profile_name:
                continue
            try:
                context.config.load(name)
            except ConfigError as exc:
                others.append(exc.message)
        return ConfigInfo(context.config_path, profile, context.config_path.exists(), tuple(others))

    def secrets(self) -> SecretInfo:
        context = self.context
        store = context.secrets
        store.get("doctor.probe")  # a locked or hanging keyring fails here, with its fix
        chosen = context.env.get("SBZOOM_SECRET_BACKEND", "").strip().lower() == store.backend
        if store.backend != "file":
            return SecretInfo(store.backend, chosen)
        path = context.data_dir / "secrets.json"
        mode = path.stat().st_mode & 0o777 if path.exists() else None
        return SecretInfo("file", chosen, path, mode)

    def zoom(self) -> ZoomLogin | None:
        from sbzoom.core.auth.zoom import connection as zoom_auth
        from sbzoom.errors import MissingScopeError

        creds = zoom_auth.credentials(self.context)
        if creds is None:
            return None
        connection = zoom_auth.connect(self.context)
        connection.tokens.access_token()
        try:
            # A call renews a token Zoom expired early, so the scopes read below are current.
            user = connection.client.get_user("me").email
        except MissingScopeError:
            user = ""
        grant = connection.tokens.current()
        return ZoomLogin(creds.mode, creds.source, user, grant.scopes if grant else ())

    def zoom_user(self, ident: str) -> ZoomUser:
        from sbzoom.core.auth.zoom.connection import zoom_client

        return zoom_client(self.context).get_user(ident)

    def host_meetings(self, host: str) -> Sequence[Marked]:
        from sbzoom.core.auth.zoom.connection import zoom_client

        return zoom_client(self.context).list_meetings(host, type="scheduled")

    def simplybook(self) -> SimplyBookLogin | None:
        from sbzoom.core.auth.simplybook.connection import identity, simplybook_client

        who = identity(self.context)
        if who is None:
            return None
        info = simplybook_client(self.context).company_info()
        source = "env" if who.source == "env" else self.context.secrets.backend
        return SimplyBookLogin(
            who.company, who.login, who.api_url, source, info.name, info.timezone
        )

    def _simplybook_lists(self) -> tuple[list[Service], list[Provider]]:
        from sbzoom.core.auth.simplybook.connection import simplybook_client

        def load() -> tuple[list[Service], list[Provider]]:
            client = simplybook_client(self.context)
            return client.list_services(), client.list_providers()

        found = self.context.cached("doctor.catalog", load)
        assert isinstance(found, tuple)
        return found

    def services(self) -> Sequence[Service]:
        return self._simplybook_lists()[0]

    def providers(self) -> Sequence[Provider]:
        return self._simplybook_lists()[1]

    def ledger(self) -> LedgerInfo:
        from sbzoom.store.ledger import Ledger, ledger_path

        path = ledger_path(self.context.data_dir, self.context.profile_name)
        if not path.exists():
            return LedgerInfo(path, False)
        ledger = Ledger(path)  # raises ConfigError, with the fix, when it is not a database
        try:
            ledger.booking("")
            ledger.meeting("")
        except Exception as exc:  # sqlite3.DatabaseError; core does not import sqlite3
            raise ConfigError(
                f"The ledger {path} cannot be read: {exc}.",
                "Move it away and run 'sbzoom bookings link' again: existing meetings are "
                "adopted from Zoom, none is created twice.",
            ) from None
        finally:
            ledger.close()
        return LedgerInfo(path, True, os.access(path, os.W_OK))

    def booking_sample(self) -> BookingSample:
        """Reads only: the next two weeks' bookings, and one booking's details."""
        from itertools import islice

        from sbzoom.core.auth.simplybook.connection import simplybook_client

        client = simplybook_client(self.context)
        zone = client.timezone
        first = self.context.clock.now().astimezone(zone).date()
        last = first + timedelta(days=14)
        listed = list(islice(client.iter_bookings(date_from=first, date_to=last), 100))
        has_comment = None
        if listed:
            has_comment = client.get_booking(listed[0].id).comment is not None
        starts = tuple(b.start.astimezone(zone).date() for b in listed)
        return BookingSample(first, last, starts, has_comment)

    def listener(self) -> ListenerInfo:
        import time

        import httpx

        from sbzoom.core.listen.queue import queue_stats
        from sbzoom.store.ledger import ledger_path

        context = self.context
        base = context.profile.text("listen.public_url")
        if not base:
            port = context.env.get("SBZOOM_LISTEN_PORT") or "8780"
            base = f"http://127.0.0.1:{port}"
        url = base.rstrip("/") + "/healthz"
        stats = queue_stats(ledger_path(context.data_dir, context.profile_name))
        now = time.time()
        health: Mapping[str, object] | None = None
        problem = ""
        try:
            with httpx.Client(transport=context.http_transport, timeout=3.0) as client:
                answer = client.get(url)
            data = answer.json() if answer.status_code in (200, 503) else None
            if isinstance(data, dict) and "queued" in data:
                health = data
            else:
                problem = f"HTTP {answer.status_code}, not sbzoom's /healthz"
        except (httpx.HTTPError, ValueError) as exc:
            problem = type(exc).__name__
        if stats is None:
            return ListenerInfo(url, None, health=health, problem=problem)
        return ListenerInfo(
            url,
            stats.queued + stats.working,
            stats.failed,
            None if stats.oldest_queued_at is None else now - stats.oldest_queued_at,
            None if stats.last_finished_at is None else now - stats.last_finished_at,
            health,
            problem,
        )

    def orphans(self) -> list[OrphanFinding]:
        """Upcoming bookings the ledger holds as linked whose meeting is orphaned now.

        One paged SimplyBook listing from today to the last such booking, whatever the service,
        matched against the ledger's linked bookings; no ledger, no orphans.
        """
        from datetime import timedelta

        from sbzoom.core.auth.simplybook.connection import simplybook_client
        from sbzoom.core.online import orphan_cause
        from sbzoom.store.ledger import Ledger, ledger_path

        context = self.context
        path = ledger_path(context.data_dir, context.profile_name)
        if not path.exists():
            return []
        now = context.clock.now()
        ledger = Ledger(path)
        try:
            linked = set(ledger.linked_between(now, now + timedelta(days=3660)))
            if not linked:
                return []
            active: set[str] = set()
            last = ""  # the latest start (UTC text, which sorts as time)
            for booking_id in linked:
                row = ledger.booking(booking_id)
                meeting = ledger.meeting(row.unit_key) if row else None
                if row and meeting and meeting.status == "active" and meeting.meeting_id:
                    active.add(booking_id)
                    last = max(last, row.start_utc)
        finally:
            ledger.close()
        if not active:
            return []
        client = simplybook_client(context)
        zone = client.timezone
        until = datetime.fromisoformat(last.replace("Z", "+00:00")).astimezone(zone)
        hosts = context.profile.family("providers")
        online = context.profile.family("services")
        found = []
        for booking in client.iter_bookings(
            date_from=now.astimezone(zone).date(), date_to=until.date()
        ):
            if str(booking.id) not in active or booking.is_cancelled:
                continue
            cause = orphan_cause(
                provider_id=str(booking.provider_id or ""),
                provider_name=booking.provider_name,
                service_id=str(booking.service_id or ""),
                service_name=booking.service_name,
                hosts=hosts,
                online=online,
            )
            if cause is not None:
                found.append(OrphanFinding(str(booking.id), booking.start, cause.why))
        return sorted(found, key=lambda o: o.start)

    def server_times(self) -> list[ServerTime]:
        """The time of each service sbzoom is set up for, signed in or not: a wrong clock is
        one reason a sign-in fails."""
        from sbzoom.core.auth.simplybook.connection import identity, resolve_api_url
        from sbzoom.core.auth.zoom import connection as zoom_auth

        targets = []
        with contextlib.suppress(SbzoomError):
            if zoom_auth.credentials(self.context) is not None:
                targets.append(("Zoom", zoom_auth.api_url(self.context)))
        with contextlib.suppress(SbzoomError):
            if identity(self.context) is not None:
                targets.append(("SimplyBook", resolve_api_url(self.context)))
        return [self._time_of(service, url) for service, url in targets]

    def _time_of(self, service: str, url: str) -> ServerTime:
        """One unauthenticated GET of the API root: any answer, even 404, carries ``Date``."""
        from sbzoom.clients._http import HttpSession, Pacer, RetryPolicy, build_client

        clock = self.context.clock
        session = HttpSession(
            build_client(self.context.http_transport),
            service=service,
            pacer=Pacer(0, clock),
            clock=clock,
            retry=RetryPolicy(attempts=2, base_delay=0.2, max_delay=1.0, max_wait=2.0),
            log=self.context.debug_log if self.context.debug else None,
        )
        started = clock.now()
        try:
            server = server_time(lambda: session.send("GET", url).headers)
        except (SbzoomError, ValueError) as exc:
            return ServerTime(service, None, started, str(exc))
        finally:
            session.client.close()
        finished = clock.now()
        return ServerTime(service, server, started + (finished - started) / 2)
