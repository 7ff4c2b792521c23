"""Zoom registrants (sandbox/zoom/registrants.py): unique, checkable links; who may register."""

from __future__ import annotations

import httpx

from sbzoom.sandbox import Sandbox
from sbzoom.sandbox.data import ALICE_EMAIL as ALICE
from sbzoom.sandbox.data import CHLOE_EMAIL as CHLOE  # basic (type 1)
from tests.sandbox._helpers import bearer, create_meeting, s2s_token


def test_registrants_get_unique_checkable_links(sandbox: Sandbox, http: httpx.Client) -> None:
    token = s2s_token(http, sandbox)
    meeting = create_meeting(
        http,
        sandbox,
        token,
        ALICE,
        settings={"approval_type": 1, "registrants_email_notification": False},
    ).json()
    url = f"{sandbox.zoom_api_url}/meetings/{meeting['id']}/registrants"
    links = []
    for name in ("tom", "lena", "noah"):
        added = http.post(
            url,
            json={"email": f"{name}@client.example", "first_name": name, "auto_approve": True},
            headers=bearer(token),
        )
        assert added.status_code == 201
        # Spec: the 201 has no join_url for approval_type 1; GET of the registrant has it.
        assert "join_url" not in added.json()
        one = http.get(f"{url}/{added.json()['registrant_id']}", headers=bearer(token))
        links.append(one.json()["join_url"])
    assert len(set(links)) == 3
    assert all(f"/zoom/j/{meeting['id']}?tk=" in link for link in links)
    assert all(http.get(link).status_code == 200 for link in links)
    plain = http.get(meeting["join_url"])
    assert plain.status_code == 302
    assert "/zoom/meeting/register/" in plain.headers["Location"]
    pending = http.post(
        url, json={"email": "x@client.example", "first_name": "X"}, headers=bearer(token)
    )
    assert "join_url" not in pending.json()  # approval_type 1 without auto_approve
    still = http.get(f"{url}/{pending.json()['registrant_id']}", headers=bearer(token)).json()
    assert still["status"] == "pending" and "join_url" not in still
    listed = http.get(url, headers=bearer(token)).json()
    tom = next(r for r in listed["registrants"] if r["email"] == "tom@client.example")
    cancel = http.put(
        f"{url}/status",
        json={"action": "cancel", "registrants": [{"id": tom["id"]}]},
        headers=bearer(token),
    )
    assert cancel.status_code == 204
    assert http.get(links[0]).status_code == 404
    assert http.get(links[1]).status_code == 200
    statuses = {r["email"]: r["status"] for r in sandbox.registrants(meeting["id"])}
    assert statuses["tom@client.example"] == "cancelled"
    too_many = http.put(
        f"{url}/status",
        json={"action": "cancel", "registrants": [{"id": str(i)} for i in range(31)]},
        headers=bearer(token),
    )
    assert (too_many.status_code, too_many.json()["code"]) == (400, 300)
    http.delete(f"{sandbox.zoom_api_url}/meetings/{meeting['id']}", headers=bearer(token))
    assert http.get(links[1]).status_code == 404


def test_registration_rules(sandbox: Sandbox, http: httpx.Client) -> None:
    token = s2s_token(http, sandbox)
    basic = create_meeting(http, sandbox, token, CHLOE, settings={"approval_type": 0}).json()
    body = {"email": "a@client.example", "first_name": "A"}
    unpaid = http.post(
        f"{sandbox.zoom_api_url}/meetings/{basic['id']}/registrants",
        json=body,
        headers=bearer(token),
    )
    assert (unpaid.status_code, unpaid.json()["code"]) == (400, 200)
    assert unpaid.json()["message"].startswith("Only available for paid users")
    plain = create_meeting(http, sandbox, token, ALICE).json()
    closed = http.post(
        f"{sandbox.zoom_api_url}/meetings/{plain['id']}/registrants",
        json=body,
        headers=bearer(token),
    )
    assert closed.status_code == 404
    assert closed.json()["message"].startswith("Registration has not been enabled")
    assert http.get(plain["join_url"]).status_code == 200
