"""What the linking engine works on and hands back: the bookings and meetings it sees, the plan a
run decides by, the interfaces it asks Zoom and SimplyBook through, and the results it returns."""

from __future__ import annotations

from collections.abc import Mapping
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Protocol

from sbzoom.clients.zoom import MeetingGoneError
from sbzoom.core.bookings.backfill import HostPlan
from sbzoom.core.bookings.meeting import MeetingTemplate
from sbzoom.core.notify.model import NotifyReport
from sbzoom.errors import SbzoomError

if TYPE_CHECKING:
    from sbzoom.clients.zoom import MeetingRequest, Registrant

STATUSES = (
    "created",
    "updated",
    "unchanged",
    "cancelled",
    "skipped",
    "failed",
    "deferred",
    "orphaned",
)
NOT_STARTED = "not started: the run was stopped (Ctrl-C or SIGTERM); the next run links it"


# -- what the engine needs from the outside --------------------------------------------------


@dataclass(frozen=True)
class BookingView:
    id: str
    code: str
    cancelled: bool
    start: datetime  # aware
    end: datetime  # aware
    service_id: str
    service_name: str
    provider_id: str
    provider_name: str
    client_name: str
    client_email: str


@dataclass(frozen=True)
class ZoomMeeting:
    id: int
    host_id: str
    join_url: str
    passcode: str = ""
    start: datetime | None = None
    duration: int | None = None
    topic: str = ""
    agenda: str = ""


class HostExhaustedError(SbzoomError):
    """The host reached Zoom's daily create/update limit."""

    def __init__(self, host_id: str, reset_at: datetime | None, host_label: str = "") -> None:
        when = reset_at.strftime("%Y-%m-%d %H:%M UTC") if reset_at else "00:00 UTC"
        super().__init__(
            f"Zoom's daily create/update limit for host {host_label or host_id} is reached; "
            f"retry after {when}."
        )
        self.host_id = host_id
        self.reset_at = reset_at


def meeting_gone(meeting_id: int) -> MeetingGoneError:
    """Zoom's "the meeting is gone" (deleted by hand, or expired) as the engine words it, the
    same sentence whichever call found it out."""
    return MeetingGoneError(
        f"Meeting {meeting_id} is gone from Zoom.", None, meeting_id=meeting_id, status=404
    )


class WriteBackUnavailableError(SbzoomError):
    """SimplyBook has no booking-comment endpoint (404/405): write-back cannot work at all."""


class CommentUnreadableError(SbzoomError):
    """The booking's comment could not be read, so writing it could lose someone's text."""


class ZoomOps(Protocol):
    def upcoming(self, host_id: str) -> list[ZoomMeeting]: ...
    def create(self, host_id: str, request: MeetingRequest) -> ZoomMeeting: ...
    def update(self, meeting_id: int, request: MeetingRequest) -> None: ...
    def delete(self, meeting_id: int) -> None: ...
    def registrants(self, meeting_id: int) -> list[Registrant]: ...
    def add_registrant(
        self, meeting_id: int, email: str, first_name: str, last_name: str
    ) -> Registrant: ...
    def cancel_registrant(self, meeting_id: int, registrant: Registrant) -> None: ...


class UnitLocks(Protocol):
    """Cross-process locks per unit (``store.files.UnitLocks``): a run and the listener never
    work on the same booking or session at once, and never wait for each other's whole run."""

    def hold(self, key: str) -> AbstractContextManager[None]: ...


class CommentOps(Protocol):
    def get_comment(self, booking_id: str) -> str: ...
    def set_comment(self, booking_id: str, text: str) -> None: ...


@dataclass(frozen=True)
class LinkPlan:
    """Everything a run decides by: what is online, who hosts, how meetings look."""

    online: dict[str, str]  # service id -> "online" | "class"
    hosts: dict[str, str]  # provider id -> Zoom user id
    timezone: str  # company IANA zone, for Zoom's display
    meeting: MeetingTemplate = field(default_factory=MeetingTemplate)
    write_back: bool = False
    dry_run: bool = False
    workers: int = 4
    cancel_orphans: bool = False  # end the meetings of orphaned bookings (core.online)


@dataclass(frozen=True)
class LinkResult:
    booking_id: str
    status: str
    meeting_id: int | None = None
    join_url: str = ""
    reason: str = ""
    unavailable: bool = False  # failed because a service stayed unavailable (worth a retry later)


@dataclass(frozen=True)
class LinkReport:
    results: list[LinkResult]
    dry_run: bool = False
    notices: NotifyReport | None = None  # the e-mails sent after linking (notify.email)
    warnings: list[str] = field(default_factory=list)  # shown on stderr; not failures
    # The bookings the results are about, by id, so each row can say which booking it is
    # (start, service, client). A booking gone from SimplyBook has none.
    bookings: Mapping[str, BookingView] = field(default_factory=dict)
    backfill: list[HostPlan] = field(default_factory=list)  # per host, when any had work
    today: datetime | None = None  # when the plan was made

    @property
    def summary(self) -> dict[str, int]:
        counts = dict.fromkeys(STATUSES, 0)
        for result in self.results:
            counts[result.status] += 1
        return counts

    @property
    def ok(self) -> bool:
        """All went well: nothing failed or waits, and every e-mail notice went or is owed no
        more (PRODUCT.md exit codes: a run that is not ok exits 1, or 5 when only unavailable)."""
        notices = self.notices
        return not self._problems and (notices is None or notices.ok)

    @property
    def only_unavailable(self) -> bool:
        """Every failure was a service staying unavailable: the same run later would succeed."""
        notices = self.notices
        return all(r.status == "failed" and r.unavailable for r in self._problems) and (
            notices is None or notices.ok
        )

    @property
    def _problems(self) -> list[LinkResult]:
        return [r for r in self.results if r.status in ("failed", "deferred")]
