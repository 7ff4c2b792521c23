"""sbzoom doctor."""

from __future__ import annotations

import typer

from sbzoom.cli._common import JSON_OPTION, context_of

STYLES = {"ok": "green", "warn": "yellow", "fail": "red"}


def doctor(ctx: typer.Context, as_json: bool = JSON_OPTION) -> None:
    """Check config, sign-ins, scopes, mappings, local state and clock; name the fix for each."""
    from sbzoom import render
    from sbzoom.core.doctor import LiveFacts, run_doctor

    context = context_of(ctx)
    report = run_doctor(LiveFacts(context))
    if as_json:
        render.print_json(context.stdout, report.to_json())
    else:
        width = max(len(c.name) for c in report.checks)
        for check in report.checks:
            context.stdout.print(
                f"{check.status:<4}  {check.name:<{width}}  {check.detail}",
                style=STYLES[check.status],
                soft_wrap=True,
            )
            if check.fix:
                context.stdout.print(f"{'':<4}  {'':<{width}}  fix: {check.fix}", soft_wrap=True)
    context.notice(report.summary())
    if not report.ok:
        raise typer.Exit(1)
