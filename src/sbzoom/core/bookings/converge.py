"""Duplicate meetings of one booking or class session, and the one every runner keeps.

Two runs that share no disk (two machines, a cron job and a laptop, a Kubernetes CronJob started
twice) cannot see each other's lock or ledger, and Zoom has no create-if-absent: both may create
a meeting for the same booking. They converge instead: every run (and the listener, which calls
the same engine) groups the meetings it lists by their agenda marker ``[sbzoom:<key>]`` and, where
one key has several, keeps one by a rule that needs nothing but what every runner can read:

1. the meeting named by the most booking comments (sbzoom's written-back line names the meeting
   id), so a link already in the client's hands survives;
2. then the lowest meeting id.

The others are deleted (registrants moved over first for class sessions). Runs that disagree
can only do so while a comment is being rewritten at that very moment; the worst case is that
both meetings go and the next run creates one again and reports the new link.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence
from typing import Protocol, TypeVar

_MARKER = re.compile(r"\[sbzoom:([^\]\s]+)\]")
# comment_with_link() writes "sbzoom: Zoom link <url> (meeting <id>)".
_COMMENT_MEETING = re.compile(r"^sbzoom:.*\(meeting (\d+)\)\s*$", re.MULTILINE)


class Marked(Protocol):
    @property
    def id(self) -> int: ...
    @property
    def agenda(self) -> str: ...


M = TypeVar("M", bound=Marked)


def marker_key(agenda: str) -> str | None:
    """``[sbzoom:b1001] Booking …`` → ``b1001``; None when the agenda does not start with one."""
    found = _MARKER.match(agenda or "")
    return found.group(1) if found else None


def duplicates(meetings: Iterable[M]) -> dict[str, list[M]]:
    """Marker key → its meetings (lowest id first), for the keys carried by more than one."""
    by_key: dict[str, list[M]] = {}
    for meeting in meetings:
        key = marker_key(meeting.agenda)
        if key is not None:
            by_key.setdefault(key, []).append(meeting)
    return {
        key: sorted(found, key=lambda m: m.id) for key, found in by_key.items() if len(found) > 1
    }


def named_meetings(comments: Iterable[str]) -> Counter[int]:
    """How often each meeting id is named by sbzoom's line in these booking comments."""
    named: Counter[int] = Counter()
    for comment in comments:
        for number in _COMMENT_MEETING.findall(comment or ""):
            named[int(number)] += 1
    return named


def keeper(meetings: Sequence[M], named: Counter[int] | None = None) -> M:
    """The meeting every runner keeps: most named by written-back comments, then lowest id."""
    named = named or Counter()
    return min(meetings, key=lambda m: (-named[m.id], m.id))
