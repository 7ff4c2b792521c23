"""What doctor's checks answer and what they read.

Every check looks at one thing and answers ``ok``, ``warn`` or ``fail`` with a detail and, when
not ok, a fix that names the command to run. Checks read the world through ``Facts`` (``LiveFacts``
is the real one; tests pass fakes).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Protocol

from sbzoom.clients.simplybook import Provider, Service
from sbzoom.clients.zoom import ZoomUser
from sbzoom.core.bookings.converge import Marked
from sbzoom.store.config import Profile

OK, WARN, FAIL = "ok", "warn", "fail"
_RANK = {OK: 0, WARN: 1, FAIL: 2}


# -- results ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Check:
    name: str
    status: str  # ok | warn | fail
    detail: str
    fix: str = ""


@dataclass(frozen=True)
class DoctorReport:
    checks: list[Check]

    @property
    def ok(self) -> bool:
        return not any(c.status == FAIL for c in self.checks)


@dataclass
class Findings:
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


@dataclass(frozen=True)
class BookingSample:
    """What a read-only look at the live account shows (docs/simplybook-facts.md)."""

    first: date  # the window asked for with filter[date_from] / filter[date_to]
    last: date
    starts: tuple[date, ...]  # company-local start dates of the bookings SimplyBook listed
    details_have_comment: bool | None  # None: no booking to look at


@dataclass(frozen=True)
class HostBacklog:
    """One Zoom host's meetings that ``bookings link`` still has to create, over its window,
    against Zoom's creates/updates per host per UTC day (``core.bookings.backfill``)."""

    host: str  # the Zoom user id the providers are mapped to
    waiting: int  # meetings to create: bookings and class sessions with none yet
    used_today: int  # creates/updates this profile made today (UTC), from the ledger
    daily_limit: int
    first_waiting: datetime | None = None  # the soonest start among them


@dataclass(frozen=True)
class Backlog:
    """Every mapped host's backlog, on one UTC day."""

    today: date  # UTC: Zoom's daily limit resets at 00:00 UTC
    hosts: tuple[HostBacklog, ...] = ()


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
    def backlog(self) -> Backlog: ...
