"""End to end against the sandbox: sign in to SimplyBook with the real CLI, then list providers,
services and bookings through the factory's SimplyBook client."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from sbzoom.context import Context
from sbzoom.sandbox import (
    DEMO_2FA_LOGIN,
    DEMO_API_USER_KEY,
    DEMO_GA_CODE,
    DEMO_PASSWORD,
    DEMO_SMS_CODE,
    Sandbox,
)
from tests.conftest import Home
from tests.sandbox_fixture import MakeSandbox

NY = ZoneInfo("America/New_York")
CREDENTIALS = ("SBZOOM_SIMPLYBOOK_COMPANY", "SBZOOM_SIMPLYBOOK_LOGIN", "SBZOOM_SIMPLYBOOK_PASSWORD")


def endpoints(sandbox: Sandbox) -> dict[str, str]:
    """The sandbox's URLs without its SimplyBook credentials: the sign-in must do the work."""
    return {k: v for k, v in sandbox.env.items() if k not in CREDENTIALS}


@pytest.fixture
def fast(home: Home) -> Home:
    """Pacing is tested elsewhere; here it would only make the run slow on the real clock."""
    home.config_path.parent.mkdir(parents=True, exist_ok=True)
    home.config_path.write_text("[default.simplybook]\nmax_rps = 10000.0\n")
    return home


