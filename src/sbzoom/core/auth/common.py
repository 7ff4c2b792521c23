"""What both sign-ins share: what they are given, what `auth status` and `auth logout` report
for each service, and the memory of refused credentials."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, timedelta
from pathlib import Path
from typing import IO, TYPE_CHECKING

from sbzoom.errors import AuthError, SbzoomError

if TYPE_CHECKING:
    import httpx

    from sbzoom.clock import Clock
    from sbzoom.core.ports import Notifier, Prompter
    from sbzoom.store.config import ConfigStore, Profile
    from sbzoom.store.rejections import RejectionMemory
    from sbzoom.store.secrets import SecretStore


@dataclass(frozen=True)
class ConnectionInputs:
    """What the sign-in of either service needs from its surroundings; the factory builds it.

    The profile's settings and the secret store are read when first asked for, not before (as
    the Context did): environment credentials work without either, and `auth status` reports
    a profile or secret store it cannot use as a problem instead of failing at once.
    """

    profile_name: str
    env: Mapping[str, str] = field(repr=False)  # may hold SBZOOM_*_SECRET / _PASSWORD
    config: ConfigStore
    data_dir: Path
    clock: Clock
    notifier: Notifier
    load_profile: Callable[[], Profile] = field(repr=False)
    open_secrets: Callable[[], SecretStore] = field(repr=False)
    reload_profile: Callable[[], None] = field(repr=False)  # after the sign-in changed config
    http_transport: httpx.BaseTransport | None = None  # tests hand one in; None: the network
    debug: bool = False  # log HTTP exchanges (redacted) through the notifier

    @property
    def profile(self) -> Profile:
        return self.load_profile()

    @property
    def secrets(self) -> SecretStore:
        return self.open_secrets()

    @property
    def http_log(self) -> Callable[[str], None] | None:
        return self.notifier.debug if self.debug else None

    @property
    def rejections(self) -> Rejections:
        return Rejections(self.data_dir, self.clock, self.notifier)

    def lock_path(self, service: str) -> Path:
        """The per-profile lock file under which a service's stored tokens are renewed."""
        return self.data_dir / "locks" / f"{service}-{self.profile_name}.lock"


@dataclass(frozen=True)
class LoginTerminal:
    """Where `auth login` meets the person signing in: secrets piped in, questions asked."""

    prompter: Prompter
    stdin: IO[str]
    no_input: bool = False  # --no-input or SBZOOM_NO_INPUT: nobody may be asked anything
    # A person may be there: stdin or stderr is a terminal, or a browser opener was handed in.
    attended: bool = True
    open_browser: Callable[[str], bool] | None = None  # None: the system's browser

    @property
    def can_prompt(self) -> bool:
        return bool(getattr(self.prompter, "interactive", True))


@dataclass(frozen=True)
class ServiceStatus:
    service: str  # "zoom" | "simplybook"
    connected: bool
    source: str | None  # "keyring" | "file" | "env" | None when not signed in
    details: dict[str, object] = field(default_factory=dict)
    problem: str | None = None  # why it is not usable, with the fix


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


@dataclass(frozen=True)
class Rejections:
    data_dir: Path
    clock: Clock
    notifier: Notifier

    def _memory(self) -> RejectionMemory:
        from sbzoom.store.rejections import RejectionMemory

        return RejectionMemory(self.data_dir)

    def refuse_if_rejected(
        self, service: str, identity: tuple[str, ...], secret: str, fix: str
    ) -> None:
        """Raise (exit 4) instead of sending credentials the service already refused."""
        found = self._memory().find(service, identity, secret, self.clock.now())
        if found is None:
            return
        name = SERVICE_NAMES.get(service, service)
        when = found.at.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")
        if found.until is not None:
            until = found.until.astimezone(UTC).strftime("%H:%M UTC")
            raise AuthError(
                f"{name} locked the sign-in of {found.who} after too many attempts ({when}); "
                f"sbzoom will not try again before {until}, as each try can prolong the lock.",
                f"Wait until then, or run 'sbzoom auth login {service}' to try at once.",
            )
        raise AuthError(
            f"{name} refused these credentials for {found.who} on {when} "
            f"({found.reason.rstrip('.')}); sbzoom will not send them again, as repeated "
            "refusals can lock the login.",
            fix,
        )

    def remember(
        self,
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
            self._memory().record(
                service, identity, secret, who=who, reason=error.message,
                now=self.clock.now(), retry_after=retry_after,
            )  # fmt: skip
        except SbzoomError as exc:
            self.notifier.notice(f"Note: sbzoom could not remember this refusal: {exc.message}")

    def forget(self, service: str) -> None:
        self._memory().forget(service)
