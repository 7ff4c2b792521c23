"""The Zoom connection over time: tokens refreshed ahead of expiry and rotated, shared across
processes, environment credentials, and no secret ever shown."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from sbzoom.errors import AuthError
from tests.conftest import Home
from tests.fakes import FakeClock, FakeZoomApi
from tests.unit.core.auth.zoom.harness import (
    CLIENT_SECRET,
    ENV_CREDS,
    login,
    make_factory,
    run,
    secrets_file,
    stored_tokens,
)


def test_tokens_are_refreshed_ahead_of_expiry_and_rotated(
    home: Home, fake: FakeZoomApi, clock: FakeClock
) -> None:
    login(home, fake)
    first = stored_tokens(home)
    clock.elapsed += 3599 - 30  # 30 s left: inside the 60 s margin
    result = run(home, fake, "zoom", "users", "--json")
    assert result.exit_code == 0, result.stderr
    second = stored_tokens(home)
    assert fake.grants["refresh_token"] == 1
    assert fake.refresh_uses[first["refresh_token"]] == 1
    assert second["refresh_token"] != first["refresh_token"]
    assert second["access_token"] != first["access_token"]


def test_a_valid_token_is_used_without_refreshing(home: Home, fake: FakeZoomApi) -> None:
    login(home, fake)
    assert run(home, fake, "zoom", "users").exit_code == 0
    assert fake.grants["refresh_token"] == 0


def test_rejected_token_is_refreshed_once_and_the_call_retried(
    home: Home, fake: FakeZoomApi
) -> None:
    login(home, fake)
    fake.expire_all()  # Zoom forgets the token although it has not reached its expiry
    result = run(home, fake, "zoom", "users", "--json")
    assert result.exit_code == 0, result.stderr
    assert fake.grants["refresh_token"] == 1


def test_a_second_process_reuses_the_token_the_first_one_refreshed(
    home: Home, fake: FakeZoomApi
) -> None:
    login(home, fake)
    fake.expire_all()
    one = make_factory(home, fake).zoom_connection
    two = make_factory(home, fake).zoom_connection
    stale = two.tokens.access_token()  # read before the other process refreshed
    assert one.client.get_user().email == "ann@x.test"  # 401 → refresh
    assert two.client.get_user().email == "ann@x.test"  # 401 → re-read under the lock
    assert stale not in fake.access
    assert fake.grants["refresh_token"] == 1 and fake.invalid_grants == 0


def test_short_lived_tokens_are_not_renewed_on_every_call(
    home: Home, fake: FakeZoomApi, clock: FakeClock
) -> None:
    fake.ttl = 30  # shorter than the 60 s margin
    login(home, fake)
    assert run(home, fake, "zoom", "users").exit_code == 0  # three calls, one token
    assert fake.grants["refresh_token"] == 0
    clock.elapsed += 20  # past half its life: renewed ahead of expiry
    assert run(home, fake, "zoom", "users").exit_code == 0
    assert fake.grants["refresh_token"] == 1


def test_invalid_grant_forgets_the_tokens_and_asks_for_login(home: Home, fake: FakeZoomApi) -> None:
    login(home, fake)
    fake.refresh.clear()  # revoked on Zoom's side
    fake.expire_all()
    result = run(home, fake, "zoom", "users")
    assert result.exit_code == 4
    assert "sbzoom auth login zoom" in result.stderr
    assert "zoom.tokens" not in secrets_file(home).get("default", {})
    assert "Traceback" not in result.stderr


def test_workers_waiting_on_a_dead_grant_all_report_invalid_grant(
    home: Home, fake: FakeZoomApi
) -> None:
    """Concurrent link workers hit 401 with the same token; the first renewal learns the grant
    is dead and forgets it. The others must report that cause, not "no refresh token"."""
    login(home, fake)
    fake.refresh.clear()  # revoked on Zoom's side
    fake.expire_all()
    tokens = make_factory(home, fake).zoom_connection.tokens
    rejected = tokens.access_token()
    messages = []
    for _ in range(3):  # one worker after another, each holding the rejected token
        with pytest.raises(AuthError) as raised:
            tokens.renew(rejected)
        messages.append(raised.value.message)
    assert all("invalid_grant" in m for m in messages), messages
    assert fake.invalid_grants == 1  # Zoom was asked once


def test_not_signed_in(home: Home, fake: FakeZoomApi) -> None:
    result = run(home, fake, "zoom", "users")
    assert result.exit_code == 4 and "sbzoom auth login zoom" in result.stderr


# -- environment credentials ---------------------------------------------------------------------


def test_env_credentials_work_without_login_and_share_one_token(
    home: Home, fake: FakeZoomApi
) -> None:
    for _ in range(2):
        result = run(home, fake, "zoom", "users", "--json", env=ENV_CREDS)
        assert result.exit_code == 0, result.stderr
    assert fake.grants["account_credentials"] == 1
    users = json.loads(result.stdout)
    assert [u["id"] for u in users] == ["u1", "u2", ""]
    assert users[0] == {
        "id": "u1", "email": "ann@x.test", "name": "Ann", "first_name": "Ann", "last_name": "",
        "licensed": True, "type": 2, "status": "active",
    }  # fmt: skip
    assert users[2]["status"] == "pending" and users[2]["email"] == "new@x.test"


def test_rejected_s2s_token_is_minted_again_once(home: Home, fake: FakeZoomApi) -> None:
    assert run(home, fake, "zoom", "users", env=ENV_CREDS).exit_code == 0
    fake.expire_all()
    result = run(home, fake, "zoom", "users", env=ENV_CREDS)
    assert result.exit_code == 0, result.stderr
    assert fake.grants["account_credentials"] == 2


def test_bad_env_credentials_name_the_variables(home: Home, fake: FakeZoomApi) -> None:
    env = {**ENV_CREDS, "SBZOOM_ZOOM_CLIENT_SECRET": "wrong-secret-123456"}
    result = run(home, fake, "zoom", "users", env=env)
    assert result.exit_code == 4
    assert "SBZOOM_ZOOM_CLIENT_SECRET" in result.stderr
    assert "wrong-secret-123456" not in result.stderr


def test_env_credentials_win_over_a_stored_login(home: Home, fake: FakeZoomApi) -> None:
    login(home, fake)
    result = run(home, fake, "auth", "status", "--json", env=ENV_CREDS)
    zoom = json.loads(result.stdout)["zoom"]
    assert zoom["source"] == "env" and zoom["mode"] == "s2s" and zoom["connected"] is True


def test_env_api_url_wins_over_config(home: Home, fake: FakeZoomApi) -> None:
    login(home, fake)
    run(home, fake, "zoom", "users", env={"SBZOOM_ZOOM_API_URL": "https://other.zoom.test/v2"})
    assert fake.requests[-1].url.host == "other.zoom.test"


def test_users_table(home: Home, fake: FakeZoomApi) -> None:
    result = run(home, fake, "zoom", "users", env=ENV_CREDS)
    lines = result.stdout.splitlines()
    assert any("ann@x.test" in line and "yes" in line for line in lines)
    assert any("new@x.test" in line and "pending" in line for line in lines)


# -- secrets -----------------------------------------------------------------------------------


def test_no_secret_leaks_into_files_output_or_debug_log(home: Home, fake: FakeZoomApi) -> None:
    outputs = [login(home, fake)]
    fake.expire_all()
    outputs.append(run(home, fake, "--debug", "zoom", "users", "--json"))
    outputs.append(run(home, fake, "--debug", "auth", "status", "--json"))
    outputs.append(run(home, fake, "--debug", "auth", "logout", "zoom"))
    assert "[debug]" in outputs[1].stderr and "Bearer ***" in outputs[1].stderr
    secrets = [*fake.issued, CLIENT_SECRET]
    text = "".join(o.stdout + o.stderr for o in outputs)
    for secret in secrets:
        assert secret not in text
    for path in Path(home.root).rglob("*"):
        if path.is_file():
            content = path.read_bytes().decode(errors="replace")
            for secret in secrets:
                assert secret not in content, path


def test_secret_never_appears_in_reprs(home: Home, fake: FakeZoomApi) -> None:
    login(home, fake)
    connection = make_factory(home, fake).zoom_connection
    shown = repr(connection.creds) + repr(connection.tokens.current())
    assert CLIENT_SECRET not in shown
    assert all(token not in shown for token in fake.issued)
