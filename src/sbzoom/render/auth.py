"""`sbzoom auth ...` on the terminal and as JSON: the sign-in messages, status, logout."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rich.console import Console

    from sbzoom.core.auth.common import LogoutResult, ServiceStatus
    from sbzoom.core.auth.simplybook.login import LoginResult as SimplyBookLogin
    from sbzoom.core.auth.zoom.login import LoginResult as ZoomLogin


# -- auth status ---------------------------------------------------------------------------------


def status_json(status: ServiceStatus) -> dict[str, object]:
    return {
        "connected": status.connected,
        "source": status.source,
        **status.details,
        "problem": status.problem,
    }


def statuses_json(results: Sequence[ServiceStatus]) -> dict[str, object]:
    return {result.service: status_json(result) for result in results}


def print_statuses(console: Console, results: Sequence[ServiceStatus]) -> None:
    for result in results:
        state = "connected" if result.connected else "not connected"
        console.print(f"{result.service}: {state}", soft_wrap=True)
        pairs = [("source", result.source), *result.details.items()]
        for key, value in pairs:
            if value not in (None, "", []):
                shown = ", ".join(map(str, value)) if isinstance(value, list) else value
                console.print(f"  {key}: {shown}", soft_wrap=True)
        if result.problem:
            console.print(f"  problem: {result.problem}", soft_wrap=True)


# -- auth logout ---------------------------------------------------------------------------------


def logout_lines(result: LogoutResult) -> list[str]:
    verb = "Signed out of" if result.revoked else "Forgot the local sign-in for"
    return [f"{verb} {result.service}.", *([result.note] if result.note else [])]


# -- auth login ----------------------------------------------------------------------------------


def zoom_login_lines(result: ZoomLogin) -> list[str]:
    who = result.user or (f"account {result.account_id}" if result.account_id else "Zoom")
    kind = "Server-to-Server OAuth" if result.mode == "s2s" else "OAuth"
    where = "the system keyring" if result.secret_backend == "keyring" else "the secrets file"
    lines = [f"Signed in to Zoom as {who} ({kind}); secrets are kept in {where}."]
    lines += [f"Note: {warning}" for warning in result.warnings]
    if result.env_overrides:
        lines.append(
            "Note: SBZOOM_ZOOM_ACCOUNT_ID, _CLIENT_ID and _CLIENT_SECRET are set and win over "
            "this sign-in until you unset them."
        )
    return lines


def simplybook_login_lines(result: SimplyBookLogin) -> list[str]:
    name = f" ({result.company_name})" if result.company_name else ""
    lines = [
        f"Signed in to SimplyBook as {result.login} at company {result.company}{name}, "
        f"{result.api_url}."
    ]
    if result.timezone:
        lines.append(f"Company time zone: {result.timezone} (from {result.timezone_source}).")
    else:
        lines.append(
            "SimplyBook does not say the company's time zone, and sbzoom will not guess it: "
            "set it with 'sbzoom config set simplybook.timezone <IANA zone>' (e.g. "
            "Europe/Copenhagen) before linking bookings."
        )
    return lines
