"""`sbzoom auth status` and `auth logout zoom`."""

from __future__ import annotations

import json

from tests.conftest import Home
from tests.fakes import FakeZoomApi
from tests.unit.core.auth.zoom.harness import login, run, secrets_file, stored_tokens


def test_status_after_login(home: Home, fake: FakeZoomApi) -> None:
    login(home, fake)
    result = run(home, fake, "auth", "status", "--json")
    zoom = json.loads(result.stdout)["zoom"]
    assert zoom["connected"] is True and zoom["verified_by"] == "api"
    assert zoom["mode"] == "oauth" and zoom["source"] == "file"
    assert zoom["user"] == "ann@x.test" and zoom["account_id"] == "acc-9"
    assert "user:read:list_users:admin" in zoom["scopes"] and zoom["all_users"] is True
    assert zoom["expires_at"].startswith("2026-03-02T12:59")


def test_status_with_a_token_that_cannot_read_me(home: Home, fake: FakeZoomApi) -> None:
    fake.scope = "meeting:write:meeting"
    login(home, fake)
    fake.me_status = 4700
    zoom = json.loads(run(home, fake, "auth", "status", "--json").stdout)["zoom"]
    assert zoom["connected"] is True and zoom["verified_by"] == "token"
    assert zoom["all_users"] is False


def test_status_not_signed_in(home: Home, fake: FakeZoomApi) -> None:
    result = run(home, fake, "auth", "status")
    assert result.exit_code == 4
    assert "zoom: not connected" in result.stdout and "sbzoom auth login zoom" in result.stdout


# -- logout ------------------------------------------------------------------------------------


def test_logout_revokes_then_forgets(home: Home, fake: FakeZoomApi) -> None:
    login(home, fake)
    refresh = stored_tokens(home)["refresh_token"]
    result = run(home, fake, "auth", "logout", "zoom")
    assert result.exit_code == 0, result.stderr
    assert fake.revoked == [refresh]
    assert "Signed out of zoom" in result.stderr
    assert not secrets_file(home).get("default")
    assert "mode" not in home.config_path.read_text()
    assert run(home, fake, "zoom", "users").exit_code == 4


def test_logout_forgets_even_when_revoke_fails(home: Home, fake: FakeZoomApi) -> None:
    login(home, fake)
    fake.revoke_status = 400
    result = run(home, fake, "auth", "logout", "zoom")
    assert result.exit_code == 0
    assert "Marketplace" in result.stderr and "Added apps" in result.stderr
    assert not secrets_file(home).get("default")
