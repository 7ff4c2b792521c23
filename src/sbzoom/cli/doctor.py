"""sbzoom doctor."""

from __future__ import annotations

import typer

from sbzoom.cli._common import JSON_OPTION, not_yet


def doctor(ctx: typer.Context, as_json: bool = JSON_OPTION) -> None:
    """Check config, sign-ins, scopes, mappings, local state and clock; name the fix for each."""
    raise not_yet("doctor", 8)
