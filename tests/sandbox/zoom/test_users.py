"""Zoom users (sandbox/zoom/users.py): lists hide pending users' ids, filter by status, page."""

from __future__ import annotations

import httpx

from sbzoom.sandbox import Sandbox
from tests.sandbox._helpers import bearer, s2s_token


def test_users_list_hides_pending_ids_and_filters_by_status(
    sandbox: Sandbox, http: httpx.Client
) -> None:
    token = s2s_token(http, sandbox)
    active = http.get(f"{sandbox.zoom_api_url}/users", headers=bearer(token)).json()
    assert {u["email"].split("@")[0] for u in active["users"]} == {
        "owner",
        "alice.romero",
        "ben.okafor",
        "chloe.park",
    }
    assert active["next_page_token"] == ""
    pending = http.get(
        f"{sandbox.zoom_api_url}/users", params={"status": "pending"}, headers=bearer(token)
    ).json()["users"]
    assert len(pending) == 1
    assert "id" not in pending[0]
    first = http.get(
        f"{sandbox.zoom_api_url}/users", params={"page_size": 3}, headers=bearer(token)
    ).json()
    second = http.get(
        f"{sandbox.zoom_api_url}/users",
        params={"page_size": 3, "next_page_token": first["next_page_token"]},
        headers=bearer(token),
    ).json()
    assert len(first["users"]) == 3
    assert len(second["users"]) == 1
    assert second["next_page_token"] == ""
    assert first["total_records"] == 4
