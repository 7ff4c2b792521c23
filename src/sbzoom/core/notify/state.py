"""A booking's delivery state, as `report meetings` shows it."""

from __future__ import annotations

from collections.abc import Sequence

from sbzoom.store.ledger import NoticeRow


def delivery_state(rows: Sequence[NoticeRow], linked: bool, notify_on: bool) -> str | None:
    """A booking's delivery state for the report: the worst of its threads' newest notices."""
    newest: dict[str, NoticeRow] = {}
    for row in rows:
        if row.status == "superseded":
            continue
        if row.thread not in newest or row.sequence > newest[row.thread].sequence:
            newest[row.thread] = row
    states = {r.status for r in newest.values()}
    if "failed" in states:
        return "failed"
    if states & {"pending", "sending"}:
        return "pending"
    if states:
        return "sent"
    if not notify_on:
        return "off"
    return "pending" if linked else None
