"""Sign-in to zoom: placeholder until its issue lands."""

from __future__ import annotations

from sbzoom.context import Context
from sbzoom.core.auth_common import LogoutResult, ServiceStatus


def status(context: Context) -> ServiceStatus:
    return ServiceStatus("zoom", False, None, problem="not available yet in this version")


def logout(context: Context) -> LogoutResult:
    return LogoutResult("zoom", revoked=False, forgotten=False)
