"""SimplyBook providers, services and company info (sandbox/simplybook/catalog.py): the live
field shapes, bare lists, a company info without a time zone."""

from __future__ import annotations

import httpx

from sbzoom.sandbox import Sandbox
from sbzoom.sandbox.data import DAN_EMAIL
from tests.sandbox._helpers import sb_session
from tests.sandbox_fixture import MakeSandbox


def test_entities_have_the_live_field_shapes(sandbox: Sandbox, http: httpx.Client) -> None:
    headers = sb_session(http, sandbox)
    base = sandbox.simplybook_api_url
    providers = http.get(f"{base}/admin/providers", headers=headers).json()["data"]
    services = http.get(f"{base}/admin/services", headers=headers).json()["data"]
    assert providers[0]["services"] == ["3"]  # strings
    assert services[0]["providers"] == [2, 3, 4]  # ints
    emails = {p["email"] for p in providers}
    assert DAN_EMAIL in emails
    booking = http.get(f"{base}/admin/bookings/1004", headers=headers).json()
    assert booking["client"]["name"] == "Tom Becker"
    assert booking["batch_id"] == 501
    assert booking["comment"] == ""
    info = http.get(f"{base}/admin/company/info", headers=headers).json()
    assert info["timezone"] == "America/New_York"


def test_bare_list_option(make_sandbox: MakeSandbox, http: httpx.Client) -> None:
    sandbox = make_sandbox(bare_lists=True)
    headers = sb_session(http, sandbox)
    providers = http.get(f"{sandbox.simplybook_api_url}/admin/providers", headers=headers).json()
    assert isinstance(providers, list)
    assert len(providers) == 4


def test_company_info_without_timezone(make_sandbox: MakeSandbox, http: httpx.Client) -> None:
    sandbox = make_sandbox(company_info_timezone=False)
    headers = sb_session(http, sandbox)
    info = http.get(f"{sandbox.simplybook_api_url}/admin/company/info", headers=headers).json()
    assert "timezone" not in info
    sandbox.simplybook.set_info_timezone(True)  # the company's admin sets it while running
    info = http.get(f"{sandbox.simplybook_api_url}/admin/company/info", headers=headers).json()
    assert info["timezone"] == "America/New_York"
    sandbox.simplybook.set_info_timezone(False)
    info = http.get(f"{sandbox.simplybook_api_url}/admin/company/info", headers=headers).json()
    assert "timezone" not in info
