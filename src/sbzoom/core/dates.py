"""Date arguments (`--from`, `--to`) and the company-local day window they describe."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sbzoom.errors import UsageError

RELATIVE = re.compile(r"([+-])(\d{1,4})([dw])")


def parse_day(text: str, today: date, option: str) -> date:
    """YYYY-MM-DD, today, tomorrow, yesterday, or an offset such as +30d, -7d, +2w."""
    value = text.strip().lower()
    named = {"today": 0, "tomorrow": 1, "yesterday": -1}
    if value in named:
        return today + timedelta(days=named[value])
    match = RELATIVE.fullmatch(value)
    if match:
        sign = -1 if match.group(1) == "-" else 1
        days = int(match.group(2)) * (7 if match.group(3) == "w" else 1)
        return today + timedelta(days=sign * days)
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise UsageError(
            f"{option} {text!r} is not a date.",
            f"Use YYYY-MM-DD, today, or an offset such as +30d: {option} {today.isoformat()}",
        ) from None


@dataclass(frozen=True)
class Window:
    first: date
    last: date
    zone: ZoneInfo

    def contains(self, moment: datetime) -> bool:
        return self.first <= moment.astimezone(self.zone).date() <= self.last


def window(
    date_from: str | None,
    date_to: str | None,
    now: datetime,
    zone: ZoneInfo,
    default_days: int = 30,
) -> Window:
    """The days from --from to --to (inclusive), in the company's zone; default today..+30."""
    today = now.astimezone(zone).date()
    first = parse_day(date_from, today, "--from") if date_from else today
    last = (
        parse_day(date_to, today, "--to")
        if date_to
        else max(first, today) + timedelta(default_days)
    )
    if last < first:
        raise UsageError(
            f"--to {last.isoformat()} is before --from {first.isoformat()}.",
            "Swap them, or leave --to out for 30 days from --from.",
        )
    return Window(first, last, zone)


def company_time(moment: datetime | None, zone: ZoneInfo | None = None) -> str:
    """``2026-11-28 10:00 CET``: wall time in the company zone with its abbreviation. How every
    time a person reads is written; JSON keeps ISO 8601."""
    if moment is None:
        return ""
    local = moment.astimezone(zone) if zone is not None else moment
    return f"{local:%Y-%m-%d %H:%M} {local.tzname() or ''}".rstrip()


def company_time_long(moment: datetime | None, zone: ZoneInfo | None = None) -> str:
    """``2026-11-28 10:00 CET (Europe/Copenhagen)``: for sentences read aloud."""
    if moment is None:
        return ""
    local = moment.astimezone(zone) if zone is not None else moment
    key = getattr(local.tzinfo, "key", "")
    short = company_time(local)
    return f"{short} ({key})" if key and key not in short else short
