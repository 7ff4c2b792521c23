"""Write-back: the Zoom link put into the SimplyBook booking comment (``--write-back``).

Only sbzoom's own line (``sbzoom: Zoom link <url> (meeting <id>)``) is replaced; the rest of the
comment stays as it was. ``converge.keeper`` reads the same line back to keep the meeting the
clients were sent.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import replace
from typing import TYPE_CHECKING

from sbzoom.core.bookings.converge import named_meetings
from sbzoom.core.bookings.model import WriteBackUnavailableError
from sbzoom.errors import AuthError, ConfigError, SbzoomError

if TYPE_CHECKING:
    from sbzoom.core.bookings.state import RunState
    from sbzoom.core.bookings.units import Unit

COMMENT_MARK = "sbzoom:"


def comment_with_link(comment: str, join_url: str, meeting_id: int) -> str:
    """Replace only sbzoom's own line in a booking comment; keep everything else as it was."""
    line = f"{COMMENT_MARK} Zoom link {join_url} (meeting {meeting_id})"
    kept = [x for x in comment.splitlines() if not x.startswith(COMMENT_MARK)]
    return "\n".join([*kept, line]) if any(s.strip() for s in kept) else line


class WriteBack:
    def __init__(self, state: RunState) -> None:
        self.state = state
        self._off = False  # SimplyBook has no comment endpoint (found this run)

    def write(self, booking_id: str, join_url: str, meeting_id: int) -> None:
        """Put the link into the booking comment, never at the cost of someone's text: when the
        comment cannot be read it is not written (a later run tries again), and when SimplyBook
        has no comment endpoint write-back stops for this run with one warning. Either way the
        booking itself is linked: its result does not fail for the comment."""
        state = self.state
        if not state.plan.write_back or state.comments is None or not join_url:
            return
        if self._off:
            return
        row = state.ledger.booking(booking_id)
        if row is not None and row.comment_url == join_url:
            return
        try:
            comment = state.comments.get_comment(booking_id)
            state.comments.set_comment(booking_id, comment_with_link(comment, join_url, meeting_id))
        except WriteBackUnavailableError as exc:
            with state.lock:
                first = not self._off
                self._off = True
            if first:
                state.warnings.append(f"Write-back is off for this run: {exc.with_hint}")
            state.audit(booking_id, "write-comment", meeting_id, "failed", exc.message)
            return
        except (AuthError, ConfigError):
            raise
        except SbzoomError as exc:  # unreadable, or the write failed: nothing half-written
            state.warnings.append(
                f"Booking {booking_id}: the Zoom link was not written into its comment "
                f"({exc.message}); the next run tries again."
            )
            state.audit(booking_id, "write-comment", meeting_id, "failed", exc.message)
            return
        if row is not None:
            state.ledger_writes.put_booking(replace(row, comment_url=join_url), state.now())
        state.audit(booking_id, "write-comment", meeting_id, "ok")

    def named_meetings(self, unit: Unit) -> Counter[int]:
        """Meeting ids named by the unit's booking comments (only when links are written back)."""
        comments = self.state.comments
        if not self.state.plan.write_back or comments is None:
            return Counter()
        return named_meetings(comments.get_comment(b.id) for b in unit.active)
