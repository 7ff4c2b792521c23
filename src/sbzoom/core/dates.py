"""Date arguments (`--from`, `--to`) and the company-local day window they describe."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sbzoom.errors import UsageError

RELATIVE = re.compile(r"([+-])([0-9]{1,4})([dw])")  # [0-9], not \d: no lookalike digits
# The days sbzoom reasons about. Far beyond any booking, and far enough from date.max that
# adding the default 30 days (or a zone offset) can never overflow.
FIRST_DAY, LAST_DAY = date(1970, 1, 1), date(2199, 12, 31)


def parse_day(text: str, today: date, option: str) -> date:
    """YYYY-MM-DD, today, tomorrow, yesterday, or an offset such as +30d, -7d, +2w."""
    value = text.strip().lower()
    if not value.isascii():
        raise UsageError(
            f"{option} {text!r} is not a date: it has characters other than ASCII "
            "(lookalike digits or dashes?).",
            f"Type it as YYYY-MM-DD with the digits 0-9: {option} {today.isoformat()}",
        )
    day = _parse(value, today, option, text)
    if not FIRST_DAY <= day <= LAST_DAY:
        raise UsageError(
            f"{option} {text!r} is {day.isoformat()}, outside the days sbzoom works with "
            f"({FIRST_DAY.isoformat()} to {LAST_DAY.isoformat()}).",
            f"Use a nearer date, e.g. {option} {today.isoformat()}",
        )
    return day


def _parse(value: str, today: date, option: str, text: str) -> date:
    named = {"today": 0, "tomorrow": 1, "yesterday": -1}
    if value in named:
        return today + timedelta(days=named[value])
    match = RELATIVE.fullmatch(value)
    if match:
        sign = -1 if match.group(1) == "-" else 1
        days = int(match.group(2)) * (7 if match.group(3) == "w" else 1)
        try:
            return today + timedelta(days=sign * days)
        except OverflowError:
            return date.max if sign > 0 else date.min  # reported as out of range by the caller
    if not re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", value):
        raise UsageError(
            f"{option} {text!r} is not a date.",
            f"Use YYYY-MM-DD, today, or an offset such as +30d: {option} {today.isoformat()}",
        )
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
    # `--from ""` (an unset shell variable) is a mistake to report, not "no --from".
    first = parse_day(date_from, today, "--from") if date_from is not None else today
    last = (
        parse_day(date_to, today, "--to")
        if date_to is not None
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
