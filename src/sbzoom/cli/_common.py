"""Small helpers every command module shares."""

from __future__ import annotations

import typer

from sbzoom.context import Context
from sbzoom.errors import SbzoomError

JSON_OPTION = typer.Option(False, "--json", help="Print machine-readable JSON on stdout.")


def context_of(ctx: typer.Context) -> Context:
    obj = ctx.find_root().obj
    assert isinstance(obj, Context), "the root callback builds the Context"
    return obj


def not_yet(command: str, issue: int) -> SbzoomError:
    return SbzoomError(
        f"'sbzoom {command}' is not available yet in this version.",
        f"It arrives with issue {issue}; see 'sbzoom --help' for what works now.",
    )
