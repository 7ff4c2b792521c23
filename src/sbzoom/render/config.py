"""What `sbzoom config get|list|path` print."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from sbzoom.render import print_json, print_table

if TYPE_CHECKING:
    from pathlib import Path

    from rich.console import Console

    from sbzoom.core.config import Setting
    from sbzoom.store.config import Value


def format_value(value: Value | None) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def show_value(out: Console, key: str, value: Value | None, *, as_json: bool) -> None:
    if as_json:
        print_json(out, {"key": key, "value": value})
        return
    out.print(format_value(value))


def show_settings(out: Console, rows: Sequence[Setting], *, as_json: bool) -> None:
    if as_json:
        print_json(out, {r.key: r.value for r in rows})
        return
    print_table(
        out, ["key", "value", "source"], ([r.key, format_value(r.value), r.source] for r in rows)
    )


def show_path(out: Console, path: Path, *, as_json: bool) -> None:
    if as_json:
        print_json(out, {"path": str(path)})
        return
    out.print(str(path))
