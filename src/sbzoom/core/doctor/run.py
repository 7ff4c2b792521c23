"""``run_doctor``: every check in order over one set of facts.

A check that raises becomes a ``fail`` row carrying the error's message and hint: one broken
piece never hides the others. Checks that need a sign-in which failed say so with ``warn``
instead of failing a second time for the same cause.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from sbzoom.clients.simplybook import Provider, Service
from sbzoom.core.doctor.checks import (
    check_clock,
    check_config,
    check_ledger,
    check_listener,
    check_rate,
    check_scopes,
    check_secrets,
    check_simplybook,
    check_simplybook_reads,
    check_timezone,
    check_zoom,
)
from sbzoom.core.doctor.meeting_checks import (
    check_backfill,
    check_duplicates,
    check_hosts,
    check_mapping,
    check_orphans,
    check_services,
)
from sbzoom.core.doctor.model import (
    FAIL,
    OK,
    WARN,
    Check,
    ConfigInfo,
    DoctorReport,
    Facts,
    SimplyBookLogin,
    ZoomLogin,
)
from sbzoom.errors import SbzoomError


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
        for name in (*names, "duplicate meetings", "orphaned meetings", "backfill"):
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
            attempt("backfill", lambda: check_backfill(facts.backlog()))
        else:
            checks.append(_skipped("orphaned meetings", "SimplyBook sign-in"))
            checks.append(_skipped("backfill", "SimplyBook sign-in"))
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
