"""``LiveFacts``: what doctor's checks read, from this machine, the config, the secret store, the
ledger, the listener, Zoom and SimplyBook.

It takes what it reads as narrow pieces (the config store, a way to load the profile, the secret
store, the clients, the ledger's path, the clock), most as functions called only when a check
asks, so a broken piece fails only the checks that need it.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import TYPE_CHECKING

from sbzoom.clients.simplybook import Provider, Service
from sbzoom.clients.zoom import ZoomUser
from sbzoom.core.bookings.converge import Marked
from sbzoom.core.doctor.model import (
    Backlog,
    BookingSample,
    ConfigInfo,
    HostBacklog,
    LedgerInfo,
    ListenerInfo,
    OrphanFinding,
    SecretInfo,
    ServerTime,
    SimplyBookLogin,
    ZoomLogin,
)
from sbzoom.errors import ConfigError, SbzoomError

if TYPE_CHECKING:
    import httpx

    from sbzoom.clients.simplybook import SimplyBookClient
    from sbzoom.clock import Clock
    from sbzoom.core.auth.simplybook.connection import Identity
    from sbzoom.core.auth.zoom.connection import ZoomConnection, ZoomCredentials
    from sbzoom.store.config import ConfigStore, Profile
    from sbzoom.store.secrets import SecretStore


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


@dataclass
class LiveFacts:
    """Facts read from this machine, the config, the secret store, Zoom and SimplyBook."""

    config_store: ConfigStore
    config_path: Path
    profile_name: str
    load_profile: Callable[[], Profile]  # raises ConfigError naming the file, line and key
    secret_store: Callable[[], SecretStore]
    secret_backend_asked: str  # SBZOOM_SECRET_BACKEND, as given
    data_dir: Path
    ledger_path: Path
    clock: Clock
    zoom_credentials: Callable[[], ZoomCredentials | None]
    zoom_connection: Callable[[], ZoomConnection]
    zoom_api_url: Callable[[], str]
    simplybook_identity: Callable[[], Identity | None]
    simplybook_client: Callable[[], SimplyBookClient]
    simplybook_api_url: Callable[[], str]
    online_services: Callable[[], Mapping[str, str]]  # id -> "online" | "class"
    daily_limit: Callable[[], int]  # Zoom's creates/updates per host per UTC day
    listen_port: str = "8780"
    http_transport: httpx.BaseTransport | None = None
    debug_log: Callable[[str], None] | None = None
    _lists: tuple[list[Service], list[Provider]] | None = field(default=None, repr=False)

    def config(self) -> ConfigInfo:
        profile = self.load_profile()
        others = []
        for name in self.config_store.profiles():
            if name == self.profile_name:
                continue
            try:
                self.config_store.load(name)
            except ConfigError as exc:
                others.append(exc.message)
        return ConfigInfo(self.config_path, profile, self.config_path.exists(), tuple(others))

    def secrets(self) -> SecretInfo:
        store = self.secret_store()
        store.get("doctor.probe")  # a locked or hanging keyring fails here, with its fix
        chosen = self.secret_backend_asked.strip().lower() == store.backend
        if store.backend != "file":
            return SecretInfo(store.backend, chosen)
        path = self.data_dir / "secrets.json"
        mode = path.stat().st_mode & 0o777 if path.exists() else None
        return SecretInfo("file", chosen, path, mode)

    def zoom(self) -> ZoomLogin | None:
        from sbzoom.errors import MissingScopeError

        creds = self.zoom_credentials()
        if creds is None:
            return None
        connection = self.zoom_connection()
        connection.tokens.access_token()
        try:
            # A call renews a token Zoom expired early, so the scopes read below are current.
            user = connection.client.get_user("me").email
        except MissingScopeError:
            user = ""
        grant = connection.tokens.current()
        return ZoomLogin(creds.mode, creds.source, user, grant.scopes if grant else ())

    def zoom_user(self, ident: str) -> ZoomUser:
        return self.zoom_connection().client.get_user(ident)

    def host_meetings(self, host: str) -> Sequence[Marked]:
        return self.zoom_connection().client.list_meetings(host, type="scheduled")

    def simplybook(self) -> SimplyBookLogin | None:
        who = self.simplybook_identity()
        if who is None:
            return None
        info = self.simplybook_client().company_info()
        source = "env" if who.source == "env" else self.secret_store().backend
        return SimplyBookLogin(
            who.company, who.login, who.api_url, source, info.name, info.timezone
        )

    def _simplybook_lists(self) -> tuple[list[Service], list[Provider]]:
        if self._lists is None:  # asked by several checks: SimplyBook is asked once
            client = self.simplybook_client()
            self._lists = (client.list_services(), client.list_providers())
        return self._lists

    def services(self) -> Sequence[Service]:
        return self._simplybook_lists()[0]

    def providers(self) -> Sequence[Provider]:
        return self._simplybook_lists()[1]

    def ledger(self) -> LedgerInfo:
        from sbzoom.store.ledger import Ledger

        path = self.ledger_path
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

        client = self.simplybook_client()
        zone = client.timezone
        first = self.clock.now().astimezone(zone).date()
        last = first + timedelta(days=14)
        listed = list(islice(client.iter_bookings(date_from=first, date_to=last), 100))
        has_comment = None
        if listed:
            has_comment = client.get_booking(listed[0].id).comment is not None
        starts = tuple(b.start.astimezone(zone).date() for b in listed)
        return BookingSample(first, last, starts, has_comment)

    def listener(self) -> ListenerInfo:
        import time as wall

        from sbzoom.clients.listener_health import listener_health
        from sbzoom.core.listen.queue import queue_stats

        base = self.load_profile().text("listen.public_url")
        if not base:
            base = f"http://127.0.0.1:{self.listen_port}"
        url = base.rstrip("/") + "/healthz"
        stats = queue_stats(self.ledger_path)
        now = wall.time()
        health, problem = listener_health(url, self.http_transport)
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
        from sbzoom.core.online import orphan_cause
        from sbzoom.store.ledger import Ledger

        if not self.ledger_path.exists():
            return []
        now = self.clock.now()
        ledger = Ledger(self.ledger_path)
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
        client = self.simplybook_client()
        zone = client.timezone
        until = datetime.fromisoformat(last.replace("Z", "+00:00")).astimezone(zone)
        profile = self.load_profile()
        hosts = profile.family("providers")
        online = profile.family("services")
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

    def backlog(self) -> Backlog:
        """Per mapped host, the meetings `bookings link` would create over its default window
        (bookings and class sessions with no active meeting in the ledger), and the creates and
        updates the ledger counts for today (UTC). Reads only: one paged SimplyBook listing."""
        from sbzoom.core.bookings.adapters import booking_view
        from sbzoom.core.bookings.units import unit_key
        from sbzoom.core.dates import window
        from sbzoom.store.ledger import Ledger

        now = self.clock.now()
        today = now.astimezone(UTC).date()
        profile = self.load_profile()
        hosts = profile.family("providers")
        if not hosts or not profile.family("services"):  # nothing to link: nothing waits
            return Backlog(today)
        limit = self.daily_limit()
        client = self.simplybook_client()
        online = self.online_services()
        span = window(None, None, now, client.timezone)
        ledger = Ledger(self.ledger_path) if self.ledger_path.exists() else None
        waiting: dict[str, set[str]] = {}
        first: dict[str, datetime] = {}
        try:
            for booking in client.iter_bookings(
                date_from=span.first, date_to=span.last, services=[int(s) for s in online]
            ):
                view = booking_view(booking)
                host = hosts.get(view.provider_id)
                if view.cancelled or host is None or view.service_id not in online:
                    continue
                if not span.first <= view.start.astimezone(span.zone).date() <= span.last:
                    continue
                key = unit_key(view, online[view.service_id] == "class")
                meeting = ledger.meeting(key) if ledger is not None else None
                if meeting is not None and meeting.status == "active" and meeting.meeting_id:
                    continue
                waiting.setdefault(host, set()).add(key)
                if host not in first or view.start < first[host]:
                    first[host] = view.start
            midnight = datetime.combine(today, time(), UTC)
            used = ledger.creates_updates_since(midnight) if ledger is not None else {}
        finally:
            if ledger is not None:
                ledger.close()
        return Backlog(
            today,
            tuple(
                HostBacklog(host, len(keys), used.get(host, 0), limit, first.get(host))
                for host, keys in sorted(waiting.items())
            ),
        )

    def server_times(self) -> list[ServerTime]:
        """The time of each service sbzoom is set up for, signed in or not: a wrong clock is
        one reason a sign-in fails."""
        targets = []
        with contextlib.suppress(SbzoomError):
            if self.zoom_credentials() is not None:
                targets.append(("Zoom", self.zoom_api_url()))
        with contextlib.suppress(SbzoomError):
            if self.simplybook_identity() is not None:
                targets.append(("SimplyBook", self.simplybook_api_url()))
        return [self._time_of(service, url) for service, url in targets]

    def _time_of(self, service: str, url: str) -> ServerTime:
        """One unauthenticated GET of the API root: any answer, even 404, carries ``Date``."""
        from sbzoom.clients.http import HttpSession, Pacer, RetryPolicy, build_client

        clock = self.clock
        session = HttpSession(
            build_client(self.http_transport),
            service=service,
            pacer=Pacer(0, clock),
            clock=clock,
            retry=RetryPolicy(attempts=2, base_delay=0.2, max_delay=1.0, max_wait=2.0),
            log=self.debug_log,
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
