"""`sbzoom doctor` over fakes: each seeded fault gives the right status and a fix naming the
command that cures it; a check that raises becomes a `fail` row and the others still run."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from sbzoom.clients.simplybook import Provider, Service
from sbzoom.clients.zoom import Meeting, ZoomUser, ZoomUserGoneError
from sbzoom.core.doctor.checks import NEEDED_SCOPES, check_clock, check_listener, missing_scopes
from sbzoom.core.doctor.model import (
    FAIL,
    OK,
    WARN,
    Backlog,
    Check,
    ConfigInfo,
    DoctorReport,
    HostBacklog,
    LedgerInfo,
    ListenerInfo,
    OrphanFinding,
    SecretInfo,
    ServerTime,
    SimplyBookLogin,
    ZoomLogin,
)
from sbzoom.core.doctor.run import run_doctor
from sbzoom.errors import AuthError, ConfigError
from sbzoom.render.doctor import doctor_json
from sbzoom.store.config import Profile

NOW = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)
HEALTHY_PROFILE = {
    "simplybook.timezone": "America/New_York",
    "services.1": "online",
    "services.3": "class",
    "providers.1": "zAlice",
    "providers.2": "zBen",
}
PROVIDERS = [
    Provider(1, "Alice Romero", "alice@x", 12, True, True, (3,)),
    Provider(2, "Ben Okafor", "ben@x", 1, True, True, (1, 4)),
    Provider(4, "Dan Whitfield", "dan@x", 1, True, True, (1, 4)),
]
SERVICES = [
    Service(1, "Intro Consultation", 30, (2,), None, True, True),
    Service(3, "Group Yoga Class", 60, (1,), 12, True, True),
    Service(4, "In-Person Assessment", 45, (2, 4), None, True, True),
]
USERS = {
    "zAlice": ZoomUser("zAlice", "alice@zoom.test", type=2, status="active"),
    "zBen": ZoomUser("zBen", "ben@zoom.test", type=2, status="active"),
    "zChloe": ZoomUser("zChloe", "chloe@zoom.test", type=1, status="active"),
    "zFrank": ZoomUser("zFrank", "frank@zoom.test", type=2, status="inactive"),
}


@dataclass
class FakeFacts:
    values: dict[str, object] = field(default_factory=lambda: dict(HEALTHY_PROFILE))
    config_error: Exception | None = None
    config_exists: bool = True
    secret: SecretInfo = field(default_factory=lambda: SecretInfo("keyring", False))
    zoom_login: ZoomLogin | None = field(
        default_factory=lambda: ZoomLogin("s2s", "env", "owner@zoom.test", tuple(NEEDED_SCOPES))
    )
    zoom_error: Exception | None = None
    users: dict[str, ZoomUser] = field(default_factory=lambda: dict(USERS))
    sb_login: SimplyBookLogin | None = field(
        default_factory=lambda: SimplyBookLogin(
            "demo", "admin", "https://sb.test", "env", "Demo", "America/New_York"
        )
    )
    service_list: list[Service] = field(default_factory=lambda: list(SERVICES))
    provider_list: list[Provider] = field(default_factory=lambda: list(PROVIDERS[:2]))
    ledger_info: LedgerInfo = field(default_factory=lambda: LedgerInfo(Path("/l.sqlite3"), True))
    meetings: list[Meeting] = field(default_factory=list)
    ledger_error: Exception | None = None
    skew: float = 1.0
    listener_info: ListenerInfo = field(
        default_factory=lambda: ListenerInfo("http://127.0.0.1:8780/healthz")
    )
    orphan_list: list[OrphanFinding] = field(default_factory=list)
    backlog_hosts: tuple[HostBacklog, ...] = ()

    def config(self) -> ConfigInfo:
        if self.config_error is not None:
            raise self.config_error
        profile = Profile("default", self.values, exists=True)  # type: ignore[arg-type]
        return ConfigInfo(Path("/c/config.toml"), profile, self.config_exists)

    def secrets(self) -> SecretInfo:
        return self.secret

    def zoom(self) -> ZoomLogin | None:
        if self.zoom_error is not None:
            raise self.zoom_error
        return self.zoom_login

    def zoom_user(self, ident: str) -> ZoomUser:
        if ident not in self.users:
            raise ZoomUserGoneError("gone", None, user=ident, status=404, code=1001)
        return self.users[ident]

    def simplybook(self) -> SimplyBookLogin | None:
        return self.sb_login

    def services(self) -> Sequence[Service]:
        return self.service_list

    def providers(self) -> Sequence[Provider]:
        return self.provider_list

    def ledger(self) -> LedgerInfo:
        if self.ledger_error is not None:
            raise self.ledger_error
        return self.ledger_info

    def listener(self) -> ListenerInfo:
        return self.listener_info

    def orphans(self) -> list[OrphanFinding]:
        return list(self.orphan_list)

    def server_times(self) -> list[ServerTime]:
        server = NOW + timedelta(seconds=self.skew)
        return [ServerTime("Zoom", server, NOW), ServerTime("SimplyBook", server, NOW)]

    def backlog(self) -> Backlog:
        return Backlog(NOW.date(), self.backlog_hosts)

    def host_meetings(self, host: str) -> list[Meeting]:
        return [m for m in self.meetings if m.host_id == host]


def by_name(report: DoctorReport) -> dict[str, Check]:
    return {c.name: c for c in report.checks}


NAMES = [
    "config", "secret store", "zoom sign-in", "zoom scopes", "simplybook sign-in", "time zone",
    "online services", "provider mapping", "zoom hosts", "duplicate meetings",
    "orphaned meetings", "backfill", "zoom rate", "ledger", "listener", "clock",
]  # fmt: skip


def test_a_healthy_setup_passes_every_check() -> None:
    report = run_doctor(FakeFacts())
    assert [c.name for c in report.checks] == NAMES
    assert [(c.name, c.status) for c in report.checks if c.status != OK] == []
    assert report.ok
    assert doctor_json(report)["ok"] is True
    assert set(doctor_json(report)["checks"][0]) == {"name", "status", "detail", "fix"}  # type: ignore[index]


def dan_mapped(facts: FakeFacts) -> FakeFacts:
    facts.provider_list = list(PROVIDERS)
    return facts


@pytest.mark.parametrize(
    ("seed", "name", "status", "fix_has"),
    [
        (lambda f: setattr(f, "config_error", ConfigError("bad TOML", "Fix that line.")),
         "config", FAIL, "Fix that line"),
        (lambda f: setattr(f, "config_exists", False), "config", WARN, "sbzoom auth login"),
        (lambda f: setattr(f, "secret", SecretInfo("file", False, Path("/d/secrets.json"), 0o600)),
         "secret store", WARN, "SBZOOM_SECRET_BACKEND=file"),
        (lambda f: setattr(f, "secret", SecretInfo("file", True, Path("/d/secrets.json"), 0o644)),
         "secret store", FAIL, "chmod 600 /d/secrets.json"),
        (lambda f: setattr(f, "zoom_login", None), "zoom sign-in", FAIL, "sbzoom auth login zoom"),
        (lambda f: setattr(f, "zoom_error", AuthError(
            "Zoom no longer accepts the stored sign-in (invalid_grant).",
            "Run 'sbzoom auth login zoom' to sign in again.")),
         "zoom sign-in", FAIL, "sbzoom auth login zoom"),
        (lambda f: setattr(f, "zoom_login", ZoomLogin(
            "s2s", "env", "", tuple(s for s in NEEDED_SCOPES if "registrant" not in s))),
         "zoom scopes", FAIL, "sbzoom auth login zoom"),
        (lambda f: setattr(f, "sb_login", None), "simplybook sign-in", FAIL,
         "sbzoom auth login simplybook"),
        (lambda f: (f.values.pop("simplybook.timezone"), setattr(f, "sb_login", replace(
            f.sb_login, timezone=None))), "time zone", FAIL,  # type: ignore[type-var]
         "sbzoom config set simplybook.timezone"),
        (lambda f: f.values.update({"simplybook.timezone": "Europe/Paris"}), "time zone", WARN,
         "sbzoom config set simplybook.timezone America/New_York"),
        (lambda f: f.values.update({"services.3": "online"}), "online services", WARN,
         "sbzoom services enable-online 3 --class"),
        (lambda f: f.values.update({"services.9": "online"}), "online services", WARN,
         "sbzoom services disable-online 9"),
        (lambda f: setattr(f, "provider_list", list(PROVIDERS)), "provider mapping", FAIL,
         "sbzoom providers map 4 ZOOM_USER"),
        (lambda f: f.values.update({"providers.7": "zBen"}), "provider mapping", WARN,
         "sbzoom providers unmap 7"),
        (lambda f: f.values.update({"providers.2": "zGone"}), "zoom hosts", FAIL,
         "sbzoom providers map 2 ZOOM_USER"),
        (lambda f: f.values.update({"providers.2": "zFrank"}), "zoom hosts", FAIL,
         "sbzoom providers map 2 ZOOM_USER"),
        (lambda f: f.values.update({"providers.1": "zChloe"}), "zoom hosts", FAIL,
         "sbzoom providers map 1 ZOOM_USER"),
        (lambda f: setattr(f, "ledger_info", LedgerInfo(Path("/l.sqlite3"), True, False)),
         "ledger", FAIL, "chmod u+w /l.sqlite3"),
        (lambda f: setattr(f, "ledger_error", ConfigError(
            "The ledger /l.sqlite3 cannot be opened: file is not a database.",
            "Move it away and run 'sbzoom bookings link' again.")),
         "ledger", FAIL, "sbzoom bookings link"),
        (lambda f: setattr(f, "skew", 90.0), "clock", WARN, "timedatectl set-ntp true"),
        (lambda f: setattr(f, "skew", -400.0), "clock", FAIL, "timedatectl set-ntp true"),
    ],
    ids=[
        "config-broken", "config-absent", "secrets-fallback-file", "secrets-file-too-open",
        "zoom-absent", "zoom-expired", "zoom-missing-scope", "simplybook-absent",
        "timezone-unknown", "timezone-disagrees", "class-as-one-to-one", "unknown-service",
        "unmapped-provider", "mapping-unknown-provider", "host-gone", "host-inactive",
        "unlicensed-class-host", "ledger-read-only", "ledger-corrupt", "clock-90s", "clock-400s",
    ],
)  # fmt: skip
def test_each_fault_names_its_fix(seed: object, name: str, status: str, fix_has: str) -> None:
    facts = FakeFacts()
    seed(facts)  # type: ignore[operator]
    report = run_doctor(facts)
    found = by_name(report)[name]
    assert (found.status, fix_has in found.fix) == (status, True), found
    assert report.ok is (status != FAIL and all(c.status != FAIL for c in report.checks))
    assert [c.name for c in report.checks] == NAMES  # every check still ran


def test_missing_scopes_are_named() -> None:
    granted = tuple(s for s in NEEDED_SCOPES if s != "meeting:update:meeting:admin")
    found = by_name(run_doctor(FakeFacts(zoom_login=ZoomLogin("s2s", "env", "", granted))))
    assert found["zoom scopes"].status == FAIL
    assert "meeting:update:meeting:admin" in found["zoom scopes"].detail


@pytest.mark.parametrize(
    ("granted", "missing", "user_level"),
    [
        (("user:read:admin", "meeting:read:admin", "meeting:write:admin"), [], []),
        (("user:read:list_users:master", "user:read:user:master", "meeting:write:admin",
          "meeting:read:admin"), [], []),
        (("user:read:admin", "meeting:read", "meeting:write"), [], [
            s for s in NEEDED_SCOPES if s.startswith("meeting:")]),
        (("meeting:read:admin", "meeting:write:admin"), ["user:read:list_users:admin",
                                                         "user:read:user:admin"], []),
    ],
    ids=["classic-admin", "granular-master", "classic-user-level", "no-user-scopes"],
)  # fmt: skip
def test_classic_and_master_scopes_count(
    granted: tuple[str, ...], missing: list[str], user_level: list[str]
) -> None:
    assert missing_scopes(granted) == (missing, user_level)


def test_user_level_scopes_are_a_warning() -> None:
    login = ZoomLogin("oauth", "keyring", "me@zoom.test", ("user:read:admin", "meeting:write",
                                                             "meeting:read"))  # fmt: skip
    assert by_name(run_doctor(FakeFacts(zoom_login=login)))["zoom scopes"].status == WARN


def test_checks_that_need_a_failed_sign_in_say_so_instead_of_failing_again() -> None:
    report = run_doctor(FakeFacts(zoom_login=None, sb_login=None))
    found = by_name(report)
    for name in ("zoom scopes", "zoom hosts", "online services", "provider mapping"):
        assert found[name].status == WARN and found[name].detail.startswith("Not checked")
    assert [c.name for c in report.checks if c.status == FAIL] == [
        "zoom sign-in",
        "simplybook sign-in",
    ]


def test_a_check_that_crashes_is_a_fail_row_and_the_rest_still_run() -> None:
    facts = FakeFacts(ledger_error=RuntimeError("disk on fire"))
    report = run_doctor(facts)
    ledger = by_name(report)["ledger"]
    assert ledger.status == FAIL and "RuntimeError: disk on fire" in ledger.detail
    assert "sbzoom --debug doctor" in ledger.fix
    assert by_name(report)["clock"].status == OK
    assert not report.ok


def test_a_basic_host_of_long_one_to_one_meetings_is_a_warning() -> None:
    facts = FakeFacts()
    facts.values["providers.2"] = "zChloe"
    found = by_name(run_doctor(facts))["zoom hosts"]
    assert found.status == OK  # Intro is 30 min: fits in Zoom Basic's 40
    facts.service_list = [replace(SERVICES[0], duration=60), *SERVICES[1:]]
    found = by_name(run_doctor(facts))["zoom hosts"]
    assert (found.status, "40 minutes" in found.detail) == (WARN, True)


@pytest.mark.parametrize(("skew", "status"), [(0.4, OK), (-45, OK), (61, WARN), (301, FAIL)])
def test_clock_thresholds(skew: float, status: str) -> None:
    times = [ServerTime("Zoom", NOW + timedelta(seconds=skew), NOW)]
    assert check_clock(times).status == status


def test_clock_without_answers_is_a_warning() -> None:
    assert check_clock([ServerTime("Zoom", None, NOW, "cannot connect")]).status == WARN
    assert check_clock([]).status == WARN


URL = "http://127.0.0.1:8780/healthz"
UP = {"queued": 0, "zoom_webhooks": True}


@pytest.mark.parametrize(
    ("info", "status", "says"),
    [
        (ListenerInfo(URL), OK, "not in use"),
        (ListenerInfo(URL, 0, last_event_age=30.0, health=UP), OK, "last event handled 30 s ago"),
        (ListenerInfo(URL, 0, problem="ConnectError"), WARN, "does not answer"),
        (ListenerInfo(URL, 4, oldest_waiting_age=900.0, health=UP), FAIL, "stuck: 4 event(s)"),
        (ListenerInfo(URL, 0, failed=2, health=UP), WARN, "2 event(s) failed"),
        (ListenerInfo(URL, 0, health={"queued": 0, "zoom_webhooks": False}), WARN, "webhooks"),
    ],
)
def test_listener_check(info: ListenerInfo, status: str, says: str) -> None:
    check = check_listener(info, "acme")
    assert check.status == status and says in check.detail
    if status != OK:
        assert "sbzoom" in check.fix


def test_orphaned_meetings_warn_with_a_clean_up_that_covers_the_last_one() -> None:
    late = datetime(2027, 3, 2, 9, 0, tzinfo=UTC)
    facts = FakeFacts(
        orphan_list=[
            OrphanFinding("1001", NOW + timedelta(days=1), "provider Ben (2) is no longer mapped"),
            OrphanFinding("1010", late, "service Nutrition (2) is no longer online"),
        ]
    )
    check = by_name(run_doctor(facts))["orphaned meetings"]
    assert check.status == WARN
    assert "1001 (provider Ben (2) is no longer mapped)" in check.detail and "1010" in check.detail
    # the window of the clean-up reaches the last orphan, or it would miss it
    assert "'sbzoom bookings link --cancel-orphans --to 2027-03-02'" in check.fix


def test_orphans_are_not_looked_for_without_a_simplybook_sign_in() -> None:
    check = by_name(run_doctor(FakeFacts(sb_login=None)))["orphaned meetings"]
    assert check.status == WARN and "SimplyBook sign-in" in check.detail


def test_duplicate_meetings_of_one_booking_fail_until_linked_again() -> None:
    host = str(HEALTHY_PROFILE["providers.1"])
    facts = FakeFacts()
    facts.meetings = [
        Meeting(11, agenda="[sbzoom:b1001] Booking A", host_id=host),
        Meeting(12, agenda="[sbzoom:b1002] Booking B", host_id=host),
        Meeting(13, agenda="[sbzoom:b1001] Booking A", host_id=host),
        Meeting(14, agenda="not sbzoom's", host_id=host),
    ]
    found = by_name(run_doctor(facts))["duplicate meetings"]
    assert found.status == FAIL
    assert "[sbzoom:b1001] meetings 11, 13" in found.detail and "b1002" not in found.detail
    assert "sbzoom bookings link" in found.fix
    facts.meetings = facts.meetings[:2]
    assert by_name(run_doctor(facts))["duplicate meetings"].status == OK


def test_backfill_within_each_hosts_daily_allowance_is_ok() -> None:
    facts = FakeFacts(backlog_hosts=(HostBacklog("zAlice", 60, 30, 100, NOW),))
    check = by_name(run_doctor(facts))["backfill"]
    assert (check.status, check.detail) == (
        OK,
        "60 meetings to create on 1 Zoom host, within today's allowance of each",
    )


def test_a_host_with_more_waiting_than_zoom_allows_a_day_is_a_warning_with_its_last_day() -> None:
    facts = FakeFacts(
        backlog_hosts=(
            HostBacklog("zAlice", 250, 40, 100, NOW + timedelta(days=1)),
            HostBacklog("zBen", 10, 0, 100, NOW),
        )
    )
    check = by_name(run_doctor(facts))["backfill"]
    assert check.status == WARN
    # 60 fit today; 190 wait: two more UTC days of 100
    assert "host zAlice: 250 meetings to create, 60 of 100" in check.detail
    assert "the last linked on 2026-11-26 when run daily" in check.detail
    assert "zBen" not in check.detail
    assert "sbzoom bookings link --dry-run" in check.fix


def test_backfill_is_not_looked_at_without_a_simplybook_sign_in() -> None:
    check = by_name(run_doctor(FakeFacts(sb_login=None)))["backfill"]
    assert check.status == WARN and "SimplyBook sign-in" in check.detail
