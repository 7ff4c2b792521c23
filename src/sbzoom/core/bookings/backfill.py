"""The backfill plan: Zoom lets each host have 100 meeting creates and updates per UTC day.

A first run over months of bookings needs more than that for a busy host, so it takes days.
The engine spends each host's allowance on the soonest bookings first and defers the rest
(``Linker``); this module says what that means per host: how many bookings fit today, how many
wait, on which UTC day the last of them will be linked (one more day per 100 waiting meetings,
run once a day or more), and which hosts are over.

Sources: the 100/day per host on create and update is in Zoom's OpenAPI spec ("applied against
the userId of the meeting host") and resets at 00:00 UTC (devforum.zoom.us/t/18928, /t/19474).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

DAILY_LIMIT = 100  # meeting creates + updates per host user per UTC day


def next_utc_midnight(now: datetime) -> datetime:
    return datetime.combine(now.astimezone(UTC).date() + timedelta(days=1), time(), UTC)


@dataclass
class HostPlan:
    host_id: str
    limit: int = DAILY_LIMIT
    used_before: int = 0  # creates/updates this profile already made today (from the ledger)
    spent: int = 0  # creates/updates this run made (or, in a dry run, would make)
    bookings_today: int = 0  # bookings linked (or to be linked) today
    bookings_waiting: int = 0  # bookings deferred to later days
    meetings_waiting: int = 0  # their meetings: each needs one create or update
    first_waiting: datetime | None = None  # the soonest start among them

    @property
    def over(self) -> bool:
        return self.meetings_waiting > 0

    def done_by(self, today: date) -> date:
        """The UTC day the last waiting booking gets its meeting (today when none waits)."""
        return today + timedelta(days=math.ceil(self.meetings_waiting / max(1, self.limit)))
