"""`sbzoom doctor` on the terminal and as JSON: one line per check, its fix below it."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rich.console import Console

    from sbzoom.core.doctor.model import Check, DoctorReport

STYLES = {"ok": "green", "warn": "yellow", "fail": "red"}


def check_json(check: Check) -> dict[str, object]:
    return {"name": check.name, "status": check.status, "detail": check.detail, "fix": check.fix}


def doctor_json(report: DoctorReport) -> dict[str, object]:
    return {"checks": [check_json(c) for c in report.checks], "ok": report.ok}


def print_checks(console: Console, report: DoctorReport) -> None:
    width = max(len(c.name) for c in report.checks)
    for check in report.checks:
        console.print(
            f"{check.status:<4}  {check.name:<{width}}  {check.detail}",
            style=STYLES[check.status],
            soft_wrap=True,
        )
        if check.fix:
            console.print(f"{'':<4}  {'':<{width}}  fix: {check.fix}", soft_wrap=True)


def summary_line(report: DoctorReport) -> str:
    fails = sum(c.status == "fail" for c in report.checks)
    warns = sum(c.status == "warn" for c in report.checks)
    if not fails and not warns:
        return f"All {len(report.checks)} checks passed."
    parts = [f"{fails} failed"] if fails else []
    parts += [f"{warns} with warnings"] if warns else []
    return f"{len(report.checks)} checks: {', '.join(parts)}."
