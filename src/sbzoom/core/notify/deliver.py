"""Exactly-once delivery: record the intent, send, confirm.

1. Every planned notice is written to the ledger as ``pending`` before anything is sent.
2. Just before a message goes on the wire its row becomes ``sending`` (committed).
3. When the server has taken it, the row becomes ``sent``; a temporary failure (server down,
   4xx) puts it back to ``pending`` for the next run; a permanent 5xx makes it ``failed`` with
   the server's reason.

A crash (kill -9, power loss) can only fall between 2 and 3 for one message at a time: that row
stays ``sending`` and the next run sends it again. So the design errs on the side of sending one
message twice, never on skipping one. Runs that send hold a per-profile lock, so two processes
never send the same row at once, and a ``sending`` row found under the lock is a crash's leftover.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from email.message import EmailMessage
from pathlib import Path
from typing import Protocol

from sbzoom.core.notify.model import Notice, NoticeResult
from sbzoom.core.notify.plan import Plan
from sbzoom.errors import AuthError, ConfigError, SbzoomError
from sbzoom.store.files import file_lock
from sbzoom.store.ledger import Ledger, NoticeRow

LOCK_TIMEOUT = 900.0


class Mailer(Protocol):
    def send(self, message: EmailMessage) -> None: ...
    def close(self) -> None: ...


def _row(notice: Notice) -> NoticeRow:
    return NoticeRow(
        id=0,
        thread=notice.thread,
        booking_id=notice.booking_id,
        unit_key=notice.unit_key,
        role=notice.role,
        kind=notice.kind,
        sequence=notice.sequence,
        recipient=notice.recipient,
        content=notice.content,
        payload=notice.payload_json(),
        status=notice.status,
        reason=notice.reason,
        attempts=0,
        sent_at="",
    )


def result_of(row: NoticeRow, status: str, reason: str = "", subject: str = "") -> NoticeResult:
    return NoticeResult(
        row.booking_id, row.role, row.recipient, row.kind, row.sequence, status, subject, reason
    )


def record(ledger: Ledger, plan: Plan, now: datetime) -> list[NoticeResult]:
    """Write the plan's notices (step 1); returns those that cannot be sent (bad addresses)."""
    failed = []
    for notice_id in plan.drop:
        ledger.mark_notice(notice_id, "superseded", now, "no longer needed before it was sent")
    for notice in plan.new:
        row = ledger.add_notice(_row(notice), now)
        if row is not None and row.status == "failed":
            failed.append(result_of(row, "failed", row.reason))
    return failed


@dataclass
class Sending:
    """What one sending pass did; ``problem`` stopped it (SMTP sign-in refused, bad settings)."""

    results: list[NoticeResult] = field(default_factory=list)
    problem: SbzoomError | None = None


def send_unsent(
    ledger: Ledger,
    mailer_factory: Callable[[], Mailer],
    build: Callable[[Notice], EmailMessage],
    now: Callable[[], datetime],
    *,
    temporary: tuple[type[SbzoomError], ...],
    rejected: tuple[type[SbzoomError], ...],
    lock_path: Path,
    only: Iterable[str] | None = None,
) -> Sending:
    """Send every recorded, unsent notice (steps 2 and 3), oldest first.

    ``only`` limits it to those bookings' notices (and threads, e.g. ``p<unit key>``). The first
    temporary failure that is not about one recipient (the server is down) leaves the rest
    ``pending`` without trying each of them.
    """
    wanted = set(only) if only is not None else None
    outcome = Sending()
    with file_lock(lock_path, timeout=LOCK_TIMEOUT):
        rows = [
            r
            for r in ledger.unsent_notices()
            if wanted is None or r.booking_id in wanted or r.thread in wanted
        ]
        if not rows:
            return outcome
        opened: list[Mailer] = []

        def mailer() -> Mailer:
            if not opened:
                opened.append(mailer_factory())
            return opened[0]

        try:
            _send_rows(ledger, rows, mailer, build, now, temporary, rejected, outcome)
        finally:
            for each in opened:
                each.close()
    return outcome


def _send_rows(
    ledger: Ledger,
    rows: list[NoticeRow],
    mailer: Callable[[], Mailer],
    build: Callable[[Notice], EmailMessage],
    now: Callable[[], datetime],
    temporary: tuple[type[SbzoomError], ...],
    rejected: tuple[type[SbzoomError], ...],
    outcome: Sending,
) -> None:
    results = outcome.results
    down: str | None = None
    for row in rows:
        if outcome.problem is not None:
            results.append(result_of(row, "pending", outcome.problem.message))
            continue
        if down is not None:
            ledger.mark_notice(row.id, "pending", now(), down)
            results.append(result_of(row, "pending", down))
            continue
        notice = Notice.from_payload(row.payload)
        try:
            message = build(notice)
            ledger.mark_notice(row.id, "sending", now(), attempt=True)
            mailer().send(message)
        except temporary as exc:
            ledger.mark_notice(row.id, "pending", now(), exc.message)
            results.append(result_of(row, "pending", exc.message))
            if not getattr(exc, "per_recipient", False):
                down = exc.message
            continue
        except rejected as exc:
            reason = f"refused by the mail server: {exc.message}"
            ledger.mark_notice(row.id, "failed", now(), reason)
            results.append(result_of(row, "failed", reason))
            continue
        except (AuthError, ConfigError) as exc:
            # Nothing more can be sent this run; every notice waits, and the run says why.
            ledger.mark_notice(row.id, "pending", now(), exc.message)
            results.append(result_of(row, "pending", exc.message))
            outcome.problem = exc
            continue
        ledger.mark_notice(row.id, "sent", now())
        results.append(result_of(row, "sent", subject=str(message["Subject"])))
