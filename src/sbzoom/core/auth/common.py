"""What `auth status` and `auth logout` report for each service."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, timedelta
from typing import TYPE_CHECKING

from sbzoom.errors import AuthError, SbzoomError

if TYPE_CHECKING:
    from sbzoom.context import Context
    from sbzoom.store.rejections import RejectionMemory


@dataclass(frozen=True)
class ServiceStatus:
    service: str  # "zoom" | "simplybook"
    connected: bool
    source: str | None  # "keyring" | "file" | "env" | None when not signed in
    details: dict[str, object] = field(default_factory=dict)
    problem: str | None = None  # why it is not usable, with the fix

    def to_json(self) -> dict[str, object]:
        return {
            "connected": self.connected,
            "source": self.source,
            **self.details,
            "problem": self.problem,
        }


@dataclass(frozen=True)
class LogoutResult:
    service: str
    revoked: bool  # the server accepted the revocation
    forgotten: bool  # local secrets were removed
    note: str | None = None  # what the user still has to do, if anything


# -- refused sign-ins ------------------------------------------------------------------------
# A refused sign-in is remembered (a fingerprint of the credentials, never the secret: see
# store/rejections.py) so that unattended runs never send the same wrong credentials twice: a
# wrong SimplyBook password tried on every cron run ends with the login locked, the right
# password too. `auth login` forgets the refusals of its service: an admin is there to try.

SERVICE_NAMES = {"simplybook": "SimplyBook", "zoom": "Zoom"}


def _memory(context: Context) -> RejectionMemory:
    from sbzoom.store.rejections import RejectionMemory

    return RejectionMemory(context.data_dir)


def refuse_if_rejected(
    context: Context, service: str, identity: tuple[str, ...], secret: str, fix: str
) -> None:
    """Raise (exit 4) instead of sending credentials the service already refused."""
    now = context.clock.now()
    found = _memory(context).find(service, identity, secret, now)
    if found is None:
        return
    name = SERVICE_NAMES.get(service, service)
    when = found.at.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")
    if found.until is not None:
        until = found.until.astimezone(UTC).strftime("%H:%M UTC")
        raise AuthError(
            f"{name} locked the sign-in of {found.who} after too many attempts ({when}); sbzoom "
            f"will not try again before {until}, as each try can prolong the lock.",
            f"Wait until then, or run 'sbzoom auth login {service}' to try at once.",
        )
    raise AuthError(
        f"{name} refused these credentials for {found.who} on {when} ({found.reason.rstrip('.')}); "
        "sbzoom will not send them again, as repeated refusals can lock the login.",
        fix,
    )


def remember_rejection(
    context: Context,
    service: str,
    identity: tuple[str, ...],
    secret: str,
    *,
    who: str,
    error: AuthError,
    retry_after: timedelta | None = None,
) -> None:
    """Keep the refusal; if the disk will not take it, say so and let the refusal itself
    through (it is the error the user must see)."""
    try:
        _memory(context).record(
            service, identity, secret, who=who, reason=error.message,
            now=context.clock.now(), retry_after=retry_after,
        )  # fmt: skip
    except SbzoomError as exc:
        context.notice(f"Note: sbzoom could not remember this refusal: {exc.message}")


def forget_rejections(context: Context, service: str) -> None:
    _memory(context).forget(service)
