"""The Zoom users a sign-in can see and host for, and naming them (core.zoom_directory)."""

from __future__ import annotations

import pytest

from sbzoom.core.zoom_directory import list_users, load_directory, resolve_zoom_user
from sbzoom.errors import AuthError, ExitCode, MissingScopeError, NotFoundError, UsageError
from tests.fakes import FakeZoom
from tests.unit.core.studio import ACCOUNT, OWNER, USER_LEVEL, Z_BEN, Z_FRANK, Z_GINA

# -- naming Zoom users -------------------------------------------------------------------------


@pytest.mark.parametrize("ref", ["zBen", "ben.okafor@example.com", "BEN.OKAFOR@example.com"])
def test_a_zoom_user_is_named_by_id_or_email_in_any_case(ref: str) -> None:
    assert resolve_zoom_user(ACCOUNT, ref) == Z_BEN


def test_an_inactive_zoom_user_cannot_host() -> None:
    with pytest.raises(UsageError) as caught:
        resolve_zoom_user(ACCOUNT, "frank@example.com")
    assert "inactive" in caught.value.message and caught.value.exit_code == ExitCode.USAGE


def test_a_pending_zoom_user_has_no_id_and_cannot_host() -> None:
    with pytest.raises(UsageError) as caught:
        resolve_zoom_user(ACCOUNT, "gina@example.com")
    assert "pending" in caught.value.message and "no id" in caught.value.message


def test_an_unknown_zoom_user_lists_the_users_who_could_host() -> None:
    with pytest.raises(NotFoundError) as caught:
        resolve_zoom_user(ACCOUNT, "nobody@example.com")
    assert caught.value.candidates == [
        "owner@example.com (zOwner)",
        "alice@example.com (zAlice)",
        "ben.okafor@example.com (zBen)",
        "chloe@example.com (zChloe)",
    ]


def test_with_a_user_level_app_only_the_authorizing_user_can_be_named() -> None:
    assert resolve_zoom_user(USER_LEVEL, "me") == OWNER
    assert resolve_zoom_user(USER_LEVEL, "Owner@Example.com") == OWNER
    with pytest.raises(AuthError) as caught:
        resolve_zoom_user(USER_LEVEL, "ben.okafor@example.com")
    assert caught.value.exit_code == ExitCode.AUTH
    assert "user-level" in caught.value.message and "owner@example.com" in caught.value.message
    assert caught.value.hint is not None and "--s2s" in caught.value.hint


# -- what the sign-in can see ------------------------------------------------------------------


def test_an_account_level_sign_in_sees_every_user_with_their_status() -> None:
    zoom = FakeZoom([OWNER, Z_FRANK, Z_GINA], me=OWNER)
    directory = load_directory(zoom, all_users=True)
    assert directory.all_users and directory.limitation() is None
    assert zoom.listed == ["active", "inactive", "pending"]
    assert [u.status for u in directory.users] == ["active", "inactive", "pending"]


def test_zoom_users_lists_every_status_in_order() -> None:
    zoom = FakeZoom([Z_GINA, Z_FRANK, OWNER])
    assert list_users(zoom) == [OWNER, Z_FRANK, Z_GINA]
    assert zoom.listed == ["active", "inactive", "pending"]


def test_scopes_without_user_listing_mean_a_user_level_app() -> None:
    zoom = FakeZoom([OWNER, Z_BEN], me=OWNER)
    directory = load_directory(zoom, all_users=False)
    assert zoom.listed == []  # no doomed request
    assert directory.users == (OWNER,) and directory.me == OWNER
    limitation = directory.limitation()
    assert limitation is not None and "only owner@example.com can host" in limitation


def test_unknown_scopes_are_found_out_by_trying() -> None:
    directory = load_directory(FakeZoom([OWNER], me=OWNER, may_list=False), all_users=None)
    assert not directory.all_users and directory.me == OWNER


def test_a_missing_scope_is_an_error_when_the_grant_claims_it() -> None:
    with pytest.raises(MissingScopeError):
        load_directory(FakeZoom([OWNER], me=OWNER, may_list=False), all_users=True)
