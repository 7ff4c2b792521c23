"""Sign-in to simplybook: placeholder until its issue lands."""

from __future__ import annotations

from sbzoom.context import Context
from sbzoom.core.auth_common import LogoutResult, ServiceStatus


def status(context: Context) -> ServiceStatus:
    return ServiceStatus("simplybook", False, None, problem="not available yet in this version")


def logout(context: Context) -> LogoutResult:
    return LogoutResult("simplybook", revoked=False, forgotten=False)