def sign_in_2fa(home: Home, sandbox: Sandbox) -> None:
    result = home.run(
        "auth", "login", "simplybook", "--company", "demo", "--login", DEMO_2FA_LOGIN,
        "--password-stdin", "--code", DEMO_GA_CODE,
        stdin=DEMO_PASSWORD + "\n", extra_env=endpoints(sandbox),
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    assert f"Signed in to SimplyBook as {DEMO_2FA_LOGIN} at company demo" in result.stderr
    assert "America/New_York (from company info)" in result.stderr


def routes(sandbox: Sandbox) -> list[str]:
    return [r.route for r in sandbox.requests("simplybook")]


def client_context(home: Home, sandbox: Sandbox) -> Context:
    """A Context for the sandbox; ``home.factory(...)`` over it closes its connections after
    the test, as the CLI does when a command ends."""
    return home.context(extra_env=endpoints(sandbox))


def test_login_with_2fa_then_providers_services_and_a_month_across_dst(
    fast: Home, sandbox: Sandbox
) -> None:
    sign_in_2fa(fast, sandbox)
    ctx = client_context(fast, sandbox)
    factory = fast.factory(ctx)
    client = factory.simplybook
    assert factory.company_timezone == NY

    providers = {p.id: p for p in client.list_providers()}
    assert providers[1].name == "Alice Romero" and providers[1].qty == 12
    assert providers[2].service_ids == (1, 2, 4)
    services = {s.id: s for s in client.list_services()}
    assert services[2].provider_ids == (2, 3) and services[2].duration == 60
    assert services[3].is_class(providers.values()) and not services[1].is_class(providers.values())

    transition = sandbox.dst_transition()
    assert transition is not None
    window = list(
        client.iter_bookings(
            date_from=transition - timedelta(days=15), date_to=transition + timedelta(days=15)
        )
    )
    by_id = {b.id: b for b in window}
    dst_ids = sandbox.dst_booking_ids()
    assert set(dst_ids) <= set(by_id)
    offsets = []
    for ident in dst_ids:
        booking, truth = by_id[ident], sandbox.simplybook.booking(ident)
        assert truth is not None
        wall = datetime.fromisoformat(truth["start_datetime"])
        assert booking.start.replace(tzinfo=None) == wall and booking.start.hour == 10
        assert booking.start_utc == wall.replace(tzinfo=NY).astimezone(UTC)
        assert booking.end_utc - booking.start_utc == timedelta(minutes=30)
        offsets.append(booking.start.utcoffset())
    assert offsets[0] != offsets[-1]  # the same 10:00 on either side of the change
    assert offsets[-1] == offsets[1]  # the change happens at 02:00, before 10:00


def test_a_default_month_with_filters(fast: Home, sandbox: Sandbox) -> None:
    sign_in_2fa(fast, sandbox)
    client = fast.factory(client_context(fast, sandbox)).simplybook
    today = datetime.now(NY).date()
    month = list(client.iter_bookings(date_from=today, date_to=today + timedelta(days=30)))
    ids = {b.id for b in month}
    assert set(range(1001, 1012)) <= ids and 1012 not in ids  # 1012 is in the past
    yoga = list(
        client.iter_bookings(date_from=today, date_to=today + timedelta(days=30), services=[3])
    )
    assert sorted(b.id for b in yoga) == [1004, 1005, 1006, 1011]
    group = {b.id: b for b in yoga}
    assert (group[1004].batch_id, group[1004].batch_type) == (501, "group")
    assert group[1004].client is not None and group[1004].client.name == "Tom Becker"
    ben = list(client.iter_bookings(date_from=today, providers=[2], status="pending"))
    assert [b.id for b in ben] == [1007]
    listed = [r for r in sandbox.requests("simplybook") if r.route == "bookings.list"]
    assert listed[-1].query_params["filter[providers][]"] == ["2"]
    assert listed[-1].query_params["on_page"] == ["100"]


def test_a_419_in_the_middle_of_a_long_listing_is_refreshed_transparently(
    fast: Home, make_sandbox: MakeSandbox
) -> None:
    sandbox = make_sandbox(bookings=250)
    sign_in_2fa(fast, sandbox)
    ctx = client_context(fast, sandbox)
    stream = fast.factory(ctx).simplybook.iter_bookings()
    first = [next(stream) for _ in range(100)]
    sandbox.expire_tokens()
    rest = list(stream)
    ids = [b.id for b in first + rest]
    assert len(ids) == len(set(ids)) == sandbox.simplybook.booking_count()
    assert routes(sandbox).count("auth.refresh") == 1
    statuses = [r.status for r in sandbox.requests("simplybook") if r.route == "bookings.list"]
    assert statuses.count(419) == 1 and statuses[-1] == 200
    # The newest refresh token was kept: a second expiry refreshes again without a new sign-in.
    sandbox.expire_tokens()
    assert fast.factory(client_context(fast, sandbox)).simplybook.list_providers()
    assert routes(sandbox).count("auth.refresh") == 2 and routes(sandbox).count("auth.login") == 1
    assert all(n == 1 for n in sandbox.simplybook.refresh_token_uses().values())


def test_bare_lists_page_the_same(fast: Home, make_sandbox: MakeSandbox) -> None:
    sandbox = make_sandbox(bare_lists=True, bookings=120)
    sign_in_2fa(fast, sandbox)
    client = fast.factory(client_context(fast, sandbox)).simplybook
    assert len(client.list_providers()) == 4
    assert len(list(client.iter_bookings())) == sandbox.simplybook.booking_count()


def test_environment_credentials_need_no_login(fast: Home, sandbox: Sandbox) -> None:
    result = fast.run("auth", "status", "--json", extra_env=sandbox.env)
    simplybook = json.loads(result.stdout)["simplybook"]
    assert simplybook["connected"] is True and simplybook["source"] == "env"
    assert simplybook["company"] == "demo" and simplybook["timezone"] == "America/New_York"


def test_sms_code_and_api_user_key(fast: Home, sandbox: Sandbox) -> None:
    env = endpoints(sandbox)
    sms = fast.run(
        "auth", "login", "simplybook", "--company", "demo", "--login", DEMO_2FA_LOGIN,
        "--password-stdin", "--code-type", "sms", "--code", DEMO_SMS_CODE,
        stdin=DEMO_PASSWORD, extra_env=env,
    )  # fmt: skip
    assert sms.exit_code == 0, sms.stderr
    assert sandbox.simplybook.sms_sent() == 1
    key = fast.run(
        "auth", "login", "simplybook", "--company", "demo", "--login", DEMO_2FA_LOGIN,
        "--password-stdin", stdin=DEMO_API_USER_KEY, extra_env=env,
    )  # fmt: skip
    assert key.exit_code == 0, key.stderr  # an API user key needs no code


def test_login_errors_against_the_sandbox(fast: Home, sandbox: Sandbox) -> None:
    env = endpoints(sandbox)

    def login(company: str, password: str, *extra: str) -> tuple[int, str]:
        result = fast.run(
            "auth", "login", "simplybook", "--company", company, "--login", "admin",
            "--password-stdin", *extra, stdin=password, extra_env=env,
        )  # fmt: skip
        assert "Traceback" not in result.stderr and password not in result.stderr
        return result.exit_code, result.stderr

    code, err = login("nosuchco", DEMO_PASSWORD)
    assert code == 4 and "has no company 'nosuchco'" in err
    for _ in range(5):
        code, err = login("demo", "wrong-password")
        assert code == 4 and "rejected the login 'admin'" in err
    code, err = login("demo", DEMO_PASSWORD)
    assert code == 4 and "Wait before trying again" in err


def test_debug_shows_the_exchange_without_secrets(fast: Home, sandbox: Sandbox) -> None:
    result = fast.run(
        "--debug", "auth", "login", "simplybook", "--company", "demo", "--login", DEMO_2FA_LOGIN,
        "--password-stdin", "--code", DEMO_GA_CODE, stdin=DEMO_PASSWORD,
        extra_env=endpoints(sandbox),
    )  # fmt: skip
    assert result.exit_code == 0
    assert "/simplybook/admin/auth/2fa" in result.stderr
    store = json.loads((fast.data_dir / "secrets.json").read_text())["default"]
    tokens = json.loads(store["simplybook.tokens"])
    for secret in (DEMO_PASSWORD, tokens["token"], tokens["refresh_token"]):
        assert secret not in result.stderr and secret not in fast.config_path.read_text()


def test_logout_revokes_on_the_server(fast: Home, sandbox: Sandbox) -> None:
    sign_in_2fa(fast, sandbox)
    result = fast.run("auth", "logout", "simplybook", extra_env=endpoints(sandbox))
    assert result.exit_code == 0 and "Signed out of simplybook" in result.stderr
    assert routes(sandbox)[-1] == "auth.logout"
    status = fast.run("auth", "status", "--json", extra_env=endpoints(sandbox))
    assert json.loads(status.stdout)["simplybook"]["connected"] is False


def test_the_installed_command_signs_in_from_a_pipe(tmp_path: Path, sandbox: Sandbox) -> None:
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("SBZOOM_")},
        **endpoints(sandbox),
        "SBZOOM_CONFIG": str(tmp_path / "config.toml"),
        "SBZOOM_DATA_DIR": str(tmp_path / "data"),
        "SBZOOM_SECRET_BACKEND": "file",
    }
    args = [sys.executable, "-m", "sbzoom", "auth", "login", "simplybook", "--company", "demo",
            "--login", DEMO_2FA_LOGIN, "--password-stdin"]  # fmt: skip
    no_code = subprocess.run(args, input=DEMO_PASSWORD, env=env, capture_output=True, text=True,
                             timeout=60, check=False)  # fmt: skip
    assert no_code.returncode == 4 and "--code" in no_code.stderr  # a pipe means --no-input
    done = subprocess.run([*args, "--code", DEMO_GA_CODE], input=DEMO_PASSWORD, env=env,
                          capture_output=True, text=True, timeout=60, check=False)  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "America/New_York" in done.stderr and done.stdout == ""
    assert oct((tmp_path / "data" / "secrets.json").stat().st_mode & 0o777) == "0o600"


def test_no_resolvable_time_zone_signs_in_and_says_how_to_set_it(
    fast: Home, make_sandbox: MakeSandbox
) -> None:
    sandbox = make_sandbox(company_info_timezone=False)
    result = fast.run(
        "auth", "login", "simplybook", "--company", "demo", "--login", "admin",
        "--password-stdin", stdin=DEMO_PASSWORD, extra_env=endpoints(sandbox),
    )  # fmt: skip
    assert result.exit_code == 0 and "config set simplybook.timezone" in result.stderr
    ok = fast.run(
        "auth", "login", "simplybook", "--company", "demo", "--login", "admin",
        "--password-stdin", "--timezone", "America/New_York", stdin=DEMO_PASSWORD,
        extra_env=endpoints(sandbox),
    )  # fmt: skip
    assert ok.exit_code == 0, ok.stderr
    ctx = client_context(fast, sandbox)
    factory = fast.factory(ctx)
    assert factory.company_timezone == NY
    assert factory.simplybook.get_booking(1001).start.tzinfo == NY
