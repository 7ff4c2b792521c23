"""Exit codes and the one exception tree every sbzoom failure belongs to.

    SbzoomError                      exit 1   something failed
    ├── UsageError                   exit 2   bad argument or input (names the fix)
    │   └── NotFoundError            exit 2   unknown id or name (lists candidates)
    ├── ConfigError                  exit 3   config file unreadable, malformed or invalid
    ├── AuthError                    exit 4   not signed in, or the sign-in was rejected
    │   ├── SignInRejectedError      exit 4   the service refused these credentials (or is
    │   │                                     locking the login after too many refusals)
    │   └── MissingScopeError        exit 4   the Zoom app lacks a scope (names it)
    ├── RemoteError                  exit 5   remote unavailable after retries, or rate-limited
    │   └── RateLimitedError         exit 5   daily limit reached (knows when it resets)
    ├── ApiError                     exit 1   a remote call failed in a way retrying won't fix
    ├── StoppedError                 exit 130 (Ctrl-C) or 143 (SIGTERM) before any work was done
    └── OutcomeError                 its own code, nothing printed: the command ran and said
                                     what it found (doctor's failed check, a notice unsent)

Each error carries a one-line message and, where there is one, a hint naming the fix.
Only ``cli.main`` turns them into text and an exit code; core code only raises. Commands that
finished their work but end non-zero raise ``OutcomeError``, which ``cli.main`` maps to its exit
code without a message: the exit codes are decided in one place.
"""

from __future__ import annotations

import enum
from datetime import datetime


class ExitCode(enum.IntEnum):
    OK = 0
    FAILURE = 1
    USAGE = 2
    CONFIG = 3
    AUTH = 4
    REMOTE = 5
    INTERRUPTED = 130  # Ctrl-C (SIGINT): 128 + 2
    TERMINATED = 143  # SIGTERM (cron, systemd, Kubernetes): 128 + 15


class SbzoomError(Exception):
    exit_code: ExitCode = ExitCode.FAILURE

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return self.message

    @property
    def with_hint(self) -> str:
        """Message and fix in one line, for places that show a problem as text (status, doctor)."""
        return f"{self.message} {self.hint}" if self.hint else self.message


class UsageError(SbzoomError):
    exit_code = ExitCode.USAGE


class NotFoundError(UsageError):
    def __init__(
        self, message: str, hint: str | None = None, candidates: list[str] | None = None
    ) -> None:
        super().__init__(message, hint)
        self.candidates = candidates or []


class ConfigError(SbzoomError):
    exit_code = ExitCode.CONFIG


class AuthError(SbzoomError):
    exit_code = ExitCode.AUTH


class SignInRejectedError(AuthError):
    """A sign-in the service refused: the credentials are wrong (``locked`` False), or the
    service locks the login for now after too many refusals (``locked`` True). Trying the same
    credentials again only brings a lock-out nearer: sbzoom remembers the refusal."""

    def __init__(self, message: str, hint: str | None = None, *, locked: bool = False) -> None:
        super().__init__(message, hint)
        self.locked = locked


class MissingScopeError(AuthError):
    def __init__(self, message: str, hint: str | None = None, scopes: list[str] | None = None):
        super().__init__(message, hint)
        self.scopes = scopes or []


class RemoteError(SbzoomError):
    exit_code = ExitCode.REMOTE


class RateLimitedError(RemoteError):
    def __init__(self, message: str, hint: str | None = None, reset_at: datetime | None = None):
        super().__init__(message, hint)
        self.reset_at = reset_at


class ApiError(SbzoomError):
    """A remote API answered with an error that retrying will not fix."""

    def __init__(
        self,
        message: str,
        hint: str | None = None,
        *,
        service: str = "",
        status: int = 0,
        code: int | None = None,
    ) -> None:
        super().__init__(message, hint)
        self.service = service
        self.status = status
        self.code = code


class StoppedError(SbzoomError):
    """A signal asked the run to stop before it had done anything worth reporting."""

    def __init__(self, message: str, hint: str | None = None, *, terminated: bool) -> None:
        super().__init__(message, hint)
        self.exit_code = ExitCode.TERMINATED if terminated else ExitCode.INTERRUPTED


class OutcomeError(SbzoomError):
    """The command did its work and reported it; what it found still calls for a non-zero exit
    (a doctor check failed, a notice could not be sent, the listener was stopped by Ctrl-C).
    ``cli.main`` exits with ``exit_code`` and prints nothing more."""

    def __init__(self, exit_code: ExitCode, why: str) -> None:
        super().__init__(why)
        self.exit_code = exit_code
