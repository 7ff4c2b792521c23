"""What `auth status` and `auth logout` report for each service."""

from __future__ import annotations

from dataclasses import dataclass, field


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
